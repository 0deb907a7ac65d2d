import ArtifactArchive
import Foundation
import Logging
import MCP
import Ports
import Testing

@testable import ArgoMCP
@testable import ArgoSimulator
@testable import Domain
@testable import FileAudit
@testable import MCPServer

/// The truth audit (issue 25): every tool, called on objects whose right answers were counted by hand from the raw
/// YAML and JSON in `Tests/Fixtures` and the simulator's hand-written demo manifests (never from argo-mcp's
/// output), must give those answers in its structured content, and its text must say the same.
///
/// The objects: the fixtures of `Tests/Fixtures/workflows`, `cronworkflows` and `templates` (those without a
/// namespace land in `argo`), and the demo manifests (`ArgoSimulator.demoManifests`: three workflows, three cron
/// workflows, two templates) with the demo's artifacts and its semaphore ConfigMap. No generated workflow: its
/// answers could only be counted by the code under test.
@Suite("Truth audit: every tool against hand-counted answers", .serialized)
struct TruthAuditTests {
    /// One call and what its answer must say. `expect` maps a path into the structured content (`a.b.0.c`; `#` at
    /// the end counts an array) to the hand-counted value; `text` lists what the text must contain.
    struct Case: Sendable, CustomStringConvertible {
        var tool: String
        var arguments: [String: Value]
        var expect: [String: Value] = [:]
        var text: [String] = []
        /// The call must fail (an argument or state refusal), with these words in its error.
        var error: [String] = []
        /// How the expected values were counted.
        var counted: String
        var description: String { "\(tool) \(arguments)" }
    }

