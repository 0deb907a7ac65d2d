import Foundation
import MCP
import Testing

@testable import MCPServer

/// The byte-scanner reading of argo-mcp's own JSON (`JSONValueBridge.parse`, every tool result's structured
/// content) must make the same `Value` as the `JSONSerialization` reading it replaced (`convert`).
@Suite("JSONValueBridge")
struct JSONValueBridgeTests {
    static func viaSerialization(_ data: Data) throws -> Value {
        JSONValueBridge.convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    @Test("the scanner and JSONSerialization agree on every workflow fixture, re-encoded as argo-mcp encodes")
    func fixtures() throws {
        var compared = 0
        for file in Fixtures.workflowFiles {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(try Fixtures.json(file))
            #expect(try JSONValueBridge.parse(data) == Self.viaSerialization(data), "\(file)")
            compared += 1
        }
        #expect(compared >= 10)
    }

    @Test(
        "escapes, non-ASCII, numbers at the edges, empty containers and nesting read the same",
        arguments: [
            #"{"a":"tab\tquote\"slash\\\/ \u00e9\ud83d\ude00 é☃","b":[],"c":{},"d":null,"e":true,"f":false}"#,
            #"[0,-0,1,-1,9223372036854775807,-123456789012,1.5,-2.25,3.0,1e3,1E-3,999999999999999,1e15,1e300]"#,
            #"{"nested":[[[{"x":[{"y":[1,[2,[3,{"z":"deep"}]]]}]}]]]}"#,
            #""just a string""#, "42", "null",
        ])
    func edges(_ json: String) throws {
        let data = Data(json.utf8)
        let scanned = try JSONValueBridge.parse(data)
        let serialized = try Self.viaSerialization(data)
        #expect(scanned == serialized, "\(scanned) vs \(serialized)")
    }

    @Test("large negative integers stay exact integers (JSONSerialization on Linux makes them Doubles)")
    func smallestInt() throws {
        #expect(try JSONValueBridge.parse(Data("-9223372036854775808".utf8)) == .int(Int.min))
        #expect(try JSONValueBridge.parse(Data("-4611686018427387904".utf8)) == .int(-4_611_686_018_427_387_904))
    }

    @Test("what is not one JSON value is refused, and nesting is bounded")
    func refusals() {
        for bad in [#"{"a":1"#, "[1,2", #"{"a" 1}"#, "tru", "[1] [2]", ""] {
            #expect(throws: (any Error).self, "\(bad)") { try JSONValueBridge.parse(Data(bad.utf8)) }
        }
        let deep = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        #expect(throws: (any Error).self) { try JSONValueBridge.parse(Data(deep.utf8)) }
    }
}
