import ArgoSimulator
import Crypto
import Domain
import Foundation
import Logging
import MCPHTTP
import MCPServer
import Ports
import Synchronization
import UnixSignals

/// The part of the configuration a running server can change without a restart: the permission flags, namespace
/// rules, toolsets, confirmation settings and rules, fair-use limits, and the callers (the tokens file; the OIDC
/// issuer's keys are fetched afresh). Each reload makes a new generation of every caller's server; an open
/// session serves its next request with it, a call under way finishes with the one it started with.
final class LiveConfiguration: Sendable {
    /// One configuration in force (a reference: reading the one in force is a retain, not a copy).
    final class Generation: Sendable {
        let number: Int
        let settings: Settings
        /// The callers' servers, made once per caller (and per narrowing) in this generation.
        let servers: PerCaller
        /// Who may call over HTTP (nil: no authentication, or stdio).
        let authenticator: (any CallerAuthenticator)?
        /// The names of the bearer tokens' callers, for the change report (never the tokens).
        let callers: [String]
        let fairUse: FairUse?

        init(
            number: Int, settings: Settings, servers: PerCaller, authenticator: (any CallerAuthenticator)?,
            callers: [String], fairUse: FairUse?
        ) {
            self.number = number
            self.settings = settings
            self.servers = servers
            self.authenticator = authenticator
            self.callers = callers
            self.fairUse = fairUse
        }
    }

    private let state: Mutex<Generation>

    init(_ first: Generation) { state = Mutex(first) }

    var current: Generation { state.withLock { $0 } }

    func replace(_ next: Generation) { state.withLock { $0 = next } }
}

/// Forwards to the authenticator of the configuration in force, so that a reload of the tokens file (or of the
/// OIDC issuer's keys) applies to the next request.
struct LiveAuthenticator: CallerAuthenticator {
    let live: LiveConfiguration
    let method: String

    func authenticate(bearerToken: String) async -> Result<Caller, AuthenticationFailure> {
        guard let authenticator = live.current.authenticator else {
            return .failure(AuthenticationFailure(.unavailable, "no authenticator is configured"))
        }
        return await authenticator.authenticate(bearerToken: bearerToken)
    }
}

extension Settings {
    /// One setting as a reload sees it: its key, how it reads in a change report, and whether a reload may change
    /// it (the rest need a restart: where Argo is, how HTTP listens, the stores, the authentication mode).
    struct ReloadField {
        var key: String
        var describe: (Settings) -> String
        var copy: ((inout Settings, Settings) -> Void)?
    }

    static func field<T>(_ key: String, _ path: WritableKeyPath<Settings, T>, reloadable: Bool, secret: Bool = false)
        -> ReloadField
    {
        ReloadField(
            key: key,
            describe: { s in secret ? "\(String(describing: s[keyPath: path]).hashValue)" : Self.text(s[keyPath: path])
            },
            copy: reloadable ? { $0[keyPath: path] = $1[keyPath: path] } : nil)
    }

