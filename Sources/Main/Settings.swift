import ArgoHTTP
import ArgoSimulator
import BoundedYAML
import Domain
import Foundation
import Hooks
import MCPHTTP
import MCPServer
import Ports

/// argo-mcp's settings, merged from (highest first) command-line flags, environment, the YAML config file, defaults.
struct Settings: Sendable {
    var server: String?
    var secure = true
    var baseHref: String?
    var token: String?
    /// A file holding the token (`argo.tokenFile`), or the environment variable that holds it (`argo.tokenEnv`).
    var tokenFile: String?
    var tokenEnv: String?
    var insecureSkipVerify = false
    var caFile: String?
    var clientCert: String?
    var clientKey: String?
    var namespace = "argo"
    var requestTimeoutSeconds = 30
    /// How streams (watches, logs) are asked for: "sse" (the default, as Argo's CLI) or "ndjson".
    var streams = "sse"
    var logLevel = "info"
    var seedDirectory: String?
    // Policy; nil = not configured (the backend decides the default).
    var readOnly: Bool?
    var allowMutations: Bool?
    var allowDestructive: Bool?
    var requireConfirmation: Bool?
    var namespacesAllow: [String]?
    var namespacesDeny: [String]?
    var confirmationTTLSeconds: Int?
    var confirmationMode: String?
    /// Safety classes and tool names whose calls must be confirmed (nil: the default set).
    var confirmationRequire: [String]?
    /// `confirmation.fallback` (nil: token) and `confirmation.rules`, each item checked against its keys.
    var confirmationFallback: String?
    var confirmationRules: [JSONValue] = []
    /// `tools.toolsets`, `tools.enabledTools`, `tools.disabledTools` (nil: every toolset, nothing added or removed).
    var toolsets: [String]?
    var enabledTools: [String]?
    var disabledTools: [String]?
    var auditFile: String?
    // Completion hooks of watch_workflow (notify: true); off unless set.
    var notifyWebhook: String?
    var notifyCommand: String?
    /// The hard cap on one tool result's text (structured content: four times this).
    var maxResultBytes = 65_536
    /// Fair use over HTTP (`limits.*`): per caller, nil for no limit; `limits.callers`/`limits.groups` entries.
    var callsPerMinute: Int?
    var concurrentCalls: Int?
    var mutationsPerMinute: Int?
    var fairUseCallers: [String: JSONValue] = [:]
    var fairUseGroups: [String: JSONValue] = [:]
    /// The largest manifest argument read (lint_manifest, submit_workflow, create_template, create_cron_workflow).
    var maxManifestBytes = 1 << 20
    /// `host:port` to serve MCP Streamable HTTP on instead of stdio (nil: stdio).
    var httpListen: String?
    /// Who may call over HTTP and what each caller sees.
    var auth = AuthSettings()
    /// PostgreSQL URL for confirmation tokens and audit records shared by replicas (nil: the audit file).
    var storePostgres: String?
    /// MCP sessions open at once over HTTP.
    var httpMaxSessions = 256
    /// What one HTTP session may send before it is recycled (the SDK keeps it for resumption).
    var httpMaxSessionBytes = 16 << 20
    /// `stateful` (sessions in this process's memory) or `stateless` (every request on its own, for replicas
    /// behind a balancer).
    var httpSessions = "stateful"
    /// HTTP connections open at once (nil: 4096, or fewer when the open-file limit leaves less room).
    var httpMaxConnections: Int?
    /// Seconds a connection may take to send a request head, a request body, and may sit idle between requests.
    var httpHeadTimeoutSeconds = 10
    var httpBodyTimeoutSeconds = 60
    var httpIdleTimeoutSeconds = 120
    /// The key (32 bytes, base64) that seals state handed to clients, shared by replicas (`ARGO_MCP_STATE_KEY`).
    var stateKey: String?
    /// Several Argo Servers side by side (`contexts.NAME`, each entry already checked against its keys), and the
    /// one a request without `context` goes to.
    var contexts: [String: JSONValue] = [:]
    /// Whether the config file has a `contexts` key at all (an empty one is a mistake, not one server).
    var contextsGiven = false
    var defaultContext: String?
    /// Within one context: its description, and whether it is served by a built-in simulator.
    var contextDescription: String?
    var simulatorEnabled = false

    /// The largest config file read.
    static let maxConfigBytes = 1 << 20