    static let cases: [Case] = [
        // Reads of workflows.
        Case(
            tool: "list_workflows", arguments: ["namespace": "argo"], expect: ["count": 12],
            text: ["12 workflow(s) in argo"],
            counted:
                "7 fixtures with namespace argo, 3 without one (retry-with-dags, reproduce-bug-9tpfr, suspend-template-qndm5), 2 demo workflows in argo (release-approval-r4t8w, artifact-passing-x7k2p)"
        ),
        Case(
            tool: "get_workflow", arguments: ["name": "exit-handlers-n7s4n"],
            expect: [
                "phase": "Failed", "nodeCount": 6, "failedNodeCount": 1, "nodesByPhase.Succeeded": 4,
                "nodesByPhase.Skipped": 1, "nodesByPhase.Failed": 1, "durationSeconds": 18, "progress": "2/3",
            ],
            text: ["Failed", "exit-handlers-n7s4n"],
            counted: "6 nodes in status.nodes: 4 Succeeded, 1 Skipped (celebrate), 1 Failed; 05:31:12 → 05:31:30"),
        Case(
            tool: "get_workflow", arguments: ["name": "retry-with-dags"],
            expect: ["nodeCount": 8, "nodesByPhase.Omitted": 1, "nodesByPhase.Failed": 4, "nodesByPhase.Succeeded": 2],
            counted: "8 nodes: 1 Omitted (type Skipped), 4 Failed, 2 Succeeded, 1 Running"),
        Case(
            tool: "get_workflow_logs",
            arguments: ["name": "hello-world-9tql2", "namespace": "workflows", "tail_lines": 5],
            expect: ["lineCount": 5, "pods#": 1], text: ["5 line(s) from 1 pod(s)"],
            counted: "one Pod node; the tail asked for 5 lines"),
        Case(
            tool: "watch_workflow", arguments: ["name": "dag-nested-zxlc2"],
            expect: ["phase": "Succeeded", "endedBy": "already-completed", "progress": "16/16"],
            text: ["Succeeded"], counted: "status.phase Succeeded, status.progress 16/16"),
        Case(
            tool: "list_archived_workflows", arguments: ["namespace": "argo"], expect: ["count": 8],
            counted:
                "the completed workflows of argo, archived as they complete: lifecycle-hook-bgsf6 (Error), workflow-retry, fail-two-nested-dag-suspend, exit-handlers-n7s4n (Failed), dag-nested-zxlc2, hr-retry-replication, many-items-z26lj, artifact-passing-x7k2p (Succeeded)"
        ),
        Case(
            tool: "get_archived_workflow", arguments: ["uid": "9d0e6a57-3c1b-4f7d-8e2a-6b5c4d3e2f10"],
            expect: ["name": "artifact-passing-x7k2p", "phase": "Succeeded", "nodeCount": 5],
            text: ["artifact-passing-x7k2p"], counted: "the demo manifest's uid; 5 nodes in its status"),
        // Cron workflows.
        Case(
            tool: "list_cron_workflows", arguments: ["namespace": "argo"], expect: ["count": 4],
            counted: "wonderful-tiger and hello-world (fixtures), nightly-etl and hourly-sync (demo)"),
        Case(
            tool: "get_cron_workflow", arguments: ["name": "hourly-sync"],
            expect: [
                "suspended": true, "nextRuns#": 0, "nextRunsIfResumed#": 5, "schedules.0": "15 * * * *",
                "succeeded": 812, "timezoneAssumed": true,
            ],
            text: ["suspended: no run starts"],
            counted: "spec.suspend true, spec.schedule \"15 * * * *\", no timezone, status.succeeded 812"),
        Case(
            tool: "get_cron_history", arguments: ["name": "wonderful-tiger"], expect: ["count": 0],
            text: ["no runs"], counted: "no workflow carries the label cron-workflow=wonderful-tiger"),
        Case(
            tool: "toggle_cron_suspension", arguments: ["name": "hourly-sync"],
            expect: ["phase": "suspended", "effect": "runs are scheduled again"], text: ["PREVIEW"],
            counted: "hourly-sync is suspended, so a toggle resumes it"),
        Case(
            tool: "update_cron_schedule", arguments: ["name": "nightly-etl", "schedules": ["0 3 * * *"]],
            text: ["PREVIEW", "0 3 * * *", "0 2 * * *"],
            counted: "nightly-etl's spec.schedules is [\"0 2 * * *\"]"),
        Case(
            tool: "delete_cron_workflow", arguments: ["name": "wonderful-tiger"], text: ["PREVIEW", "0 workflow(s)"],
            counted: "no workflow carries the label cron-workflow=wonderful-tiger"),
        Case(
            tool: "create_cron_workflow",
            arguments: [
                "manifest": .string(
                    "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: feb-31}\nspec:\n  schedules: ['0 0 31 2 *']\n  workflowSpec: {entrypoint: a, templates: [{name: a, container: {image: alpine}}]}\n"
                )
            ],
            error: ["never fires"], counted: "there is no 31 February"),
        // Templates.
        Case(
            tool: "list_workflow_templates", arguments: ["namespace": "argo"], expect: ["count": 6],
            counted: "5 WorkflowTemplates in workflow-template_templates.yaml (no namespace) and etl-pipeline"),
        Case(
            tool: "get_workflow_template", arguments: ["name": "etl-pipeline"],
            expect: [
                "templates#": 4, "parameters#": 2, "templatesByKind.dag": 1, "templatesByKind.container": 2,
                "templatesByKind.script": 1,
            ],
            text: ["etl-pipeline"], counted: "templates main (dag), extract and load (container), transform (script)"),
        Case(
            tool: "list_cluster_workflow_templates", arguments: [:], expect: ["count": 6],
            counted: "5 in cluster-workflow-template_clustertemplates.yaml and notify-slack"),
        Case(
            tool: "get_cluster_workflow_template", arguments: ["name": "notify-slack"],
            expect: ["templates#": 2, "templatesByKind.http": 1, "templatesByKind.suspend": 1, "parameters#": 2],
            counted: "templates notify (http) and wait-approval (suspend); parameters channel and message"),
        Case(
            tool: "create_template",
            arguments: [
                "manifest": .string(
                    "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: audit-new}\nspec:\n  entrypoint: a\n  templates: [{name: a, container: {image: alpine}}]\n"
                )
            ],
            text: ["PREVIEW", "audit-new"], counted: "no template named audit-new exists"),
        Case(
            tool: "delete_workflow_template", arguments: ["name": "etl-pipeline"], text: ["PREVIEW", "etl-pipeline"],
            counted: "etl-pipeline exists in argo"),
        // The installation.
        Case(
            tool: "list_namespaces", arguments: [:], expect: ["namespaces#": 4],
            text: ["argo", "data-team", "default", "workflows"],
            counted:
                "argo (fixtures, demo), data-team (cleanup-scratch-5vx8d, report-weekly), default (dag-disable-fail-fast-r6xdc, failed-retries-tjjsc), workflows (the two hello-world JSON objects)"
        ),
        Case(
            tool: "get_cluster_info", arguments: [:], expect: ["version.version": "v4.1.2+simulator"],
            text: ["v4.1.2"], counted: "the version the simulator reports"),
        Case(
            tool: "health_check", arguments: [:], expect: ["healthy": true], text: ["healthy"],
            counted: "the simulator answers every check"),
        // Mutations: previews against the objects as they are.
        Case(
            tool: "terminate_workflow", arguments: ["name": "hello-world-9tql2-run", "namespace": "workflows"],
            expect: ["activeNodeCount": 1, "pods#": 1], text: ["PREVIEW", "killed at once"],
            counted: "one node, a Pod, Running"),
        Case(
            tool: "stop_workflow", arguments: ["name": "suspend-template-qndm5"],
            expect: ["activeNodeCount": 3, "pods#": 0], text: ["PREVIEW", "exit handlers still run"],
            counted: "3 nodes Running (the Steps node, the second StepGroup, the Suspend node); its only Pod succeeded"
        ),
        Case(
            tool: "retry_workflow", arguments: ["name": "exit-handlers-n7s4n"], expect: ["pods#": 3],
            text: [
                "PREVIEW", "1 failed step(s)", "0 succeeded step(s) are kept",
                "the exit handler runs again (its 2 pod(s)",
            ],
            counted:
                "Pods: exit-handlers-n7s4n Failed; notify and cry Succeeded, both in exit-handlers-n7s4n.onExit, which Argo's retry deletes and runs again (celebrate was Skipped)"
        ),
        Case(
            tool: "suspend_workflow", arguments: ["name": "suspend-template-qndm5"], expect: ["pods#": 0],
            text: [
                "PREVIEW", "spec.suspend is set", "no pod is running now", "1 suspend step(s) (approve) keep waiting",
            ],
            counted: "a suspend stops no pod; its one Pod succeeded, its Suspend node approve is Running"),
        Case(
            tool: "resume_workflow", arguments: ["name": "suspend-template-qndm5"],
            text: ["PREVIEW", "1 waiting suspend step(s)"], counted: "one Suspend node, Running"),
        Case(
            tool: "delete_workflow", arguments: ["name": "many-items-z26lj"],
            text: ["PREVIEW", "with its 13 pod(s)"], counted: "13 Pod nodes in status.nodes"),
        Case(
            tool: "resubmit_workflow", arguments: ["name": "dag-nested-zxlc2"],
            text: ["PREVIEW", "a new workflow named dag-nested-zxlc2-"], counted: "a plain resubmit"),
        Case(
            tool: "submit_workflow", arguments: ["resource_kind": "WorkflowTemplate", "resource_name": "etl-pipeline"],
            expect: ["runs.parameters": ["batch-size=500", "target=warehouse"], "runs.images#": 2],
            text: ["PREVIEW", "batch-size=500"],
            counted:
                "etl-pipeline's arguments target=warehouse, batch-size=500; images ghcr.io/example/etl:2.4, python:3.12"
        ),
        Case(
            tool: "lint_manifest",
            arguments: [
                "manifest": .string(
                    "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: mars}\nspec:\n  schedules: ['61 * * * *']\n  timezone: Mars/Base\n  workflowSpec: {entrypoint: a, templates: [{name: a, container: {image: alpine}}]}\n"
                )
            ],
            expect: ["ok": false], text: ["Mars/Base"], counted: "minute 61 and an unknown zone"),
        // Steps waiting for people.
        Case(
            tool: "approve_step", arguments: ["name": "release-approval-r4t8w", "outputs": ["approve": "YES"]],
            expect: ["step.name": "approval"], text: ["PREVIEW", "approve=YES"],
            counted: "the waiting Suspend node approval, output approve with choices YES and NO"),
        Case(
            tool: "set_step_outputs", arguments: ["name": "release-approval-r4t8w", "outputs": ["approve": "NO"]],
            expect: ["step.name": "approval"], text: ["PREVIEW", "approve=NO", "keeps waiting"],
            counted: "set without a phase leaves the step waiting"),
        // Artifacts.
        Case(
            tool: "list_artifacts", arguments: ["name": "artifact-passing-x7k2p"], expect: ["total": 8, "nodes#": 2],
            counted:
                "generate-artifact: 6 outputs (hello-art, report, chart, results, metrics, main-logs); consume-artifact: 1 input (message), 1 output (old-output)"
        ),
        Case(
            tool: "get_artifact",
            arguments: ["name": "artifact-passing-x7k2p", "node": "generate-artifact", "artifact": "metrics"],
            text: ["\"rows\": 400"], counted: "the demo's metrics.json.gz holds {\"rows\": 400, \"seconds\": 18.2}"),
        // Semaphores.
        Case(
            tool: "get_workflow_locks", arguments: ["name": "release-approval-r4t8w"], expect: ["holding#": 0],
            counted: "its status has no synchronization"),
        Case(
            tool: "get_sync_limit", arguments: ["key": "ingest", "config_map": "semaphore-config"],
            expect: ["limit": 1], text: ["1"], counted: "the demo ConfigMap semaphore-config has ingest: \"1\""),
        Case(
            tool: "set_sync_limit", arguments: ["key": "ingest", "config_map": "semaphore-config", "limit": 2],
            text: ["PREVIEW", "1", "2"], counted: "from 1 to 2"),
        // Diagnostics.
        Case(
            tool: "analyze_failure", arguments: ["name": "exit-handlers-n7s4n"],
            expect: ["rootCauseCount": 1, "rootCauses.0.exitCode": "1", "nodeCount": 6],
            text: ["exit 1"], counted: "one failed Pod, exit code 1; 6 nodes"),
        Case(
            tool: "analyze_failure", arguments: ["name": "hr-retry-replication"],
            expect: ["phase": "Succeeded", "rootCauseCount": 0],
            text: ["2 failed attempt(s) were recovered by retries"],
            counted: "Succeeded; its 2 failed Pods are attempts (0) of Retry nodes whose attempt (1) succeeded"),
        Case(
            tool: "get_workflow_metrics", arguments: ["name": "dag-nested-zxlc2"],
            expect: ["nodeCount": 21, "podCount": 16], text: ["16 pod(s) of 21 node(s)"],
            counted: "21 nodes: 5 DAG, 16 Pod"),
        Case(
            tool: "compare_workflows", arguments: ["name": "dag-nested-zxlc2", "base_name": "many-items-z26lj"],
            expect: ["base.durationSeconds": 40, "other.durationSeconds": 58, "durationChangeSeconds": 18],
            text: ["40s", "58s"], counted: "many-items-z26lj ran 40 s, dag-nested-zxlc2 58 s"),
        Case(
            tool: "render_workflow_graph", arguments: ["name": "exit-handlers-n7s4n"],
            expect: ["nodeCount": 6, "shown": 6], text: ["onExit", "celebrate", "cry"],
            counted: "6 nodes, the exit handler's 5 under its own root, no fan-out to collapse"),
    ]

