import ArgoSimulator
import ArtifactArchive
import Domain
import Foundation
import MCP
import MCPServer
import Testing

/// Every tool's schema as a model sees it (name, description, input schema, annotations), checked against a
/// snapshot in `__toolsnaps__`: a change to what a host is told is a reviewed diff. `UPDATE_TOOLSNAPS=1` rewrites
/// them; a missing one is written outside CI and fails under it.
@Suite("tool schema snapshots")
struct ToolSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "__toolsnaps__")
    static let tools = ToolCatalog.all(
        UseCases(
            gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo",
            unpacker: ArchiveUnpacker()))

    @Test("each tool's schema is its snapshot", arguments: tools.map(\.name))
    func snapshot(_ name: String) throws {
        let tool = try #require(Self.tools.first { $0.name == name }).mcpTool
        try Self.check(tool)
    }

    @Test("every snapshot belongs to a tool of the catalog")
    func noStaleSnapshots() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        #expect(Set(files) == Set(Self.tools.map(\.name)))
    }

    /// The bytes a snapshot holds for `tool`.
    static func encoded(_ tool: Tool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(tool)
    }

    static func check(_ tool: Tool) throws {
        let data = try encoded(tool)
        let file = directory.appendingPathComponent("\(tool.name).json")
        let env = ProcessInfo.processInfo.environment
        if env["UPDATE_TOOLSNAPS"] == "1" || (!FileManager.default.fileExists(atPath: file.path) && env["CI"] != "true")
        {
            try data.write(to: file)
            return
        }
        let expected = try Data(contentsOf: file)
        #expect(
            String(decoding: data, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
            "tool \(tool.name) changed its schema; run with UPDATE_TOOLSNAPS=1 and review the diff")
    }
}
