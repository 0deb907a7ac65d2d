import CYaml
import Foundation

/// The bounds on one YAML text converted to JSON. A manifest or config file is foreign input: these keep a hostile
/// one (a billion-laughs alias bomb, a megabyte of nested brackets) from exhausting memory, time or the stack.
public struct YAMLLimits: Sendable, Equatable {
    /// The text's size in UTF-8 bytes.
    public var maxBytes: Int
    /// How deeply mappings and sequences may nest.
    public var maxDepth: Int
    /// How many values the documents may hold once aliases are expanded.
    public var maxNodes: Int
    /// The size of the JSON written, aliases expanded.
    public var maxOutputBytes: Int

    public init(
        maxBytes: Int = 1 << 20, maxDepth: Int = 100, maxNodes: Int = 1_000_000, maxOutputBytes: Int = 32 << 20
    ) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxOutputBytes = maxOutputBytes
    }
}

/// Why a YAML text was refused, with the place in the text where that is known.
public struct YAMLConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// 1-based line and column, when the problem has a place.
    public var line: Int?
    public var column: Int?

    public init(_ reason: String, line: Int? = nil, column: Int? = nil) {
        self.reason = reason
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line else { return reason }
        return "line \(line)\(column.map { ", column \($0)" } ?? ""): \(reason)"
    }
}