    mutating func apply(file path: String) throws {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= Self.maxConfigBytes else {
                throw ConfigError("config file \(path) is \(data.count) bytes; at most \(Self.maxConfigBytes) are read")
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigError("config file \(path) is not UTF-8 text")
            }
            text = decoded
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let value: JSONValue
        do {
            let documents = try YAMLToJSON.documents(text, limits: YAMLLimits(maxBytes: Self.maxConfigBytes))
            guard documents.count <= 1 else {
                throw ConfigError("config file \(path) holds \(documents.count) YAML documents; give one")
            }
            let json = documents.first ?? Data("{}".utf8)
            value = try JSONValue.decode(json)
            let problems = ConfigKey.problems(value, keys: ConfigKey.file)
            guard problems.isEmpty else {
                throw ConfigError("config file \(path): " + problems.joined(separator: "; "))
            }
        } catch let error as ConfigError {
            throw error
        } catch let error as YAMLConversionError {
            throw ConfigError("config file \(path) is not valid YAML: \(error)")
        } catch {
            throw ConfigError("config file \(path) is not valid: \(error)")
        }
        try SettingsRegistry.apply(file: value, to: &self, path: path)
        if case .object(let keys) = value, keys["contexts"] != nil { contextsGiven = true }
        try checkHTTPLimits("config file \(path): http")
    }

    /// What the registry's ranges cannot say: the connection cap against this process's open-file limit.
    func checkHTTPLimits(_ key: String) throws {
        if let max = httpMaxConnections {
            let ceiling = ConnectionLimits.ceiling()
            guard max >= 1, max <= (ceiling ?? 1_000_000) else {
                let why =
                    ceiling.map {
                        "this process may open \($0 + ConnectionLimits.reservedFiles) files (ulimit -n), \(ConnectionLimits.reservedFiles) of them kept for Argo, PostgreSQL and the audit file: give 1 to \($0), or raise the limit"
                    } ?? "give 1 to 1000000"
                throw ConfigError("\(key).maxConnections=\(max) is out of range; \(why)")
            }
        }
    }

    /// `value` from `source` (a flag) against the range the registry gives `key`.
    static func check(_ value: Int, of key: String, source: String) throws {
        guard case .int(let range, let unit)? = SettingsRegistry.option(key)?.kind, !range.contains(value) else {
            return
        }
        throw ConfigError(ConfigKey.outOfRange("\(source)=\(value)", range, unit))
    }

    mutating func apply(environment env: [String: String]) throws {
        try SettingsRegistry.apply(environment: env, to: &self)
        try checkHTTPLimits("http")
    }

