import Foundation

/// A small deterministic random source (SplitMix64), so a run can be repeated from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Tool arguments built from a tool's input schema: sometimes plausible (names of real demo and hostile objects),
/// mostly hostile — extremes of every integer, durations and cron expressions that overflow, huge, empty, non-ASCII
/// and control-character strings, deep nesting, wrong types, YAML bombs, unknown fields.
public struct HostileArguments {
    var random: SeededRandom

    public init(seed: UInt64) { random = SeededRandom(seed: seed) }

    static let names =
        HostileObjects.workflowNames + HostileObjects.cronNames + HostileObjects.templateNames + [
            "deploy-canary-k2m9x", "nightly-etl-7x2kq", "train-model-v3-8fj2d", "ingest-events-q9z4m",
            "backfill-fanout-2k-p7w1c", "report-weekly-h3k8s", "nightly-etl", "etl-template", "argo", "data-team",
        ]

    static var integers: [Any] {
        [
            0, -1, 1, 2, 3, 100, Int.max, Int.min, Int.max - 1, Int.min + 1, Int(Int32.max), Int(Int32.min), 1 << 53,
            -(1 << 53), 4_294_967_296, 1e308, -1e308, 0.5, -0.0, 1e-308, 9.999999999999999e22, "12", "-5", "NaN",
            "1e400",
        ]
    }

    static let strings: [String] = [
        "", " ", "a", "argo", "ARGO", "-", ".", "..", "/", "../../etc/passwd", "a/b", "*", "%", "\\", "\"", "'",
        "\u{0}", "\u{7}\u{1B}[31m", "\r\n", "\n\n\n", "\t", "é", "💥", "\u{202E}abc", "\u{FEFF}", "\u{FFFD}",
        String(repeating: "a", count: 254), String(repeating: "é", count: 200), String(repeating: "x", count: 100_000),
        "200000000000000d", "9223372036854775807s", "9223372036854775808", "-1s", "1e400", "99999999999999999999h",
        "5/9223372036854775807 * * * *", "@every 99999999999999999999h", "* * * * * * *", "CRON_TZ=", "TZ=X 1",
        "@every 1.7976931348623157e308h", "0-59/0 * * * *", "61 * * * *", "a=b,c!=d", "a in (", "!!", "env notin ()",
        "Failed", "failed", "Running,Succeeded", "Bogus", "(", "[", "{{inputs.parameters.x}}",
        "data:text/plain;base64,AAAA",
        "Mars/Olympus", "UTC", "Europe/Berlin", "2026-11-25T00:00:00Z", "0001-01-01T00:00:00Z", "ZZZ",
        "main", "wait", "init", ".*", "(a+)+$", "[", "a{1000000}", "\\", "destructive", "cluster", "namespaced",
        "WorkflowTemplate", "CronWorkflow", "ClusterWorkflowTemplate", "Workflow", "last_success", "mermaid", "text",
        "nodes", "spec", "status", "json", "metadata.name,status.phase", "-status", "ǅ", "İ", "\u{10FFFF}",
    ]

    /// A billion-laughs YAML text: `levels` anchors, each a list of `width` aliases of the one before.
    public static func aliasBomb(levels: Int = 9, width: Int = 10) -> String {
        var lines = ["a0: &a0 [" + Array(repeating: "x", count: width).joined(separator: ", ") + "]"]
        for i in 1...max(1, levels) {
            lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: width).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n")
    }

