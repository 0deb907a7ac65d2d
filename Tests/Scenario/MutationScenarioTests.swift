import Foundation
import MCP
import Testing

/// Mutations through the built binary: preview → confirm → Argo changed → audit line; refusals change nothing.
@Suite("mutations (every transport)", .serialized, .timeLimit(.minutes(2)))
struct MutationScenarioTests {
    static func auditFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-scenario-\(UUID().uuidString)/audit.jsonl")
    }

    static func auditDecisions(_ file: URL) -> [String] {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["decision"] as? String
        }
    }

    @Test(
        "terminate: a preview with a token, the confirmed call, the state change and the audit trail",
        arguments: TransportKind.allCases)
    func terminate(_ transport: TransportKind) async throws {
        let audit = Self.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let preview = try await server.call("terminate_workflow", ["name": "ingest-events-q9z4m"])
        #expect(preview.isError == false)
        #expect(preview.text.hasPrefix("PREVIEW — nothing was changed."))
        let p = try #require(preview.structuredContent?.objectValue)
        let token = try #require(p["confirmation_token"]?.stringValue)
        #expect(p["expires_at"]?.stringValue != nil)
        #expect(p["phase"] == "Running")
        #expect(
            try await server.call("get_workflow", ["name": "ingest-events-q9z4m"]).structuredContent?.objectValue?[
                "phase"] == "Running")

        let done = try await server.call(
            "terminate_workflow", ["name": "ingest-events-q9z4m", "confirmation_token": .string(token)])
        #expect(done.isError == false)
        // Argo answers a terminate with the workflow still running and spec.shutdown set; it fails shortly after.
        #expect(done.structuredContent?.objectValue?["phaseAfter"] == "Running")
        #expect(done.text.contains("shutdown (Terminate) requested"))
        #expect(try await server.phase(of: "ingest-events-q9z4m", becomes: "Failed") == "Failed")

        let replay = try await server.call(
            "terminate_workflow", ["name": "ingest-events-q9z4m", "confirmation_token": .string(token)])
        #expect(replay.isError == true)
        #expect(Self.auditDecisions(audit) == ["preview", "allowed", "succeeded", "refused"])
        let line = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(line.contains("\"client\":\"argo-mcp-scenario\""))
        #expect(!line.contains(token))
        _ = await server.stop()
    }

    @Test(
        "a wrong token is refused with a fresh preview; retry, suspend and cron toggles report what changed",
        arguments: TransportKind.allCases)
    func others(_ transport: TransportKind) async throws {
        let audit = Self.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let wrong = try await server.call(
            "stop_workflow", ["name": "ingest-events-q9z4m", "confirmation_token": "amc_made_up"])
        #expect(wrong.isError == true)
        #expect(wrong.text.contains("unknown or was already used"))
        #expect(wrong.structuredContent?.objectValue?["confirmation_token"]?.stringValue?.hasPrefix("amc_") == true)
        #expect(
            try await server.call("get_workflow", ["name": "ingest-events-q9z4m"]).structuredContent?.objectValue?[
                "phase"] == "Running")

        let retryRunning = try await server.call("retry_workflow", ["name": "ingest-events-q9z4m"])
        #expect(retryRunning.isError == true)
        #expect(retryRunning.text.contains("retry applies to Failed or Error workflows"))
        let retry = try await server.call(
            "retry_workflow", ["name": "train-model-v3-8fj2d", "parameters": ["size": "200"]])
        #expect(retry.isError == false)
        #expect(retry.structuredContent?.objectValue?["phaseAfter"] == "Running")

        let suspend = try await server.call("suspend_workflow", ["name": "ingest-events-q9z4m"])
        #expect(suspend.structuredContent?.objectValue?["suspendedAfter"] == .bool(true))
        let resume = try await server.call("resume_workflow", ["name": "ingest-events-q9z4m"])
        #expect(resume.structuredContent?.objectValue?["suspendedAfter"] == .bool(false))
        let cron = try await server.call("toggle_cron_suspension", ["name": "nightly-etl"])
        #expect(cron.text.contains("active → suspended"))
        let listed = try await server.call("get_cron_workflow", ["name": "nightly-etl"])
        #expect(listed.structuredContent?.objectValue?["suspended"] == .bool(true))
        _ = await server.stop()
    }

    @Test("delete with a token, then resubmit and watch the new run to completion", arguments: TransportKind.allCases)
    func deleteAndResubmit(_ transport: TransportKind) async throws {
        let audit = Self.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator", "--tick-ms", "50"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let resubmitted = try await server.call("resubmit_workflow", ["name": "nightly-etl-7x2kq"])
        #expect(resubmitted.isError == false)
        let newName = try #require(resubmitted.structuredContent?.objectValue?["name"]?.stringValue)
        let watched = try await server.call("watch_workflow", ["name": .string(newName), "timeout_seconds": 30])
        #expect(watched.structuredContent?.objectValue?["endedBy"] == "completed")
        #expect(watched.structuredContent?.objectValue?["phase"] == "Succeeded")

        let preview = try await server.call("delete_workflow", ["name": "nightly-etl-7x2kq"])
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let deleted = try await server.call(
            "delete_workflow", ["name": "nightly-etl-7x2kq", "confirmation_token": .string(token)])
        #expect(deleted.isError == false)
        // Argo answers a get of a deleted workflow with its archived copy, and says nothing; the answer does.
        let gone = try await server.call("get_workflow", ["name": "nightly-etl-7x2kq"])
        #expect(gone.isError == false)
        #expect(gone.structuredContent?.objectValue?["archived"] == .bool(true))
        #expect(gone.text.contains("the workflow archive's copy: the live object is gone"))
        #expect(Self.auditDecisions(audit) == ["allowed", "succeeded", "preview", "allowed", "succeeded"])
        _ = await server.stop()
    }

    @Test(
        "read-only: no mutation tool is listed, a call anyway is refused, nothing changes",
        arguments: TransportKind.allCases)
    func readOnly(_ transport: TransportKind) async throws {
        let audit = Self.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator", "--read-only"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let (tools, _) = try await server.client.listTools()
        #expect(tools.allSatisfy { $0.annotations.readOnlyHint == true })
        #expect(!tools.map(\.name).contains("terminate_workflow"))
        let refused = try await server.call("terminate_workflow", ["name": "ingest-events-q9z4m"])
        #expect(refused.isError == true)
        #expect(refused.text.contains("this server allows only read-only tools"))
        // The settings that would offer it are named.
        #expect(
            refused.text.contains("ARGO_MCP_READ_ONLY=false") && refused.text.contains("ARGO_MCP_ALLOW_DESTRUCTIVE"))
        // "Every result has structuredContent": a refusal too, in the shape of every other tool error.
        let refusal = try #require(refused.structuredContent?.objectValue)
        #expect(refusal["tool"] == "terminate_workflow")
        #expect(refusal["safety_class"] == "destructive")
        #expect(refusal["error"]?.stringValue?.contains("read-only") == true)
        #expect(
            try await server.call("get_workflow", ["name": "ingest-events-q9z4m"]).structuredContent?.objectValue?[
                "phase"] == "Running")
        _ = await server.stop()
    }
}