    /// The completion hook, when one is configured (a webhook wins over a command).
    func notifier() throws -> (any CompletionNotifier)? {
        if let hook = notifyWebhook {
            guard let url = URL(string: hook), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
                throw ConfigError("notifications.webhook '\(hook)' is not an http(s) URL")
            }
            return WebhookNotifier(url: url)
        }
        return notifyCommand.map { CommandNotifier(command: $0) }
    }

    /// `$XDG_STATE_HOME/argo-mcp/audit.jsonl`, else `~/.local/state/argo-mcp/audit.jsonl`.
    static var defaultAuditFile: String {
        let env = ProcessInfo.processInfo.environment
        let base =
            env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        return (base as NSString).appendingPathComponent("argo-mcp/audit.jsonl")
    }

    /// The policy in force. Against a live server everything not configured is the safe default (read-only);
    /// against the simulator, where nothing real can be harmed, mutations are allowed (still with confirmation).
    func policy(simulator: Bool) throws -> Domain.Policy {
        let mode =
            try confirmationMode.map { text in
                guard let mode = ConfirmationMode(rawValue: text.lowercased()) else {
                    throw ConfigError("confirmation.mode '\(text)' is not token, elicitation or auto")
                }
                return mode
            } ?? .auto
        let fallback = ConfirmationFallback(rawValue: confirmationFallback ?? "token") ?? .token
        if fallback == .deny && mode == .token {
            throw ConfigError(
                "confirmation.fallback is deny and confirmation.mode is token: no call that must be confirmed could ever be (a token is all that mode offers); set confirmation.mode to auto, or the fallback to token"
            )
        }
        // Each permission setting changes only itself; an unset one keeps the backend's default (open against the
        // simulator, closed against a real server).
        let open = simulator
        var policy = Domain.Policy(
            readOnly: readOnly ?? !open,
            allowMutations: allowMutations ?? open,
            allowDestructive: allowDestructive ?? open,
            requireConfirmation: requireConfirmation ?? true,
            namespaces: NamespaceRules(allow: namespacesAllow ?? ["*"], deny: namespacesDeny ?? []),
            confirmationTTLSeconds: confirmationTTLSeconds ?? 300, confirmationMode: mode,
            confirmationRequired: confirmationRequire.map(Set.init) ?? Domain.Policy.defaultConfirmationRequired)
        policy.confirmationFallback = fallback
        policy.confirmationRules = try confirmationRules.enumerated().map { index, item in
            if case .string(let text)? = item.value(at: ["fallback"]), text.lowercased() == "deny", mode == .token {
                throw ConfigError(
                    "confirmation.rules[\(index)].fallback is deny and confirmation.mode is token: no call of that rule could ever be confirmed; set confirmation.mode to auto, or the rule's fallback to token"
                )
            }
            func list(_ key: String) -> [String] {
                guard case .array(let values)? = item.value(at: [key]) else { return [] }
                return values.compactMap { if case .string(let s) = $0 { s } else { nil } }
            }
            var labels: String?
            if case .string(let text)? = item.value(at: ["labels"]) { labels = text }
            var ruleFallback: ConfirmationFallback?
            if case .string(let text)? = item.value(at: ["fallback"]) {
                ruleFallback = ConfirmationFallback(rawValue: text.lowercased())
            }
            do {
                return try ConfirmationRule(
                    source: "confirmation.rules[\(index)]", tools: list("tools"), namespaces: list("namespaces"),
                    labels: labels, fallback: ruleFallback)
            } catch {
                throw ConfigError("\(error)")
            }
        }
        return policy
    }

    /// What the permission settings grant that another setting takes away, said at start-up so that a user who
    /// allowed mutations is not left wondering why none is offered.
    func permissionWarnings(simulator: Bool) -> [String] {
        let effectiveReadOnly = readOnly ?? !simulator
        let effectiveMutations = allowMutations ?? simulator
        var warnings: [String] = []
        let granted = [
            allowMutations == true ? "ARGO_MCP_ALLOW_MUTATIONS (permissions.allowMutations)" : nil,
            allowDestructive == true ? "ARGO_MCP_ALLOW_DESTRUCTIVE (permissions.allowDestructive)" : nil,
        ].compactMap { $0 }
        if effectiveReadOnly, !granted.isEmpty {
            let why =
                readOnly == true
                ? "ARGO_MCP_READ_ONLY (permissions.readOnly, --read-only) is true"
                : "ARGO_MCP_READ_ONLY (permissions.readOnly) is not set and defaults to true against a real Argo server"
            warnings.append(
                "\(granted.joined(separator: " and ")) allow changes, but \(why): the server is read-only and offers no tool that changes Argo; set ARGO_MCP_READ_ONLY=false to allow them"
            )
        } else if allowDestructive == true, !effectiveMutations {
            warnings.append(
                "ARGO_MCP_ALLOW_DESTRUCTIVE (permissions.allowDestructive) is true, but ARGO_MCP_ALLOW_MUTATIONS (permissions.allowMutations) is \(allowMutations == false ? "false" : "not set and defaults to false against a real Argo server"): no tool that changes Argo is offered; set ARGO_MCP_ALLOW_MUTATIONS=true as well"
            )
        }
        if !confirmationRules.isEmpty && requireConfirmation == false {
            warnings.append(
                "confirmation.rules are configured but ARGO_MCP_REQUIRE_CONFIRMATION (permissions.requireConfirmation) is false: no call is confirmed, the rules included; remove one of them"
            )
        }
        return warnings
    }

    /// Every `confirmation.require` entry, and every tool of a `confirmation.rules` entry, must name a safety
    /// class or one of `tools`.
    static func checkConfirmationRequire(_ policy: Domain.Policy, tools: [String]) throws {
        let known = Set(tools + [SafetyClass.mutating.rawValue, SafetyClass.destructive.rawValue])
        let entries =
            policy.confirmationRequired.sorted().map { ("confirmation.require", $0) }
            + policy.confirmationRules.flatMap { rule in rule.tools.map { ("\(rule.source).tools", $0) } }
        for (key, entry) in entries where !known.contains(entry) {
            var message = "\(key): '\(entry)' is neither a safety class (mutating, destructive) nor a tool name"
            if let near = ConfigKey.nearest(entry, in: Array(known)) { message += "; did you mean '\(near)'?" }
            throw ConfigError(message)
        }
    }

    /// The tools offered, from `tools.*`, each name checked against the catalog (a former name counts as the
    /// tool's name now).
    func toolSelection(catalog: [ToolDefinition]) throws -> ToolSelection {
        var names: [String: String] = [:]
        for tool in catalog {
            names[tool.name] = tool.name
            for alias in tool.aliases { names[alias] = tool.name }
        }
        func tools(_ list: [String]?, _ key: String) throws -> Set<String> {
            Set(
                try (list ?? []).map { entry in
                    guard let name = names[entry] else {
                        var message = "\(key): '\(entry)' is not a tool name"
                        if let near = ConfigKey.nearest(entry, in: Array(names.keys)) {
                            message += "; did you mean '\(near)'?"
                        }
                        throw ConfigError(message)
                    }
                    return name
                })
        }
        var selection = ToolSelection(
            enabledTools: try tools(enabledTools, "tools.enabledTools"),
            disabledTools: try tools(disabledTools, "tools.disabledTools"))
        if let toolsets {
            selection.toolsets = Set(
                try toolsets.map { entry in
                    guard let toolset = Toolset(rawValue: entry.lowercased()) else {
                        var message =
                            "tools.toolsets: '\(entry)' is not a toolset (\(Toolset.allCases.map(\.rawValue).joined(separator: ", ")))"
                        if let near = ConfigKey.nearest(entry, in: Toolset.allCases.map(\.rawValue)) {
                            message += "; did you mean '\(near)'?"
                        }
                        throw ConfigError(message)
                    }
                    return toolset
                })
        }
        return selection
    }

    func connection(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ArgoConnection? {
        guard let server else { return nil }
        guard let url = ArgoConnection.baseURL(server: server, secure: secure, baseHref: baseHref) else {
            throw ConfigError(
                "'\(ArgoConnection.redacted(server))' is not an Argo Server address; use host:port (e.g. localhost:2746) or a URL"
            )
        }
        // Credentials in ARGO_SERVER (https://user:password@host) become Basic authentication, unless a token is
        // set; the address itself is kept without them, so no answer, error or log line can show them.
        if self.token != nil && (tokenFile != nil || tokenEnv != nil) {
            throw ConfigError(
                "argo.token (ARGO_TOKEN) and argo.\(tokenFile != nil ? "tokenFile" : "tokenEnv") are both set; give one"
            )
        }
        var token = try self.token ?? credential(environment: environment)
        if token == nil, let full = URL(string: server.contains("://") ? server : "https://" + server) {
            token = ArgoConnection.withoutCredentials(full).basic
        }
        if clientCert != nil && clientKey == nil {
            throw ConfigError("a client certificate needs its key: set ARGO_CLIENT_KEY or --client-key")
        }
        return ArgoConnection(
            baseURL: url, token: token, insecureSkipVerify: insecureSkipVerify, caFile: caFile,
            clientCertFile: clientCert, clientKeyFile: clientKey, requestTimeoutSeconds: requestTimeoutSeconds,
            preferSSE: streams != "ndjson")
    }
}

