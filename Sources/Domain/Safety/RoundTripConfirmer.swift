import Foundation
import Ports

/// A host that answers a confirmation in a later request: MCP 2026-07-28's multi round-trip requests, where the
/// server answers "input required" with the question and an opaque state, and the client calls again with the
/// user's answer and that state, possibly at another replica.
///
/// The first round previews as a token would (a single-use token in the confirmation store, its `preview` audit
/// record), but the token goes to the host sealed in the state (`State`, AES-GCM under `ARGO_MCP_STATE_KEY`) with
/// the caller, the tool, the arguments' digest and an expiry, never in the clear. The answering round opens the state,
/// checks those, and redeems the token: the store binds the target, its uid and the fingerprint of what the preview
/// showed, and takes the token once, so a replayed state finds it used. Each refusal is audited.
public final class RoundTripConfirmer: Confirmer, @unchecked Sendable {
    /// Which round this call is.
    public enum Round: Sendable, Equatable {
        /// The first: preview, and ask.
        case ask
        /// The retry: the user's answer, and the state the first round handed out (as the client sent it back).
        case answered(ConfirmationAnswer, state: String)
    }

    /// What the first round asks: the preview (without a token) and the sealed state to hand to the host.
    public struct Question: Sendable {
        public var preview: MutationPreview
        public var state: String
    }

    public let round: Round
    private let lock = NSLock()
    private var question: Question?

    public init(_ round: Round) {
        self.round = round
    }

    /// The question the call asked, when it needs the user's answer (set by the runner in the first round).
    public var asked: Question? {
        lock.withLock { question }
    }

    func ask(_ question: Question) {
        lock.withLock { self.question = question }
    }

    /// Never asked in place: the runner answers through `round`.
    public func confirm(_ preview: MutationPreview) async -> ConfirmationAnswer {
        .unavailable("this host answers in a later request")
    }

    /// What the state seals.
    struct State: Codable, Equatable {
        var token: String
        var caller: String?
        var tool: String
        var arguments: String
        /// Seconds since 1970.
        var expires: Double
        /// The context (`contexts.NAME`) it was asked in, when argo-mcp serves several Argo Servers.
        var context: String? = nil
    }

    static let prefix = "amrs1."
}

extension MutationRunner {
    /// A confirmation asked in one request and answered in a later one (`RoundTripConfirmer`).
    func confirmRoundTrip<Value: Sendable>(
        _ call: Call, _ binding: Confirmations.Binding, _ inspection: Inspection, _ confirmer: RoundTripConfirmer,
        perform: () async throws -> Value
    ) async throws -> Outcome<Value> {
        let target = "\(call.namespace.isEmpty ? "" : call.namespace + "/")\(call.name)"
        guard case .answered(let answer, let sealed) = confirmer.round else {
            var preview = try await issueRecorded(call, binding, inspection)
            guard let token = preview.confirmationToken,
                let state = confirmations.seal.seal(
                    RoundTripConfirmer.State(
                        token: token, caller: binding.caller, tool: call.tool, arguments: binding.argumentsDigest,
                        expires: now().addingTimeInterval(confirmations.ttl).timeIntervalSince1970,
                        context: binding.context),
                    prefix: RoundTripConfirmer.prefix)
            else {
                throw MutationRefused(reason: "could not seal the confirmation's state; call again", preview: nil)
            }
            preview.confirmationToken = nil
            confirmer.ask(RoundTripConfirmer.Question(preview: preview, state: state))
            return .previewed(preview)
        }
        let state = try await openState(sealed, call, binding, inspection, target: target)
        let id = Confirmations.tokenID(state.token)
        let attempt = Self.newAttempt()
        let declined: String? =
            switch answer {
            case .accepted: nil
            case .declined: "the user declined \(call.tool) on \(target)"
            case .cancelled: "the user cancelled the confirmation of \(call.tool) on \(target)"
            case .unavailable(let why): "the confirmation of \(call.tool) on \(target) got no answer (\(why))"
            }
        // The answer uses the token up whatever it is, so one question is answered once; the record says which.
        let reason: String?
        do {
            reason = try await confirmations.redeem(state.token, for: binding, audit: audit) { [self] refusal in
                let why = refusal ?? declined
                return record(
                    call, why == nil ? "allowed" : "refused", uid: inspection.uid,
                    reason: why ?? "confirmed in the host's dialog (answered in a later request)", tokenID: id,
                    attempt: why == nil ? attempt : nil)
            }
        } catch {
            throw MutationRefused(
                reason:
                    "not performed: the confirmation could not be redeemed and recorded (\(error)); check the audit store (logging.auditFile or store.postgres) and try again",
                preview: nil)
        }
        if let why = reason ?? declined {
            throw MutationRefused(reason: "\(why); nothing was done", preview: nil)
        }
        return try await carryOut(
            call, inspection, tokenID: id, confirmedBy: nil, recorded: true, attempt: attempt, perform: perform)
    }

    /// The state the host sent back, when this server sealed it for this caller, tool and arguments and it has not
    /// expired; otherwise the call is refused and audited.
    func openState(
        _ sealed: String, _ call: Call, _ binding: Confirmations.Binding, _ inspection: Inspection, target: String
    ) async throws -> RoundTripConfirmer.State {
        let again = "call \(call.tool) again to be asked again"
        guard
            let state = confirmations.seal.open(
                sealed, prefix: RoundTripConfirmer.prefix, as: RoundTripConfirmer.State.self)
        else {
            try await refuse(
                call, uid: inspection.uid,
                "the confirmation's requestState is not one this server sealed (altered, truncated, forged, or sealed under another key); nothing was done; \(again)"
            )
        }
        let tokenID = Confirmations.tokenID(state.token)
        let refusal: String? =
            if state.expires < now().timeIntervalSince1970 {
                "the confirmation expired at \(ArgoTime.format(Date(timeIntervalSince1970: state.expires)))"
            } else if state.caller != binding.caller {
                "the confirmation was asked of a different caller"
            } else if state.context != binding.context {
                "the confirmation was asked in context \(state.context ?? "(none)"), not \(binding.context ?? "(none)")"
            } else if state.tool != call.tool {
                "the confirmation was asked for \(state.tool), not \(call.tool)"
            } else if state.arguments != binding.argumentsDigest {
                "the arguments differ from the ones the confirmation was asked for"
            } else {
                nil
            }
        if let refusal {
            try await refuse(
                call, uid: inspection.uid, "\(refusal); nothing was done on \(target); \(again)", tokenID: tokenID)
        }
        return state
    }
}
