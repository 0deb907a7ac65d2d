import ArgoSimulator
import ArtifactArchive
import Domain
import Foundation
import Logging
import Testing

@testable import ArgoMCP
@testable import MCPServer

@Suite("README and tool inventory")
struct ReadmeTests {
    static let useCases = UseCases(
        gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo", unpacker: ArchiveUnpacker()
    )
    static let tools = ToolCatalog.all(useCases)

    static func readme() throws -> String {
        try String(
            contentsOf: Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "README.md"), encoding: .utf8)
    }

    @Test("the README's tool list is what `argo-mcp tools` prints")
    func toolList() throws {
        let readme = try Self.readme()
        #expect(
            readme.contains(ToolCatalog.markdown(Self.tools)),
            "regenerate the README tool list with `swift run argo-mcp tools`")
    }

    @Test("the README's toolset list is what `argo-mcp tools --toolsets` prints; every toolset holds a tool")
    func toolsetList() throws {
        let readme = try Self.readme()
        #expect(
            readme.contains(ToolCatalog.toolsetMarkdown(Self.tools)),
            "regenerate the README toolset list with `swift run argo-mcp tools --toolsets`")
        for toolset in Toolset.allCases { #expect(Self.tools.contains { $0.toolset == toolset }, "\(toolset)") }
    }

    @Test("the README's prompt list is what `argo-mcp tools --prompts` prints")
    func promptList() throws {
        let readme = try Self.readme()
        let prompts = ToolCatalog.prompts(Self.useCases)
        #expect(prompts.count == 3)
        #expect(
            readme.contains(ToolCatalog.promptMarkdown(prompts)),
            "regenerate the README prompt list with `swift run argo-mcp tools --prompts`")
    }

    @Test("the README's resource list is what `argo-mcp tools --resources` prints")
    func resourceList() throws {
        let readme = try Self.readme()
        #expect(
            readme.contains(ToolCatalog.resourceMarkdown()),
            "regenerate the README resource list with `swift run argo-mcp tools --resources`")
    }

    @Test("the table's first sentence of each description is whole: not cut inside parentheses at 'e.g.'")
    func wholeSentences() {
        for line in ToolCatalog.markdown(Self.tools).split(separator: "\n").dropFirst(2) {
            let text = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.last ?? ""
            #expect(text.hasSuffix("."), "\(line)")
            #expect(!text.hasSuffix("(e.g."), "\(line)")
            #expect(text.filter { $0 == "(" }.count == text.filter { $0 == ")" }.count, "\(line)")
        }
        #expect(ToolCatalog.firstSentence("Runs (e.g. nightly ones). More.") == "Runs (e.g. nightly ones).")
        #expect(ToolCatalog.firstSentence("No stop") == "No stop")
    }

    @Test("every tool: unique snake_case name, hints match its safety class, description and object schema")
    func inventory() {
        #expect(Set(Self.tools.map(\.name)).count == Self.tools.count)
        for tool in Self.tools {
            #expect(tool.name.allSatisfy { $0.isLowercase || $0 == "_" })
            let a = tool.annotations
            #expect(a.readOnlyHint == (tool.safety == .readOnly))
            #expect(a.destructiveHint == (tool.highestSafety == .destructive))
            #expect(!tool.description.isEmpty)
            #expect(tool.inputSchema.objectValue?["type"] == "object")
            #expect(tool.inputSchema.objectValue?["oneOf"] == nil && tool.inputSchema.objectValue?["anyOf"] == nil)
            // Every tool that changes Argo takes a confirmation token (the policy decides which calls need one); no
            // read does.
            let properties = tool.inputSchema.objectValue?["properties"]?.objectValue
            #expect((properties?["confirmation_token"] != nil) == (tool.safety >= .mutating), "\(tool.name)")
            // An escalating argument is a boolean the tool declares, and it raises the class.
            if let escalation = tool.escalation {
                #expect(properties?[escalation.argument]?.objectValue?["type"] == "boolean", "\(tool.name)")
                #expect(escalation.safety > tool.safety, "\(tool.name)")
            }
        }
    }

    @Test("a read-only ceiling keeps every read tool; a server never lists tools above its ceiling")
    func filtering() {
        let logger = Logger(label: "t")
        let server = ArgoMCPServer(tools: Self.tools, maxSafety: .readOnly, version: "t", logger: logger)
        #expect(server.tools.count == Self.tools.filter { $0.safety == .readOnly }.count)
        #expect(server.tools.allSatisfy { $0.safety == .readOnly })
    }
}
