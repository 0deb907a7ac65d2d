import Foundation
import MCP
import Testing

/// Namespaces, server info, health and the workflow archive through the built binary.
@Suite("cluster insight and archive (every transport)", .serialized, .timeLimit(.minutes(3)))
struct ClusterArchiveScenarioTests {
    @Test(
        "namespaces with their sources, server info without secrets, a healthy report",
        arguments: TransportKind.allCases)
    func clusterInsight(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()
        let ns = try await server.call("list_namespaces")
        let entries = ns.structuredContent?.objectValue?["namespaces"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(entries.compactMap { $0["namespace"]?.stringValue } == ["argo", "data-team"])
        let argo = try #require(entries.first)
        #expect(argo["sources"] == .array(["default", "workflows", "cron-workflows", "workflow-templates"]))

        let info = try await server.call("get_cluster_info")
        let i = try #require(info.structuredContent?.objectValue)
        #expect(i["version"]?.objectValue?["version"]?.stringValue?.contains("simulator") == true)
        #expect(i["user"]?.objectValue?["subject"] == "simulator")
        #expect(i["connection"]?.objectValue?["backend"] == "built-in simulator")

        let health = try await server.call("health_check")
        let h = try #require(health.structuredContent?.objectValue)
        #expect(h["healthy"] == .bool(true))
        let names = h["checks"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
        #expect(names == ["reachable", "version", "authenticated", "list workflows", "archive", "log streaming"])
        _ = await server.stop()
    }

    @Test("health reports each failing check with its reason", arguments: TransportKind.allCases)
    func unhealthy(_ transport: TransportKind) async throws {
        let server = try await transport.start([
            "serve", "--simulator", "--fault", "userinfo:code=16,message=token expired", "--fault",
            "workflow_logs:code=14",
        ])
        _ = try await server.connect()
        let health = try await server.call("health_check")
        let h = try #require(health.structuredContent?.objectValue)
        #expect(h["healthy"] == .bool(false))
        let checks = h["checks"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let auth = try #require(checks.first { $0["name"] == "authenticated" })
        #expect(auth["ok"] == .bool(false))
        #expect(auth["detail"]?.stringValue?.contains("token expired") == true)
        #expect(checks.first { $0["name"] == "log streaming" }?["ok"] == .bool(false))
        #expect(checks.first { $0["name"] == "reachable" }?["ok"] == .bool(true))
        #expect(health.text.contains("✗ authenticated"))
        _ = await server.stop()
    }

    @Test("health against a port nobody listens on: one failed reachability check with the fix, at once")
    func unreachable() async throws {
        let server = try await ServerProcess(
            ["serve"], environment: ["ARGO_SERVER": "127.0.0.1:9", "ARGO_SECURE": "false"])
        _ = try await server.connect()
        let health = try await server.call("health_check")
        // One refused call, not one per check (each was retried for 10 s before: about a minute in all).
        let checks = health.structuredContent?.objectValue?["checks"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(checks.map { $0["name"]?.stringValue ?? "" } == ["reachable", "other checks"])
        #expect(checks.first?["detail"]?.stringValue?.contains("connection refused") == true)
        #expect(checks.first?["detail"]?.stringValue?.contains("ARGO_SERVER") == true)
        _ = await server.stop()
    }

    @Test(
        "archive: list, get by uid and by name; cron history includes archived runs", arguments: TransportKind.allCases)
    func archive(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()
        // Four runs that live only in the archive, and the six live runs, archived when they completed.
        let list = try await server.call("list_archived_workflows", ["name_prefix": "nightly-etl"])
        let rows = list.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(rows.count == 10)
        let uid = try #require(rows.first?["uid"]?.stringValue)
        let byUID = try await server.call("get_archived_workflow", ["uid": .string(uid)])
        #expect(byUID.isError == false)
        #expect(byUID.structuredContent?.objectValue?["uid"] == .string(uid))
        let byName = try await server.call("get_archived_workflow", ["name": "legacy-import-2f8xq"])
        #expect(byName.structuredContent?.objectValue?["phase"] == "Failed")
        #expect(byName.text.hasPrefix("(archived)"))
        let unknown = try await server.call("get_archived_workflow", ["uid": "nope"])
        #expect(unknown.isError == true)
        let neither = try await server.call("get_archived_workflow")
        #expect(neither.isError == true)
        #expect(neither.text.contains("uid"))

        let history = try await server.call("get_cron_history", ["name": "nightly-etl", "limit": 50])
        let h = try #require(history.structuredContent?.objectValue)
        #expect(h["count"] == .int(10))
        let archived = h["runs"]?.arrayValue?.filter { $0.objectValue?["archived"] == .bool(true) }.count
        #expect(archived == 10, "Argo lists every archived run from the archive, the six whose objects exist too")
        #expect(h["note"]?.stringValue?.contains("archive") == true)
        _ = await server.stop()
    }

    @Test("a server without an archive says so", arguments: TransportKind.allCases)
    func noArchive(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--no-archive"])
        _ = try await server.connect()
        let list = try await server.call("list_archived_workflows")
        #expect(list.isError == false)
        #expect(list.text.contains("no archive configured"))
        let get = try await server.call("get_archived_workflow", ["uid": "00000000-0000-4000-8000-000000000028"])
        #expect(get.isError == true)
        #expect(get.text.contains("has no workflow archive"))
        _ = await server.stop()
    }
}
