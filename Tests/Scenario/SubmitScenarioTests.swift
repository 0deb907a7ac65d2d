import Foundation
import MCP
import Testing

/// Submitting through the built binary: from a manifest and from a template, watched to completion.
@Suite("submit and lint over stdio", .serialized, .timeLimit(.minutes(2)))
struct SubmitScenarioTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/examples")

    @Test(
        "lint, submit a manifest and a template, watch both finish; a marked template fails; bad input changes nothing")
    func submit() async throws {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-submit-\(UUID().uuidString)/audit.jsonl")
        let server = try await ServerProcess(
            ["serve", "--simulator", "--tick-ms", "50"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let steps = try String(contentsOf: Self.examples.appendingPathComponent("steps.yaml"), encoding: .utf8)

        let lint = try await server.call("lint_manifest", ["manifest": .string(steps)])
        #expect(lint.structuredContent?.objectValue?["ok"] == .bool(true))
        let broken = try await server.call(
            "lint_manifest",
            ["manifest": .string(steps.replacingOccurrences(of: "template: print-message", with: "template: nowhere"))])
        #expect(broken.structuredContent?.objectValue?["ok"] == .bool(false))
        #expect(broken.text.contains("'nowhere' undefined"))

        let before = try await server.call("list_workflows", ["limit": 200])
        let count = before.structuredContent?.objectValue?["count"]?.intValue ?? 0

        let refused = try await server.call(
            "submit_workflow",
            ["resource_kind": "WorkflowTemplate", "resource_name": "etl-pipeline", "parameters": ["target": "moon"]])
        #expect(refused.isError == true)
        #expect(refused.text.contains("must be one of warehouse, lake"))
        let unknown = try await server.call(
            "submit_workflow",
            ["resource_kind": "WorkflowTemplate", "resource_name": "etl-pipeline", "parameters": ["colour": "red"]])
        #expect(unknown.text.contains("parameter 'colour' is not declared"))
        #expect(
            try await server.call("list_workflows", ["limit": 200]).structuredContent?.objectValue?["count"]?.intValue
                == count)

        let fromManifest = try await server.call("submit_workflow", ["manifest": .string(steps)])
        let manifestRun = try #require(fromManifest.structuredContent?.objectValue?["name"]?.stringValue)
        #expect(manifestRun.hasPrefix("steps-"))
        let fromTemplate = try await server.call(
            "submit_workflow",
            ["resource_kind": "WorkflowTemplate", "resource_name": "etl-pipeline", "parameters": ["target": "lake"]])
        let templateRun = try #require(fromTemplate.structuredContent?.objectValue?["name"]?.stringValue)
        #expect(fromTemplate.text.contains("watch_workflow"))
        for run in [manifestRun, templateRun] {
            let watched = try await server.call("watch_workflow", ["name": .string(run), "timeout_seconds": 30])
            #expect(watched.structuredContent?.objectValue?["phase"] == "Succeeded", "\(run)")
        }
        let created = try await server.call("get_workflow", ["name": .string(templateRun)])
        #expect(created.structuredContent?.objectValue?["workflowTemplate"] == "etl-pipeline")
        #expect(
            created.structuredContent?.objectValue?["parameters"]?.arrayValue?.contains(
                .object(["name": "target", "value": "lake"])) == true)

        let failing = steps.replacingOccurrences(
            of: "generateName: steps-",
            with: "generateName: steps-\n  annotations:\n    simulator.argo-mcp/fail-template: print-message")
        let failRun = try #require(
            try await server.call("submit_workflow", ["manifest": .string(failing)]).structuredContent?.objectValue?[
                "name"]?.stringValue)
        let failed = try await server.call("watch_workflow", ["name": .string(failRun), "timeout_seconds": 30])
        #expect(failed.structuredContent?.objectValue?["phase"] == "Failed")
        _ = await server.stop()
    }
}
