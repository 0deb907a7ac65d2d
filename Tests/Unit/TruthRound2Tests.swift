import ArgoWire
import Foundation
import Ports
import Testing

@testable import ArgoSimulator
@testable import Domain
@testable import FileAudit
@testable import MCPServer

/// What a new user found false when comparing answers with the raw objects (issue 25), each checked against the
/// objects.
@Suite("Every answer true, second round", .serialized)
struct TruthRound2Tests {
    static let confirmEverything = Policy(
        readOnly: false, allowMutations: true, allowDestructive: true,
        confirmationRequired: ["mutating", "destructive"])

    func preview(_ answer: MutationAnswer) throws -> MutationPreview {
        guard case .preview(let p) = answer else { throw SimulatorError("expected a preview") }
        return p
    }

    @Test("suspend, resume, retry and resubmit previews state their own effect, never a terminate's")
    func ownPreviews() async throws {
        let rig = try await MutationTests.rig(policy: Self.confirmEverything)
        let m = rig.mutations
        let suspend = try preview(
            try await m.suspend(namespace: "workflows", name: MutationTests.running, client: "test"))
        let resume = try preview(
            try await m.resume(
                namespace: "argo", name: "suspend-template-qndm5", nodeFieldSelector: nil, client: "test"))
        let retry = try preview(
            try await m.retry(
                namespace: "argo", name: "exit-handlers-n7s4n", restartSuccessful: false, nodeFieldSelector: nil,
                parameters: [:], client: "test"))
        let resubmit = try preview(
            try await m.resubmit(
                namespace: "argo", name: "dag-nested-zxlc2", memoized: false, parameters: [:], client: "test"))
        for p in [suspend, resume, retry, resubmit] {
            #expect(!p.effect.contains("marked Failed"), "\(p.tool): \(p.effect)")
            #expect(!p.effect.contains("killed"), "\(p.tool): \(p.effect)")
            #expect(!p.impact.contains("ends Failed"), "\(p.tool): \(p.impact)")
        }
        #expect(suspend.effect.contains("spec.suspend is set") && suspend.effect.contains("pods are not stopped"))
        #expect(suspend.pods.isEmpty, "a suspend stops no pod")
        #expect(resume.effect.contains("marked Succeeded"))
        #expect(retry.effect.contains("are reset") && retry.effect.contains("run again"))
        #expect(retry.impact.contains("runs again from its failed steps"))
        #expect(resubmit.effect.contains("a new workflow named dag-nested-zxlc2-"))
        #expect(resubmit.impact.contains("left as it is"))
        #expect(Set([suspend.effect, resume.effect, retry.effect, resubmit.effect]).count == 4)
    }

    @Test("a retry of a workflow only the archive keeps is refused at the preview, not after confirmation")
    func retryArchivedOnly() async throws {
        let sim = ArgoSimulator()
        try await sim.loadDemoData()
        let gateway = SimulatedArgoGateway(simulator: sim)
        let runner = MutationRunner(
            policy: Self.confirmEverything,
            audit: FileAuditSink(
                path: FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-\(UUID()).jsonl").path),
            confirmations: Confirmations(store: InMemoryConfirmationStore(), ttlSeconds: 300, now: { Date() }),
            now: { Date() })
        let m = WorkflowMutations(ArgoContext(gateway: gateway, defaultNamespace: "argo"), runner: runner)
        let refused = await #expect(throws: MutationRefused.self) {
            _ = try await m.retry(
                namespace: "argo", name: "legacy-import-2f8xq", restartSuccessful: false, nodeFieldSelector: nil,
                parameters: [:], client: "test")
        }
        #expect(refused?.reason.contains("exists only in the workflow archive") == true)
        #expect(refused?.reason.contains("resubmit_workflow") == true)
    }

