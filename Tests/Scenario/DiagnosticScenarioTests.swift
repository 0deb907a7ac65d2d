import Foundation
import MCP
import Testing

/// The diagnostic tools and the why_did_this_fail prompt through the built binary against the simulator.
@Suite("diagnostics (every transport)", .serialized, .timeLimit(.minutes(2)))
struct DiagnosticScenarioTests {
    @Test(
        "analyze, measure, compare and draw failed runs; every answer compact; injected log errors give partial results",
        arguments: TransportKind.allCases)
    func tools(_ transport: TransportKind) async throws {
        let server = try await transport.start([
            "serve", "--simulator", "--generate", "name=huge-10k,nodes=10000,failures=0.002,depth=3",
            "--fault", "workflow_logs:code=14,message=log service down,times=3",
        ])
        _ = try await server.connect()

        let analysis = try await server.call("analyze_failure", ["name": "train-model-v3-8fj2d"])
        #expect(analysis.isError == false)
        let a = try #require(analysis.structuredContent?.objectValue)
        let causes = a["rootCauses"]?.arrayValue ?? []
        #expect(!causes.isEmpty)
        #expect(causes.allSatisfy { $0.objectValue?["category"]?.stringValue == "application_error" })
        // The first three log reads fail (injected): a partial result, said so, never an error.
        #expect(a["notes"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("partial result") == true } == true)
        #expect(analysis.text.contains("next steps:"))

        let big = try await server.call("analyze_failure", ["name": "huge-10k"])
        #expect(big.isError == false)
        #expect(big.text.utf8.count < 8_000)
        #expect((9_000...10_000).contains(big.structuredContent?.objectValue?["nodeCount"]?.intValue ?? 0))

        let metrics = try await server.call("get_workflow_metrics", ["name": "huge-10k"])
        #expect(metrics.isError == false)
        #expect(metrics.text.utf8.count < 8_000)
        #expect((metrics.structuredContent?.objectValue?["podCount"]?.intValue ?? 0) > 5_000)

        let graph = try await server.call("render_workflow_graph", ["name": "huge-10k", "format": "mermaid"])
        #expect(graph.text.contains("```mermaid\nflowchart TD"))
        #expect(graph.text.utf8.count < 8_000)
        #expect((graph.structuredContent?.objectValue?["collapsedFanOuts"]?.intValue ?? 0) > 0)

        // The same picture as a layout (data), DOT and a standalone SVG.
        let layout = try await server.call("render_workflow_graph", ["name": "huge-10k", "format": "layout"])
        let drawing = layout.structuredContent?.objectValue ?? [:]
        let boxes = drawing["boxes"]?.arrayValue ?? []
        #expect(!boxes.isEmpty && boxes.count <= 60, "\(layout.text)")
        #expect(boxes.contains { ($0.objectValue?["nodes"]?.intValue ?? 0) > 100 })
        #expect((drawing["width"]?.intValue ?? 0) > 0 && (drawing["height"]?.intValue ?? 0) > 0)
        #expect(layout.text.hasPrefix("layout of argo/huge-10k"))
        let svg = try await server.call("render_workflow_graph", ["name": "huge-10k", "format": "svg"])
        let svgText = svg.structuredContent?.objectValue?["svg"]?.stringValue ?? ""
        #expect(svgText.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svgText.hasSuffix("</svg>"))
        #expect(svgText.components(separatedBy: "<g class=\"node").count - 1 == boxes.count)
        let dot = try await server.call("render_workflow_graph", ["name": "huge-10k", "format": "dot"])
        #expect(dot.text.hasPrefix("digraph \"argo/huge-10k\" {"), "\(dot.text.prefix(200))")

        let compare = try await server.call(
            "compare_workflows", ["name": "nightly-etl-1700000002", "baseline": "last_success"])
        #expect(compare.isError == false)
        #expect(compare.text.contains("newly failed"))
        let bad = try await server.call("compare_workflows", ["name": "nightly-etl-1700000002"])
        #expect(bad.isError == true)
        #expect(bad.text.contains("base_name"))

        let missing = try await server.call("analyze_failure", ["name": "no-such-run"])
        #expect(missing.isError == true)
        #expect(missing.text.contains("no live or archived workflow"))
        _ = await server.stop()
    }

    @Test(
        "real upstream workflows seeded into the simulator: nested DAG, exhausted retries, a lifecycle hook error",
        arguments: TransportKind.allCases)
    func realFixtures(_ transport: TransportKind) async throws {
        let workflows = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/workflows")
        let server = try await transport.start(["serve", "--simulator", "--seed", workflows.path])
        _ = try await server.connect()
        func causes(_ name: String, _ namespace: String) async throws -> [[String: Value]] {
            let r = try await server.call("analyze_failure", ["name": .string(name), "namespace": .string(namespace)])
            #expect(r.isError == false, "\(name)")
            return (r.structuredContent?.objectValue?["rootCauses"]?.arrayValue ?? []).compactMap(\.objectValue)
        }
        let nested = try await causes("fail-two-nested-dag-suspend", "argo")
        #expect(nested.count == 1 && nested.first?["category"] == "application_error")
        let retries = try await causes("workflow-retry", "argo")
        #expect(retries.first?["retriesExhausted"] == true)
        let hook = try await causes("lifecycle-hook-bgsf6", "argo")
        #expect(!hook.isEmpty)
        let graph = try await server.call(
            "render_workflow_graph", ["name": "dag-nested-zxlc2", "namespace": "argo", "format": "tree"])
        #expect(graph.text.contains("✓ A"))
        let metrics = try await server.call("get_workflow_metrics", ["name": "dag-nested-zxlc2", "namespace": "argo"])
        #expect(metrics.structuredContent?.objectValue?["criticalPathLength"] == 9)
        _ = await server.stop()
    }