/// YAML (or JSON, which is YAML) to JSON, read event by event from libyaml (the parser inside Yams) into a tree of
/// our own, with every limit checked as the events arrive. Yams' own paths are not used on foreign text: `load` to
/// `Any` traps on a mapping key that is not a scalar, its composer recurses once per nesting level and hashes whole
/// key subtrees to find duplicates (an aliased key of a billion nodes hangs it), and its integer constructor traps
/// on sexagesimal overflow.
///
/// Aliases share their anchor's subtree (no copy); each use adds the subtree's expanded size to the node budget, so
/// an alias bomb is refused before anything is expanded. Plain scalars resolve the way Kubernetes' YAML reader
/// (go-yaml v2 behind sigs.k8s.io/yaml) resolves them, since that is how Argo reads the same manifest: null,
/// booleans (`true`, `yes`, `on`, …), integers as Go's `strconv.ParseInt(s, 0, 64)` takes them, floats; everything
/// else, and every quoted or block scalar, is a string.
public enum YAMLToJSON {
    /// Every non-empty document of `text`, each as JSON bytes, in order.
    public static func documents(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> [Data] {
        try locatedDocuments(text, limits: limits).map(\.json)
    }

    /// Every non-empty document of `text` as JSON bytes, with the 1-based line its content starts on.
    public static func locatedDocuments(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> [(
        json: Data, line: Int
    )] {
        let size = text.utf8.count
        guard size <= limits.maxBytes else {
            throw YAMLConversionError("the text is \(size) bytes; at most \(limits.maxBytes) are read")
        }
        var reader = EventReader(limits: limits)
        let roots = try Array(text.utf8).withUnsafeBufferPointer { try reader.read($0) }
        var out: [(json: Data, line: Int)] = []
        for (index, root) in roots.enumerated() {
            if case .scalar(let s, let plain) = root, plain, isNull(s) { continue }
            var writer = Writer(limit: limits.maxOutputBytes)
            try writer.write(root)
            out.append((Data(writer.bytes), reader.rootLines.indices.contains(index) ? reader.rootLines[index] : 1))
        }
        return out
    }

    /// The one document of `text` (empty documents ignored); an error when there are none or several.
    public static func document(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> Data {
        let all = try documents(text, limits: limits)
        guard all.count == 1, let only = all.first else {
            throw YAMLConversionError(
                all.isEmpty ? "holds no document" : "holds \(all.count) documents; give exactly one")
        }
        return only
    }

    static func isNull(_ s: String) -> Bool { s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" }

    static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    static let falseWords: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    /// A YAML value. Subtrees are shared, not copied, when an alias repeats them.
    indirect enum Value {
        /// The text, and whether it is a plain (unquoted, untagged-as-string) scalar that may resolve to a number.
        case scalar(String, plain: Bool)
        case sequence([Value])
        case mapping([(key: String, value: Value)])
    }

    /// What an anchor names: the value, its expanded node count and its height.
    struct Anchored {
        var value: Value
        var nodes: Int
        var height: Int
    }

    /// Builds document trees from libyaml's events with an explicit stack: nesting costs no native stack.
    struct EventReader {
        let limits: YAMLLimits
        var nodes = 0
        var anchors: [String: Anchored] = [:]
        /// The line each root value (document) starts on, in the order of the roots.
        var rootLines: [Int] = []

        struct Frame {
            var isMapping: Bool
            var items: [Value] = []
            var pairs: [(key: String, value: Value)] = []
            var keys: Set<String> = []
            /// The key read, waiting for its value (mappings only).
            var pendingKey: String?
            /// Mappings merged in through `<<` keys, applied at the mapping's end.
            var merges: [Value] = []
            var pendingMerge = false
            var anchor: String?
            var nodesAtStart: Int
            /// The tallest child so far.
            var height = 0
            var line: Int
            var column: Int
        }

        init(limits: YAMLLimits) { self.limits = limits }

        mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [Value] {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw YAMLConversionError("the YAML parser could not start")
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            if let base = bytes.baseAddress { yaml_parser_set_input_string(&parser, base, bytes.count) }

            var roots: [Value] = []
            var stack: [Frame] = []
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { throw Self.parserError(parser) }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                let column = Int(event.start_mark.column) + 1
                func fail(_ reason: String) -> YAMLConversionError {
                    YAMLConversionError(reason, line: line, column: column)
                }
                if stack.isEmpty,
                    [YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT]
                        .contains(event.type)
                {
                    rootLines.append(line)
                }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return roots
                case YAML_DOCUMENT_START_EVENT:
                    anchors.removeAll()
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let text = Self.string(s.value, count: s.length)
                    let tag = s.tag.map { String(cString: $0) }
                    // Plain and untagged (or tagged as something other than a string) may resolve to a number.
                    let textTags = [
                        "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:timestamp", "!",
                    ]
                    let plain = s.style == YAML_PLAIN_SCALAR_STYLE && !(tag.map(textTags.contains) ?? false)
                    try count(1, line: line, column: column)
                    let value = Value.scalar(text, plain: plain)
                    if let anchor = s.anchor {
                        anchors[String(cString: anchor)] = Anchored(value: value, nodes: 1, height: 0)
                    }
                    try add(value, height: 0, to: &stack, roots: &roots, keyText: text, keyIsPlain: plain, fail: fail)
                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    guard let anchored = anchors[name] else {
                        throw fail("the alias *\(name) names no anchor before it")
                    }
                    try count(anchored.nodes, line: line, column: column)
                    var keyText: String?
                    if case .scalar(let text, _) = anchored.value { keyText = text }
                    try add(
                        anchored.value, height: anchored.height, to: &stack, roots: &roots, keyText: keyText,
                        keyIsPlain: false, fail: fail)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    if let top = stack.last, top.isMapping, top.pendingKey == nil, !top.pendingMerge {
                        throw fail(
                            "a mapping key must be a plain value, not \(isMapping ? "a mapping" : "a list"); an unquoted "
                                + "Argo expression such as {{inputs.parameters.x}} is read as a YAML mapping, so quote it: "
                                + "\"{{inputs.parameters.x}}\"")
                    }
                    guard stack.count < limits.maxDepth else {
                        throw fail("nests deeper than \(limits.maxDepth) levels")
                    }
                    try count(1, line: line, column: column)
                    let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    stack.append(
                        Frame(
                            isMapping: isMapping, anchor: anchor.map { String(cString: $0) }, nodesAtStart: nodes,
                            line: line, column: column))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard var frame = stack.popLast() else { throw fail("a collection ends that never began") }
                    let value: Value
                    if frame.isMapping {
                        for source in frame.merges {
                            guard case .mapping(let pairs) = source else {
                                throw YAMLConversionError(
                                    "a merge key (<<) takes a mapping or a list of mappings", line: frame.line,
                                    column: frame.column)
                            }
                            for pair in pairs where frame.keys.insert(pair.key).inserted { frame.pairs.append(pair) }
                        }
                        value = .mapping(frame.pairs)
                    } else {
                        value = .sequence(frame.items)
                    }
                    let height = frame.height + 1
                    if let anchor = frame.anchor {
                        anchors[anchor] = Anchored(value: value, nodes: nodes - frame.nodesAtStart + 1, height: height)
                    }
                    try add(
                        value, height: height, to: &stack, roots: &roots, keyText: nil, keyIsPlain: false, fail: fail)
                default:
                    break
                }
            }
        }

        mutating func count(_ n: Int, line: Int, column: Int) throws {
            let (sum, overflow) = nodes.addingReportingOverflow(n)
            nodes = overflow ? .max : sum
            if nodes > limits.maxNodes {
                throw YAMLConversionError(
                    "holds more than \(limits.maxNodes) values once its aliases are expanded (an alias bomb?)",
                    line: line,
                    column: column)
            }
        }

        /// Puts a finished value where it belongs: the document root, the next list item, a mapping's key or value.
        func add(
            _ value: Value, height: Int, to stack: inout [Frame], roots: inout [Value], keyText: String?,
            keyIsPlain: Bool, fail: (String) -> YAMLConversionError
        ) throws {
            guard var top = stack.popLast() else {
                roots.append(value)
                return
            }
            defer { stack.append(top) }
            guard stack.count + 1 + height <= limits.maxDepth else {
                throw fail("nests deeper than \(limits.maxDepth) levels once its aliases are expanded")
            }
            top.height = max(top.height, height)
            guard top.isMapping else {
                top.items.append(value)
                return
            }
            if top.pendingMerge {
                top.pendingMerge = false
                switch value {
                case .mapping: top.merges.append(value)
                case .sequence(let list): top.merges.append(contentsOf: list)
                case .scalar: throw fail("a merge key (<<) takes a mapping or a list of mappings")
                }
                return
            }
            if let key = top.pendingKey {
                top.pendingKey = nil
                top.pairs.append((key, value))
                return
            }
            guard let keyText else {
                throw fail("a mapping key must be a plain value, not a list or mapping")
            }
            if keyIsPlain && keyText == "<<" {
                top.pendingMerge = true
                return
            }
            guard top.keys.insert(keyText).inserted else {
                throw fail("the key '\(keyText)' appears twice in one mapping")
            }
            top.pendingKey = keyText
        }

        static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int) -> String {
            guard let pointer else { return "" }
            return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
        }

        static func parserError(_ parser: yaml_parser_t) -> YAMLConversionError {
            let problem = parser.problem.map { String(cString: $0) } ?? "is not valid YAML"
            let context = parser.context.map { String(cString: $0) }
            let reason = [context, problem].compactMap { $0 }.joined(separator: ": ")
            let mark = parser.problem_mark
            return YAMLConversionError(reason, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        }
    }

    /// Writes a value as compact JSON, at most `limit` bytes (aliases expand here).
    struct Writer {
        let limit: Int
        var bytes: [UInt8] = []

        init(limit: Int) { self.limit = limit }

        /// Recursion is bounded by the reader's depth limit, aliases included.
        mutating func write(_ value: Value) throws {
            guard bytes.count <= limit else {
                throw YAMLConversionError("expands to more than \(limit) bytes of JSON (an alias bomb?)")
            }
            switch value {
            case .scalar(let text, let plain):
                writeScalar(text, plain: plain)
            case .sequence(let items):
                bytes.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    try write(item)
                }
                bytes.append(UInt8(ascii: "]"))
            case .mapping(let pairs):
                bytes.append(UInt8(ascii: "{"))
                for (i, pair) in pairs.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    writeString(pair.key)
                    bytes.append(UInt8(ascii: ":"))
                    try write(pair.value)
                }
                bytes.append(UInt8(ascii: "}"))
            }
        }

        mutating func writeScalar(_ text: String, plain: Bool) {
            guard plain else {
                writeString(text)
                return
            }
            if isNull(text) {
                bytes.append(contentsOf: Array("null".utf8))
            } else if trueWords.contains(text) {
                bytes.append(contentsOf: Array("true".utf8))
            } else if falseWords.contains(text) {
                bytes.append(contentsOf: Array("false".utf8))
            } else if let number = YAMLNumber.json(text) {
                bytes.append(contentsOf: Array(number.utf8))
            } else {
                writeString(text)
            }
        }

        mutating func writeString(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            for b in text.utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)],
                        hex[Int(b & 0xF)],
                    ])
                default: bytes.append(b)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}

