import Foundation
import Ports

/// What a destructive call would do, shown before it is confirmed.
public struct MutationPreview: Sendable, Codable, Equatable {
    public var tool: String
    public var namespace: String
    public var name: String
    public var uid: String?
    public var phase: String
    public var startedAt: String?
    /// Nodes that are running or pending now, which the call would stop (at most 20).
    public var activeNodes: [NodeRow]
    public var activeNodeCount: Int
    /// Pods that would be stopped (at most 20).
    public var pods: [String]
    public var effect: String
    public var impact: String
    /// Pass back as `confirmation_token` to carry the call out.
    public var confirmationToken: String?
    public var expiresAt: String?
    /// For a replaced object: how its spec changes (bounded; `diffTotal` counts every change).
    public var diff: [SpecChange]? = nil
    public var diffTotal: Int? = nil
    /// For a submission: what would run.
    public var runs: RunPreview? = nil
    /// For approve_step and set_step_outputs: the waiting step, its choices and who reads them.
    public var step: SuspendedStep? = nil
    /// The settings that ask for this call to be confirmed (`confirmation.require`, `confirmation.rules[0]`, …).
    public var confirmationRequiredBy: [String]? = nil
    /// The Argo Server (`contexts.NAME`) the call acts on, when argo-mcp serves several: the confirmation holds
    /// there only.
    public var context: String? = nil

    enum CodingKeys: String, CodingKey {
        case tool, namespace, name, uid, phase, startedAt, activeNodes, activeNodeCount, pods, effect, impact, diff,
            diffTotal, runs, step, context
        case confirmationRequiredBy = "confirmation_required_by"
        case confirmationToken = "confirmation_token"
        case expiresAt = "expires_at"
    }
}

/// What a submission would run.
public struct RunPreview: Sendable, Codable, Equatable {
    /// `manifest`, or the template or cron workflow it is made from.
    public var source: String
    public var entrypoint: String?
    public var images: [String]
    public var serviceAccount: String
    /// `name=value`, the declared defaults with the given values applied.
    public var parameters: [String]
    public var labels: [String]
}

/// The live state a mutation is checked against.
public struct Inspection: Sendable {
    public var uid: String?
    /// The state that must not change between preview and confirmation (e.g. the phase).
    public var fingerprint: String
    /// Set when the call makes no sense in this state; it is refused before anything else.
    public var refusal: String?
    public var preview: MutationPreview
    /// The labels of what the call changes (for a new object, those it will have), for confirmation rules.
    public var labels: [String: String]

    public init(
        uid: String?, fingerprint: String, refusal: String?, labels: [String: String] = [:], preview: MutationPreview
    ) {
        self.uid = uid
        self.fingerprint = fingerprint
        self.refusal = refusal
        self.preview = preview
        self.labels = labels
    }
}

/// The answer of a call that may need a confirmation first: a preview waiting for it, or the result.
public enum ConfirmableAnswer<Value: Sendable>: Sendable {
    case preview(MutationPreview)
    case result(Value)
}

/// A mutation refused for a reason the caller can act on; `preview` carries a fresh confirmation when one helps.
public struct MutationRefused: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var preview: MutationPreview?
    public var description: String { reason }
}

/// Every mutation passes through here, in this order: permission flags → namespace rules → the state check →
/// (destructive) a valid confirmation → an audit record → the Argo call → an audit record of the outcome.
/// A refused step leaves Argo untouched.
public struct MutationRunner: Sendable {
    public struct Call: Sendable {
        public var tool: String
        public var safety: SafetyClass
        /// What is changed, as the audit record names it: an Argo kind, or e.g. `SyncLimit`.
        public var targetKind: String
        /// Cluster-scoped targets reach every namespace (refused when namespace rules restrict the server).
        public var isClusterScoped: Bool
        public var namespace: String
        public var name: String
        /// The arguments that identify the call (bound into the token, written to the audit file).
        public var arguments: [String: String]
        public var confirmationToken: String?
        public var client: String?
        /// Asks the user directly (MCP elicitation), when the host can.
        public var confirmer: (any Confirmer)?

        /// A call on something that is not an Argo object (a semaphore limit), always namespaced.
        public init(
            _ mutation: Mutation, target: String, namespace: String, name: String, arguments: [String: String],
            confirmationToken: String?, client: String?, confirmer: (any Confirmer)? = nil
        ) {
            self.init(
                mutation, kind: .workflow, namespace: namespace, name: name, arguments: arguments,
                confirmationToken: confirmationToken, client: client, confirmer: confirmer)
            self.targetKind = target
        }

