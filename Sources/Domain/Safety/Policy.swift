import Foundation
import Ports

/// Which namespaces argo-mcp may touch, by glob (`*` any run of characters, `?` one); deny wins over allow.
/// For an authenticated caller the server-wide rules are narrowed further by the caller's own entries
/// (`CallerNamespaceRules`).
public struct NamespaceRules: Sendable, Equatable {
    public var allow: [String]
    public var deny: [String]
    /// The entries of `namespaces.callers`/`namespaces.groups` that apply to this session's caller: a namespace
    /// must also be permitted by at least one of them. Nil when no per-caller rules apply (stdio, or none
    /// configured); empty when the caller matches none, and then no namespace is permitted.
    public var callerEntries: [CallerEntry]?
    /// The caller `callerEntries` were chosen for, for refusals.
    public var caller: String?
    /// The context these rules belong to (`contexts.NAME`), when argo-mcp serves several Argo Servers.
    public var context: String?

    /// One entry of the per-caller rules, with where it came from (`namespaces.groups.data-team`).
    public struct CallerEntry: Sendable, Equatable {
        public var source: String
        public var allow: [String]
        public var deny: [String]

        public init(source: String, allow: [String], deny: [String]) {
            self.source = source
            self.allow = allow
            self.deny = deny
        }

        func permits(_ namespace: String) -> Bool {
            !deny.contains { NamespaceRules.glob($0, matches: namespace) }
                && allow.contains { NamespaceRules.glob($0, matches: namespace) }
        }

        var isUnrestricted: Bool { deny.isEmpty && allow.contains("*") }
    }

    public init(allow: [String] = ["*"], deny: [String] = []) {
        self.allow = allow.isEmpty ? ["*"] : allow
        self.deny = deny
    }

    public var isUnrestricted: Bool {
        deny.isEmpty && allow.contains("*") && (callerEntries.map { $0.contains(where: \.isUnrestricted) } ?? true)
    }

    public func permits(_ namespace: String) -> Bool {
        permitsServerWide(namespace) && (callerEntries.map { $0.contains { $0.permits(namespace) } } ?? true)
    }

    func permitsServerWide(_ namespace: String) -> Bool {
        !deny.contains { Self.glob($0, matches: namespace) } && allow.contains { Self.glob($0, matches: namespace) }
    }

    /// Why `namespace` is refused, for error messages.
    public func refusal(_ namespace: String) -> String {
        guard let context else { return refusalHere(namespace) }
        return "in context \(context): " + refusalHere(namespace)
    }

    private func refusalHere(_ namespace: String) -> String {
        if let rule = deny.first(where: { Self.glob($0, matches: namespace) }) {
            return "namespace \(namespace) is denied by the namespace rules (namespaces.deny '\(rule)')"
        }
        if !permitsServerWide(namespace) {
            return
                "namespace \(namespace) is not in the allowed namespaces (namespaces.allow: \(allow.joined(separator: ", ")))"
        }
        let who = caller ?? "this caller"
        guard let entries = callerEntries, !entries.isEmpty else {
            return
                "\(who) matches no entry of namespaces.callers or namespaces.groups, so no namespace is open to it; an administrator adds the caller (or one of its groups) there, or a '*' entry under namespaces.callers for every caller"
        }
        let open = entries.map {
            "\($0.source): allow \($0.allow.joined(separator: ",")) deny \($0.deny.joined(separator: ","))"
        }
        return "namespace \(namespace) is not open to \(who) (\(open.joined(separator: "; ")))"
    }

    /// The server-wide rules in one line, or nil when they restrict nothing.
    public var summary: String? {
        guard !isUnrestricted else { return nil }
        var text = "allow \(allow.joined(separator: ",")) deny \(deny.isEmpty ? "-" : deny.joined(separator: ","))"
        if let entries = callerEntries {
            text +=
                entries.isEmpty
                ? "; none open to \(caller ?? "this caller")"
                : "; for \(caller ?? "this caller"): "
                    + entries.map {
                        "\($0.source) allow \($0.allow.joined(separator: ",")) deny \($0.deny.joined(separator: ","))"
                    }
                    .joined(separator: "; ")
        }
        return text
    }

