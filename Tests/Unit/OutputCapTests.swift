import MCP
import MCPServer
import Testing

@Suite("Output cap")
struct OutputCapTests {
    @Test("text is cut on a character boundary with a marker; large structured content becomes a note")
    func cap() throws {
        let text = String(repeating: "é☃", count: 2_000)
        let output = try ToolOutput(["lines": Array(repeating: text, count: 3)], text: text)
        let capped = output.capped(maxTextBytes: 1_025)
        #expect(capped.text.hasPrefix(String(capped.text.prefix(10))))
        #expect(capped.text.contains("truncated by argo-mcp's output cap"))
        let kept = capped.text.components(separatedBy: "\n…").first ?? ""
        #expect(kept.utf8.count <= 1_025 && text.hasPrefix(kept))
        #expect(capped.structured.objectValue?["truncated"] == true)
        let small = try ToolOutput(["a": 1], text: "short").capped(maxTextBytes: 1_025)
        #expect(small.text == "short" && small.structured.objectValue?["a"] == 1)
    }
}
