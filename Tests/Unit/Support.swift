import ArgoSimulator
import ArgoWire
import Foundation
import Ports
import Yams

/// Test fixtures live in Tests/Fixtures (copied from upstream Argo; see its README).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static var workflowFiles: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("workflows").path))?.sorted()
            ?? []
    }

    static func json(_ file: String) throws -> JSONValue {
        let text = try String(
            contentsOf: root.appendingPathComponent("workflows").appendingPathComponent(file), encoding: .utf8)
        return try ArgoSimulator.objects(inManifest: text, source: file)[0]
    }

    static func workflow(_ file: String) throws -> Workflow {
        try Workflow.decode(from: json(file).encoded())
    }
}