    /// Literal namespaces named by the allow lists (no wildcards) that are permitted, for `list_namespaces`.
    public var literalAllowed: [String] {
        let named = callerEntries.map { $0.flatMap(\.allow) } ?? allow
        var seen = Set<String>()
        return named.filter { !$0.contains("*") && !$0.contains("?") && permits($0) && seen.insert($0).inserted }
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

/// What a call that must be confirmed gets when the host cannot ask its user (no elicitation, or a stateless
/// request): a preview and a confirmation token (`token`, the default), or a refusal (`deny`).
public enum ConfirmationFallback: String, Sendable, CaseIterable {
    case token
    case deny
}

/// One `confirmation.rules` entry: calls of these tools (names or safety classes; none: every call that changes
/// Argo) on objects in these namespaces (globs; none: any) whose labels match this selector (none: any) must be
/// confirmed, and, when the host cannot ask its user, get this rule's fallback.
public struct ConfirmationRule: Sendable, Equatable {
    /// Where it was configured (`confirmation.rules[0]`), for messages and the audit trail.
    public var source: String
    public var tools: [String]
    public var namespaces: [String]
    public var labels: LabelSelector?
    /// The selector as written, for messages.
    public var labelsText: String?
    public var fallback: ConfirmationFallback?

    public init(
        source: String, tools: [String] = [], namespaces: [String] = [], labels: String? = nil,
        fallback: ConfirmationFallback? = nil
    ) throws(PolicyDenied) {
        self.source = source
        self.tools = tools
        self.namespaces = namespaces
        self.fallback = fallback
        if let labels {
            switch LabelSelector.parse(labels) {
            case .success(let selector): self.labels = selector
            case .failure(let error):
                throw PolicyDenied("\(source).labels '\(labels)' is not a label selector: \(error.reason)")
            }
            self.labelsText = labels
        }
    }

    /// Whether a call of `tool` (of class `safety`) on an object in `namespace` with `labels` is one of this rule's.
    public func matches(tool: String, safety: SafetyClass, namespace: String, labels objectLabels: [String: String])
        -> Bool
    {
        guard safety > .readOnly else { return false }
        let toolMatches =
            tools.isEmpty || tools.contains(tool) || tools.contains(safety.rawValue)
            || (safety == .destructive && tools.contains(SafetyClass.mutating.rawValue))
        return toolMatches
            && (namespaces.isEmpty || namespaces.contains { NamespaceRules.glob($0, matches: namespace) })
            && (labels?.matches(objectLabels) ?? true)
    }

    /// One line: "confirmation.rules[0]: mutating in *-prod with team=payments (fallback deny)".
    public var summary: String {
        var text = "\(source): " + (tools.isEmpty ? "every change" : tools.joined(separator: ", "))
        if !namespaces.isEmpty { text += " in " + namespaces.joined(separator: ", ") }
        if let labelsText { text += " labelled " + labelsText }
        if let fallback { text += " (fallback \(fallback.rawValue))" }
        return text
    }
}

/// Why a call must be confirmed, and what it gets when the host cannot ask its user.
public struct ConfirmationNeed: Sendable, Equatable {
    /// The settings that ask for it: `confirmation.require`, `confirmation.rules[1]`, ….
    public var requiredBy: [String]
    public var fallback: ConfirmationFallback

    public init(requiredBy: [String], fallback: ConfirmationFallback) {
        self.requiredBy = requiredBy
        self.fallback = fallback
    }
}

/// `namespaces.callers` and `namespaces.groups`: the namespaces each authenticated caller (by name, `*` for every
/// caller) and each group may use, within the server-wide rules. A caller gets the union of its entries.
public struct CallerNamespaceRules: Sendable, Equatable {
    public var byCaller: [String: NamespaceRules.CallerEntry]
    public var byGroup: [String: NamespaceRules.CallerEntry]

    public init(
        byCaller: [String: NamespaceRules.CallerEntry] = [:], byGroup: [String: NamespaceRules.CallerEntry] = [:]
    ) {
        self.byCaller = byCaller
        self.byGroup = byGroup
    }

    public var isEmpty: Bool { byCaller.isEmpty && byGroup.isEmpty }

    /// The rules a session of `caller` works under: the server-wide ones when there is no caller (stdio) or no
    /// per-caller entry is configured, else narrowed to the caller's entries (none matching: nothing is open).
    public func rules(for caller: Caller?, within base: NamespaceRules) -> NamespaceRules {
        guard let caller, !isEmpty else { return base }
        var rules = base
        var entries: [NamespaceRules.CallerEntry] = []
        if let own = byCaller[caller.name] { entries.append(own) }
        if let every = byCaller["*"] { entries.append(every) }
        for group in caller.groups.sorted() { if let entry = byGroup[group] { entries.append(entry) } }
        rules.callerEntries = entries
        rules.caller = caller.description
        return rules
    }
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
    /// Destructive calls, plus the writes the product plan asks to confirm: running a workflow, changing what
    /// will run later, and answering a step that waits for a person (the approval pattern exists to have one
    /// decide).
    public static let defaultConfirmationRequired: Set<String> = [
        "destructive", "submit_workflow", "update_cron_schedule", "create_template", "create_cron_workflow",
        "approve_step", "set_step_outputs", "set_sync_limit",
    ]
    public var namespaces: NamespaceRules
    public var confirmationTTLSeconds: Int
    public var confirmationMode: ConfirmationMode
    /// Further calls that must be confirmed, by tool, namespace and label (`confirmation.rules`).
    public var confirmationRules: [ConfirmationRule] = []
    /// What a host that cannot ask its user gets for a call that must be confirmed (`confirmation.fallback`).
    public var confirmationFallback: ConfirmationFallback = .token
    /// The Argo Server this policy governs (`contexts.NAME`), when argo-mcp serves several: refusals, audit records
    /// and confirmation tokens name it. Nil with one server.
    public var context: String? {
        didSet { namespaces.context = context }
    }

    /// Where a refusal points: "permissions.readOnly", or "permissions.readOnly in context prod
    /// (contexts.prod.permissions.readOnly)".
    public func setting(_ key: String) -> String {
        guard let context else { return key }
        return "\(key) in context \(context) (contexts.\(context).\(key))"
    }

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

    /// Whether a call of `tool` at `safety` must be confirmed by `confirmation.require` (wherever it acts).
    public func needsConfirmation(tool: String, safety: SafetyClass) -> Bool {
        guard requireConfirmation, safety > .readOnly else { return false }
        return confirmationRequired.contains(tool)
            || confirmationRequired.contains(safety.rawValue)
            || (safety == .destructive && confirmationRequired.contains(SafetyClass.mutating.rawValue))
    }

    /// Whether a call of `tool` at `safety` on an object in `namespace` with `labels` must be confirmed, by which
    /// settings, and with which fallback (a matching rule's `deny` wins).
    public func confirmation(tool: String, safety: SafetyClass, namespace: String, labels: [String: String])
        -> ConfirmationNeed?
    {
        guard requireConfirmation, safety > .readOnly else { return nil }
        var requiredBy: [String] = []
        var fallback = confirmationFallback
        if needsConfirmation(tool: tool, safety: safety) { requiredBy.append("confirmation.require") }
        for rule in confirmationRules
        where rule.matches(tool: tool, safety: safety, namespace: namespace, labels: labels) {
            requiredBy.append(rule.source)
            if rule.fallback == .deny { fallback = .deny }
        }
        return requiredBy.isEmpty ? nil : ConfirmationNeed(requiredBy: requiredBy, fallback: fallback)
    }

    /// One line for the startup log.
    public var summary: String {
        var parts = [readOnly ? "read-only" : "tools up to \(ceiling.rawValue)"]
        if !readOnly && requireConfirmation && !confirmationRequired.isEmpty {
            parts.append("confirmation for \(confirmationRequired.sorted().joined(separator: ", "))")
        }
        if !readOnly && requireConfirmation {
            for rule in confirmationRules { parts.append(rule.summary) }
            if confirmationFallback == .deny { parts.append("confirmation.fallback deny") }
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