    @Test("the output cap: a result larger than output.maxResultBytes is cut with a marker; a tiny cap is refused")
    func outputCap() async throws {
        let server = try await ServerProcess(
            ["serve", "--simulator"], environment: ["ARGO_MCP_MAX_RESULT_BYTES": "2048"])
        _ = try await server.connect()
        let logs = try await server.call(
            "get_workflow_logs", ["name": "train-model-v3-8fj2d", "tail_lines": 500, "max_bytes": 60_000])
        #expect(logs.isError == false)
        #expect(logs.text.utf8.count < 2_300)
        #expect(logs.text.contains("truncated by argo-mcp's output cap"))
        #expect(logs.structuredContent?.objectValue?["truncated"] == true)
        let small = try await server.call("get_workflow", ["name": "nightly-etl-7x2kq"])
        #expect(!small.text.contains("output cap"))
        _ = await server.stop()

        let refused = try await ServerProcess(
            ["serve", "--simulator"], environment: ["ARGO_MCP_MAX_RESULT_BYTES": "10"])
        let stderr = await refused.stop()
        #expect(stderr.contains("ARGO_MCP_MAX_RESULT_BYTES=10 is too small"))
    }

    @Test(
        "explain: true asks the host's model through sampling; the prompt carries the findings",
        arguments: TransportKind.allCases)
    func explainAndPrompt(_ transport: TransportKind) async throws {
        let asked = Counter()
        let server = try await transport.start(
            ["serve", "--simulator"],
            sampling: { parameters in
                await asked.add()
                let text = parameters.messages.compactMap { message -> String? in
                    if case .single(.text(let t)) = message.content { return t }
                    return nil
                }.joined()
                // The host sees the structured findings.
                let mentionsCause = text.contains("rootCauses") && text.contains("application_error")
                return CreateSamplingMessage.Result(
                    model: "test-model", stopReason: .endTurn, role: .assistant,
                    content: .single(.text(mentionsCause ? "Task 22 failed first with exit 1." : "no findings")))
            })
        _ = try await server.connect()
        let explained = try await server.call("analyze_failure", ["name": "train-model-v3-8fj2d", "explain": true])
        #expect(explained.structuredContent?.objectValue?["explanation"] == "Task 22 failed first with exit 1.")
        #expect(await asked.value == 1)

        let prompts = try await server.client.listPrompts()
        #expect(prompts.prompts.map { $0.name } == ["why_did_this_fail", "triage_failures", "draft_workflow"])
        let prompt = try await server.client.getPrompt(
            name: "why_did_this_fail", arguments: ["name": "train-model-v3-8fj2d"])
        guard case .text(let text) = prompt.messages.first?.content else {
            Issue.record("the prompt is one text message")
            return
        }
        #expect(text.contains("root cause(s)") && text.contains("next steps:"))
        _ = await server.stop()
    }

    @Test("without sampling support, explain is a note and the findings stand", arguments: TransportKind.allCases)
    func explainWithoutSampling(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()
        let result = try await server.call("analyze_failure", ["name": "train-model-v3-8fj2d", "explain": true])
        #expect(result.isError == false)
        #expect(result.structuredContent?.objectValue?["explanation"] == nil)
        #expect(result.text.contains("does not offer MCP sampling"))
        _ = await server.stop()
    }
}

@Suite("the triage_failures and draft_workflow prompts")
struct MorePromptScenarioTests {
    static func text(_ prompt: (description: String?, messages: [Prompt.Message])) -> String {
        prompt.messages.compactMap { if case .text(let t) = $0.content { t } else { nil } }.joined()
    }

    @Test(
        "triage groups every failed run since the cut-off by cause; draft lists the reusable templates",
        arguments: TransportKind.allCases)
    func prompts(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()
        let week = Self.text(
            try await server.client.getPrompt(name: "triage_failures", arguments: ["namespace": "argo", "since": "7d"]))
        // The demo's failed runs in argo within the week: the training run, the backfill and one nightly ETL.
        #expect(week.contains("3 failed run(s) in argo since"))
        #expect(week.contains("Groups (same cause in the same template), largest first:"))
        for name in ["train-model-v3-8fj2d", "backfill-fanout-2k-p7w1c", "nightly-etl-1700000002"] {
            #expect(week.contains("- \(name)  started"), "\(name)")
        }
        let hour = Self.text(
            try await server.client.getPrompt(name: "triage_failures", arguments: ["since": "1m"]))
        #expect(hour.contains("0 failed run(s) in argo since") && hour.contains("Nothing to triage."))
        await #expect(throws: (any Error).self) {
            _ = try await server.client.getPrompt(name: "triage_failures", arguments: ["since": "yesterday"])
        }

        let drafted = try await server.client.getPrompt(
            name: "draft_workflow", arguments: ["goal": "load events nightly", "namespace": "argo"])
        let draft = Self.text(drafted)
        // The reference it is written with: links the host can read.
        let links = drafted.messages.compactMap {
            if case .resourceLink(let uri, _, _, _, _, _) = $0.content { uri } else { nil }
        }
        #expect(links == ["argo://reference/template", "argo://reference/steps-and-dag", "argo://reference/variables"])
        #expect(draft.contains("load events nightly"))
        #expect(draft.contains("lint_manifest"))
        #expect(draft.contains("- etl-pipeline: "), "the demo's WorkflowTemplate is offered for reuse")
        await #expect(throws: (any Error).self) {
            _ = try await server.client.getPrompt(name: "draft_workflow", arguments: [:])
        }
        _ = await server.stop()
    }
}

actor Counter {
    var value = 0
    func add() { value += 1 }
}
