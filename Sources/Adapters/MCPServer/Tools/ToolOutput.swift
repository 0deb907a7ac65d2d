import Foundation
import MCP
import Ports

/// What a tool hands back: structured content and a short text rendering of it.
public struct ToolOutput: Sendable {
    public var structured: Value
    public var text: String
    /// The size of `structured` as JSON, when known (it is measured when it is built from an Encodable).
    public var structuredBytes: Int?

    public init(structured: Value, text: String, structuredBytes: Int? = nil) {
        self.structured = structured
        self.text = text
        self.structuredBytes = structuredBytes
    }

    public init(_ value: some Encodable, text: String) throws {
        let (structured, bytes) = try JSONValueBridge.valueAndSize(value)
        self.structured = structured
        self.text = text
        self.structuredBytes = bytes
    }

    /// `text` cut to at most `maxBytes` of UTF-8 on a character boundary, with a marker saying how much is left out.
    static func cut(_ text: String, maxBytes: Int) -> String {
        let size = text.utf8.count
        guard size > maxBytes else { return text }
        let kept = UTF8Cut.prefix(text, maxBytes)
        return kept
            + "\n… [truncated by argo-mcp's output cap: \(size - kept.utf8.count) more bytes; ask for less with limit, max_bytes, fields or a narrower selection]"
    }

    /// The output within the hard cap: text cut at `maxTextBytes` with a marker saying how to ask for less, and
    /// structured content larger than four times that replaced by a note (the text still carries the answer).
    public func capped(maxTextBytes: Int) -> ToolOutput {
        var out = self
        out.text = Self.cut(text, maxBytes: maxTextBytes)
        if let bytes = structuredBytes, bytes > maxTextBytes * 4 {
            out.structured = .object([
                "truncated": true, "bytes": .int(bytes), "limit": .int(maxTextBytes * 4),
                "note":
                    "structured content over argo-mcp's output cap (output.maxResultBytes × 4); the text content has the answer, cut to the cap",
            ])
            out.structuredBytes = nil
        }
        return out
    }
}
