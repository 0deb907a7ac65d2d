import ArgoSimulator
import Domain
import Foundation
import Ports
import Testing

/// A confirmation dialog scripted by the test: it counts how often it is shown and may act while it is open.
final class ScriptedConfirmer: Confirmer, @unchecked Sendable {
    private let lock = NSLock()
    private var shown = 0
    let answer: ConfirmationAnswer
    let whileOpen: @Sendable () async throws -> Void

    init(_ answer: ConfirmationAnswer, whileOpen: @escaping @Sendable () async throws -> Void = {}) {
        self.answer = answer
        self.whileOpen = whileOpen
    }

    var count: Int { lock.withLock { shown } }

    func confirm(_ preview: MutationPreview) async -> ConfirmationAnswer {
        lock.withLock { shown += 1 }
        try? await whileOpen()
        return answer
    }
}

@Suite(
    "Confirmation: the dialog cannot be skipped, stale state is refused, the policy names what is confirmed",
    .serialized)
struct ConfirmationPolicyTests {
    static let running = MutationTests.running

    func terminate(
        _ rig: MutationTests.Rig, token: String?, confirmer: (any Confirmer)?
    ) async throws -> MutationAnswer {
        try await rig.mutations.terminate(
            namespace: "workflows", name: Self.running,
            token: token, client: "test", confirmer: confirmer)
    }

    @Test("with a host that shows dialogs, a made-up or a real token does not stand in for the user's answer")
    func dialogCannotBeSkipped() async throws {
        let rig = try await MutationTests.rig()
        let declining = ScriptedConfirmer(.declined)
        // A made-up token: the dialog is shown, the user declines, the refusal carries no fresh token.
        let first = await #expect(throws: MutationRefused.self) {
            _ = try await terminate(rig, token: "amc_madeup", confirmer: declining)
        }
        #expect(first?.reason.contains("declined") == true)
        #expect(first?.preview == nil)
        // A real token, issued to a host without dialogs, still does not skip this host's dialog.
        guard case .preview(let p) = try await terminate(rig, token: nil, confirmer: nil),
            let token = p.confirmationToken
        else {
            Issue.record("no preview with a token")
            return
        }
        await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: token, confirmer: declining) }
        #expect(declining.count == 2)
        #expect(try await rig.phase(Self.running) == "Running")
        // An answer that never came refuses too, without a token to fall back on.
        let silent = ScriptedConfirmer(.unavailable("no answer within 300s"))
        let unanswered = await #expect(throws: MutationRefused.self) {
            _ = try await terminate(rig, token: nil, confirmer: silent)
        }
        #expect(unanswered?.reason.contains("no answer") == true)
        #expect(unanswered?.preview == nil)
        #expect(try await rig.phase(Self.running) == "Running")
        // Only an acceptance carries it out; the token passed along did not confirm it, so the result names none.
        guard case .result(let r) = try await terminate(rig, token: token, confirmer: ScriptedConfirmer(.accepted))
        else {
            Issue.record("accepted, yet not carried out")
            return
        }
        #expect(r.tokenID == nil, "confirmed by the dialog, not by \(r.tokenID ?? "")")
        let decisions = try rig.auditLines().compactMap { $0["decision"] as? String }
        #expect(decisions == ["refused", "preview", "refused", "refused", "allowed", "succeeded"])
    }

    @Test("an object deleted and re-created while the dialog is open is refused after the user accepts")
    func staleAfterDialog() async throws {
        let rig = try await MutationTests.rig()
        let original = try await rig.gateway.getWorkflow(namespace: "workflows", name: Self.running, fields: nil)
        let raw = try JSONValue.decode(try #require(original.raw?.data))
        let sim = rig.sim
        let recreate = ScriptedConfirmer(.accepted) {
            try await sim.delete(namespace: "workflows", name: Self.running)
            var copy = raw
            copy.set(["metadata", "uid"], "a-new-incarnation")
            try await sim.load(copy)
        }
        let refused = await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.delete(
                namespace: "workflows", name: Self.running, token: nil, client: "test", confirmer: recreate)
        }
        #expect(refused?.reason.contains("re-created while the confirmation dialog was open") == true)
        let still = try await rig.gateway.getWorkflow(namespace: "workflows", name: Self.running, fields: nil)
        #expect(still.metadata.uid == "a-new-incarnation")
    }

    @Test("a phase that changed while the dialog was open is refused")
    func phaseChangedDuringDialog() async throws {
        let rig = try await MutationTests.rig()
        let gateway = rig.gateway
        let finish = ScriptedConfirmer(.accepted) {
            _ = try await gateway.stopWorkflow(
                namespace: "workflows", name: Self.running, nodeFieldSelector: nil, message: nil)
        }
        let refused = await #expect(throws: MutationRefused.self) {
            _ = try await terminate(rig, token: nil, confirmer: finish)
        }
        #expect(refused != nil)
        #expect(try rig.auditLines().last?["decision"] as? String == "refused")
    }

    @Test("the policy names what must be confirmed: safety classes and tool names")
    func policyChoosesWhatIsConfirmed() async throws {
        let standard = Policy(readOnly: false, allowMutations: true, allowDestructive: true)
        #expect(standard.needsConfirmation(tool: "terminate_workflow", safety: .destructive))
        #expect(standard.needsConfirmation(tool: "submit_workflow", safety: .mutating))
        #expect(standard.needsConfirmation(tool: "update_cron_schedule", safety: .mutating))
        #expect(!standard.needsConfirmation(tool: "suspend_workflow", safety: .mutating))
        #expect(!standard.needsConfirmation(tool: "get_workflow", safety: .readOnly))
        let everything = Policy(readOnly: false, allowMutations: true, confirmationRequired: ["mutating"])
        #expect(everything.needsConfirmation(tool: "suspend_workflow", safety: .mutating))
        #expect(everything.needsConfirmation(tool: "delete_workflow", safety: .destructive))
        let off = Policy(readOnly: false, allowMutations: true, requireConfirmation: false)
        #expect(!off.needsConfirmation(tool: "delete_workflow", safety: .destructive))

        // suspend under a policy that confirms every mutation: a preview first, then the token carries it out.
        let rig = try await MutationTests.rig(
            policy: Policy(
                readOnly: false, allowMutations: true, allowDestructive: true, confirmationRequired: ["mutating"]))
        guard
            case .preview(let p) = try await rig.mutations.suspend(
                namespace: "workflows", name: Self.running, client: "test"),
            let token = p.confirmationToken
        else {
            Issue.record("suspend was not previewed")
            return
        }
        guard
            case .result = try await rig.mutations.suspend(
                namespace: "workflows", name: Self.running, client: "test", token: token)
        else {
            Issue.record("the token did not carry the suspend out")
            return
        }
    }
}