    /// One rig for every case: the cases only read and preview, nothing they call changes the objects.
    static let shared = Task { try await rig() }

    static func rig() async throws -> [String: ToolDefinition] {
        let sim = ArgoSimulator()
        for dir in ["workflows", "cronworkflows", "templates"] {
            try await sim.loadSeeds(from: Fixtures.root.appendingPathComponent(dir))
        }
        for object in try ArgoSimulator.objects(inManifest: ArgoSimulator.demoManifests, source: "demo") {
            try await sim.load(object)
        }
        try await sim.loadDemoArtifacts()
        await sim.setConfigMap(namespace: "argo", name: "semaphore-config", data: ["ingest": "1"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-audit-\(UUID())")
        let useCases = UseCases(
            gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo", unpacker: ArchiveUnpacker(),
            policy: Policy(
                readOnly: false, allowMutations: true, allowDestructive: true,
                confirmationRequired: ["mutating", "destructive"]),
            audit: FileAuditSink(path: directory.appendingPathComponent("audit.jsonl").path))
        return Dictionary(uniqueKeysWithValues: ToolCatalog.all(useCases).map { ($0.name, $0) })
    }

    /// The value at a dotted path of structured content; `name#` is the length of the array `name`.
    static func value(_ root: Value, at path: String) -> Value? {
        var current: Value? = root
        var parts = path.split(separator: ".").map(String.init)
        let count = parts.last?.hasSuffix("#") == true
        if count { parts[parts.count - 1] = String(parts[parts.count - 1].dropLast()) }
        for part in parts {
            if let index = Int(part), let array = current?.arrayValue {
                current = index < array.count ? array[index] : nil
            } else {
                current = current?.objectValue?[part]
            }
        }
        if count { return current?.arrayValue.map { .int($0.count) } }
        return current
    }

    @Test("every tool of the catalog is audited")
    func coversEveryTool() async throws {
        let tools = try await Self.shared.value
        let audited = Set(Self.cases.map(\.tool))
        #expect(Set(tools.keys).subtracting(audited).sorted() == [], "tools without a hand-counted case")
        #expect(audited.subtracting(tools.keys).isEmpty)
    }

    @Test("each answer matches the hand-counted one, in the structured content and in the text", arguments: cases)
    func answer(_ c: Case) async throws {
        let tools = try await Self.shared.value
        let tool = try #require(tools[c.tool])
        let result = await ArgoMCPServer.call(tool, c.arguments, context: ToolContext(), logger: Logger(label: "audit"))
        let text = result.content.compactMap { if case .text(let t, _, _) = $0 { t } else { nil } }.joined()
        let structured = try #require(result.structuredContent, "\(c.tool) answers structured content")
        if !c.error.isEmpty {
            #expect(result.isError == true, "\(c.tool) must refuse: \(text)")
            for words in c.error { #expect(text.contains(words), "\(c.tool): \(text)") }
            return
        }
        #expect(result.isError != true, "\(c.tool) failed: \(text)")
        // A preview's content is the preview; its fields are at the top of the structured content too.
        for (path, expected) in c.expect {
            let found = Self.value(structured, at: path)
            #expect(
                found == expected,
                "\(c.tool) \(path): \(found.map { "\($0)" } ?? "absent"), counted \(expected) (\(c.counted))")
        }
        for words in c.text { #expect(text.contains(words), "\(c.tool) text lacks '\(words)': \(text.prefix(600))") }
    }
}
