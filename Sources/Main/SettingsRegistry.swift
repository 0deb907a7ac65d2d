import ArgoSimulator
import Domain
import Foundation

/// One setting, declared once: where it is read from (the config file's key, environment variables, a
/// command-line flag), the kind of value it takes with its bounds, how it changes `Settings`, and what it means.
/// The config file's strict checker (`ConfigKey.file`), the reading of the file and of the environment, and the
/// README's configuration table (`argo-mcp tools --settings`) all come from `SettingsRegistry.all`.
struct SettingOption {
    /// The config file's key path (`argo.server`); nil for a setting read from the environment only.
    var key: String?
    var environment: [String] = []
    /// The command-line flag as the README shows it (`--seed DIR`); ArgumentParser declares it in the command.
    var flag: String?
    var kind: ConfigKey
    /// The README's words; nil puts this setting in the previous one's row.
    var meaning: String?
    /// Puts a checked value into the settings; `source` names where it came from, for an error.
    var apply: (inout Settings, SettingValue, _ source: String) throws -> Void
}

/// A setting's value, of the kind its option declares, already checked against its bounds.
enum SettingValue {
    case string(String)
    case bool(Bool)
    case int(Int)
    case strings([String])
    /// A mapping of names the user picks to values already checked against the map's value kind.
    case mapping([String: JSONValue])
    /// The items of a list, each already checked against the list's item kind.
    case items([JSONValue])
}

/// `{allow, deny}` of one caller or group (`namespaces.callers.NAME`, `namespaces.groups.GROUP`).
struct CallerRules: Sendable, Equatable {
    var allow: [String]?
    var deny: [String]?
}

