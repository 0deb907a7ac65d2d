import Foundation
import Testing

/// The hexagon, enforced: every source file's imports against the modules its folder may import
/// (docs/architecture.md, "Allowed imports"). Package.swift's dependency lists say what a target can import;
/// this says what it may, and `.ci/run` also builds with SwiftPM's explicit target-dependency import check.
@Suite("Architecture: the imports each folder may have")
struct ArchitectureTests {
    /// Modules of the toolchain and the platform; any folder but Ports and Domain may import them.
    static let system: Set<String> = ["Foundation", "Synchronization", "Dispatch", "Glibc", "Darwin", "Musl"]

    /// The package's own modules that are adapters: none may import another.
    static let adapters: Set<String> = [
        "ArgoHTTP", "ArgoSimulator", "Auth", "FileAudit", "Hooks", "PostgresStore", "MCPServer", "MCPHTTP", "MCPStdio",
    ]

    /// What each folder may import besides `system`. Ports and Domain list everything they may import.
    static let rules: [String: Set<String>] = [
        // The core: the model and the protocols; then the use cases over them, with swift-crypto's pure hashing.
        "Sources/Ports": ["Foundation"],
        "Sources/Domain": ["Foundation", "Ports", "Crypto"],
        // Libraries that adapters share.
        "Sources/Support/ArgoWire": ["Ports"],
        "Sources/Support/ArtifactArchive": ["Ports", "CompressNIO", "NIOCore"],
        "Sources/Support/BoundedYAML": ["CYaml", "Yams"],
        "Sources/Support/StreamableHTTPClient": ["MCP", "AsyncHTTPClient", "NIOCore", "NIOHTTP1", "Logging"],
        // Driven adapters: Ports and their own libraries, never Domain.
        "Sources/Adapters/ArgoHTTP": [
            "ArgoWire",
            "Ports", "AsyncHTTPClient", "Logging", "Metrics", "Tracing", "NIOCore", "NIOHTTP1", "NIOSSL",
        ],
        "Sources/Adapters/ArgoSimulator": [
            "Ports", "ArgoWire", "ArtifactArchive", "BoundedYAML", "HTTPTypes", "Hummingbird", "Logging", "NIOCore",
        ],
        "Sources/Adapters/Auth": ["Ports", "AsyncHTTPClient", "Crypto", "JWTKit", "Logging", "NIOCore"],
        "Sources/Adapters/FileAudit": ["Ports"],
        "Sources/Adapters/Hooks": ["Ports", "AsyncHTTPClient", "NIOCore"],
        "Sources/Adapters/PostgresStore": ["Ports", "Logging", "NIOSSL", "PostgresNIO"],
        // Driving adapters: the tool layer calls the domain; the transports know only the SDK and Ports.
        "Sources/Adapters/MCPServer": ["Ports", "Domain", "BoundedYAML", "MCP", "Logging", "Metrics", "Tracing"],
        "Sources/Adapters/MCPHTTP": [
            "Ports", "MCP", "Hummingbird", "HummingbirdCore", "HTTPTypes", "Logging", "Metrics", "NIOCore",
            "NIOHTTPTypes", "ServiceLifecycle",
        ],
        "Sources/Adapters/MCPStdio": ["MCP", "Logging"],
    ]

    /// The only composition root: it may import every module of the package and the libraries it wires.
    static let compositionRoot = "Sources/Main"

    struct Violation: CustomStringConvertible, Equatable {
        var file: String
        var module: String
        var description: String { "\(file) imports \(module)" }
    }

