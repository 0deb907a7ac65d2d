import Foundation
import MCP
import Testing

/// Cron schedules, templates and cron workflows through the built binary: validation, conflicts, updates with a
/// diff and a token, deletes that say what goes with them; every refusal leaves state untouched and is audited.
@Suite("cron schedules, templates and cron workflows (every transport)", .serialized, .timeLimit(.minutes(2)))
struct ResourceScenarioTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/examples")

    func cron(_ server: any MCPHarness, _ name: String) async throws -> [String: Value] {
        try #require(try await server.call("get_cron_workflow", ["name": .string(name)]).structuredContent?.objectValue)
    }

    @Test(
        "a schedule update: bad input named, a stale version is a conflict, the real update shows old and new runs",
        arguments: TransportKind.allCases)
    func scheduleUpdate(_ transport: TransportKind) async throws {
        let audit = MutationScenarioTests.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let seen = try await cron(server, "nightly-etl")
        let version = try #require(seen["resourceVersion"]?.stringValue)

        let bad = try await server.call(
            "update_cron_schedule", ["name": "nightly-etl", "schedules": ["0 25 * * *"], "timezone": "Nowhere/City"])
        #expect(bad.isError == true)
        #expect(bad.text.contains("schedules[0]") && bad.text.contains("hour 25"))
        #expect(bad.text.contains("timezone"))

        // Someone else changes the CronWorkflow after we read it.
        _ = try await server.call("toggle_cron_suspension", ["name": "nightly-etl", "suspend": true])
        let stale = try await server.call(
            "update_cron_schedule",
            ["name": "nightly-etl", "schedules": ["0 4 * * *"], "resource_version": .string(version)])
        #expect(stale.isError == true)
        #expect(stale.text.contains("conflict"))
        #expect(try await cron(server, "nightly-etl")["schedules"] == ["0 2 * * *"])

        let dry = try await server.call(
            "update_cron_schedule",
            ["name": "nightly-etl", "schedules": ["0 4 * * *", "@every 12h"], "dry_run": true])
        #expect(dry.text.hasPrefix("DRY RUN"))
        #expect(dry.structuredContent?.objectValue?["after"]?.objectValue?["nextRuns"]?.arrayValue?.count == 5)
        #expect(try await cron(server, "nightly-etl")["schedules"] == ["0 2 * * *"])

        let done = try await server.callConfirmed(
            "update_cron_schedule", ["name": "nightly-etl", "schedules": ["0 4 * * *"], "timezone": "Asia/Tokyo"])
        #expect(done.isError == false)
        let result = try #require(done.structuredContent?.objectValue)
        #expect(result["before"]?.objectValue?["schedules"] == ["0 2 * * *"])
        #expect(result["after"]?.objectValue?["timezone"] == "Asia/Tokyo")
        // 04:00 on Tokyo's clock (19:00 UTC the day before).
        #expect(
            result["after"]?.objectValue?["nextRuns"]?.arrayValue?.first?.stringValue?.hasSuffix("T04:00:00+09:00")
                == true)
        let live = try await cron(server, "nightly-etl")
        #expect(live["schedules"] == ["0 4 * * *"])
        #expect(live["timezone"] == "Asia/Tokyo")
        #expect(live["suspended"] == true)
        // toggle (allowed, succeeded), stale (refused), update (preview, then allowed and succeeded with the token);
        // bad input never reaches the audit.
        #expect(
            MutationScenarioTests.auditDecisions(audit) == [
                "allowed", "succeeded", "refused", "preview", "allowed", "succeeded",
            ])
        _ = await server.stop()
    }

    @Test(
        "a conflict Argo reports during the update is passed on with its code and a hint; nothing changes",
        arguments: TransportKind.allCases)
    func injectedConflict(_ transport: TransportKind) async throws {
        let server = try await transport.start([
            "serve", "--simulator", "--fault",
            "mutate_cron_workflow:code=10,message=the object has been modified,times=1",
        ])
        _ = try await server.connect()
        let conflict = try await server.callConfirmed(
            "update_cron_schedule", ["name": "nightly-etl", "schedules": ["0 5 * * *"]])
        #expect(conflict.isError == true)
        #expect(conflict.text.contains("409") && conflict.text.contains("the object has been modified"))
        #expect(conflict.text.contains("nothing was overwritten"))
        #expect(try await cron(server, "nightly-etl")["schedules"] == ["0 2 * * *"])
        let retried = try await server.callConfirmed(
            "update_cron_schedule", ["name": "nightly-etl", "schedules": ["0 5 * * *"]])
        #expect(retried.isError == false)
        _ = await server.stop()
    }

    static let template = """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: greet
        spec:
          entrypoint: main
          arguments:
            parameters:
            - name: who
              value: world
          templates:
          - name: main
            container:
              image: alpine:3.19
              command: [echo, "hello {{workflow.parameters.who}}"]
        """

    @Test(
        "templates: create, refuse an overwrite, update with a spec diff and a token, run it, delete it",
        arguments: TransportKind.allCases)
    func templates(_ transport: TransportKind) async throws {
        let audit = MutationScenarioTests.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator", "--tick-ms", "50"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()

        let broken = try await server.call(
            "create_template",
            ["manifest": .string(Self.template.replacingOccurrences(of: "entrypoint: main", with: "entrypoint: mian"))])
        #expect(broken.isError == true)
        #expect(broken.text.contains("Argo rejected the manifest") && broken.text.contains("'mian' undefined"))

        let created = try await server.callConfirmed("create_template", ["manifest": .string(Self.template)])
        #expect(created.isError == false)
        #expect(created.structuredContent?.objectValue?["action"] == "created")

        let overwrite = try await server.call("create_template", ["manifest": .string(Self.template)])
        #expect(overwrite.isError == true)
        #expect(overwrite.text.contains("already exists") && overwrite.text.contains("update: true"))

        let changed = Self.template.replacingOccurrences(of: "alpine:3.19", with: "alpine:3.20")
        let dry = try await server.call(
            "create_template", ["manifest": .string(changed), "update": true, "dry_run": true])
        #expect(dry.structuredContent?.objectValue?["action"] == "would update")
        #expect(dry.structuredContent?.objectValue?["diffTotal"] == 1)
        let preview = try await server.call("create_template", ["manifest": .string(changed), "update": true])
        #expect(preview.text.hasPrefix("PREVIEW — nothing was changed."))
        #expect(preview.text.contains("~ spec.templates[main].container.image: \"alpine:3.19\" → \"alpine:3.20\""))
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let stillOld = try await server.call("get_workflow_template", ["name": "greet"])
        #expect(stillOld.text.contains("alpine:3.19"))

        let updated = try await server.call(
            "create_template", ["manifest": .string(changed), "update": true, "confirmation_token": .string(token)])
        #expect(updated.structuredContent?.objectValue?["action"] == "updated")
        #expect(try await server.call("get_workflow_template", ["name": "greet"]).text.contains("alpine:3.20"))

        let run = try await server.callConfirmed(
            "submit_workflow",
            ["resource_kind": "WorkflowTemplate", "resource_name": "greet", "parameters": ["who": "argo"]])
        let name = try #require(run.structuredContent?.objectValue?["name"]?.stringValue)
        let watched = try await server.call("watch_workflow", ["name": .string(name), "timeout_seconds": 30])
        #expect(watched.structuredContent?.objectValue?["phase"] == "Succeeded")

        let deletePreview = try await server.call("delete_workflow_template", ["name": "greet"])
        let deleteToken = try #require(deletePreview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let deleted = try await server.call(
            "delete_workflow_template", ["name": "greet", "confirmation_token": .string(deleteToken)])
        #expect(deleted.isError == false)
        #expect(try await server.call("get_workflow_template", ["name": "greet"]).isError == true)
        #expect(
            MutationScenarioTests.auditDecisions(audit) == [
                "refused", "preview", "allowed", "succeeded", "refused", "preview", "allowed", "succeeded",
                "preview", "allowed", "succeeded", "preview", "allowed", "succeeded",
            ])
        _ = await server.stop()
    }

    @Test(
        "cron workflows: create from an upstream example, delete with a token and the workflows it owned go too",
        arguments: TransportKind.allCases)
    func cronWorkflows(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()
        let example = try String(
            contentsOf: Self.examples.appendingPathComponent("cron-workflow-multiple-schedules.yaml"), encoding: .utf8)
        let created = try await server.callConfirmed("create_cron_workflow", ["manifest": .string(example)])
        #expect(created.isError == false)
        let live = try await cron(server, "hello-world-multiple-schedules")
        #expect(live["schedules"] == ["*/3 * * * 1-5", "*/2 * * * *"])
        #expect(live["timezone"] == "America/Los_Angeles")

        let owned = try await server.call(
            "list_workflows", ["label_selector": "workflows.argoproj.io/cron-workflow=nightly-etl"])
        // The list also holds runs that live only in the archive (marked archived): the cron owns the others.
        let ownedRows = owned.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let count = ownedRows.filter { $0["archived"] != .bool(true) }.count
        #expect(count > 0 && count < ownedRows.count)
        let preview = try await server.call("delete_cron_workflow", ["name": "nightly-etl"])
        #expect(preview.text.contains("owns the \(count) workflow(s)"))
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        #expect(try await server.call("get_cron_workflow", ["name": "nightly-etl"]).isError == false)
        let deleted = try await server.call(
            "delete_cron_workflow", ["name": "nightly-etl", "confirmation_token": .string(token)])
        #expect(deleted.isError == false)
        #expect(try await server.call("get_cron_workflow", ["name": "nightly-etl"]).isError == true)
        let left = try await server.call(
            "list_workflows", ["label_selector": "workflows.argoproj.io/cron-workflow=nightly-etl"])
        // Only the archive's copies of the finished runs are still listed.
        let rows = left.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(rows.filter { $0["archived"] != .bool(true) }.count == 0)
        _ = await server.stop()
    }

    @Test(
        "a server that allows mutations but not destructive calls creates templates and refuses update: true",
        arguments: TransportKind.allCases)
    func escalation(_ transport: TransportKind) async throws {
        let audit = MutationScenarioTests.auditFile()
        let server = try await transport.start(
            ["serve", "--simulator"],
            environment: [
                "ARGO_MCP_AUDIT_FILE": audit.path, "ARGO_MCP_READ_ONLY": "false", "ARGO_MCP_ALLOW_MUTATIONS": "true",
                "ARGO_MCP_ALLOW_DESTRUCTIVE": "false",
            ])
        _ = try await server.connect()
        let tools = try await server.client.listTools().tools.map(\.name)
        #expect(tools.contains("create_template") && !tools.contains("delete_workflow_template"))
        #expect(
            try await server.callConfirmed("create_template", ["manifest": .string(Self.template)]).isError == false)
        let refused = try await server.call(
            "create_template", ["manifest": .string(Self.template), "update": true])
        #expect(refused.isError == true)
        #expect(refused.text.contains("allowDestructive"))
        #expect(MutationScenarioTests.auditDecisions(audit) == ["preview", "allowed", "succeeded", "refused"])
        _ = await server.stop()
    }
}
