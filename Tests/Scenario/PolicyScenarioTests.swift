import Foundation
import MCP
import Testing

/// Namespace rules through the built binary: a denied namespace is invisible to every read.
@Suite("namespace rules (every transport)", .serialized, .timeLimit(.minutes(2)))
struct PolicyScenarioTests {
    @Test("each permission setting changes only itself; a grant that read-only cancels is a start-up warning")
    func permissionSettings() async throws {
        // Against the simulator, allowing mutations alone keeps its other defaults: mutations are offered.
        let alone = try await ServerProcess(
            ["serve", "--simulator"], environment: ["ARGO_MCP_ALLOW_MUTATIONS": "true"])
        _ = try await alone.connect()
        let offered = try await alone.client.listTools().tools.map(\.name)
        #expect(offered.contains("terminate_workflow"))
        #expect(offered.contains("submit_workflow"))
        #expect(!(await alone.stop()).contains("contradict"))

        // Read-only wins, and the server says why the grant has no effect.
        let cancelled = try await ServerProcess(
            ["serve", "--simulator", "--read-only"], environment: ["ARGO_MCP_ALLOW_MUTATIONS": "true"])
        _ = try await cancelled.connect()
        let readOnly = try await cancelled.client.listTools().tools.map(\.name)
        #expect(!readOnly.contains("terminate_workflow"))
        let log = await cancelled.stop()
        #expect(log.contains("ARGO_MCP_ALLOW_MUTATIONS (permissions.allowMutations) allow changes"))
        #expect(log.contains("ARGO_MCP_READ_ONLY (permissions.readOnly, --read-only) is true"))

        // Against a real server read-only is the default, and the warning says so (nothing is contacted).
        let real = try await ServerProcess(
            ["serve"],
            environment: ["ARGO_SERVER": "127.0.0.1:9", "ARGO_SECURE": "false", "ARGO_MCP_ALLOW_MUTATIONS": "true"])
        _ = try await real.connect()
        #expect(!(try await real.client.listTools().tools.map(\.name)).contains("terminate_workflow"))
        #expect((await real.stop()).contains("is not set and defaults to true against a real Argo server"))
    }

    @Test("--deny-namespace hides a namespace from listings and refuses reads in it", arguments: TransportKind.allCases)
    func deny(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--deny-namespace", "data-*"])
        _ = try await server.connect()
        let all = try await server.call("list_workflows", ["all_namespaces": true, "limit": 200])
        let namespaces = Set(
            all.structuredContent?.objectValue?["items"]?.arrayValue?.compactMap {
                $0.objectValue?["namespace"]?.stringValue
            } ?? [])
        #expect(namespaces == ["argo"])
        let refused = try await server.call("get_workflow", ["namespace": "data-team", "name": "report-weekly-h3k8s"])
        #expect(refused.isError == true)
        #expect(
            refused.text.contains(
                "refused to get workflow data-team/report-weekly-h3k8s: namespace data-team is denied by the namespace rules (namespaces.deny 'data-*')"
            ))
        let crons = try await server.call("list_cron_workflows", ["all_namespaces": true])
        #expect(!crons.text.contains("report-weekly"))
        let ns = try await server.call("list_namespaces")
        let names = ns.structuredContent?.objectValue?["namespaces"]?.arrayValue?.compactMap {
            $0.objectValue?["namespace"]?.stringValue
        }
        #expect(names == ["argo"])
        _ = await server.stop()
    }

    @Test(
        "ARGO_MCP_NAMESPACES_ALLOW limits reads to the allowed namespaces, which list_namespaces names",
        arguments: TransportKind.allCases)
    func allow(_ transport: TransportKind) async throws {
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_NAMESPACES_ALLOW": "data-team"])
        _ = try await server.connect()
        let denied = try await server.call("list_workflows")
        #expect(denied.isError == true)
        #expect(denied.text.contains("not in the allowed namespaces"))
        let allowed = try await server.call("list_workflows", ["namespace": "data-team"])
        #expect(allowed.structuredContent?.objectValue?["count"] == .int(2))
        let ns = try await server.call("list_namespaces")
        let entries = ns.structuredContent?.objectValue?["namespaces"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(entries.compactMap { $0["namespace"]?.stringValue } == ["data-team"])
        #expect(entries.first?["sources"]?.arrayValue?.contains("allowed") == true)
        _ = await server.stop()
    }
}