    /// JSON with sorted keys: the same mapping always reads the same.
    static func canonical(_ map: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(map)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    static func text<T>(_ value: T) -> String {
        switch value {
        case let list as [String]?: list.map { "[\($0.joined(separator: ", "))]" } ?? "default"
        case let optional as Int?: optional.map(String.init) ?? "default"
        case let optional as Bool?: optional.map { "\($0)" } ?? "default"
        case let optional as String?: optional ?? "default"
        case let map as [String: JSONValue]:
            // Keys sorted, so the same mapping always reads the same (a dictionary's own order may differ).
            map.isEmpty ? "none" : canonical(map)
        default: "\(value)"
        }
    }

    static var reloadFields: [ReloadField] {
        [
            field("permissions.readOnly", \.readOnly, reloadable: true),
            field("permissions.allowMutations", \.allowMutations, reloadable: true),
            field("permissions.allowDestructive", \.allowDestructive, reloadable: true),
            field("permissions.requireConfirmation", \.requireConfirmation, reloadable: true),
            field("namespaces.allow", \.namespacesAllow, reloadable: true),
            field("namespaces.deny", \.namespacesDeny, reloadable: true),
            field("namespaces.callers", \.auth.namespacesByCaller, reloadable: true),
            field("namespaces.groups", \.auth.namespacesByGroup, reloadable: true),
            field("tools.toolsets", \.toolsets, reloadable: true),
            field("tools.enabledTools", \.enabledTools, reloadable: true),
            field("tools.disabledTools", \.disabledTools, reloadable: true),
            field("confirmation.require", \.confirmationRequire, reloadable: true),
            field("confirmation.mode", \.confirmationMode, reloadable: true),
            field("confirmation.ttlSeconds", \.confirmationTTLSeconds, reloadable: true),
            field("confirmation.fallback", \.confirmationFallback, reloadable: true),
            field("confirmation.rules", \.confirmationRules, reloadable: true),
            field("limits.callsPerMinute", \.callsPerMinute, reloadable: true),
            field("limits.concurrentCalls", \.concurrentCalls, reloadable: true),
            field("limits.mutationsPerMinute", \.mutationsPerMinute, reloadable: true),
            field("limits.callers", \.fairUseCallers, reloadable: true),
            field("limits.groups", \.fairUseGroups, reloadable: true),
            field("auth.tokensFile", \.auth.tokensFile, reloadable: true),
            // Each context's permissions and rules; where its server is, is checked apart (a restart).
            ReloadField(
                key: "contexts",
                // Which contexts changed, never their contents (an address may hold what must not be logged).
                describe: { s in
                    s.contexts.isEmpty
                        ? "none"
                        : s.contexts.keys.sorted().map { name in
                            "\(name)#\(String(UInt(bitPattern: canonical([name: s.contexts[name] ?? .null]).hashValue) % 0xFFFFFF, radix: 16))"
                        }.joined(separator: ", ")
                },
                copy: { $0.contexts = $1.contexts }),
            field("defaultContext", \.defaultContext, reloadable: true),
            // Restart only.
            field("argo.server", \.server, reloadable: false, secret: true),
            field("argo.secure", \.secure, reloadable: false),
            field("argo.baseHref", \.baseHref, reloadable: false),
            field("argo.token", \.token, reloadable: false, secret: true),
            field("argo.tokenFile", \.tokenFile, reloadable: false),
            field("argo.tokenEnv", \.tokenEnv, reloadable: false),
            field("argo.insecureSkipVerify", \.insecureSkipVerify, reloadable: false),
            field("argo.caFile", \.caFile, reloadable: false),
            field("argo.clientCert", \.clientCert, reloadable: false),
            field("argo.clientKey", \.clientKey, reloadable: false),
            field("argo.namespace", \.namespace, reloadable: false),
            field("argo.requestTimeoutSeconds", \.requestTimeoutSeconds, reloadable: false),
            field("argo.streams", \.streams, reloadable: false),
            field("logging.level", \.logLevel, reloadable: false),
            field("logging.auditFile", \.auditFile, reloadable: false),
            field("simulator.seed", \.seedDirectory, reloadable: false),
            field("notifications.webhook", \.notifyWebhook, reloadable: false, secret: true),
            field("notifications.command", \.notifyCommand, reloadable: false),
            field("output.maxResultBytes", \.maxResultBytes, reloadable: false),
            field("limits.maxManifestBytes", \.maxManifestBytes, reloadable: false),
            field("http.listen", \.httpListen, reloadable: false),
            field("http.sessions", \.httpSessions, reloadable: false),
            field("http.maxSessions", \.httpMaxSessions, reloadable: false),
            field("http.maxSessionBytes", \.httpMaxSessionBytes, reloadable: false),
            field("http.maxConnections", \.httpMaxConnections, reloadable: false),
            field("http.headTimeoutSeconds", \.httpHeadTimeoutSeconds, reloadable: false),
            field("http.bodyTimeoutSeconds", \.httpBodyTimeoutSeconds, reloadable: false),
            field("http.idleTimeoutSeconds", \.httpIdleTimeoutSeconds, reloadable: false),
            field("http.allowedHosts", \.auth.allowedHosts, reloadable: false),
            field("http.allowedOrigins", \.auth.allowedOrigins, reloadable: false),
            field("store.postgres", \.storePostgres, reloadable: false, secret: true),
            field("auth.mode", \.auth.mode, reloadable: false),
            field("auth.oidc.issuer", \.auth.oidcIssuer, reloadable: false),
            field("auth.oidc.audience", \.auth.oidcAudience, reloadable: false),
            field("auth.oidc.jwksUrl", \.auth.oidcJWKSURL, reloadable: false),
            field("auth.oidc.nameClaim", \.auth.oidcNameClaim, reloadable: false),
            field("auth.oidc.groupsClaim", \.auth.oidcGroupsClaim, reloadable: false),
            field("auth.publicUrl", \.auth.publicURL, reloadable: false),
        ]
    }

    /// These settings with what a reload may take from `next`: the merged settings, each change that applies
    /// ("namespaces.deny: default → [kube-*]"), and the keys that changed but need a restart (kept as they are).
    func reloaded(from next: Settings) -> (settings: Settings, changes: [String], needRestart: [String]) {
        var merged = self
        var changes: [String] = []
        var restart: [String] = []
        for field in Self.reloadFields {
            let before = field.describe(self)
            let after = field.describe(next)
            guard before != after else { continue }
            if let copy = field.copy {
                copy(&merged, next)
                changes.append("\(field.key): \(before.prefix(200)) → \(after.prefix(200))")
            } else {
                restart.append(field.key)
            }
        }
        return (merged, changes, restart)
    }
}

/// Reloads the configuration on SIGHUP, or when the config file or the tokens file changes (their contents are
/// checked every `interval`). A file that does not read or check is refused with the reason, and the
/// configuration in force stays. Every attempt is logged and audited with what changed.
struct Reloader: Sendable {
    let live: LiveConfiguration
    /// The watched files' digests as the last reload read them (or as first seen).
    let seen = Seen()