extension Settings {
    /// Fair use over HTTP, or nil when no limit is configured. A caller's own `limits.callers` entry wins field by
    /// field, then the most generous of its groups' entries, then `limits.*`.
    func fairUse(isMutation: @escaping @Sendable (String) -> Bool) -> FairUse? {
        let base = FairUse.Limits(
            callsPerMinute: callsPerMinute, concurrentCalls: concurrentCalls, mutationsPerMinute: mutationsPerMinute)
        func entry(_ value: JSONValue, source: String) -> FairUse.Limits {
            func int(_ key: String) -> Int? {
                if case .int(let n)? = value.value(at: [key]) { return n }
                return nil
            }
            return FairUse.Limits(
                callsPerMinute: int("callsPerMinute"), concurrentCalls: int("concurrentCalls"),
                mutationsPerMinute: int("mutationsPerMinute"), source: source)
        }
        let callers = fairUseCallers.reduce(into: [String: FairUse.Limits]()) {
            $0[$1.key] = entry($1.value, source: "limits.callers.\($1.key)")
        }
        let groups = fairUseGroups.reduce(into: [String: FairUse.Limits]()) {
            $0[$1.key] = entry($1.value, source: "limits.groups.\($1.key)")
        }
        guard !base.isUnlimited || !callers.isEmpty || !groups.isEmpty else { return nil }
        return FairUse(
            limits: { caller in
                guard let caller else { return base }
                let own = callers[caller.name]
                let theirs = caller.groups.sorted().compactMap { groups[$0] }
                func pick(_ field: KeyPath<FairUse.Limits, Int?>) -> (Int?, String?) {
                    if let value = own?[keyPath: field] { return (value, own?.source) }
                    if let best = theirs.filter({ $0[keyPath: field] != nil }).max(by: {
                        ($0[keyPath: field] ?? 0) < ($1[keyPath: field] ?? 0)
                    }) {
                        return (best[keyPath: field], best.source)
                    }
                    return (base[keyPath: field], nil)
                }
                let (calls, callsSource) = pick(\.callsPerMinute)
                let (concurrent, concurrentSource) = pick(\.concurrentCalls)
                let (mutations, mutationsSource) = pick(\.mutationsPerMinute)
                var limits = FairUse.Limits(
                    callsPerMinute: calls, concurrentCalls: concurrent, mutationsPerMinute: mutations)
                limits.sources = [
                    "callsPerMinute": callsSource, "concurrentCalls": concurrentSource,
                    "mutationsPerMinute": mutationsSource,
                ].compactMapValues { $0 }
                return limits
            }, isMutation: isMutation)
    }

    /// What seals continue tokens of filtered listings: `ARGO_MCP_STATE_KEY`, or a key of this process.
    func cursorSeal() -> CursorSeal {
        guard let stateKey, let key = try? CursorSeal.key(base64: stateKey) else { return UseCases.processSeal }
        return CursorSeal(key: key)
    }
}
