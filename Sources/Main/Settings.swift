import ArgoHTTP
import ArgoSimulator
import BoundedYAML
import Domain
import Foundation
import Hooks
import MCPHTTP
import Ports

/// argo-mcp's settings, merged from (highest first) command-line flags, environment, the YAML config file, defaults.
struct Settings: Sendable {
    var server: String?
    var secure = true
    var baseHref: String?
    var token: String?
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
    var auditFile: String?
    // Completion hooks of watch_workflow (notify: true); off unless set.
    var notifyWebhook: String?
    var notifyCommand: String?
    /// The hard cap on one tool result's text (structured content: four times this).
    var maxResultBytes = 65_536
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

    /// The config file's shape (all keys optional).
    struct File: Decodable {
        struct Argo: Decodable {
            var server: String?
            var secure: Bool?
            var baseHref: String?
            var token: String?
            var insecureSkipVerify: Bool?
            var caFile: String?
            var clientCert: String?
            var clientKey: String?
            var namespace: String?
            var requestTimeoutSeconds: Int?
            var streams: String?
        }
        struct Simulator: Decodable { var seed: String? }
        struct Logging: Decodable {
            var level: String?
            var auditFile: String?
        }
        struct Permissions: Decodable {
            var readOnly: Bool?
            var allowMutations: Bool?
            var allowDestructive: Bool?
            var requireConfirmation: Bool?
        }
        struct Rules: Decodable, Sendable {
            var allow: [String]?
            var deny: [String]?
        }
        struct Namespaces: Decodable {
            var allow: [String]?
            var deny: [String]?
            var callers: [String: Rules]?
            var groups: [String: Rules]?
        }
        struct Confirmation: Decodable {
            var ttlSeconds: Int?
            var mode: String?
            var require: [String]?
        }
        struct Output: Decodable { var maxResultBytes: Int? }
        struct Limits: Decodable { var maxManifestBytes: Int? }
        struct HTTP: Decodable {
            var listen: String?
            var maxSessions: Int?
            var maxSessionBytes: Int?
            var sessions: String?
            var maxConnections: Int?
            var headTimeoutSeconds: Int?
            var bodyTimeoutSeconds: Int?
            var idleTimeoutSeconds: Int?
            var allowedHosts: [String]?
            var allowedOrigins: [String]?
        }
        struct Notifications: Decodable {
            var webhook: String?
            var command: String?
        }
        var argo: Argo?
        var simulator: Simulator?
        var logging: Logging?
        var permissions: Permissions?
        var namespaces: Namespaces?
        var confirmation: Confirmation?
        var notifications: Notifications?
        var output: Output?
        var limits: Limits?
        var http: HTTP?
        var auth: AuthSettings.File?
        struct Store: Decodable { var postgres: String? }
        var store: Store?
    }

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
        let file: File
        do {
            let documents = try YAMLToJSON.documents(text, limits: YAMLLimits(maxBytes: Self.maxConfigBytes))
            guard documents.count <= 1 else {
                throw ConfigError("config file \(path) holds \(documents.count) YAML documents; give one")
            }
            let json = documents.first ?? Data("{}".utf8)
            let problems = ConfigKey.problems(
                try JSONValue.decode(json), keys: ConfigKey.file)
            guard problems.isEmpty else {
                throw ConfigError("config file \(path): " + problems.joined(separator: "; "))
            }
            file = try JSONDecoder().decode(File.self, from: json)
        } catch let error as ConfigError {
            throw error
        } catch let error as YAMLConversionError {
            throw ConfigError("config file \(path) is not valid YAML: \(error)")
        } catch {
            throw ConfigError("config file \(path) is not valid: \(error)")
        }
        if let a = file.argo {
            server = a.server ?? server
            secure = a.secure ?? secure
            baseHref = a.baseHref ?? baseHref
            token = a.token ?? token
            insecureSkipVerify = a.insecureSkipVerify ?? insecureSkipVerify
            caFile = a.caFile ?? caFile
            clientCert = a.clientCert ?? clientCert
            clientKey = a.clientKey ?? clientKey
            namespace = a.namespace ?? namespace
            requestTimeoutSeconds = a.requestTimeoutSeconds ?? requestTimeoutSeconds
            streams = a.streams ?? streams
        }
        seedDirectory = file.simulator?.seed ?? seedDirectory
        logLevel = file.logging?.level ?? logLevel
        auditFile = file.logging?.auditFile ?? auditFile
        readOnly = file.permissions?.readOnly ?? readOnly
        allowMutations = file.permissions?.allowMutations ?? allowMutations
        allowDestructive = file.permissions?.allowDestructive ?? allowDestructive
        requireConfirmation = file.permissions?.requireConfirmation ?? requireConfirmation
        namespacesAllow = file.namespaces?.allow ?? namespacesAllow
        namespacesDeny = file.namespaces?.deny ?? namespacesDeny
        confirmationTTLSeconds = file.confirmation?.ttlSeconds ?? confirmationTTLSeconds
        confirmationMode = file.confirmation?.mode ?? confirmationMode
        confirmationRequire = file.confirmation?.require ?? confirmationRequire
        notifyWebhook = file.notifications?.webhook ?? notifyWebhook
        notifyCommand = file.notifications?.command ?? notifyCommand
        maxResultBytes = file.output?.maxResultBytes ?? maxResultBytes
        try checkMaxResultBytes("config file \(path): output.maxResultBytes")
        try checkRequestTimeout("config file \(path): argo.requestTimeoutSeconds")
        maxManifestBytes = file.limits?.maxManifestBytes ?? maxManifestBytes
        try checkMaxManifestBytes("config file \(path): limits.maxManifestBytes")
        httpListen = file.http?.listen ?? httpListen
        httpMaxSessions = file.http?.maxSessions ?? httpMaxSessions
        httpMaxSessionBytes = file.http?.maxSessionBytes ?? httpMaxSessionBytes
        httpSessions = file.http?.sessions ?? httpSessions
        httpMaxConnections = file.http?.maxConnections ?? httpMaxConnections
        httpHeadTimeoutSeconds = file.http?.headTimeoutSeconds ?? httpHeadTimeoutSeconds
        httpBodyTimeoutSeconds = file.http?.bodyTimeoutSeconds ?? httpBodyTimeoutSeconds
        httpIdleTimeoutSeconds = file.http?.idleTimeoutSeconds ?? httpIdleTimeoutSeconds
        try checkHTTPLimits("config file \(path): http")
        auth.allowedHosts = file.http?.allowedHosts ?? auth.allowedHosts
        auth.allowedOrigins = file.http?.allowedOrigins ?? auth.allowedOrigins
        auth.namespacesByCaller = file.namespaces?.callers ?? auth.namespacesByCaller
        auth.namespacesByGroup = file.namespaces?.groups ?? auth.namespacesByGroup
        auth.apply(file: file.auth)
        storePostgres = file.store?.postgres ?? storePostgres
    }

    func checkHTTPLimits(_ key: String) throws {
        guard (1...100_000).contains(httpMaxSessions) else {
            throw ConfigError("\(key).maxSessions=\(httpMaxSessions) is out of range; give 1 to 100000")
        }
        guard (65_536...(1 << 30)).contains(httpMaxSessionBytes) else {
            throw ConfigError(
                "\(key).maxSessionBytes=\(httpMaxSessionBytes) is out of range; give 65536 to 1073741824 bytes")
        }
        for (name, value) in [
            ("headTimeoutSeconds", httpHeadTimeoutSeconds), ("bodyTimeoutSeconds", httpBodyTimeoutSeconds),
            ("idleTimeoutSeconds", httpIdleTimeoutSeconds),
        ] where !(1...86_400).contains(value) {
            throw ConfigError("\(key).\(name)=\(value) is out of range; give 1 to 86400 seconds")
        }
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
        guard ["stateful", "stateless"].contains(httpSessions) else {
            throw ConfigError(
                "\(key).sessions=\(httpSessions) is not stateful or stateless; use stateless for several replicas behind a balancer"
            )
        }
    }

    func checkRequestTimeout(_ key: String) throws {
        guard (1...86_400).contains(requestTimeoutSeconds) else {
            throw ConfigError("\(key)=\(requestTimeoutSeconds) is out of range; give 1 to 86400 seconds")
        }
    }

    func checkMaxManifestBytes(_ key: String) throws {
        guard (1024...(64 << 20)).contains(maxManifestBytes) else {
            throw ConfigError("\(key)=\(maxManifestBytes) is out of range; give 1024 to 67108864 bytes")
        }
    }

    func checkMaxResultBytes(_ key: String) throws {
        guard maxResultBytes >= 1024 else {
            throw ConfigError("\(key)=\(maxResultBytes) is too small; give at least 1024 bytes")
        }
    }

    mutating func apply(environment env: [String: String]) throws {
        let variables = EnvironmentVariables(env)
        func flag(_ key: String) throws -> Bool? { try variables.flag(key) }
        func text(_ key: String) -> String? { variables.text(key) }
        func list(_ key: String) -> [String]? { variables.list(key) }
        server = text("ARGO_SERVER") ?? server
        secure = try flag("ARGO_SECURE") ?? secure
        baseHref = text("ARGO_BASE_HREF") ?? baseHref
        token = text("ARGO_TOKEN") ?? token
        insecureSkipVerify = try flag("ARGO_INSECURE_SKIP_VERIFY") ?? insecureSkipVerify
        caFile = text("ARGO_CA_FILE") ?? caFile
        clientCert = text("ARGO_CLIENT_CERT") ?? clientCert
        clientKey = text("ARGO_CLIENT_KEY") ?? clientKey
        namespace = text("ARGO_NAMESPACE") ?? namespace
        if let t = text("ARGO_REQUEST_TIMEOUT") {
            guard let n = Int(t), n > 0 else {
                throw ConfigError("ARGO_REQUEST_TIMEOUT=\(t) is not a number of seconds")
            }
            requestTimeoutSeconds = n
            try checkRequestTimeout("ARGO_REQUEST_TIMEOUT")
        }
        if let t = text("ARGO_MCP_STREAMS") {
            guard ["sse", "ndjson"].contains(t) else {
                throw ConfigError("ARGO_MCP_STREAMS=\(t) is not a stream format; give sse or ndjson")
            }
            streams = t
        }
        logLevel = text("ARGO_MCP_LOG_LEVEL") ?? logLevel
        readOnly = try flag("ARGO_MCP_READ_ONLY") ?? readOnly
        allowMutations = try flag("ARGO_MCP_ALLOW_MUTATIONS") ?? allowMutations
        allowDestructive = try flag("ARGO_MCP_ALLOW_DESTRUCTIVE") ?? allowDestructive
        requireConfirmation = try flag("ARGO_MCP_REQUIRE_CONFIRMATION") ?? requireConfirmation
        namespacesAllow = list("ARGO_MCP_NAMESPACES_ALLOW") ?? namespacesAllow
        namespacesDeny = list("ARGO_MCP_NAMESPACES_DENY") ?? namespacesDeny
        auditFile = text("ARGO_MCP_AUDIT_FILE") ?? auditFile
        confirmationMode = text("ARGO_MCP_CONFIRMATION_MODE") ?? confirmationMode
        confirmationRequire = list("ARGO_MCP_CONFIRMATION_REQUIRE") ?? confirmationRequire
        httpListen = text("ARGO_MCP_HTTP_LISTEN") ?? httpListen
        if let key = text("ARGO_MCP_STATE_KEY") {
            do {
                _ = try CursorSeal.key(base64: key)
            } catch {
                throw ConfigError("ARGO_MCP_STATE_KEY is \(error)")
            }
            stateKey = key
        }
        if let sessions = text("ARGO_MCP_HTTP_SESSIONS") {
            guard ["stateful", "stateless"].contains(sessions) else {
                throw ConfigError(
                    "ARGO_MCP_HTTP_SESSIONS=\(sessions) is not stateful or stateless; use stateless for several replicas behind a balancer"
                )
            }
            httpSessions = sessions
        }
        auth.apply(environment: env)
        storePostgres = text("ARGO_MCP_POSTGRES_URL") ?? storePostgres
        notifyWebhook = text("ARGO_MCP_NOTIFY_WEBHOOK") ?? notifyWebhook
        notifyCommand = text("ARGO_MCP_NOTIFY_COMMAND") ?? notifyCommand
        if let t = text("ARGO_MCP_MAX_RESULT_BYTES") {
            guard let n = Int(t) else { throw ConfigError("ARGO_MCP_MAX_RESULT_BYTES=\(t) is not a number of bytes") }
            maxResultBytes = n
            try checkMaxResultBytes("ARGO_MCP_MAX_RESULT_BYTES")
        }
        if let t = text("ARGO_MCP_MAX_MANIFEST_BYTES") {
            guard let n = Int(t) else {
                throw ConfigError("ARGO_MCP_MAX_MANIFEST_BYTES=\(t) is not a number of bytes")
            }
            maxManifestBytes = n
            try checkMaxManifestBytes("ARGO_MCP_MAX_MANIFEST_BYTES")
        }
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
        if let ttl = confirmationTTLSeconds, !(1...604_800).contains(ttl) {
            throw ConfigError("confirmation.ttlSeconds=\(ttl) is out of range; give 1 to 604800 seconds (a week)")
        }
        let mode =
            try confirmationMode.map { text in
                guard let mode = ConfirmationMode(rawValue: text.lowercased()) else {
                    throw ConfigError("confirmation.mode '\(text)' is not token, elicitation or auto")
                }
                return mode
            } ?? .auto
        // Each permission setting changes only itself; an unset one keeps the backend's default (open against the
        // simulator, closed against a real server).
        let open = simulator
        return Domain.Policy(
            readOnly: readOnly ?? !open,
            allowMutations: allowMutations ?? open,
            allowDestructive: allowDestructive ?? open,
            requireConfirmation: requireConfirmation ?? true,
            namespaces: NamespaceRules(allow: namespacesAllow ?? ["*"], deny: namespacesDeny ?? []),
            confirmationTTLSeconds: confirmationTTLSeconds ?? 300, confirmationMode: mode,
            confirmationRequired: confirmationRequire.map(Set.init) ?? Domain.Policy.defaultConfirmationRequired)
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
        return warnings
    }

    /// Every `confirmation.require` entry must name a safety class or one of `tools`.
    static func checkConfirmationRequire(_ policy: Domain.Policy, tools: [String]) throws {
        let known = Set(tools + [SafetyClass.mutating.rawValue, SafetyClass.destructive.rawValue])
        for entry in policy.confirmationRequired.sorted() where !known.contains(entry) {
            var message =
                "confirmation.require: '\(entry)' is neither a safety class (mutating, destructive) nor a tool name"
            if let near = ConfigKey.nearest(entry, in: Array(known)) { message += "; did you mean '\(near)'?" }
            throw ConfigError(message)
        }
    }

    func connection() throws -> ArgoConnection? {
        guard let server else { return nil }
        guard let url = ArgoConnection.baseURL(server: server, secure: secure, baseHref: baseHref) else {
            throw ConfigError(
                "'\(ArgoConnection.redacted(server))' is not an Argo Server address; use host:port (e.g. localhost:2746) or a URL"
            )
        }
        // Credentials in ARGO_SERVER (https://user:password@host) become Basic authentication, unless a token is
        // set; the address itself is kept without them, so no answer, error or log line can show them.
        var token = self.token
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

/// The environment as argo-mcp reads it: empty means unset; lists are comma-separated; flags are true/false.
struct EnvironmentVariables {
    let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    func text(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

    func list(_ key: String) -> [String]? {
        text(key).map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    func flag(_ key: String) throws -> Bool? {
        guard let v = values[key]?.lowercased(), !v.isEmpty else { return nil }
        switch v {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigError("\(key)=\(v) is not true or false")
        }
    }
}

extension Settings {
    /// What seals continue tokens of filtered listings: `ARGO_MCP_STATE_KEY`, or a key of this process.
    func cursorSeal() -> CursorSeal {
        guard let stateKey, let key = try? CursorSeal.key(base64: stateKey) else { return UseCases.processSeal }
        return CursorSeal(key: key)
    }
}
