import Foundation
import MCP
import Testing

/// The README's examples, run against the demo data through the built binary, so the docs and the behaviour
/// cannot drift apart: every example call must succeed (a mutation that needs confirmation must answer with its
/// preview), and every example must name objects that exist.
@Suite("README examples against the demo data")
struct ReadmeExamplesScenarioTests {
    /// One example call: the tool (or prompt) and its arguments as the README writes them.
    struct Example: CustomStringConvertible {
        /// Which item of the list it is in: the calls of one item run in order on one server.
        var item: Int
        var tool: String
        var arguments: [String: Value]
        var isPrompt = false
        var description: String { "\(tool) \(arguments)" }
    }

    /// `Tests/`, beside this folder.
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let readme = tests.deletingLastPathComponent().appendingPathComponent("README.md")

    /// Every backticked `tool {json}` in the README's example list, and every `{json}` after it in the same item
    /// (another call of the same tool). Fragments that are not whole JSON objects (`"notify": true`) are prose.
    static func examples(toolNames: Set<String>) throws -> [Example] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let start = text.range(of: "Examples (what a host sends as arguments"),
            let end = text.range(of: "\n## ", range: start.upperBound..<text.endIndex)
        else {
            throw ReadmeError("the README has no example list")
        }
        // Items begin with "- "; their continuation lines are indented.
        var items: [String] = []
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") {
            if line.hasPrefix("- ") {
                items.append(String(line.dropFirst(2)))
            } else if line.hasPrefix("  "), !items.isEmpty {
                items[items.count - 1] += " " + String(line).trimmingCharacters(in: CharacterSet.whitespaces)
            }
        }
        var out: [Example] = []
        for (index, item) in items.enumerated() {
            var current: (name: String, prompt: Bool)?
            for span in item.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            where span.offset % 2 == 1 {
                let code = span.element.trimmingCharacters(in: .whitespaces)
                var json = code
                if let space = code.firstIndex(of: " "), code[..<space].allSatisfy({ $0.isLetter || $0 == "_" }) {
                    let name = String(code[..<space])
                    let rest = String(code[code.index(after: space)...])
                    guard rest.hasPrefix("{") else { continue }
                    current = (name, !toolNames.contains(name))
                    json = rest
                }
                guard json.hasPrefix("{"), let (name, prompt) = current else { continue }
                let object = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
                guard let arguments = object.objectValue else { throw ReadmeError("not an object: \(json)") }
                out.append(Example(item: index, tool: name, arguments: arguments, isPrompt: prompt))
            }
        }
        return out
    }

    struct ReadmeError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The manifest an example's `"<YAML>"` stands for: an upstream example of the kind the tool takes.
    static func manifest(for tool: String) throws -> String {
        let file =
            switch tool {
            case "create_template": "workflow-template_templates.yaml"
            case "create_cron_workflow": "cron-workflow.yaml"
            default: "hello-world.yaml"
            }
        let text = try String(
            contentsOf: tests.appendingPathComponent("Fixtures/examples").appendingPathComponent(file), encoding: .utf8)
        // The templates example holds several documents; one object per call.
        return text.components(separatedBy: "\n---").first ?? text
    }

    @Test("every example call in the README succeeds against the demo data", arguments: TransportKind.allCases)
    func examplesRun(_ transport: TransportKind) async throws {
        // Evolving workflows step every 10 ms, so the two-minute demo deploy finishes within a watch example.
        let arguments = ["serve", "--simulator", "--tick-ms", "10"]
        let probe = try await transport.start(arguments)
        _ = try await probe.connect()
        let (tools, _) = try await probe.client.listTools()
        _ = await probe.stop()
        let readOnly = Set(tools.filter { $0.annotations.readOnlyHint == true }.map(\.name))
        let examples = try Self.examples(toolNames: Set(tools.map(\.name)))
        #expect(examples.count >= 40, "the README's examples were not found: \(examples.count)")
        // Every tool and every prompt have an example.
        #expect(
            Set(examples.map(\.tool))
                == Set(tools.map(\.name)).union(["why_did_this_fail", "triage_failures", "draft_workflow"]))

        // Reads share one server; each item with a mutation gets a fresh one, so no item sees another's change.
        let reads = try await transport.start(arguments)
        _ = try await reads.connect()
        var mutationServer: (any MCPHarness)?
        var mutationItem = -1
        var previewToken: String?
        for example in examples {
            var args = example.arguments
            if args["manifest"] == "<YAML>" { args["manifest"] = .string(try Self.manifest(for: example.tool)) }
            let confirms = args["confirmation_token"]?.stringValue?.hasPrefix("amc_") == true
            let server: any MCPHarness
            if example.isPrompt || readOnly.contains(example.tool) {
                server = reads
            } else if example.item == mutationItem, let current = mutationServer {
                if confirms {
                    // The README's "amc_…" is the token the preview before it returned, on the same server.
                    args["confirmation_token"] = try #require(previewToken.map(Value.string), "\(example)")
                }
                server = current
            } else {
                if let old = mutationServer { _ = await old.stop() }
                let fresh = try await transport.start(arguments)
                _ = try await fresh.connect()
                mutationServer = fresh
                mutationItem = example.item
                server = fresh
            }
            if example.isPrompt {
                let prompt = try await server.client.getPrompt(
                    name: example.tool, arguments: args.compactMapValues(\.stringValue))
                #expect(!prompt.messages.isEmpty, "\(example)")
                continue
            }
            let result = try await server.call(example.tool, args)
            #expect(result.isError != true, "\(example): \(result.text.prefix(600))")
            #expect(result.structuredContent != nil, "\(example)")
            previewToken = result.structuredContent?.objectValue?["confirmation_token"]?.stringValue
        }
        if let mutationServer { _ = await mutationServer.stop() }
        _ = await reads.stop()
    }
}
