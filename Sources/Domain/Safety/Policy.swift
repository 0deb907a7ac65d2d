import Foundation

/// Which namespaces argo-mcp may touch, by glob (`*` any run of characters, `?` one); deny wins over allow.
public struct NamespaceRules: Sendable, Equatable {
    public var allow: [String]
    public var deny: [String]

    public init(allow: [String] = ["*"], deny: [String] = []) {
        self.allow = allow.isEmpty ? ["*"] : allow
        self.deny = deny
    }

    public var isUnrestricted: Bool { deny.isEmpty && allow.contains("*") }

    public func permits(_ namespace: String) -> Bool {
        !deny.contains { Self.glob($0, matches: namespace) } && allow.contains { Self.glob($0, matches: namespace) }
    }

    /// Why `namespace` is refused, for error messages.
    public func refusal(_ namespace: String) -> String {
        if let rule = deny.first(where: { Self.glob($0, matches: namespace) }) {
            return "namespace \(namespace) is denied by the namespace rules (namespaces.deny '\(rule)')"
        }
        return
            "namespace \(namespace) is not in the allowed namespaces (namespaces.allow: \(allow.joined(separator: ", ")))"
    }

    /// Literal namespaces named by the allow list (no wildcards), for `list_namespaces`.
    public var literalAllowed: [String] {
        allow.filter { !$0.contains("*") && !$0.contains("?") }
    }

    public static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern)
        let t = Array(text)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// How calls that need confirmation are confirmed.
public enum ConfirmationMode: String, Sendable, CaseIterable {
    /// A preview and a confirmation token, whatever the host can do.
    case token
    /// Ask the user through the host (MCP elicitation) when the host supports it: then only the user's answer in
    /// the dialog confirms (a token cannot stand in for it). Hosts without elicitation confirm with tokens.
    case elicitation
    /// Same as elicitation.
    case auto
}

/// What argo-mcp may do: the permission flags, the namespace rules and the confirmation settings.
public struct Policy: Sendable, Equatable {
    /// Nothing that changes Argo is allowed (the default: a fresh install cannot change anything).
    public var readOnly: Bool
    /// Mutating tools (suspend, resume, retry, submit, …) are allowed when not read-only.
    public var allowMutations: Bool
    /// Destructive tools (terminate, stop, delete, …) are allowed when not read-only and mutations are allowed.
    public var allowDestructive: Bool
    /// Calls named by `confirmationRequired` need a confirmation (token or elicitation); false turns it off.
    public var requireConfirmation: Bool
    /// Safety classes (`mutating`, `destructive`) and tool names whose calls must be confirmed.
    public var confirmationRequired: Set<String>
    /// Destructive calls, plus the writes the product plan asks to confirm: running a workflow and changing what
    /// will run later.
    public static let defaultConfirmationRequired: Set<String> = [
        "destructive", "submit_workflow", "update_cron_schedule", "create_template", "create_cron_workflow",
    ]
    public var namespaces: NamespaceRules
    public var confirmationTTLSeconds: Int
    public var confirmationMode: ConfirmationMode

    public init(
        readOnly: Bool = true, allowMutations: Bool = false, allowDestructive: Bool = false,
        requireConfirmation: Bool = true, namespaces: NamespaceRules = NamespaceRules(),
        confirmationTTLSeconds: Int = 300, confirmationMode: ConfirmationMode = .auto,
        confirmationRequired: Set<String> = Policy.defaultConfirmationRequired
    ) {
        self.confirmationRequired = confirmationRequired
        self.readOnly = readOnly
        self.allowMutations = allowMutations
        self.allowDestructive = allowDestructive
        self.requireConfirmation = requireConfirmation
        self.namespaces = namespaces
        self.confirmationTTLSeconds = confirmationTTLSeconds
        self.confirmationMode = confirmationMode
    }

    /// The most any tool may do under this policy; tools above it are not listed and are refused.
    public var ceiling: SafetyClass {
        if readOnly || !allowMutations { return .readOnly }
        return allowDestructive ? .destructive : .mutating
    }

    public func permits(_ safety: SafetyClass) -> Bool { safety <= ceiling }

    /// Whether a call of `tool` at `safety` must be confirmed before it is carried out.
    public func needsConfirmation(tool: String, safety: SafetyClass) -> Bool {
        guard requireConfirmation, safety > .readOnly else { return false }
        return confirmationRequired.contains(tool)
            || confirmationRequired.contains(safety.rawValue)
            || (safety == .destructive && confirmationRequired.contains(SafetyClass.mutating.rawValue))
    }

    /// One line for the startup log.
    public var summary: String {
        var parts = [readOnly ? "read-only" : "tools up to \(ceiling.rawValue)"]
        if !readOnly && requireConfirmation && !confirmationRequired.isEmpty {
            parts.append("confirmation for \(confirmationRequired.sorted().joined(separator: ", "))")
        }
        if !namespaces.isUnrestricted {
            parts.append(
                "namespaces allow \(namespaces.allow.joined(separator: ",")) deny \(namespaces.deny.joined(separator: ","))"
            )
        }
        return parts.joined(separator: "; ")
    }
}

/// A call the policy refuses, with the reason and the setting that would change it.
public struct PolicyDenied: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