    /// The modules a Swift source file imports: `import X`, `@testable import X`, `import struct X.Y`, at the
    /// start of a line and outside multi-line string literals.
    static func imports(of source: String) -> [String] {
        var modules: [String] = []
        var inString = false
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let quotes = line.components(separatedBy: "\"\"\"").count - 1
            if !inString, let module = importedModule(line) { modules.append(module) }
            if quotes % 2 == 1 { inString.toggle() }
        }
        return modules
    }

    static func importedModule(_ line: Substring) -> String? {
        var words = line.split(separator: " ").map(String.init)
        while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
        if let first = words.first, ["public", "internal", "package", "private", "fileprivate"].contains(first) {
            words.removeFirst()
        }
        guard words.first == "import", words.count >= 2 else { return nil }
        words.removeFirst()
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "typealias", "var", "let", "actor"]
        if let first = words.first, kinds.contains(first) { words.removeFirst() }
        return words.first.map { String($0.prefix { $0 != "." }) }
    }

    /// The imports of `file` (under `folder`) that the rules forbid; nil when no rule covers the folder.
    static func violations(file: String, folder: String, source: String) -> [Violation]? {
        if folder == compositionRoot { return [] }
        guard let allowed = rules[folder] else { return nil }
        let core = folder == "Sources/Ports" || folder == "Sources/Domain"
        let own = adapters.first { folder.hasSuffix("/" + $0) }
        return imports(of: source).compactMap { module in
            if module == own { return nil }
            if allowed.contains(module) && !(adapters.contains(module)) { return nil }
            if !core && system.contains(module) { return nil }
            return Violation(file: file, module: module)
        }
    }

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Every Swift file under Sources, with the folder its rule is keyed by.
    static func sourceFiles() throws -> [(path: String, folder: String)] {
        let sources = root.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
            return []
        }
        var files: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let path = String(url.path.dropFirst(root.path.count + 1))
            let parts = path.split(separator: "/")
            let depth = parts.count > 2 && (parts[1] == "Adapters" || parts[1] == "Support") ? 3 : 2
            files.append((path, parts.prefix(depth).joined(separator: "/")))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    @Test("every source file imports only what its folder may")
    func importsFollowTheRules() throws {
        let files = try Self.sourceFiles()
        #expect(files.count > 100, "found \(files.count) source files under \(Self.root.path)/Sources")
        var uncovered: Set<String> = []
        var violations: [Violation] = []
        for (path, folder) in files {
            let source = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            guard let found = Self.violations(file: path, folder: folder, source: source) else {
                uncovered.insert(folder)
                continue
            }
            violations += found
        }
        #expect(uncovered.isEmpty, "folders without an import rule in ArchitectureTests.rules: \(uncovered.sorted())")
        #expect(violations.isEmpty, "imports the hexagon forbids (docs/architecture.md): \(violations)")
    }

    @Test("the checker catches a forbidden import: Domain importing MCP or an adapter, an adapter importing another")
    func checkerCatches() {
        let domain = "import Foundation\nimport Ports\n@preconcurrency import MCP\n"
        #expect(
            Self.violations(file: "Sources/Domain/X.swift", folder: "Sources/Domain", source: domain)
                == [Violation(file: "Sources/Domain/X.swift", module: "MCP")])
        #expect(
            Self.violations(
                file: "a", folder: "Sources/Domain", source: "import Synchronization\nimport struct NIOCore.ByteBuffer")
                == [Violation(file: "a", module: "Synchronization"), Violation(file: "a", module: "NIOCore")])
        #expect(
            Self.violations(
                file: "b", folder: "Sources/Adapters/ArgoHTTP", source: "import Ports\nimport ArgoSimulator")
                == [Violation(file: "b", module: "ArgoSimulator")])
        #expect(
            Self.violations(file: "c", folder: "Sources/Adapters/ArgoSimulator", source: "import Domain")
                == [Violation(file: "c", module: "Domain")])
        // A multi-line string that shows code is not an import.
        let quoted = "let s = \"\"\"\nimport MCP\n\"\"\"\nimport Ports\n"
        #expect(Self.imports(of: quoted) == ["Ports"])
        #expect(Self.violations(file: "d", folder: "Sources/Nowhere", source: "") == nil)
    }
}
