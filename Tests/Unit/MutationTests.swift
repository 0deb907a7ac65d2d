import ArgoSimulator
import Domain
import FileAudit
import Foundation
import Ports
import Testing

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

@Suite("Mutations: policy, confirmation tokens, audit", .serialized)
struct MutationTests {
    struct Rig {
        let sim: ArgoSimulator
        let gateway: SimulatedArgoGateway
        let mutations: WorkflowMutations
        let clock: TestClock
        let directory: URL
        var auditPath: String { directory.appendingPathComponent("audit.jsonl").path }
        var tokensPath: String { directory.appendingPathComponent("audit.jsonl.tokens.json").path }

        func auditLines() throws -> [[String: Any]] {
            let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
        }

        func phase(_ name: String, namespace: String = "workflows") async throws -> String {
            try await gateway.getWorkflow(namespace: namespace, name: name, fields: nil).status.phase?.rawValue ?? ""
        }
    }

    static func rig(
        policy: Policy = Policy(readOnly: false, allowMutations: true, allowDestructive: true), auditPath: String? = nil
    ) async throws -> Rig {
        // The simulated controller fails a terminated workflow at the next read after the call (Argo's answer
        // itself still says Running, with spec.shutdown set).
        let sim = ArgoSimulator(shutdownDelay: .zero)
        for file in Fixtures.workflowFiles { try await sim.load(try Fixtures.json(file)) }
        try await sim.loadSeeds(from: Fixtures.root.appendingPathComponent("cronworkflows"))
        let gateway = SimulatedArgoGateway(simulator: sim)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-test-\(UUID().uuidString)")
        let clock = TestClock()
        let audit = FileAuditSink(path: auditPath ?? directory.appendingPathComponent("audit.jsonl").path)
        let store = FileConfirmationStore(path: directory.appendingPathComponent("audit.jsonl.tokens.json").path)
        let runner = MutationRunner(
            policy: policy, audit: audit,
            confirmations: Confirmations(store: store, ttlSeconds: 300, now: { clock.now }),
            now: { clock.now })
        let mutations = WorkflowMutations(
            ArgoContext(gateway: gateway, defaultNamespace: "argo", now: { clock.now }), runner: runner)
        return Rig(sim: sim, gateway: gateway, mutations: mutations, clock: clock, directory: directory)
    }

    /// A running workflow with a running pod (namespace `workflows`).
    static let running = "hello-world-9tql2-run"

    func terminate(_ rig: Rig, token: String? = nil, name: String = running, namespace: String = "workflows")
        async throws -> MutationAnswer
    {
        try await rig.mutations.terminate(
            namespace: namespace, name: name, token: token,
            client: "test")
    }

    func preview(_ answer: MutationAnswer) throws -> MutationPreview {
        guard case .preview(let p) = answer else { throw SimulatorError("expected a preview") }
        return p
    }

