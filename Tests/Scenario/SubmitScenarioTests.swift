import Foundation
import MCP
import Testing

/// Submitting through the built binary: from a manifest and from a template, watched to completion.
@Suite("submit and lint (every transport)", .serialized, .timeLimit(.minutes(2)))
struct SubmitScenarioTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/examples")

    @Test(
        "lint, submit a manifest and a template, watch both finish; a marked template fails; bad input changes nothing",
        arguments: TransportKind.allCases)
    func submit(_ transport: TransportKind) async throws {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-submit-\(UUID().uuidString)/audit.jsonl")
        let server = try await transport.start(
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

        let fromManifest = try await server.callConfirmed("submit_workflow", ["manifest": .string(steps)])
        let manifestRun = try #require(fromManifest.structuredContent?.objectValue?["name"]?.stringValue)
        #expect(manifestRun.hasPrefix("steps-"))
        let fromTemplate = try await server.callConfirmed(
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
            try await server.callConfirmed("submit_workflow", ["manifest": .string(failing)]).structuredContent?
                .objectValue?[
                    "name"]?.stringValue)
        let failed = try await server.call("watch_workflow", ["name": .string(failRun), "timeout_seconds": 30])
        #expect(failed.structuredContent?.objectValue?["phase"] == "Failed")
        _ = await server.stop()
    }
}

@Suite("Safety of submissions and of simulator mode", .serialized, .timeLimit(.minutes(3)))
struct SubmitSafetyScenarioTests {
    @Test(
        "submitting from a template shows the parameters passed, not the template's defaults (dry run and real)",
        arguments: TransportKind.allCases)
    func passedParametersShown(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--tick-ms", "50"])
        _ = try await server.connect()
        let arguments: [String: Value] = [
            "resource_kind": "WorkflowTemplate", "resource_name": "etl-pipeline", "parameters": ["target": "lake"],
        ]
        var dry = arguments
        dry["dry_run"] = true
        for result in [
            try await server.call("submit_workflow", dry), try await server.callConfirmed("submit_workflow", arguments),
        ] {
            #expect(result.isError == false)
            let parameters =
                result.structuredContent?.objectValue?["summary"]?.objectValue?["parameters"]?.arrayValue?
                .compactMap(\.objectValue) ?? []
            #expect(parameters.first { $0["name"] == "target" }?["value"] == "lake")
            #expect(result.text.contains("target=lake"))
            #expect(!result.text.contains("target=warehouse"))
        }
        _ = await server.stop()
    }

    @Test(
        "a submission is previewed with what would run, confirmed by its token, and audited with who ran what as whom",
        arguments: TransportKind.allCases)
    func submitPreviewAndAudit(_ transport: TransportKind) async throws {
        let audit = MutationScenarioTests.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let args: [String: Value] = [
            "resource_kind": "WorkflowTemplate", "resource_name": "etl-pipeline", "parameters": ["target": "lake"],
            "service_account": "etl-runner", "labels": ["team": "data"],
        ]
        let preview = try await server.call("submit_workflow", args)
        #expect(preview.isError == false)
        #expect(preview.text.hasPrefix("PREVIEW — nothing was changed."))
        #expect(preview.text.contains("service account: etl-runner"))
        #expect(preview.text.contains("target=lake"))
        #expect(preview.text.contains("images: "))
        let runs = try #require(preview.structuredContent?.objectValue?["runs"]?.objectValue)
        #expect(runs["serviceAccount"] == "etl-runner")
        // The labels the workflow will carry: the caller's and the one Argo sets for its template.
        #expect(runs["labels"] == ["team=data", "workflows.argoproj.io/workflow-template=etl-pipeline"])
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        var confirmed = args
        confirmed["confirmation_token"] = .string(token)
        let done = try await server.call("submit_workflow", confirmed)
        let created = try #require(done.structuredContent?.objectValue?["name"]?.stringValue)
        let listed = try await server.call(
            "list_workflows", ["label_selector": "team=data,workflows.argoproj.io/workflow-template=etl-pipeline"])
        #expect(listed.text.contains(created), "the preview's labels are the created workflow's")
        _ = await server.stop()
        let records = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let allowed = try #require(records.first { $0["decision"] as? String == "allowed" })
        let arguments = try #require(allowed["arguments"] as? [String: String])
        #expect(arguments["service_account"] == "etl-runner")
        #expect(arguments["label.team"] == "data")
        #expect(arguments["resource_kind"] == "WorkflowTemplate")
        #expect(arguments["parameter.target"] == "lake")
        #expect(allowed["client"] as? String == "argo-mcp-scenario")
        // The token itself is never written anywhere: not the audit file, not the log.
        #expect(!(try String(contentsOf: audit, encoding: .utf8)).contains(token))
    }

    @Test(
        "simulator mode says so: the instructions, the title, the last line of every result and its structured content; an error's own text comes first"
    )
    func simulatorNotice() async throws {
        let server = try await ServerProcess(["serve", "--simulator", "--log-level", "debug"])
        let initialized = try await server.connect()
        #expect(initialized.instructions?.hasPrefix("[SIMULATOR]") == true)
        #expect(initialized.serverInfo.title?.contains("SIMULATOR") == true)
        let ok = try await server.call("list_workflows", ["limit": 1])
        #expect(
            ok.rawText.hasSuffix(
                "\n[SIMULATOR] Demo data from argo-mcp's built-in simulator, not a real Argo server; nothing here touches a cluster."
            ))
        #expect(!ok.rawText.hasPrefix("[SIMULATOR]"))
        #expect(ok.structuredContent?.objectValue?["simulator"]?.stringValue?.hasPrefix("[SIMULATOR]") == true)
        let bad = try await server.call("get_workflow", ["name": "no-such-workflow"])
        #expect(bad.isError == true)
        // A host that shows one line of an error shows the error.
        #expect(bad.rawText.split(separator: "\n").first?.contains("no-such-workflow") == true)
        #expect(bad.rawText.hasSuffix("nothing here touches a cluster."))
        #expect(bad.structuredContent?.objectValue?["simulator"] != nil)
        // A refused destructive call logs its reason at debug level, never the fresh token in its preview.
        let preview = try await server.call("delete_workflow", ["name": "nightly-etl-7x2kq"])
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let refused = try await server.call(
            "delete_workflow", ["name": "nightly-etl-7x2kq", "confirmation_token": "amc_wrong"])
        #expect(refused.isError == true)
        let fresh = try #require(refused.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let stderr = await server.stop()
        #expect(stderr.contains("tool call failed"))
        #expect(!stderr.contains(token) && !stderr.contains(fresh))
    }

    @Test("a real server's address with credentials is never shown: the URL in answers has them removed")
    func credentialsRedacted() async throws {
        let server = try await ServerProcess(
            ["serve"], environment: ["ARGO_SERVER": "http://alice:s3cret@127.0.0.1:9", "ARGO_REQUEST_TIMEOUT": "2"])
        _ = try await server.connect()
        let info = try await server.call("health_check")
        #expect(!info.rawText.contains("s3cret") && !info.rawText.contains("alice"))
        #expect(info.rawText.contains("127.0.0.1:9"))
        let get = try await server.call("get_workflow", ["name": "x"])
        #expect(!get.rawText.contains("s3cret"))
        let stderr = await server.stop()
        #expect(!stderr.contains("s3cret"))
    }
}