/// Plain-scalar numbers as go-yaml v2 resolves them, written as JSON numbers.
enum YAMLNumber {
    /// The JSON text of `text` when it is a number Go's YAML reader would take, else nil (it stays a string).
    static func json(_ text: String) -> String? {
        guard let first = text.utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return nil }
        if let i = goInt(text) { return String(i) }
        if let u = goUInt(text) { return String(u) }
        if isFloat(text), let d = Double(text.replacingOccurrences(of: "_", with: "")), d.isFinite {
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        }
        return nil
    }

    /// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`, `0o`, `0b` or a leading `0` (octal); underscores only
    /// between digits after a prefix.
    static func goInt(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        guard let magnitude = goMagnitude(s) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Go's `strconv.ParseUint(s, 0, 64)` (no sign).
    static func goUInt(_ text: String) -> UInt64? {
        guard text.first != "-", text.first != "+" else { return nil }
        return goMagnitude(Substring(text))
    }

    static func goMagnitude(_ s: Substring) -> UInt64? {
        var digits = s
        var radix = 10
        var prefixed = false
        let lower = s.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            digits = s.dropFirst(2)
            prefixed = true
        } else if lower.hasPrefix("0o") {
            radix = 8
            digits = s.dropFirst(2)
            prefixed = true
        } else if lower.hasPrefix("0b") {
            radix = 2
            digits = s.dropFirst(2)
            prefixed = true
        } else if s.count > 1 && s.first == "0" {
            radix = 8
            digits = s.dropFirst()
            prefixed = true
        }
        if digits.contains("_") {
            // Go takes underscores only with base 0 and a prefix, each between digits.
            guard prefixed, !digits.hasPrefix("_") || radix != 8, !digits.hasSuffix("_"), !digits.contains("__")
            else { return nil }
            digits = Substring(digits.replacingOccurrences(of: "_", with: ""))
        }
        guard !digits.isEmpty else { return nil }
        return UInt64(digits, radix: radix)
    }

    /// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isFloat(_ text: String) -> Bool {
        var b = Array(text.utf8)[...]
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        if let c = b.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { b = b.dropFirst() }
        var intDigits = 0
        while let c = b.first, isDigit(c) {
            intDigits += 1
            b = b.dropFirst()
        }
        var fracDigits = 0
        if b.first == UInt8(ascii: ".") {
            b = b.dropFirst()
            while let c = b.first, isDigit(c) {
                fracDigits += 1
                b = b.dropFirst()
            }
            if intDigits == 0 && fracDigits == 0 { return false }
        } else if intDigits == 0 {
            return false
        }
        if let c = b.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            b = b.dropFirst()
            if let s = b.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { b = b.dropFirst() }
            var expDigits = 0
            while let c = b.first, isDigit(c) {
                expDigits += 1
                b = b.dropFirst()
            }
            if expDigits == 0 { return false }
        }
        return b.isEmpty
    }
}