    @Test(
        "lint_manifest and create_cron_workflow check a CronWorkflow's schedules and zone as update_cron_schedule does")
    func cronLint() async throws {
        let rig = try await DefinitionMutationTests.rig()
        let submit = SubmitWorkflows(
            ArgoContext(gateway: rig.gateway, defaultNamespace: "argo", now: { rig.clock.now }),
            runner: MutationRunner(
                policy: Self.confirmEverything, audit: NoAuditSink(),
                confirmations: Confirmations(store: InMemoryConfirmationStore(), ttlSeconds: 300, now: { Date() }),
                now: { Date() }))
        func cron(_ schedules: [String], zone: String) -> Data {
            let list = schedules.map { "\"\($0)\"" }.joined(separator: ",")
            return Data(
                #"{"apiVersion":"argoproj.io/v1alpha1","kind":"CronWorkflow","metadata":{"name":"mars"},"spec":{"schedules":[\#(list)],"timezone":"\#(zone)","workflowSpec":{"entrypoint":"a","templates":[{"name":"a","container":{"image":"alpine"}}]}}}"#
                    .utf8)
        }
        let bad = try await submit.lint(manifest: cron(["61 * * * *"], zone: "Mars/Base"), namespace: nil)
        #expect(!bad.ok)
        #expect(bad.error?.contains("manifest.spec.timezone: 'Mars/Base' is not an IANA time zone") == true)
        #expect(bad.error?.contains("manifest.spec.schedules[0]") == true)
        let never = try await submit.lint(manifest: cron(["0 0 31 2 *"], zone: "UTC"), namespace: nil)
        #expect(!never.ok)
        #expect(never.error?.contains("never fires") == true)
        let good = try await submit.lint(manifest: cron(["0 2 * * *"], zone: "Europe/Berlin"), namespace: nil)
        #expect(good.ok, "\(good.error ?? "")")

        let created = await #expect(throws: InvalidArguments.self) {
            _ = try await rig.definitions.apply(
                .init(
                    kind: .cronWorkflow, manifest: cron(["61 * * * *"], zone: "Mars/Base"), namespace: nil,
                    update: false, dryRun: false, token: nil, client: "test", confirmer: nil))
        }
        #expect(created?.problems.map(\.field).contains("manifest.spec.timezone") == true)
        let missing = await #expect(throws: ArgoError.self) {
            _ = try await rig.gateway.getCronWorkflow(namespace: "argo", name: "mars")
        }
        #expect(missing?.kind == .notFound, "nothing was created")
    }

    @Test("get_cron_workflow promises no next run for a suspended cron; a schedule that never fires is named")
    func suspendedCron() async throws {
        let rig = try await DefinitionMutationTests.rig()
        let reads = CronReads(ArgoContext(gateway: rig.gateway, defaultNamespace: "argo", now: { rig.clock.now }))
        let suspended = try await reads.get(namespace: "argo", name: "hourly-sync")
        #expect(suspended.suspended)
        #expect(suspended.nextRuns.isEmpty)
        #expect(suspended.nextRunsIfResumed?.count == 5)
        let text = Render.cron(suspended)
        #expect(!text.contains("next runs:"))
        #expect(text.contains("suspended: no run starts until toggle_cron_suspension resumes it"))
        let active = try await reads.get(namespace: "argo", name: "nightly-etl")
        #expect(active.nextRuns.count == 5 && active.nextRunsIfResumed == nil)
    }

    @Test("compare_workflows: a step the other run skipped is 'not run', not 'only in base'; spec counts match")
    func compareSkipped() throws {
        let base = try Fixtures.json("succeeded-steps-many-items-15-nodes.yaml")
        var other = base
        // One pod step the other run skipped (its `when` was false): Argo keeps the node as type Skipped.
        let nodes = try #require(base[path: "status.nodes"]?.object)
        let (podID, _) = try #require(nodes.sorted { $0.key < $1.key }.first { $0.value["type"]?.string == "Pod" })
        other.set(["status", "nodes", podID, "type"], "Skipped")
        other.set(["status", "nodes", podID, "phase"], "Skipped")
        other.set(["status", "nodes", podID, "message"], "when 'false' evaluated false")
        // Only the arguments and one other field of the spec differ.
        other.set(["spec", "arguments"], .object(["parameters": .array([.object(["name": "x", "value": "2"])])]))
        other.set(["spec", "serviceAccountName"], "other-sa")
        let c = Diagnostics.compare(
            try Workflow.decode(from: base.encoded()), "live", try Workflow.decode(from: other.encoded()), "live",
            now: Date())
        let step = try #require(c.steps.first { $0.phaseAfter == "Skipped" })
        #expect(step.change == "not run in other")
        #expect(!c.steps.contains { $0.change == "only in base" })
        #expect(c.specChangeTotal == c.specChanges.count)
        #expect(c.specChanges.map(\.path) == ["spec.serviceAccountName"])
        #expect(!Render.comparison(c).contains("more change(s) not shown"))
    }

    @Test("a parameter without choices renders no 'one of []'; analyze_failure names a retried step's last attempt")
    func smallerTexts() throws {
        let parameter = try JSONDecoder().decode(
            Parameter.self, from: Data(#"{"name":"batch-size","value":"500"}"#.utf8))
        #expect(parameter.enum == nil)
        let empty = try JSONDecoder().decode(Parameter.self, from: Data(#"{"name":"a","enum":[]}"#.utf8))
        #expect(empty.enum == nil)

        // Attempts that started within one second: the retry node's order decides which is last.
        var object = try Fixtures.json("controller-testdata-steps-failed-retries.yaml")
        let nodes = try #require(object[path: "status.nodes"]?.object)
        let retry = try #require(
            nodes.values.first { $0["type"]?.string == "Retry" && $0["phase"]?.string == "Failed" })
        let children = retry["children"]?.array ?? []
        let attempts = children.compactMap { $0.string }
        #expect(attempts.count > 1)
        for id in attempts { object.set(["status", "nodes", id, "startedAt"], "2026-01-01T00:00:00Z") }
        let analysis = Diagnostics.analyze(
            try Workflow.decode(from: object.encoded()), source: "live", maxCauses: 5, now: Date())
        #expect(analysis.rootCauses.contains { $0.nodeId == attempts.last })
        #expect(!analysis.rootCauses.contains { $0.nodeId == attempts.first })
    }

    @Test("logs: a container no template runs, an archived-only workflow and a bad grep each say what happened")
    func honestLogs() async throws {
        let sim = ArgoSimulator()
        try await sim.loadDemoData()
        let reads = WorkflowReads(ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo"))
        let typo = try await reads.logs(WorkflowLogsRequest(name: "nightly-etl-7x2kq", container: "mian"))
        #expect(typo.lineCount == 0)
        #expect(typo.note?.contains("no template of nightly-etl-7x2kq runs a container 'mian'") == true)
        #expect(typo.note?.contains("did you mean main?") == true)

        let archived = await #expect(throws: ReadFailure.self) {
            _ = try await reads.logs(WorkflowLogsRequest(name: "legacy-import-2f8xq"))
        }
        #expect(archived?.description.contains("exists only in the workflow archive") == true)

        var request = WorkflowLogsRequest(name: "nightly-etl-7x2kq")
        request.grep = "(?=lookahead)"
        let bad = await #expect(throws: InvalidArguments.self) { _ = try await reads.logs(request) }
        #expect(bad?.problems.first?.field == "grep")
        #expect(bad?.problems.first?.message.contains("Go RE2 syntax") == true)
    }

    @Test("the simulator's seeded objects get the same uid on every start, so a token outlives one process")
    func stableUIDs() async throws {
        func uid() async throws -> String? {
            let sim = ArgoSimulator()
            try await sim.loadDemoData()
            return try await SimulatedArgoGateway(simulator: sim).getCronWorkflow(
                namespace: "argo", name: "nightly-etl"
            )
            .metadata.uid
        }
        let first = try await uid()
        #expect(first != nil)
        #expect(try await uid() == first)
    }
}