enum SettingsRegistry {
    // Setters from a key path, one per kind of field.
    static func set(_ path: WritableKeyPath<Settings, String>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .string(let x) = v { s[keyPath: path] = x } }
    }
    static func set(_ path: WritableKeyPath<Settings, String?>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .string(let x) = v { s[keyPath: path] = x } }
    }
    static func set(_ path: WritableKeyPath<Settings, Bool>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .bool(let x) = v { s[keyPath: path] = x } }
    }
    static func set(_ path: WritableKeyPath<Settings, Bool?>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .bool(let x) = v { s[keyPath: path] = x } }
    }
    static func set(_ path: WritableKeyPath<Settings, Int>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .int(let x) = v { s[keyPath: path] = x } }
    }
    static func set(_ path: WritableKeyPath<Settings, Int?>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .int(let x) = v { s[keyPath: path] = x } }
    }
    static func set(_ path: WritableKeyPath<Settings, [String]?>) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in if case .strings(let x) = v { s[keyPath: path] = x } }
    }
    static func set(
        _ path: WritableKeyPath<Settings, [String: CallerRules]>
    ) -> (inout Settings, SettingValue, String) -> Void {
        { s, v, _ in
            guard case .mapping(let object) = v else { return }
            var rules: [String: CallerRules] = [:]
            for (name, entry) in object {
                func list(_ key: String) -> [String]? {
                    guard case .array(let items)? = entry.value(at: [key]) else { return nil }
                    return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
                }
                rules[name] = CallerRules(allow: list("allow"), deny: list("deny"))
            }
            s[keyPath: path] = rules
        }
    }

    static let seconds1To86400 = ConfigKey.int(1...86_400, unit: "seconds")
    static let rulesEntry = ConfigKey.section(["allow": .strings, "deny": .strings])
    static let callsPerMinute = ConfigKey.int(1...1_000_000, unit: "calls a minute")
    static let concurrentCalls = ConfigKey.int(1...100_000, unit: "calls")
    static let fairUseEntry = ConfigKey.section([
        "callsPerMinute": callsPerMinute, "concurrentCalls": concurrentCalls, "mutationsPerMinute": callsPerMinute,
    ])
    static let confirmationRule = ConfigKey.section([
        "tools": .strings, "namespaces": .strings, "labels": .string, "fallback": .choice(["token", "deny"]),
    ])

    /// Every setting, in the README's order.
    static var all: [SettingOption] {
        [
            SettingOption(
                key: "argo.server", environment: ["ARGO_SERVER"], flag: "--argo-server", kind: .string,
                meaning: "Argo Server `host:port` or URL. Unset: the simulator.", apply: set(\.server)),
            SettingOption(
                key: "argo.secure", environment: ["ARGO_SECURE"], kind: .bool,
                meaning: "`true` (default): https for a `host:port` server; `false`: http.", apply: set(\.secure)),
            SettingOption(
                key: "argo.baseHref", environment: ["ARGO_BASE_HREF"], kind: .string,
                meaning: "Path prefix when the server sits behind a proxy, e.g. `/argo`.", apply: set(\.baseHref)),
            SettingOption(
                key: "argo.token", environment: ["ARGO_TOKEN"], kind: .string,
                meaning: "Sent verbatim as `Authorization` (include `Bearer `), as the Argo CLI does. Never logged.",
                apply: set(\.token)),
            SettingOption(
                key: "argo.tokenFile", kind: .string,
                meaning:
                    "A file holding the token instead (a mounted Secret); a bare token gets `Bearer ` in front. Read at start-up.",
                apply: set(\.tokenFile)),
            SettingOption(
                key: "argo.tokenEnv", kind: .string,
                meaning: "The environment variable holding the token instead (for a context: `PROD_ARGO_TOKEN`).",
                apply: set(\.tokenEnv)),
            SettingOption(
                key: "argo.insecureSkipVerify", environment: ["ARGO_INSECURE_SKIP_VERIFY"],
                flag: "--insecure-skip-verify", kind: .bool, meaning: "Do not verify the server certificate.",
                apply: set(\.insecureSkipVerify)),
            SettingOption(
                key: "argo.caFile", environment: ["ARGO_CA_FILE"], flag: "--ca-file", kind: .string,
                meaning: "PEM bundle of CAs to trust.", apply: set(\.caFile)),
            SettingOption(
                key: "argo.clientCert", environment: ["ARGO_CLIENT_CERT"], flag: "--client-cert", kind: .string,
                meaning: "PEM client certificate and key (mTLS).", apply: set(\.clientCert)),
            SettingOption(
                key: "argo.clientKey", environment: ["ARGO_CLIENT_KEY"], flag: "--client-key", kind: .string,
                meaning: nil, apply: set(\.clientKey)),
            SettingOption(
                key: "argo.namespace", environment: ["ARGO_NAMESPACE"], flag: "--namespace", kind: .string,
                meaning: "Default namespace (default `argo`).", apply: set(\.namespace)),
            SettingOption(
                key: "argo.requestTimeoutSeconds", environment: ["ARGO_REQUEST_TIMEOUT"], flag: "--request-timeout",
                kind: seconds1To86400, meaning: "Seconds one request may take (default 30; 1 to 86400).",
                apply: set(\.requestTimeoutSeconds)),
            SettingOption(
                key: "argo.streams", environment: ["ARGO_MCP_STREAMS"], kind: .choice(["sse", "ndjson"]),
                meaning:
                    "`sse` (default, as the Argo CLI) or `ndjson`: how watches and log streams are asked for. SSE gets a keepalive every 15 s, so a dead connection is noticed; NDJSON sends nothing while a watch is quiet, so a quiet watch is re-opened every 30 s after a fresh read of the workflow.",
                apply: set(\.streams)),
            SettingOption(
                key: "contexts", kind: .map(.section([:])),
                meaning:
                    "Several Argo Servers side by side, one per name (`prod`, `eu-west-1`): each takes `argo.*` (its server; its token from `tokenFile` or `tokenEnv`, never written in the file), `permissions.*`, `namespaces.*`, `confirmation.require`/`fallback`/`rules`, `simulator.enabled`/`seed` and `description`. A context's namespace and confirmation settings default to the top level's; its server, credentials and permissions are its own (read-only unless it says otherwise; a read-only top level holds for all). See [Several Argo Servers](#several-argo-servers).",
                apply: { s, v, _ in
                    s.contextsGiven = true
                    if case .mapping(let entries) = v { s.contexts = entries }
                }),
            SettingOption(
                key: "defaultContext", environment: ["ARGO_MCP_CONTEXT"], kind: .string,
                meaning: "The context a request without `context` goes to (default: the only one).",
                apply: set(\.defaultContext)),
            SettingOption(
                key: "logging.level", environment: ["ARGO_MCP_LOG_LEVEL"], flag: "--log-level",
                kind: .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
                meaning: "Log level; logs go to stderr only (stdout is JSON-RPC).", apply: set(\.logLevel)),
            SettingOption(
                key: "permissions.readOnly", environment: ["ARGO_MCP_READ_ONLY"], flag: "--read-only", kind: .bool,
                meaning:
                    "Allow no tool that changes Argo. Default **true** against a real server, false against the simulator. Each permission setting changes only itself; when one grants what another takes away (mutations allowed but read-only), the server says so at start-up.",
                apply: set(\.readOnly)),
            SettingOption(
                key: "permissions.allowMutations", environment: ["ARGO_MCP_ALLOW_MUTATIONS"], kind: .bool,
                meaning:
                    "Allow mutating tools (when not read-only). Default false against a real server, true against the simulator.",
                apply: set(\.allowMutations)),
            SettingOption(
                key: "permissions.allowDestructive", environment: ["ARGO_MCP_ALLOW_DESTRUCTIVE"], kind: .bool,
                meaning:
                    "Allow destructive tools (needs mutations too). Default false against a real server, true against the simulator.",
                apply: set(\.allowDestructive)),
            SettingOption(
                key: "permissions.requireConfirmation", environment: ["ARGO_MCP_REQUIRE_CONFIRMATION"], kind: .bool,
                meaning:
                    "Calls named by `confirmation.require` need a confirmation. Default true; false turns confirmation off.",
                apply: set(\.requireConfirmation)),
            SettingOption(
                key: "tools.toolsets", environment: ["ARGO_MCP_TOOLSETS"], flag: "--toolsets", kind: .strings,
                meaning:
                    "The toolsets offered (default all): `workflows`, `logs`, `cron`, `templates`, `archive`, `artifacts`, `approvals`, `diagnostics`, `sync`, `cluster` (see [Tools](#tools)). Over HTTP a request may narrow them further with `X-MCP-Toolsets`, `X-MCP-Tools` and `X-MCP-Readonly: true`, never widen them.",
                apply: set(\.toolsets)),
            SettingOption(
                key: "tools.enabledTools", environment: ["ARGO_MCP_ENABLED_TOOLS"], kind: .strings,
                meaning:
                    "Tools offered besides those of the chosen toolsets; `tools.disabledTools`: tools never offered (wins). An unknown toolset or tool name stops the server at start-up, naming the nearest. The permission settings still apply.",
                apply: set(\.enabledTools)),
            SettingOption(
                key: "tools.disabledTools", environment: ["ARGO_MCP_DISABLED_TOOLS"], kind: .strings, meaning: nil,
                apply: set(\.disabledTools)),
            SettingOption(
                key: "confirmation.require", environment: ["ARGO_MCP_CONFIRMATION_REQUIRE"], kind: .strings,
                meaning:
                    "Safety classes (`mutating`, `destructive`) and tool names whose calls must be confirmed. Default: `destructive`, `submit_workflow`, `update_cron_schedule`, `create_template`, `create_cron_workflow`, `approve_step`, `set_step_outputs`, `set_sync_limit`. An unknown entry stops the server at start-up.",
                apply: set(\.confirmationRequire)),
            SettingOption(
                key: "namespaces.allow", environment: ["ARGO_MCP_NAMESPACES_ALLOW"], flag: "--allow-namespace",
                kind: .strings, meaning: "Globs of namespaces argo-mcp may read (and later change); default `*`.",
                apply: set(\.namespacesAllow)),
            SettingOption(
                key: "namespaces.deny", environment: ["ARGO_MCP_NAMESPACES_DENY"], flag: "--deny-namespace",
                kind: .strings,
                meaning:
                    "Globs never touched; deny wins. A denied namespace is never listed, read, watched or shown in an all-namespace listing.",
                apply: set(\.namespacesDeny)),
            SettingOption(
                key: "confirmation.ttlSeconds", kind: .int(1...604_800, unit: "seconds"),
                meaning: "Lifetime of a confirmation token (default 300; 1 to 604800, a week).",
                apply: set(\.confirmationTTLSeconds)),
            SettingOption(
                key: "confirmation.mode", environment: ["ARGO_MCP_CONFIRMATION_MODE"],
                kind: .choice(["token", "elicitation", "auto"]),
                meaning:
                    "`auto` (default) or `elicitation`: when the host supports MCP elicitation, only the user's answer in its dialog confirms (a token does not stand in for it); hosts without elicitation get a preview and a token. `token`: always preview + token.",
                apply: set(\.confirmationMode)),
            SettingOption(
                key: "confirmation.fallback", environment: ["ARGO_MCP_CONFIRMATION_FALLBACK"],
                kind: .choice(["token", "deny"]),
                meaning:
                    "What a call that must be confirmed gets when the host cannot ask its user (no elicitation, or a stateless request): `token` (default), a preview and a confirmation token; `deny`, a refusal. A rule may set its own.",
                apply: set(\.confirmationFallback)),
            SettingOption(
                key: "confirmation.rules", kind: .list(confirmationRule),
                meaning:
                    "More calls that must be confirmed, each rule `{tools, namespaces, labels, fallback}`: `tools` are tool names or safety classes (default every call that changes Argo), `namespaces` globs (default any), `labels` a label selector on the object (default any), `fallback` `token` or `deny`. E.g. `{namespaces: [\"*-prod\"]}` confirms every change in a prod namespace; `{tools: [delete_workflow], labels: \"team=payments\", fallback: deny}`. Checked strictly at start-up and shown in the start-up log and `get_cluster_info`.",
                apply: { s, v, _ in if case .items(let items) = v { s.confirmationRules = items } }),
            SettingOption(
                key: "logging.auditFile", environment: ["ARGO_MCP_AUDIT_FILE"], kind: .string,
                meaning: "The audit file of mutation attempts.", apply: set(\.auditFile)),
            SettingOption(
                key: "output.maxResultBytes", environment: ["ARGO_MCP_MAX_RESULT_BYTES"],
                kind: .int(1024...Int.max, unit: "bytes"),
                meaning:
                    "Hard cap on one tool result's text (default 65536; at least 1024): longer text is cut with a marker saying how to ask for less, structured content over four times the cap is replaced by a note. Tools aim well below it on their own (under 8 KB by default, even for 50,000-node workflows).",
                apply: set(\.maxResultBytes)),
            SettingOption(
                key: "notifications.webhook", environment: ["ARGO_MCP_NOTIFY_WEBHOOK"], kind: .string,
                meaning:
                    "`watch_workflow` with `notify: true` POSTs a JSON summary here when the workflow completes. Off unless set; needs mutations allowed; every send is audited (the URL's query is never written).",
                apply: set(\.notifyWebhook)),
            SettingOption(
                key: "notifications.command", environment: ["ARGO_MCP_NOTIFY_COMMAND"], kind: .string,
                meaning:
                    "Instead of a webhook: a shell command that gets the JSON summary on stdin (its output goes to stderr). It runs in a process group of its own, without argo-mcp's credentials in its environment (`ARGO_TOKEN`, client keys, anything named like a token, password or secret), and is stopped with its children after 30 s.",
                apply: set(\.notifyCommand)),
            SettingOption(
                key: "limits.callsPerMinute", environment: ["ARGO_MCP_CALLS_PER_MINUTE"], kind: callsPerMinute,
                meaning:
                    "Fair use over HTTP, per caller and per replica (unset: no limit): calls that reach Argo (`tools/call`, `resources/read`, `prompts/get`, `completion/complete`, `subscriptions/listen`) a minute, a token bucket that holds a minute's worth; `limits.concurrentCalls`: calls under way at once; `limits.mutationsPerMinute`: calls of tools that change Argo a minute. Beyond them: HTTP 429 with `Retry-After` and a JSON-RPC error (code -32029) saying when to retry, before any work. Metered as `argo_mcp_rate_limited_total`.",
                apply: set(\.callsPerMinute)),
            SettingOption(
                key: "limits.concurrentCalls", environment: ["ARGO_MCP_CONCURRENT_CALLS"], kind: concurrentCalls,
                meaning: nil, apply: set(\.concurrentCalls)),
            SettingOption(
                key: "limits.mutationsPerMinute", environment: ["ARGO_MCP_MUTATIONS_PER_MINUTE"], kind: callsPerMinute,
                meaning: nil, apply: set(\.mutationsPerMinute)),
            SettingOption(
                key: "limits.callers", kind: .map(fairUseEntry),
                meaning:
                    "Limits of one caller (`{callsPerMinute, concurrentCalls, mutationsPerMinute}`) or of a group's members; a caller's own entry wins, then the most generous of its groups', then `limits.*`.",
                apply: { s, v, _ in if case .mapping(let m) = v { s.fairUseCallers = m } }),
            SettingOption(
                key: "limits.groups", kind: .map(fairUseEntry), meaning: nil,
                apply: { s, v, _ in if case .mapping(let m) = v { s.fairUseGroups = m } }),
            SettingOption(
                key: "limits.maxManifestBytes", environment: ["ARGO_MCP_MAX_MANIFEST_BYTES"],
                kind: .int(1024...(64 << 20), unit: "bytes"),
                meaning:
                    "The largest manifest argument read by `lint_manifest`, `submit_workflow`, `create_template`, `create_cron_workflow` (default 1048576; 1024 to 67108864). YAML is converted to JSON within limits (nesting 100, one million values once aliases are expanded, 32 MiB of JSON): an alias bomb or an unquoted `{{…}}` expression is an argument error naming the line.",
                apply: set(\.maxManifestBytes)),
            SettingOption(
                key: "http.listen", environment: ["ARGO_MCP_HTTP_LISTEN"], flag: "--http", kind: .string,
                meaning:
                    "Serve MCP Streamable HTTP at `http://HOST:PORT/mcp` instead of stdio. Loopback addresses only while `auth.mode` is `none`.",
                apply: set(\.httpListen)),
            SettingOption(
                key: "http.sessions", environment: ["ARGO_MCP_HTTP_SESSIONS"],
                kind: .choice(["stateful", "stateless"]),
                meaning:
                    "`stateful` (default): MCP sessions kept by this process, with confirmation dialogs, sampling and resource subscriptions; one replica. `stateless`: every request on its own, for several replicas behind a balancer (see [Deploy for a team](#deploy-for-a-team)).",
                apply: set(\.httpSessions)),
            SettingOption(
                key: "http.maxConnections", kind: .int(1...1_000_000, unit: "connections"),
                meaning:
                    "HTTP connections open at once (default 4096, or the process's open-file limit less 64 kept for Argo, PostgreSQL and the audit file, whichever is lower; a larger value stops start-up with the limit). At the cap the server stops accepting until a connection closes, so it never runs out of file descriptors. A connection must send a complete request head within 10 s of opening, its body within 60 s of the head, and is closed when idle for 120 s between requests (1 to 86400 s each; keep the idle timeout above your balancer's upstream keep-alive, 60 s in nginx); an answer under way, an event stream included, has no limit. Metered as `argo_mcp_http_connections`, `argo_mcp_http_accept_paused_total`, `argo_mcp_http_connection_timeouts_total{kind}`.",
                apply: set(\.httpMaxConnections)),
            SettingOption(
                key: "http.headTimeoutSeconds", kind: seconds1To86400, meaning: nil,
                apply: set(\.httpHeadTimeoutSeconds)),
            SettingOption(
                key: "http.bodyTimeoutSeconds", kind: seconds1To86400, meaning: nil,
                apply: set(\.httpBodyTimeoutSeconds)),
            SettingOption(
                key: "http.idleTimeoutSeconds", kind: seconds1To86400, meaning: nil,
                apply: set(\.httpIdleTimeoutSeconds)),
            SettingOption(
                key: "http.maxSessions", kind: .int(1...100_000, unit: "sessions"),
                meaning:
                    "MCP sessions open at once over HTTP (default 256), and what one session may send before it is recycled (default 16 MiB, 64 KiB to 1 GiB): together they bound the memory sessions hold.",
                apply: set(\.httpMaxSessions)),
            SettingOption(
                key: "http.maxSessionBytes", kind: .int(65_536...(1 << 30), unit: "bytes"), meaning: nil,
                apply: set(\.httpMaxSessionBytes)),
            SettingOption(
                key: "store.postgres", environment: ["ARGO_MCP_POSTGRES_URL"], kind: .string,
                meaning:
                    "`postgres://USER:PASSWORD@HOST:5432/DB?sslmode=require`: keep confirmation tokens and audit records in PostgreSQL instead of the audit file, so replicas share them (a token issued by one is redeemed once on any; the database decides a race, and a redemption and its audit record are one transaction). Tables are created at start-up; `/readyz` says 503 while the database does not answer. `sslmode` `disable`, `prefer` (default), `require`/`verify-ca`/`verify-full` (certificates are always verified when TLS is used).",
                apply: set(\.storePostgres)),
            SettingOption(
                key: nil, environment: ["ARGO_MCP_STATE_KEY"], kind: .string,
                meaning:
                    "32 random bytes in base64 (`head -c 32 /dev/urandom | base64`) that seal what a client carries from one request to the next: the continue tokens of listings that namespace rules filter (Argo's own name the object a page starts at), and the state of a confirmation asked in a later request (MCP 2026-07-28). Give every replica the same key; without one, each process makes its own, and what one replica sealed is refused by another. From a Secret in the Kubernetes manifests.",
                apply: { s, v, source in
                    guard case .string(let key) = v else { return }
                    do {
                        _ = try CursorSeal.key(base64: key)
                    } catch {
                        throw ConfigError("\(source) is \(error)")
                    }
                    s.stateKey = key
                }),
            SettingOption(
                key: "auth.mode", environment: ["ARGO_MCP_AUTH_MODE"], kind: .choice(["none", "bearer", "oidc"]),
                meaning:
                    "Who may call over HTTP: `none` (default; loopback only), `bearer` (static tokens) or `oidc` (JWT access tokens). Over stdio the caller is whoever started the process.",
                apply: set(\.auth.mode)),
            SettingOption(
                key: "auth.tokensFile", environment: ["ARGO_MCP_BEARER_TOKENS_FILE"], kind: .string,
                meaning:
                    "`bearer`: a YAML or JSON list of `{name, sha256, groups}`, the SHA-256 of each token, never the token (`argo-mcp new-token NAME` makes one); `ARGO_MCP_BEARER_TOKENS` holds the list itself. Both sources are read together.",
                apply: set(\.auth.tokensFile)),
            SettingOption(
                key: nil, environment: ["ARGO_MCP_BEARER_TOKENS"], kind: .string, meaning: nil,
                apply: set(\.auth.tokensText)),
            SettingOption(
                key: "auth.oidc.issuer", environment: ["ARGO_MCP_OIDC_ISSUER"], kind: .string,
                meaning:
                    "`oidc`: the `iss` and an `aud` every token must carry; keys from `jwksUrl` or the issuer's `/.well-known/openid-configuration`; the caller's name from `nameClaim` (default `sub`), groups from `groupsClaim` (default `groups`). Signatures are checked against the issuer's public keys only (no `none`, no HMAC), expiry and not-before with 60 s of leeway.",
                apply: set(\.auth.oidcIssuer)),
            SettingOption(
                key: "auth.oidc.audience", environment: ["ARGO_MCP_OIDC_AUDIENCE"], kind: .string, meaning: nil,
                apply: set(\.auth.oidcAudience)),
            SettingOption(
                key: "auth.oidc.jwksUrl", environment: ["ARGO_MCP_OIDC_JWKS_URL"], kind: .string, meaning: nil,
                apply: set(\.auth.oidcJWKSURL)),
            SettingOption(
                key: "auth.oidc.nameClaim", kind: .string, meaning: nil, apply: set(\.auth.oidcNameClaim)),
            SettingOption(
                key: "auth.oidc.groupsClaim", kind: .string, meaning: nil, apply: set(\.auth.oidcGroupsClaim)),
            SettingOption(
                key: "auth.publicUrl", environment: ["ARGO_MCP_PUBLIC_URL"], kind: .string,
                meaning:
                    "The URL hosts reach `/mcp` at (required for `oidc`): the `resource` of the OAuth protected resource metadata (RFC 9728) at `/.well-known/oauth-protected-resource`, which every 401 points to. Its host is also accepted as `Host` and `Origin`.",
                apply: set(\.auth.publicURL)),
            SettingOption(
                key: "http.allowedHosts", environment: ["ARGO_MCP_HTTP_ALLOWED_HOSTS"], kind: .strings,
                meaning:
                    "`Host` and `Origin` values accepted besides loopback (`name:port`, `name:*` for any port; origins with their scheme), against DNS rebinding: another `Host` gets 421, another `Origin` 403. Hosts that are not browsers send no `Origin`.",
                apply: set(\.auth.allowedHosts)),
            SettingOption(
                key: "http.allowedOrigins", environment: ["ARGO_MCP_HTTP_ALLOWED_ORIGINS"], kind: .strings,
                meaning: nil, apply: set(\.auth.allowedOrigins)),
            SettingOption(
                key: "namespaces.callers", kind: .map(rulesEntry),
                meaning:
                    "`{allow, deny}` per authenticated caller (`*`: every caller) and per group. A caller may use a namespace the server-wide rules permit and at least one of its entries permits; a caller that matches no entry gets no namespace. Without such entries every caller has the server-wide rules.",
                apply: set(\.auth.namespacesByCaller)),
            SettingOption(
                key: "namespaces.groups", kind: .map(rulesEntry), meaning: nil,
                apply: set(\.auth.namespacesByGroup)),
            SettingOption(
                key: "simulator.seed", flag: "--seed DIR", kind: .string,
                meaning:
                    "Simulator: load Workflow / CronWorkflow / WorkflowTemplate / ClusterWorkflowTemplate files (YAML or JSON, one object, `---` documents or `kind: List`) instead of the demo data (`--demo` loads both).",
                apply: set(\.seedDirectory)),
        ]
    }

    /// The option a config key names.
    static func option(_ key: String) -> SettingOption? { all.first { $0.key == key } }

    /// The config file's keys as the strict checker walks them: sections nested by the dots of the keys.
    static var fileKeys: [String: ConfigKey] {
        var tree: [String: ConfigKey] = [:]
        func insert(_ parts: ArraySlice<String>, _ kind: ConfigKey, into keys: inout [String: ConfigKey]) {
            guard let first = parts.first else { return }
            if parts.count == 1 {
                keys[first] = kind
                return
            }
            var inner: [String: ConfigKey] = [:]
            if case .section(let existing)? = keys[first] { inner = existing }
            insert(parts.dropFirst(), kind, into: &inner)
            keys[first] = .section(inner)
        }
        for option in all {
            guard let key = option.key else { continue }
            insert(ArraySlice(key.split(separator: ".").map(String.init)), option.kind, into: &tree)
        }
        // A context's entry takes the keys a context may set (`Settings.contextKeys`), nested the same way.
        var context: [String: ConfigKey] = [:]
        for option in Settings.contextOptions {
            guard let key = option.key else { continue }
            insert(ArraySlice(key.split(separator: ".").map(String.init)), option.kind, into: &context)
        }
        tree["contexts"] = .map(.section(context))
        return tree
    }

    /// Applies every setting the (already checked) config file gives.
    static func apply(file: JSONValue, to settings: inout Settings, path: String) throws {
        for option in all {
            guard let key = option.key, let value = file.value(at: key.split(separator: ".").map(String.init)),
                value != .null, let setting = option.kind.value(of: value)
            else { continue }
            try option.apply(&settings, setting, "config file \(path): \(key)")
        }
    }

    /// Applies every setting the environment gives (an empty variable is unset).
    static func apply(environment: [String: String], to settings: inout Settings) throws {
        for option in all {
            for name in option.environment {
                guard let text = environment[name], !text.isEmpty else { continue }
                try option.apply(&settings, try option.kind.value(fromEnvironment: text, name: name), name)
            }
        }
    }

    /// The README's configuration table.
    static func markdown() -> String {
        var rows: [(environment: [String], flags: [String], keys: [String], meaning: String)] = []
        for option in all {
            var environment = option.environment.map { "`\($0)`" }
            if case .strings = option.kind, !environment.isEmpty {
                environment[environment.count - 1] += " (comma-separated)"
            }
            let flags = option.flag.map { flag -> String in
                if case .strings = option.kind { return "`\(flag)` (repeatable)" }
                return "`\(flag)`"
            }
            var key = option.key.map { "`\($0)`" }
            if case .map = option.kind, let k = option.key { key = "`\(k).NAME`" }
            if case .list = option.kind, let k = option.key { key = "`\(k)` (a list)" }
            if option.meaning == nil, !rows.isEmpty {
                rows[rows.count - 1].environment += environment
                rows[rows.count - 1].flags += flags.map { [$0] } ?? []
                rows[rows.count - 1].keys += key.map { [$0] } ?? []
            } else {
                rows.append((environment, flags.map { [$0] } ?? [], key.map { [$0] } ?? [], option.meaning ?? ""))
            }
        }
        var lines = ["| environment | flag | config file key | meaning |", "| --- | --- | --- | --- |"]
        for row in rows {
            let cells = [
                row.environment.joined(separator: ", "), row.flags.joined(separator: ", "),
                row.keys.joined(separator: ", "), row.meaning.replacingOccurrences(of: "|", with: "\\|"),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}

extension JSONValue {
    /// The value at a path of object keys.
    func value(at path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard case .object(let object) = current, let next = object[key] else { return nil }
            current = next
        }
        return current
    }
}
