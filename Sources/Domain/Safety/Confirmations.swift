import Crypto
import Foundation
import Ports

/// Hands out single-use confirmation tokens with previews and checks them when they come back.
///
/// A token is 256 random bits; only its SHA-256 is stored. It is bound to the tool, the target (namespace, name,
/// uid), a digest of the arguments and a fingerprint of what the preview showed that decides the call (a workflow's
/// phase, suspension and requested shutdown; a CronWorkflow's or template's resourceVersion); it expires after the
/// TTL.
public struct Confirmations: Sendable {
    let store: any ConfirmationStore
    let ttl: TimeInterval
    let now: @Sendable () -> Date
    /// Seals what a host carries between the rounds of a confirmation asked in a later request.
    let seal: CursorSeal

    public init(
        store: any ConfirmationStore, ttlSeconds: Int, now: @escaping @Sendable () -> Date = Date.init,
        seal: CursorSeal = UseCases.processSeal
    ) {
        self.store = store
        self.ttl = TimeInterval(ttlSeconds)
        self.now = now
        self.seal = seal
    }

    /// What a token is bound to.
    public struct Binding: Sendable, Equatable {
        public var tool: String
        public var namespace: String
        public var name: String
        public var uid: String?
        public var argumentsDigest: String
        public var fingerprint: String
        /// The authenticated caller (`Caller.description`); nil over stdio.
        public var caller: String? = nil
        /// The Argo Server's context (`contexts.NAME`), when argo-mcp serves several; nil with one.
        public var context: String? = nil
    }

    public func issue(_ binding: Binding) async throws -> (token: String, expiresAt: Date) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let token =
            "amc_"
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
        let expiresAt = now().addingTimeInterval(ttl)
        try await store.put(
            PendingConfirmation(
                id: Self.hash(token), tool: binding.tool, namespace: binding.namespace, name: binding.name,
                uid: binding.uid,
                argumentsDigest: binding.argumentsDigest, fingerprint: binding.fingerprint, expiresAt: expiresAt,
                caller: binding.caller, context: binding.context))
        return (token, expiresAt)
    }

    /// Uses up the token and records the outcome with `record(refusal)` (refusal nil: the token is good) in the
    /// same step of the store; returns nil when it is good for this call, else the reason it is refused.
    public func redeem(
        _ token: String, for binding: Binding, audit: any AuditSink,
        record: @escaping @Sendable (_ refusal: String?) -> AuditRecord
    ) async throws -> String? {
        let now = self.now()
        let pending = try await store.redeem(
            id: Self.hash(token), now: now, caller: binding.caller, audit: audit
        ) { taken in
            record(Self.refusal(taken, for: binding, now: now))
        }
        return Self.refusal(pending, for: binding, now: now)
    }

    /// Why `pending` does not confirm a call bound to `binding` at `now`; nil when it does.
    static func refusal(_ pending: PendingConfirmation?, for binding: Binding, now: Date) -> String? {
        guard let pending else {
            return "the confirmation token is unknown or was already used; confirm with the token of a fresh preview"
        }
        if pending.expiresAt < now {
            return
                "the confirmation token expired at \(ArgoTime.format(pending.expiresAt)); confirm with the token of a fresh preview"
        }
        if pending.caller != binding.caller {
            // Tokens are shared state across sessions (and replicas): one caller's preview must not let another
            // caller carry the call out.
            return
                "the confirmation token was issued to a different caller; confirm with the token of your own preview"
        }
        if pending.context != binding.context {
            // One Argo Server's preview (dev) must never carry a call out on another (prod).
            let issued = pending.context.map { "in context \($0)" } ?? "without a context"
            let now = binding.context.map { "context \($0)" } ?? "this server"
            return
                "the confirmation token was issued \(issued), not for \(now); preview the call in \(binding.context ?? "this context") and confirm with that token"
        }
        if pending.tool != binding.tool {
            return "the confirmation token was issued for \(pending.tool), not \(binding.tool)"
        }
        if pending.namespace != binding.namespace || pending.name != binding.name {
            return
                "the confirmation token was issued for \(pending.namespace)/\(pending.name), not \(binding.namespace)/\(binding.name)"
        }
        if pending.uid != binding.uid {
            return
                "\(binding.namespace)/\(binding.name) is not the object the preview showed (it was deleted and re-created)"
        }
        if pending.argumentsDigest != binding.argumentsDigest {
            return "the arguments differ from the ones the preview was made for"
        }
        if pending.fingerprint != binding.fingerprint {
            return
                "\(binding.namespace)/\(binding.name) changed since the preview (\(pending.fingerprint) then, \(binding.fingerprint) now)"
        }
        return nil
    }

    public static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A short id for the audit file: enough to correlate preview and confirmation, useless as a token.
    public static func tokenID(_ token: String) -> String {
        String(hash(token).prefix(12))
    }

    /// A digest of the arguments that identify a call, independent of their order: the SHA-256 of their canonical
    /// JSON (sorted keys, every string escaped), so no two different argument sets share an encoding (joined
    /// `key=value` lines did: a value holding a newline could imitate another key).
    public static func digest(_ arguments: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(arguments)) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
