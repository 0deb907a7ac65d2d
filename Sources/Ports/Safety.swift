import Foundation

/// One line of the audit file: a mutation attempt and what became of it.
public struct AuditRecord: Sendable, Codable, Equatable {
    public struct Target: Sendable, Codable, Equatable {
        public var kind: String
        public var namespace: String
        public var name: String
        public var uid: String?

        public init(kind: String, namespace: String, name: String, uid: String? = nil) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }

    public var time: String
    public var tool: String
    public var safety: String
    public var target: Target
    /// The call's arguments, secrets redacted, the confirmation token left out.
    public var arguments: [String: String]
    /// refused, preview, allowed, succeeded, failed; `interrupted` when the process carrying an allowed call out
    /// stopped before recording its outcome (written by a surviving replica of a shared store).
    public var decision: String
    public var reason: String?
    /// A short id derived from the confirmation token; never the token.
    public var tokenID: String?
    public var outcome: String?
    public var durationMilliseconds: Int?
    /// The MCP client's name, from its initialize request.
    public var client: String?
    /// Who called (`bearer:alice`, `oidc:alice@example.com`), when the transport authenticates its callers; absent
    /// over stdio.
    public var caller: String?
    /// One id per carried-out call: its `allowed` record and the record of its outcome share it, so a call whose
    /// outcome was never written can be found.
    public var attempt: String?
    /// The Argo Server the call went to, when argo-mcp serves several (`contexts.NAME`); absent with one.
    public var context: String?

    public init(
        time: String, tool: String, safety: String, target: Target, arguments: [String: String], decision: String,
        reason: String? = nil, tokenID: String? = nil, outcome: String? = nil, durationMilliseconds: Int? = nil,
        client: String? = nil, caller: String? = nil, attempt: String? = nil, context: String? = nil
    ) {
        self.context = context
        self.attempt = attempt
        self.time = time
        self.tool = tool
        self.safety = safety
        self.target = target
        self.arguments = arguments
        self.decision = decision
        self.reason = reason
        self.tokenID = tokenID
        self.outcome = outcome
        self.durationMilliseconds = durationMilliseconds
        self.client = client
        self.caller = caller
    }
}

/// Where audit records go. A write that throws means the record is not kept.
public protocol AuditSink: Sendable {
    func record(_ record: AuditRecord) async throws
}

/// A confirmation handed out with a preview, waiting to be used once.
public struct PendingConfirmation: Sendable, Codable, Equatable {
    /// SHA-256 of the token, hex: the store never holds the token itself.
    public var id: String
    public var tool: String
    public var namespace: String
    public var name: String
    public var uid: String?
    /// SHA-256 of the canonical arguments (token excluded).
    public var argumentsDigest: String
    /// The state the preview showed (e.g. the phase); a different state at confirmation refuses the token.
    public var fingerprint: String
    public var expiresAt: Date
    /// The caller the token was issued to (`Caller.description`); only that caller may use it. Absent over stdio.
    public var caller: String?
    /// One id per carried-out call: its `allowed` record and the record of its outcome share it, so a call whose
    /// outcome was never written can be found.
    public var attempt: String?
    /// The context (`contexts.NAME`) the preview was made in, when argo-mcp serves several Argo Servers: the token
    /// confirms the call in that context only.
    public var context: String?

    public init(
        id: String, tool: String, namespace: String, name: String, uid: String?, argumentsDigest: String,
        fingerprint: String, expiresAt: Date, caller: String? = nil, context: String? = nil
    ) {
        self.context = context
        self.id = id
        self.tool = tool
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.argumentsDigest = argumentsDigest
        self.fingerprint = fingerprint
        self.expiresAt = expiresAt
        self.caller = caller
    }
}

/// Keeps pending confirmations, across restarts when backed by a file, across replicas when backed by a database.
public protocol ConfirmationStore: Sendable {
    func put(_ confirmation: PendingConfirmation) async throws
    /// Removes and returns the confirmation with this id (single use) when it was issued to `caller`, pruning
    /// expired ones as of `now`. A confirmation issued to another caller is returned but left in place: a caller
    /// that learnt someone else's token cannot use it up.
    func take(id: String, now: Date, caller: String?) async throws -> PendingConfirmation?
    /// Takes the confirmation (as `take`) and appends `record(taken)` to `audit`, as one step where the store can
    /// make it one (a database holding both: one transaction, so a token is never used without its record nor
    /// recorded as used without being taken). Throws, and the caller must not act, when the record is not kept.
    func redeem(
        id: String, now: Date, caller: String?, audit: any AuditSink,
        record: @escaping @Sendable (PendingConfirmation?) -> AuditRecord
    ) async throws -> PendingConfirmation?
}

extension ConfirmationStore {
    /// Take, then record: for stores that do not hold the audit trail themselves.
    public func redeem(
        id: String, now: Date, caller: String?, audit: any AuditSink,
        record: @escaping @Sendable (PendingConfirmation?) -> AuditRecord
    ) async throws -> PendingConfirmation? {
        let taken = try await take(id: id, now: now, caller: caller)
        try await audit.record(record(taken))
        return taken
    }
}

/// Where a finished watch is announced (a webhook, a command). Off unless configured.
public protocol CompletionNotifier: Sendable {
    /// What it notifies, for results and the audit file (never a secret such as a token in a URL's query).
    var target: String { get }
    /// Delivers one JSON payload; throws when the receiver did not accept it.
    func notify(_ payload: Data) async throws
}
