import Foundation
import MCP
import Testing

/// Cron workflows and templates through the built binary, against the simulator's demo data and the upstream fixtures.
@Suite("cron workflows and templates (every transport)", .serialized, .timeLimit(.minutes(3)))
struct CronTemplateScenarioTests {
    @Test(
        "demo crons: both schedule styles, next runs, submission errors, run history; templates of both scopes",
        arguments: TransportKind.allCases)
    func demo(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()

        let crons = try await server.call("list_cron_workflows", ["all_namespaces": true])
        let rows = crons.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(rows.compactMap { $0["name"]?.stringValue } == ["hourly-sync", "nightly-etl", "report-weekly"])
        let hourly = try #require(rows.first { $0["name"] == "hourly-sync" })
        #expect(hourly["schedules"] == .array(["15 * * * *"]))
        #expect(hourly["suspended"] == .bool(true))
        let weekly = try #require(rows.first { $0["name"] == "report-weekly" })
        #expect(weekly["problem"]?.stringValue?.contains("SubmissionError") == true)

        let suspended = try await server.call("list_cron_workflows", ["all_namespaces": true, "suspended": true])
        #expect(suspended.structuredContent?.objectValue?["count"] == .int(1))

        let detail = try await server.call("get_cron_workflow", ["name": "nightly-etl", "next_runs": 3])
        let d = try #require(detail.structuredContent?.objectValue)
        let next = d["nextRuns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(next.count == 3)
        #expect(next.allSatisfy { $0.hasSuffix("T02:00:00Z") })
        #expect(d["concurrencyPolicy"] == "Forbid")
        #expect(d["workflowTemplate"] == "etl-pipeline")

        // Argo lists the six live runs first, then the four only the archive remembers, paged by one offset
        // (`ListWorkflows`): pages of 4, 4 (two live, two archived) and 2.
        var runs: [[String: Value]] = []
        var counts: [Int] = []
        var token: Value = .null
        repeat {
            var arguments: [String: Value] = ["name": "nightly-etl", "limit": 4]
            if token != .null { arguments["continue"] = token }
            let page = try #require(
                try await server.call("get_cron_history", arguments).structuredContent?.objectValue)
            let rows = page["runs"]?.arrayValue?.compactMap(\.objectValue) ?? []
            counts.append(rows.count)
            runs += rows
            token = page["hasMore"] == .bool(true) ? (page["continue"] ?? .null) : .null
        } while token != .null && counts.count < 5
        #expect(counts == [4, 4, 2])
        // Every run has completed and been archived, so Argo lists all ten from the archive (six still exist).
        #expect(runs.allSatisfy { $0["archived"] == .bool(true) })
        #expect(runs.allSatisfy { $0["scheduledTime"]?.stringValue?.hasSuffix("T02:00:00Z") == true })
        #expect(Set(runs.compactMap { $0["name"]?.stringValue }).count == 10)
        #expect(runs.compactMap { $0["phase"]?.stringValue }.filter { $0 == "Failed" }.count == 2)

        let noCron = try await server.call("get_cron_history", ["name": "no-such-cron"])
        #expect(noCron.isError == true)
        #expect(noCron.text.contains("cronworkflows.argoproj.io \"no-such-cron\" not found"))

        let templates = try await server.call("list_workflow_templates")
        #expect(templates.structuredContent?.objectValue?["count"] == .int(1))
        let etl = try await server.call("get_workflow_template", ["name": "etl-pipeline"])
        let e = try #require(etl.structuredContent?.objectValue)
        #expect(e["templatesByKind"] == .object(["dag": 1, "container": 2, "script": 1]))
        let target = e["parameters"]?.arrayValue?.first?.objectValue
        #expect(target?["enum"] == .array(["warehouse", "lake"]))

        let spec = try await server.call(
            "get_workflow_template", ["name": "etl-pipeline", "include": "spec", "max_bytes": 300])
        let s = try #require(spec.structuredContent?.objectValue)
        #expect(s["truncated"] == .bool(true))
        #expect(s["text"]?.stringValue?.hasPrefix("{\"arguments\"") == true)

        let cluster = try await server.call("list_cluster_workflow_templates")
        #expect(
            cluster.structuredContent?.objectValue?["items"]?.arrayValue?.first?.objectValue?["name"] == "notify-slack")
        let notify = try await server.call("get_cluster_workflow_template", ["name": "notify-slack"])
        #expect(notify.structuredContent?.objectValue?["templatesByKind"] == .object(["http": 1, "suspend": 1]))
        let missing = try await server.call("get_cluster_workflow_template", ["name": "nope"])
        #expect(missing.isError == true)
        #expect(missing.text.contains("clusterworkflowtemplates.argoproj.io \"nope\" not found"))
        _ = await server.stop()
    }

    @Test(
        "upstream CronWorkflow fixtures seed the simulator and read back with their status",
        arguments: TransportKind.allCases)
    func fixtures(_ transport: TransportKind) async throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/cronworkflows")
        let server = try await transport.start(["serve", "--simulator", "--seed", dir.path])
        _ = try await server.connect()
        let cron = try await server.call("get_cron_workflow", ["name": "hello-world"])
        let c = try #require(cron.structuredContent?.objectValue)
        #expect(c["schedules"] == .array(["0-36/1 21-22 * * *"]))
        #expect(c["timezone"] == "America/Los_Angeles")
        #expect(c["activeRuns"] == .array(["hello-world-1643952840"]))
        #expect(c["concurrencyPolicy"] == "Forbid")
        let next = c["nextRuns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(next.count == 5)
        let list = try await server.call("list_cron_workflows", ["all_namespaces": true])
        let failing = list.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap(\.objectValue)
            .first { $0["name"] == "wonderful-tiger" }
        #expect(failing?["problem"]?.stringValue?.contains("SubmissionError") == true)
        _ = await server.stop()
    }
}

extension CronTemplateScenarioTests {
    @Test(
        "upstream example templates of both scopes seed the simulator and summarize", arguments: TransportKind.allCases)
    func exampleTemplates(_ transport: TransportKind) async throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/templates")
        let server = try await transport.start(["serve", "--simulator", "--seed", dir.path])
        _ = try await server.connect()
        let list = try await server.call("list_workflow_templates")
        let names =
            list.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap {
                $0.objectValue?["name"]?.stringValue
            } ?? []
        #expect(names.count == 5)
        #expect(names.contains("workflow-template-inner-steps"))
        let inner = try await server.call("get_workflow_template", ["name": "workflow-template-inner-steps"])
        let kinds =
            inner.structuredContent?.objectValue?["templates"]?.arrayValue?.compactMap {
                $0.objectValue?["kind"]?.stringValue
            } ?? []
        #expect(kinds.contains("steps"))
        #expect(kinds.contains("container"))
        let cluster = try await server.call("list_cluster_workflow_templates")
        #expect(cluster.structuredContent?.objectValue?["count"] == .int(5))
        let first = try #require(
            cluster.structuredContent?.objectValue?["items"]?.arrayValue?.first?.objectValue?["name"]?.stringValue)
        let detail = try await server.call("get_cluster_workflow_template", ["name": .string(first)])
        #expect(detail.isError == false)
        #expect(detail.structuredContent?.objectValue?["scope"] == "cluster")
        _ = await server.stop()
    }
}