        /// - Parameter escalated: whether the call's escalating argument is set (see `Mutation.escalatedSafety`).
        public init(
            _ mutation: Mutation, escalated: Bool = false, kind: ArgoKind, namespace: String, name: String,
            arguments: [String: String],
            confirmationToken: String?, client: String?, confirmer: (any Confirmer)? = nil
        ) {
            self.tool = mutation.tool
            self.safety = mutation.safety(escalated: escalated)
            self.targetKind = kind.rawValue
            self.isClusterScoped = kind.isClusterScoped
            self.namespace = namespace
            self.name = name
            self.arguments = arguments
            self.confirmationToken = confirmationToken
            self.client = client
            self.confirmer = confirmer
        }
    }

    public enum Outcome<Value: Sendable>: Sendable {
        case previewed(MutationPreview)
        case done(Value, tokenID: String?)

        /// What a tool answers: the preview, or the result.
        public var answer: ConfirmableAnswer<Value> {
            switch self {
            case .previewed(let p): .preview(p)
            case .done(let value, _): .result(value)
            }
        }
    }

    let policy: Policy
    let audit: any AuditSink
    let confirmations: Confirmations
    let now: @Sendable () -> Date
    /// Who makes this session's calls, when the transport authenticates them: named in every audit record, and the
    /// only caller a token issued here can be redeemed by.
    let caller: Caller?

    public init(
        policy: Policy, audit: any AuditSink, confirmations: Confirmations,
        now: @escaping @Sendable () -> Date = Date.init, caller: Caller? = nil
    ) {
        self.policy = policy
        self.audit = audit
        self.confirmations = confirmations
        self.now = now
        self.caller = caller
    }

    static let secretKeys = ["token", "password", "secret", "key", "credential"]