    @Test("a token whose call is refused by the state check is still named in the refusal's audit record")
    func refusalNamesToken() async throws {
        let rig = try await Self.rig()
        let token = try #require(try preview(try await terminate(rig)).confirmationToken)
        // Another hand terminates it first; the confirmed call then finds nothing to stop.
        _ = try await rig.gateway.terminateWorkflow(namespace: "workflows", name: Self.running)
        _ = try await rig.phase(Self.running)
        await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: token) }
        let refusal = try #require(try rig.auditLines().last)
        #expect(refusal["decision"] as? String == "refused")
        #expect(refusal["tokenID"] as? String == Confirmations.tokenID(token))
    }

    @Test("preview from live state, then the token carries it out once; the audit file tells the story")
    func previewThenConfirm() async throws {
        let rig = try await Self.rig()
        let p = try preview(try await terminate(rig))
        #expect(p.phase == "Running")
        #expect(!p.activeNodes.isEmpty)
        #expect(!p.pods.isEmpty)
        #expect(p.effect.contains("exit handlers do not run"))
        let token = try #require(p.confirmationToken)
        #expect(token.count >= 40)
        #expect(try await rig.phase(Self.running) == "Running", "a preview changes nothing")

        guard case .result(let r) = try await terminate(rig, token: token) else {
            Issue.record("expected a result")
            return
        }
        #expect(r.phaseBefore == "Running")
        #expect(r.tokenID == Confirmations.tokenID(token), "the result names the token that confirmed it")
        // Argo answers once `spec.shutdown` is set; the controller fails the workflow afterwards.
        #expect(r.phaseAfter == "Running")
        #expect(r.changes.contains { $0.hasPrefix("shutdown (Terminate) requested") })
        #expect(try await rig.phase(Self.running) == "Failed")

        let lines = try rig.auditLines()
        #expect(lines.compactMap { $0["decision"] as? String } == ["preview", "allowed", "succeeded"])
        #expect(lines.allSatisfy { ($0["tokenID"] as? String) == Confirmations.tokenID(token) })
        #expect(
            !(try String(contentsOfFile: rig.auditPath, encoding: .utf8)).contains(token),
            "the token itself is never written")
        let attributes = try FileManager.default.attributesOfItem(atPath: rig.auditPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("tokens: replayed, expired, forged, for another target, with other arguments, or after the target changed")
    func tokenRefusals() async throws {
        let rig = try await Self.rig()
        // Forged.
        await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: "amc_forged") }
        // Expired.
        let t1 = try #require(try preview(try await terminate(rig)).confirmationToken)
        rig.clock.advance(301)
        let expired = await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: t1) }
        #expect(expired?.reason.contains("expired") == true)
        #expect(expired?.preview?.confirmationToken != nil, "a refusal comes with a fresh preview")
        // Used for another workflow.
        let t2 = try #require(try preview(try await terminate(rig)).confirmationToken)
        let other = await #expect(throws: MutationRefused.self) {
            _ = try await terminate(rig, token: t2, name: "reproduce-bug-9tpfr", namespace: "argo")
        }
        #expect(other?.reason.contains("issued for workflows/hello-world-9tql2-run") == true)
        // Replayed (t2 was used up by the refused attempt).
        let replay = await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: t2) }
        #expect(replay?.reason.contains("unknown or was already used") == true)
        // Other arguments: a stop token does not terminate, and other stop arguments do not match.
        let stopPreview = try preview(
            try await rig.mutations.stop(
                namespace: "workflows", name: Self.running, nodeFieldSelector: nil, message: "a",
                token: nil, client: nil))
        let wrongArgs = await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.stop(
                namespace: "workflows", name: Self.running, nodeFieldSelector: nil, message: "b",
                token: stopPreview.confirmationToken, client: nil)
        }
        #expect(wrongArgs?.reason.contains("arguments differ") == true)
        // The target changed: it was suspended meanwhile... then finished: the preview no longer holds.
        let t3 = try #require(try preview(try await terminate(rig)).confirmationToken)
        _ = try await rig.gateway.stopWorkflow(
            namespace: "workflows", name: Self.running, nodeFieldSelector: nil, message: nil)
        let changed = await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: t3) }
        #expect(changed?.reason.contains("already Failed") == true)
        #expect(try rig.auditLines().filter { $0["decision"] as? String == "allowed" }.isEmpty, "nothing was allowed")
    }

    @Test("a fingerprint change between preview and confirmation refuses the token")
    func fingerprint() async throws {
        let rig = try await Self.rig()
        let t = try #require(try preview(try await terminate(rig)).confirmationToken)
        _ = try await rig.gateway.suspendWorkflow(namespace: "workflows", name: Self.running)
        // Suspension keeps the phase, but the preview showed a workflow that was not suspended: the token is void.
        let suspended = await #expect(throws: MutationRefused.self) { _ = try await terminate(rig, token: t) }
        #expect(suspended?.reason.contains("not suspended, no shutdown requested then") == true)
        let rig2 = try await Self.rig()
        let t2 = try #require(
            try preview(try await terminate(rig2, name: "suspend-template-qndm5", namespace: "argo")).confirmationToken)
        // Re-create the workflow as a different object (new uid): the token must not apply to it.
        var replacement = try Fixtures.json("running-steps-suspend-node.yaml")
        replacement.set(["metadata", "uid"], "11111111-2222-3333-4444-555555555555")
        try await rig2.sim.load(replacement)
        let recreated = await #expect(throws: MutationRefused.self) {
            _ = try await terminate(rig2, token: t2, name: "suspend-template-qndm5", namespace: "argo")
        }
        #expect(recreated?.reason.contains("re-created") == true)
    }

    @Test("tokens survive a restart: a new store on the same file honours them")
    func persistence() async throws {
        let rig = try await Self.rig()
        let t = try #require(try preview(try await terminate(rig)).confirmationToken)
        let reopened = FileConfirmationStore(path: rig.tokensPath)
        let runner = MutationRunner(
            policy: Policy(readOnly: false, allowMutations: true, allowDestructive: true),
            audit: FileAuditSink(path: rig.auditPath),
            confirmations: Confirmations(store: reopened, ttlSeconds: 300, now: { rig.clock.now }),
            now: { rig.clock.now })
        let restarted = WorkflowMutations(
            ArgoContext(gateway: rig.gateway, defaultNamespace: "argo", now: { rig.clock.now }), runner: runner)
        guard
            case .result(let r) = try await restarted.terminate(
                namespace: "workflows", name: Self.running, token: t,
                client: nil)
        else {
            Issue.record("expected a result")
            return
        }
        #expect(r.changes.contains { $0.hasPrefix("shutdown (Terminate) requested") })
    }

    @Test("read-only and namespace rules refuse before anything happens, and say so in the audit file")
    func policyRefusals() async throws {
        let readOnly = try await Self.rig(policy: Policy())
        await #expect(throws: PolicyDenied.self) { _ = try await terminate(readOnly) }
        await #expect(throws: PolicyDenied.self) {
            _ = try await readOnly.mutations.suspend(namespace: "workflows", name: Self.running, client: nil)
        }
        #expect(try await readOnly.phase(Self.running) == "Running")
        #expect(try readOnly.auditLines().allSatisfy { $0["decision"] as? String == "refused" })
        #expect((try readOnly.auditLines().first?["reason"] as? String)?.contains("permissions.readOnly") == true)

        let noDestructive = try await Self.rig(
            policy: Policy(readOnly: false, allowMutations: true, allowDestructive: false))
        await #expect(throws: PolicyDenied.self) { _ = try await terminate(noDestructive) }
        guard
            case .result = try await noDestructive.mutations.suspend(
                namespace: "workflows", name: Self.running, client: nil)
        else {
            Issue.record("suspend is mutating, allowed")
            return
        }

        let denied = try await Self.rig(
            policy: Policy(
                readOnly: false, allowMutations: true, allowDestructive: true,
                namespaces: NamespaceRules(deny: ["work*"])))
        let error = await #expect(throws: PolicyDenied.self) { _ = try await terminate(denied) }
        #expect(error?.reason.contains("namespaces.deny 'work*'") == true)
    }

    @Test("an audit file that cannot be written stops the mutation (fail closed)")
    func auditFailure() async throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-blocker-\(UUID().uuidString)")
        try Data("not a directory".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }
        let rig = try await Self.rig(
            policy: Policy(readOnly: false, allowMutations: true, allowDestructive: true, requireConfirmation: false),
            auditPath: blocker.appendingPathComponent("audit.jsonl").path)
        let error = await #expect(throws: MutationRefused.self) { _ = try await terminate(rig) }
        #expect(error?.reason.contains("not performed: the audit record could not be written") == true)
        #expect(try await rig.phase(Self.running) == "Running", "Argo untouched")
    }

    @Test("delete: a preview that says whether the archive keeps a copy, then the workflow is gone")
    func delete() async throws {
        let rig = try await Self.rig()
        let p = try preview(
            try await rig.mutations.delete(namespace: "argo", name: "dag-nested-zxlc2", token: nil, client: nil))
        #expect(p.effect.contains("16 pod(s)"))
        // The simulated controller archived it when it completed, as Argo's does: the preview says so.
        #expect(p.effect.contains("the workflow archive keeps a copy (get_archived_workflow with uid 402ed1f0-"))
        #expect(p.impact.contains("dag-nested-zxlc2 (Succeeded"))
        guard
            case .result(let r) = try await rig.mutations.delete(
                namespace: "argo", name: "dag-nested-zxlc2", token: p.confirmationToken, client: nil)
        else {
            Issue.record("expected a result")
            return
        }
        #expect(r.phaseAfter == "Deleted")
        // Argo's get falls back to the archive once the live object is gone (`getWorkflow`): the copy is served.
        let copy = try await rig.gateway.getWorkflow(namespace: "argo", name: "dag-nested-zxlc2", fields: nil)
        #expect(copy.isArchivedCopy)
        let archived = try await rig.gateway.listArchivedWorkflows(
            ArchiveListQuery(namespace: "argo", namePrefix: "dag-nested"))
        #expect(archived.items.map(\.metadata.name) == ["dag-nested-zxlc2"])
        // What the name now answers is the archive's copy: deleting "it" is refused, not attempted.
        let refusal = await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.delete(namespace: "argo", name: "dag-nested-zxlc2", token: nil, client: nil)
        }
        #expect(
            refusal?.reason.contains(
                "is already deleted: what Argo answers for that name is the workflow archive's copy")
                == true)
    }

    @Test("delete preview: what becomes of the record, from the archive's labels and the server's archive")
    func deleteArchiveFates() async throws {
        func effect(_ rig: Rig, _ namespace: String, _ name: String) async throws -> String {
            try preview(try await rig.mutations.delete(namespace: namespace, name: name, token: nil, client: nil))
                .effect
        }
        // Still running: Argo archives only completed workflows, and a deleted one never completes.
        let rig = try await Self.rig()
        #expect(
            try await effect(rig, "workflows", Self.running).contains(
                "it has not completed, and Argo archives only completed workflows, so its record"))
        let running = try #require(
            try await rig.gateway.getWorkflow(namespace: "workflows", name: Self.running, fields: nil).metadata.uid)
        // Deleted while running: the archive never gets it.
        try await rig.sim.delete(namespace: "workflows", name: Self.running)
        await #expect(throws: ArgoError.self) { _ = try await rig.gateway.getArchivedWorkflow(uid: running) }

        // The archive's label selector leaves it out: the workflow is completed, unlabelled, not in the archive.
        await rig.sim.setArchiveLabelSelector(try LabelSelector.parse("keep=true").get())
        var object = try Fixtures.json("succeeded-hello-world-api.json")
        object.set(["metadata", "name"], "not-selected")
        object.set(["metadata", "uid"], "11111111-0000-4000-a000-000000000001")
        try await rig.sim.load(object)
        #expect(
            try await effect(rig, "workflows", "not-selected").contains(
                "the server's workflow archive did not take it (its archiveLabelSelector excludes it)"))

        // A server without an archive.
        await rig.sim.disableArchive()
        object.set(["metadata", "name"], "no-archive")
        object.set(["metadata", "uid"], "11111111-0000-4000-a000-000000000002")
        try await rig.sim.load(object)
        #expect(
            try await effect(rig, "workflows", "no-archive").contains(
                "the Argo Server has no workflow archive, so its record"))

        // Completed and labelled Pending: the controller has yet to archive it.
        var pending = try Fixtures.workflow("succeeded-hello-world-api.json")
        pending.metadata.labels[ArgoLabels.archivingStatus] = "Pending"
        #expect(
            await WorkflowMutations.archiveFate(of: pending, gateway: rig.gateway).contains(
                "the controller has yet to archive it"))
    }

    @Test("resubmit: a finished workflow runs again under a new name; a running one is refused")
    func resubmit() async throws {
        let rig = try await Self.rig()
        guard
            case .result(let r) = try await rig.mutations.resubmit(
                namespace: "argo", name: "dag-nested-zxlc2", memoized: false, parameters: ["x": "2"], client: nil)
        else {
            Issue.record("expected a result")
            return
        }
        #expect(r.name.hasPrefix("dag-nested-zxlc2-"))
        #expect(r.phaseAfter == "Pending")
        let created = try await rig.gateway.getWorkflow(namespace: "argo", name: r.name, fields: nil)
        #expect(created.metadata.labels["workflows.argoproj.io/resubmitted-from-workflow"] == "dag-nested-zxlc2")
        #expect(created.spec.parameters.contains { $0.name == "x" && $0.value == "2" })
        await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.resubmit(
                namespace: "workflows", name: Self.running, memoized: false, parameters: [:], client: nil)
        }
        await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.resubmit(
                namespace: "argo", name: "dag-nested-zxlc2", memoized: true, parameters: [:], client: nil)
        }
    }

    @Test(
        "a full disk (/dev/full) also stops the mutation",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDisk() async throws {
        let rig = try await Self.rig(
            policy: Policy(readOnly: false, allowMutations: true, allowDestructive: true, requireConfirmation: false),
            auditPath: "/dev/full")
        let error = await #expect(throws: MutationRefused.self) { _ = try await terminate(rig) }
        #expect(error?.reason.contains("No space left on device") == true)
        #expect(try await rig.phase(Self.running) == "Running", "Argo untouched")
    }

    @Test(
        "retry refuses a running workflow and resets a failed one; suspend/resume and cron suspension report before and after"
    )
    func otherMutations() async throws {
        let rig = try await Self.rig()
        let refused = await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.retry(
                namespace: "workflows", name: Self.running, restartSuccessful: false, nodeFieldSelector: nil,
                parameters: [:], client: nil)
        }
        #expect(refused?.reason.contains("retry applies to Failed or Error workflows") == true)
        guard
            case .result(let r) = try await rig.mutations.retry(
                namespace: "default", name: "dag-disable-fail-fast-r6xdc", restartSuccessful: false,
                nodeFieldSelector: nil, parameters: ["x": "1"], client: nil)
        else {
            Issue.record("expected a result")
            return
        }
        #expect(r.phaseBefore == "Failed")
        #expect(r.phaseAfter == "Running")
        #expect(r.changes.contains("4 failed node(s) reset to run again"))

        guard
            case .result(let s) = try await rig.mutations.suspend(
                namespace: "workflows", name: Self.running, client: nil),
            case .result(let u) = try await rig.mutations.resume(
                namespace: "workflows", name: Self.running, nodeFieldSelector: nil, client: nil)
        else {
            Issue.record("expected results")
            return
        }
        #expect(s.suspendedAfter == true)
        #expect(u.suspendedAfter == false)
        await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.resume(
                namespace: "workflows", name: Self.running, nodeFieldSelector: nil, client: nil)
        }
        // A suspend step waiting in a running workflow is released by resume.
        guard
            case .result(let released) = try await rig.mutations.resume(
                namespace: "argo", name: "suspend-template-qndm5", nodeFieldSelector: nil, client: nil)
        else {
            Issue.record("expected a result")
            return
        }
        #expect(released.changes.contains("1 suspend step(s) released"))
        guard
            case .result(let c) = try await rig.mutations.toggleCron(
                namespace: nil, name: "hello-world", suspend: nil, client: nil)
        else {
            Issue.record("expected a result")
            return
        }
        #expect(c.changes == ["active → suspended"])
        #expect(try await rig.gateway.getCronWorkflow(namespace: "argo", name: "hello-world").suspend)
    }
}
