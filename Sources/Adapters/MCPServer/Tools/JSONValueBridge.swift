import Foundation
import MCP
import Ports

/// Encodable → MCP `Value` without the SDK's data-URL guessing: strings stay strings.
enum JSONValueBridge {
    /// The bytes are not one JSON value (or nest deeper than `parse` reads).
    struct NotJSON: Error {}

    static func value(_ encodable: some Encodable) throws -> Value {
        try valueAndSize(encodable).0
    }

    static func valueAndSize(_ encodable: some Encodable) throws -> (Value, Int) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(encodable)
        // Deeper than the scanner reads (free-form JSON in an object from Argo): the slower, deeper reading.
        let value: Value
        if let scanned = try? parse(data) {
            value = scanned
        } else {
            value = convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        }
        return (value, data.count)
    }

    /// `Value` from JSON this process encoded, read with the byte scanner: the same value `convert` makes of
    /// `JSONSerialization`'s objects (integral numbers below 1e15 are integers), at a fraction of the cost (no
    /// bridging through `NSDictionary` and `NSNumber`, no dynamic casts). Not for JSON from outside: it checks shape
    /// and depth, not every rule of the grammar.
    static func parse(_ data: Data) throws -> Value {
        try data.withUnsafeBytes { raw in
            var scanner = JSONScanner(bytes: raw.bindMemory(to: UInt8.self))
            let value = try read(&scanner, depth: 0)
            guard scanner.peek() == 0 else { throw NotJSON() }
            return value
        }
    }

    static func read(_ s: inout JSONScanner, depth: Int) throws -> Value {
        guard depth < 512 else { throw NotJSON() }
        switch s.peek() {
        case UInt8(ascii: "{"):
            var object: [String: Value] = [:]
            try s.members { s, key in object[key] = try read(&s, depth: depth + 1) }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [Value] = []
            try s.elements { s in array.append(try read(&s, depth: depth + 1)) }
            return .array(array)
        case UInt8(ascii: "\""):
            return .string(try s.string() ?? "")
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try s.bool() ?? false)
        case UInt8(ascii: "n"):
            try s.literal("null")
            return .null
        default:
            guard let text = s.numberText() else { throw NotJSON() }
            if let int = Int(text) { return .int(int) }
            guard let double = Double(text) else { throw NotJSON() }
            return double.rounded() == double && abs(double) < 1e15 ? .int(Int(double)) : .double(double)
        }
    }

    static func convert(_ any: Any) -> Value {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            switch String(cString: n.objCType) {
            case "c", "B": return .bool(n.boolValue)
            case "d", "f":
                return n.doubleValue.rounded() == n.doubleValue && abs(n.doubleValue) < 1e15
                    ? .int(n.intValue) : .double(n.doubleValue)
            default: return .int(n.intValue)
            }
        case let a as [Any]: return .array(a.map(convert))
        case let o as [String: Any]: return .object(o.mapValues(convert))
        default: return .string("\(any)")
        }
    }
}