    func record(
        _ call: Call, _ decision: String, uid: String? = nil, reason: String? = nil, tokenID: String? = nil,
        outcome: String? = nil, durationMilliseconds: Int? = nil, attempt: String? = nil
    ) -> AuditRecord {
        var arguments: [String: String] = [:]
        for (k, v) in call.arguments {
            arguments[k] = Self.secretKeys.contains { k.lowercased().contains($0) } ? "[redacted]" : v
        }
        return AuditRecord(
            time: now().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), tool: call.tool,
            safety: call.safety.rawValue,
            target: AuditRecord.Target(kind: call.targetKind, namespace: call.namespace, name: call.name, uid: uid),
            // A call that carried a token is recorded with its id whatever refused it, so the trail of one token
            // is complete (a refusal before redemption, e.g. a state check, included).
            arguments: arguments, decision: decision, reason: reason,
            tokenID: tokenID ?? call.confirmationToken.flatMap { $0.isEmpty ? nil : Confirmations.tokenID($0) },
            outcome: outcome,
            durationMilliseconds: durationMilliseconds, client: call.client, caller: caller?.description,
            attempt: attempt, context: policy.context)
    }

    /// Records a refusal and throws it; the refusal is thrown even if the audit file cannot take it.
    func refuse(
        _ call: Call, uid: String?, _ reason: String, tokenID: String? = nil, preview: MutationPreview? = nil,
        policy: Bool = false
    ) async throws -> Never {
        try? await audit.record(record(call, "refused", uid: uid, reason: reason, tokenID: tokenID))
        if policy { throw PolicyDenied(reason) }
        throw MutationRefused(reason: reason, preview: preview)
    }

    public func run<Value: Sendable>(
        _ call: Call, inspect: () async throws -> Inspection, perform: () async throws -> Value
    ) async throws -> Outcome<Value> {
        guard policy.permits(call.safety) else {
            let setting =
                policy.readOnly
                ? "\(policy.setting("permissions.readOnly")) is true"
                : (call.safety == .destructive
                    ? "\(policy.setting("permissions.allowDestructive")) is false"
                    : "\(policy.setting("permissions.allowMutations")) is false")
            try await refuse(
                call, uid: nil, "\(call.tool) is a \(call.safety.rawValue) tool and \(setting)", policy: true)
        }
        if call.isClusterScoped {
            guard policy.namespaces.isUnrestricted else {
                try await refuse(
                    call, uid: nil,
                    "a \(call.targetKind) is cluster-scoped and reaches every namespace, and this server's namespace rules restrict it to some namespaces (namespaces.allow/deny); cluster-scoped objects can only be read here",
                    policy: true)
            }
        } else if !policy.namespaces.permits(call.namespace) {
            try await refuse(call, uid: nil, policy.namespaces.refusal(call.namespace), policy: true)
        }
        var inspected = try await inspect()
        if let refusal = inspected.refusal { try await refuse(call, uid: inspected.uid, refusal) }
        let need = policy.confirmation(
            tool: call.tool, safety: call.safety, namespace: call.namespace, labels: inspected.labels)
        inspected.preview.confirmationRequiredBy = need?.requiredBy
        inspected.preview.context = policy.context
        let inspection = inspected

        if let need {
            let binding = Confirmations.Binding(
                tool: call.tool, namespace: call.namespace, name: call.name, uid: inspection.uid,
                argumentsDigest: Confirmations.digest(call.arguments), fingerprint: inspection.fingerprint,
                caller: caller?.description, context: policy.context)
            // A host that can ask its user does: then only the user's answer confirms. A token (made up, or handed
            // out by a refusal) must not let a model skip or overrule the dialog.
            if policy.confirmationMode != .token, let confirmer = call.confirmer {
                if let roundTrip = confirmer as? RoundTripConfirmer {
                    return try await confirmRoundTrip(call, binding, inspection, roundTrip, perform: perform)
                }
                return try await confirmInDialog(
                    call, inspection, confirmer: confirmer, inspect: inspect, perform: perform)
            }
            if need.fallback == .deny {
                let why =
                    policy.confirmationMode == .token
                    ? "confirmation.mode is token"
                    : "this host cannot ask its user (it declared no elicitation, or the request stands alone)"
                try await refuse(
                    call, uid: inspection.uid,
                    "\(call.tool) on \(call.namespace.isEmpty ? "" : call.namespace + "/")\(call.name) must be confirmed by the user (\(need.requiredBy.joined(separator: ", "))), \(why), and the fallback for such calls is deny (confirmation.fallback or the rule's fallback): nothing was done; use a host that shows confirmation dialogs (MCP elicitation), or ask an administrator",
                    policy: true)
            }
            guard let token = call.confirmationToken, !token.isEmpty else {
                return .previewed(try await issueRecorded(call, binding, inspection))
            }
            let id = Confirmations.tokenID(token)
            let attempt = Self.newAttempt()
            // The token's use and its audit record (allowed, or refused with the reason) are one step of the store:
            // with a database, one transaction. No record, no action.
            let reason: String?
            do {
                reason = try await confirmations.redeem(token, for: binding, audit: audit) { [self] refusal in
                    record(
                        call, refusal == nil ? "allowed" : "refused", uid: inspection.uid,
                        reason: refusal ?? "confirmed by token", tokenID: id, attempt: refusal == nil ? attempt : nil)
                }
            } catch {
                throw MutationRefused(
                    reason:
                        "not performed: the confirmation could not be redeemed and recorded (\(error)); check the audit store (logging.auditFile or store.postgres) and try again",
                    preview: nil)
            }
            if let reason {
                throw MutationRefused(reason: reason, preview: try await issueRecorded(call, binding, inspection))
            }
            return try await carryOut(
                call, inspection, tokenID: id, confirmedBy: nil, recorded: true, attempt: attempt, perform: perform)
        }

        return try await carryOut(call, inspection, tokenID: nil, confirmedBy: nil, perform: perform)
    }

    /// Asks the user; on acceptance the object is read again (the dialog may have waited minutes) and the call is
    /// refused if what the preview showed has changed since.
    func confirmInDialog<Value: Sendable>(
        _ call: Call, _ inspection: Inspection, confirmer: any Confirmer, inspect: () async throws -> Inspection,
        perform: () async throws -> Value
    ) async throws -> Outcome<Value> {
        let target = "\(call.namespace.isEmpty ? "" : call.namespace + "/")\(call.name)"
        switch await confirmer.confirm(inspection.preview) {
        case .accepted:
            let current = try await inspect()
            if let refusal = current.refusal { try await refuse(call, uid: current.uid, refusal) }
            if current.uid != inspection.uid {
                try await refuse(
                    call, uid: current.uid,
                    "\(target) was deleted and re-created while the confirmation dialog was open; nothing was done")
            }
            if current.fingerprint != inspection.fingerprint {
                try await refuse(
                    call, uid: current.uid,
                    "\(target) changed while the confirmation dialog was open (\(inspection.fingerprint) then, \(current.fingerprint) now); nothing was done — look again and retry"
                )
            }
            return try await carryOut(call, current, tokenID: nil, confirmedBy: "elicitation", perform: perform)
        case .declined:
            try await refuse(call, uid: inspection.uid, "the user declined \(call.tool) on \(target)")
        case .cancelled:
            try await refuse(
                call, uid: inspection.uid, "the user cancelled the confirmation of \(call.tool) on \(target)")
        case .unavailable(let why):
            try await refuse(
                call, uid: inspection.uid,
                "the confirmation dialog for \(call.tool) on \(target) got no answer (\(why)); nothing was done. This host supports confirmation dialogs, so only the user's answer there confirms; call again to ask again"
            )
        }
    }

    /// The last steps: the audit record of the allowed call (fail closed; `recorded` when the token's redemption
    /// wrote it already), the call, the record of its outcome.
    func carryOut<Value: Sendable>(
        _ call: Call, _ inspection: Inspection, tokenID: String?, confirmedBy: String?, recorded: Bool = false,
        attempt: String = MutationRunner.newAttempt(), perform: () async throws -> Value
    ) async throws -> Outcome<Value> {
        if !recorded {
            try await recordAllowed(call, inspection, tokenID: tokenID, confirmedBy: confirmedBy, attempt: attempt)
        }
        return try await performRecorded(call, inspection, tokenID: tokenID, attempt: attempt, perform)
    }

    /// A fresh id for one carried-out call (its `allowed` record and its outcome's).
    static func newAttempt() -> String {
        String(UUID().uuidString.lowercased().prefix(18))
    }

    func recordAllowed(
        _ call: Call, _ inspection: Inspection, tokenID: String?, confirmedBy: String?, attempt: String
    ) async throws {
        do {
            try await audit.record(
                record(
                    call, "allowed", uid: inspection.uid, reason: confirmedBy.map { "confirmed by \($0)" },
                    tokenID: tokenID, attempt: attempt))
        } catch {
            throw MutationRefused(
                reason:
                    "not performed: the audit record could not be written (\(error)); fix logging.auditFile and try again",
                preview: nil)
        }
    }

    func performRecorded<Value: Sendable>(
        _ call: Call, _ inspection: Inspection, tokenID: String?, attempt: String,
        _ perform: () async throws -> Value
    ) async throws -> Outcome<Value> {
        let started = ContinuousClock.now
        func elapsed() -> Int {
            let d = ContinuousClock.now - started
            return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        }
        do {
            let value = try await perform()
            try? await audit.record(
                record(
                    call, "succeeded", uid: inspection.uid, tokenID: tokenID, outcome: "succeeded",
                    durationMilliseconds: elapsed(), attempt: attempt))
            return .done(value, tokenID: tokenID)
        } catch {
            try? await audit.record(
                record(
                    call, "failed", uid: inspection.uid, tokenID: tokenID, outcome: "\(error)",
                    durationMilliseconds: elapsed(), attempt: attempt))
            throw error
        }
    }

    /// A fresh token with the preview, and its `preview` audit record (so every token's trail starts there, also
    /// one handed out with a refusal).
    func issueRecorded(_ call: Call, _ binding: Confirmations.Binding, _ inspection: Inspection) async throws
        -> MutationPreview
    {
        let preview = try await issue(binding, inspection.preview)
        try? await audit.record(
            record(
                call, "preview", uid: inspection.uid,
                tokenID: preview.confirmationToken.map(Confirmations.tokenID)))
        return preview
    }

    func issue(_ binding: Confirmations.Binding, _ preview: MutationPreview) async throws -> MutationPreview {
        let (token, expiresAt) = try await confirmations.issue(binding)
        var p = preview
        p.confirmationToken = token
        p.expiresAt = ArgoTime.format(expiresAt)
        return p
    }
}

extension MutationRunner.Outcome where Value == MutationResult {
    /// What a tool answers, with the result naming the token that confirmed the call, as the runner redeemed it.
    public var answer: MutationAnswer {
        switch self {
        case .previewed(let p):
            return .preview(p)
        case .done(var value, let tokenID):
            value.tokenID = tokenID
            return .result(value)
        }
    }
}