    static let manifests: [String] = {
        let workflow = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: fuzz-}
            spec:
              entrypoint: main
              templates:
              - name: main
                container: {image: alpine, command: [echo, hi]}
            """
        return [
            aliasBomb(), workflow,
            workflow.replacingOccurrences(of: "[echo, hi]", with: "[{{inputs.parameters.x}}]"),
            String(repeating: "[", count: 50_000), String(repeating: "- ", count: 5_000) + "x",
            String(repeating: "{a: ", count: 2_000) + "1" + String(repeating: "}", count: 2_000),
            "a: !!binary AAAA\nb: !!timestamp 2020-01-01\nc: 0x1F\nd: 1:30\ne: 9223372036854775807:59:59",
            "---\n---\n---", "", "null", "[]", "{}", "kind: Workflow", "x: *undefined", "a: 1\na: 2",
            "{\"kind\":\"CronWorkflow\",\"metadata\":{\"name\":\"c\"},\"spec\":{\"schedule\":\"5/9223372036854775807 * * * *\"}}",
            "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: fuzz-t}\nspec: {templates: 5}",
            "\u{0}\u{1}\u{2}", String(repeating: "a: b\n", count: 30_000), "? [a, b]\n: c", "<<: 5",
            String(repeating: "x", count: 1_100_000),
        ]
    }()

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func chance(_ p: Double) -> Bool { Double(random.next() % 10_000) / 10_000 < p }

    /// A value of some JSON type, usually wrong for the schema.
    mutating func anyValue(depth: Int = 0) -> Any {
        switch random.next() % 9 {
        case 0: return pick(Self.integers)
        case 1: return pick(Self.strings)
        case 2: return chance(0.5)
        case 3: return NSNull()
        case 4 where depth < 3: return (0..<Int(random.next() % 4)).map { _ in anyValue(depth: depth + 1) }
        case 5 where depth < 3:
            var o: [String: Any] = [:]
            for _ in 0..<Int(random.next() % 4) { o[pick(Self.strings)] = anyValue(depth: depth + 1) }
            return o
        case 6: return deepArray(Int(random.next() % 400) + 1)
        case 7: return pick(Self.names)
        default: return pick(Self.strings)
        }
    }

    func deepArray(_ depth: Int) -> Any {
        var v: Any = 1
        for _ in 0..<depth { v = [v] }
        return v
    }

    /// A value for one property of the schema.
    mutating func value(for property: [String: Any], name: String) -> Any {
        if chance(0.12) { return anyValue() }
        if let options = property["enum"] as? [Any], !options.isEmpty, chance(0.6) { return pick(options) }
        let type = property["type"] as? String
        switch type {
        case "integer", "number": return pick(Self.integers)
        case "boolean": return chance(0.9) ? chance(0.5) : pick(["true", "yes", 1, NSNull()] as [Any])
        case "array":
            let count = chance(0.05) ? 2_000 : Int(random.next() % 4)
            return (0..<count).map { _ in chance(0.8) ? pick(Self.strings + Self.names) : anyValue(depth: 2) }
        case "object":
            var o: [String: Any] = [:]
            for _ in 0..<Int(random.next() % 4) {
                o[chance(0.5) ? pick(Self.strings) : "p"] = chance(0.7) ? pick(Self.strings) : anyValue(depth: 2)
            }
            return o
        default:
            if name == "manifest" { return pick(Self.manifests) }
            if name.contains("name") || name == "base" || name == "other" || name == "namespace" || name == "node" {
                return chance(0.6) ? pick(Self.names) : pick(Self.strings)
            }
            return pick(Self.strings)
        }
    }

    /// Arguments for a tool whose input schema is `schema` (a JSON object).
    public mutating func arguments(schema: [String: Any]) -> Any {
        if chance(0.02) { return anyValue() }
        let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
        let required = Set(schema["required"] as? [String] ?? [])
        var out: [String: Any] = [:]
        for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
            if required.contains(name) ? chance(0.95) : chance(0.45) {
                out[name] = value(for: property, name: name)
            }
        }
        if chance(0.08) { out[pick(Self.strings)] = anyValue() }
        return out
    }

    /// A line that is not a well-formed MCP request (each is answered with an error or ignored, never a crash).
    public mutating func malformedLine(nextID: Int) -> [UInt8] {
        let id = nextID
        let lines: [String] = [
            "not json", "{", "[]", "{}", "null", "5", "\"x\"", #"{"jsonrpc":"2.0","id":\#(id)}"#,
            #"{"jsonrpc":"1.0","id":\#(id),"method":"ping"}"#, #"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":[1,2]}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":5}}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"get_workflow","arguments":"x"}}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"no_such_tool"}}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"prompts/get","params":{"name":"why_did_this_fail","arguments":{"name":"x"}}}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"logging/setLevel","params":{"level":"bogus"}}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"no/such/method"}"#,
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":999999}}"#,
            #"[{"jsonrpc":"2.0","id":\#(id),"method":"ping"}]"#,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"ping","params":"#
                + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}",
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"get_workflow","arguments":{"name":""#
                + String(repeating: "\\u0000", count: 10_000) + "\"}}}",
            #"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#,
        ]
        if chance(0.02) {
            // One line past the transport's limit.
            return Array(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":""#.utf8)
                + [UInt8](repeating: UInt8(ascii: "x"), count: 17 << 20) + Array("\"}}".utf8)
        }
        if chance(0.05) { return [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] }
        return Array(pick(lines).utf8)
    }
}
