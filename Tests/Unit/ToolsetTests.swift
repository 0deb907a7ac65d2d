import ArgoSimulator
import ArtifactArchive
import Domain
import Foundation
import Logging
import MCP
import Ports
import Testing

@testable import ArgoMCP
@testable import MCPServer

@Suite("toolsets, narrowing and former names")
struct ToolsetTests {
    static let tools = ReadmeTests.tools

    /// A tool under a new name that keeps its former one.
    static let renamed = ToolDefinition(
        name: "describe_run", toolset: .workflows, aliases: ["get_run"], title: "t", description: "d.",
        safety: .readOnly, inputSchema: Schema.object([:]), describe: { _ in "describe" },
        run: { _, _ in ToolOutput(structured: .object([:]), text: "ok") })

    static func server(_ tools: [ToolDefinition], ceiling: SafetyClass = .destructive, selection: ToolSelection = .all)
        -> ArgoMCPServer
    {
        ArgoMCPServer(
            tools: tools, maxSafety: ceiling, version: "t", logger: Logger(label: "t"), selection: selection)
    }

    @Test("a former name is called like the tool, never listed, accepted in narrowing and the configuration")
    func formerNames() throws {
        let server = Self.server([Self.renamed])
        #expect(server.listed.map(\.name) == ["describe_run"])
        #expect(server.byName["get_run"]?.name == "describe_run")
        #expect(server.check(ToolNarrowing(tools: ["get_run"])) == nil)
        let narrowed = server.narrowed(ToolNarrowing(tools: ["get_run"]))
        #expect(narrowed.listed.map(\.name) == ["describe_run"])
        var settings = Settings()
        settings.disabledTools = ["get_run"]
        let selection = try settings.toolSelection(catalog: [Self.renamed])
        #expect(selection.disabledTools == ["describe_run"])
        let off = Self.server([Self.renamed], selection: selection)
        #expect(off.listed.isEmpty)
        #expect(off.withheldReason("get_run")?.contains("get_run (now describe_run)") == true)
        #expect(ToolCatalog.markdown([Self.renamed]).contains("`describe_run` (formerly `get_run`)"))
    }

    @Test("the selection: toolsets, plus enabled tools, minus disabled ones; a narrowing only takes away")
    func selection() throws {
        let selection = ToolSelection(
            toolsets: [.logs, .cron], enabledTools: ["get_workflow"], disabledTools: ["delete_cron_workflow"])
        let server = Self.server(Self.tools, selection: selection)
        let offered = Set(server.tools.map(\.name))
        #expect(offered.contains("get_workflow_logs") && offered.contains("get_cron_workflow"))
        #expect(offered.contains("get_workflow") && !offered.contains("list_workflows"))
        #expect(!offered.contains("delete_cron_workflow"))
        #expect(server.withheldReason("delete_cron_workflow")?.contains("tools.disabledTools") == true)
        #expect(server.withheldReason("list_workflows")?.contains("tools.enabledTools") == true)
        #expect(server.withheldReason("no_such_tool") == nil)

        // Narrowed to a toolset the server does not offer plus one it does: only the offered part remains.
        let narrowed = server.narrowed(ToolNarrowing(toolsets: ["archive", "logs"]))
        #expect(narrowed.tools.map(\.name) == ["get_workflow_logs"])
        // The reason names the server's setting first when both leave a tool out.
        #expect(narrowed.withheldReason("list_archived_workflows")?.contains("tools.toolsets") == true)
        #expect(narrowed.withheldReason("get_cron_workflow")?.contains("X-MCP-Toolsets") == true)
        let reads = server.narrowed(ToolNarrowing(readOnly: true))
        #expect(reads.tools.allSatisfy { $0.safety == .readOnly } && reads.maxSafety == .readOnly)
        // A read whose argument makes it a change (watch_workflow notify: true) is held to the request's ceiling.
        let everything = Self.server(Self.tools)
        let everythingRead = everything.narrowed(ToolNarrowing(readOnly: true))
        let watch = try #require(everythingRead.byName["watch_workflow"])
        #expect(everythingRead.refuseEscalation(watch, ["notify": .bool(true)])?.isError == true)
        #expect(everythingRead.refuseEscalation(watch, ["notify": .bool(false)]) == nil)
        #expect(everything.refuseEscalation(watch, ["notify": .bool(true)]) == nil)
        #expect(reads.withheldReason("toggle_cron_suspension")?.contains("X-MCP-Readonly") == true)
        // A read-only server asked for read-only stays read-only; a narrowing never raises the ceiling.
        // Completions follow: no workflow names for a server without get_workflow, no prompt arguments for a
        // prompt it does not offer.
        let logsOnly = Self.server(Self.tools).narrowed(ToolNarrowing(toolsets: ["logs"]))
        #expect(!logsOnly.completes(.resource(ResourceReference(uri: "argo://workflows/{namespace}/{name}"))))
        #expect(
            logsOnly.completes(.resource(ResourceReference(uri: "argo://workflows/{namespace}/{name}/logs/{node}"))))
        #expect(!logsOnly.completes(.prompt(PromptReference(name: "why_did_this_fail"))))
        let readOnlyServer = Self.server(Self.tools, ceiling: .readOnly)
        #expect(readOnlyServer.narrowed(ToolNarrowing(tools: ["retry_workflow"])).tools.isEmpty)
        #expect(
            readOnlyServer.narrowed(ToolNarrowing(tools: ["retry_workflow"])).withheldReason("retry_workflow")?
                .contains("permissions.readOnly") == true)
    }

    @Test("narrowing headers: lists split on commas, read-only is true or false, unknown names get the nearest")
    func headers() throws {
        let headers = ["X-MCP-Toolsets": " Workflows, logs ,", "X-MCP-Readonly": "TRUE"]
        let parsed = try ToolNarrowing.parse { headers[$0] }.get()
        #expect(parsed == ToolNarrowing(toolsets: ["workflows", "logs"], readOnly: true))
        #expect(throws: NarrowingError.self) {
            try ToolNarrowing.parse { $0 == "X-MCP-Readonly" ? "maybe" : nil }.get()
        }
        let server = Self.server(Self.tools)
        #expect(server.check(ToolNarrowing(toolsets: ["diagnostic"]))?.message.contains("'diagnostics'") == true)
        #expect(server.check(ToolNarrowing(tools: ["analyse_failure"]))?.message.contains("'analyze_failure'") == true)
        #expect(ToolNarrowing.none.isNone && server.narrowed(.none).tools.count == server.tools.count)
    }
}