    final class Seen: Sendable {
        let digests = Mutex<[String: String]>([:])
    }

    /// The settings as the flags, the environment and the config file say now.
    let read: @Sendable () throws -> Settings
    /// The next generation from settings (throws what is wrong with them).
    let make: @Sendable (Settings, Int) throws -> LiveConfiguration.Generation
    let configFile: String?
    let audit: any AuditSink
    let logger: Logger
    var interval: Duration = .seconds(2)

    /// Watches until cancelled. Reloads run one at a time, in the order they were asked for.
    func run() async {
        let (triggers, ask) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(8))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await trigger in triggers { await reload(trigger: trigger) }
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) { ask.yield("SIGHUP") }
            }
            group.addTask {
                let first = digests()
                seen.digests.withLock { $0 = first }
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    let now = digests()
                    let changed: [String] = seen.digests.withLock { before in
                        guard now != before else { return [] }
                        let files = now.keys.filter { now[$0] != before[$0] }.sorted()
                        // Seen once: the reload reads them again and records what it read.
                        before = now
                        return files
                    }
                    if !changed.isEmpty { ask.yield("a change of \(changed.joined(separator: ", "))") }
                }
            }
            await group.next()
            ask.finish()
            group.cancelAll()
        }
    }

    /// The files watched and a digest of each one's contents (empty when it cannot be read).
    func digests() -> [String: String] {
        var files = [configFile, live.current.settings.auth.tokensFile].compactMap { $0 }
        files = Array(Set(files))
        var out: [String: String] = [:]
        for file in files {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: file)).prefix(Settings.maxConfigBytes + 1)) ?? Data()
            out[file] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
        return out
    }

    /// Reads the settings again and puts the next generation in force, or refuses it with the reason.
    func reload(trigger: String) async {
        let current = live.current
        defer {
            // What the files hold now (the tokens file as the configuration in force names it) is what this reload
            // stands for: the file watch does not reload it again.
            let files = digests()
            seen.digests.withLock { $0 = files }
        }
        let next: Settings
        do {
            next = try read()
        } catch {
            await refused(trigger, "\(error)")
            return
        }
        let (merged, changes, restart) = current.settings.reloaded(from: next)
        let generation: LiveConfiguration.Generation
        do {
            generation = try make(merged, current.number + 1)
        } catch {
            await refused(trigger, "\(error)")
            return
        }
        var all = changes
        let added = Set(generation.callers).subtracting(current.callers).sorted()
        let removed = Set(current.callers).subtracting(generation.callers).sorted()
        if !added.isEmpty || !removed.isEmpty {
            all.append(
                "callers: " + (added.map { "+\($0)" } + removed.map { "-\($0)" }).joined(separator: " "))
        }
        if !restart.isEmpty {
            logger.warning(
                "these settings changed but need a restart; they stay as they are",
                metadata: ["keys": "\(restart.joined(separator: ", "))"])
        }
        live.replace(generation)
        logger.notice(
            "configuration reloaded",
            metadata: [
                "trigger": "\(trigger)", "generation": "\(generation.number)",
                "changed":
                    "\(all.isEmpty ? (generation.settings.auth.mode?.lowercased() == "oidc" ? "nothing (the issuer's keys are fetched afresh)" : "nothing") : all.joined(separator: "; "))",
            ])
        await record(
            "reloaded", trigger: trigger,
            changes: all + (restart.isEmpty ? [] : ["needs a restart, unchanged: " + restart.joined(separator: ", ")]))
    }

    private func refused(_ trigger: String, _ reason: String) async {
        logger.error(
            "configuration reload refused; the configuration in force stays",
            metadata: ["trigger": "\(trigger)", "reason": "\(reason)"])
        await record("refused", trigger: trigger, reason: reason)
    }

    private func record(_ decision: String, trigger: String, changes: [String] = [], reason: String? = nil) async {
        let record = AuditRecord(
            time: Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), tool: "reload",
            safety: "configuration",
            target: AuditRecord.Target(kind: "Configuration", namespace: "", name: configFile ?? "environment"),
            arguments: ["trigger": trigger, "changed": String(changes.joined(separator: "; ").prefix(4000))],
            decision: decision, reason: reason.map { String($0.prefix(2000)) })
        do {
            try await audit.record(record)
        } catch {
            logger.error("could not audit a configuration reload", metadata: ["error": "\(error)"])
        }
    }
}
