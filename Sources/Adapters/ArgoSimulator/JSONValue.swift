import Foundation

/// A JSON tree: how the simulator keeps Argo objects, so unknown fields survive untouched.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses JSON bytes.
    public static func decode(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Reads a dotted path such as `metadata.name`.
    public subscript(path path: String) -> JSONValue? {
        var current: JSONValue? = self
        for part in path.split(separator: ".") { current = current?[String(part)] }
        return current
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var stringMap: [String: String] {
        (object ?? [:]).compactMapValues(\.string)
    }

    /// Compact JSON with sorted keys, so that the same object always serializes to the same bytes.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }
}

/// Argo's `fields=` selector: a comma-separated list of dotted paths to keep (`items.metadata.name`), or, when
/// every path starts with `-`, paths to drop. Arrays are crossed transparently.
enum FieldSelector {
    static func apply(_ fields: String, to value: JSONValue) -> JSONValue {
        let paths = fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !paths.isEmpty else { return value }
        if paths.allSatisfy({ $0.hasPrefix("-") }) {
            var result = value
            for path in paths {
                result = remove(path.dropFirst().split(separator: ".").map(String.init)[...], from: result)
            }
            return result
        }
        var result = JSONValue.object([:])
        for path in paths where !path.hasPrefix("-") {
            result = merge(result, keep(path.split(separator: ".").map(String.init)[...], of: value))
        }
        return result
    }

    private static func keep(_ path: ArraySlice<String>, of value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        switch value {
        case .object(let o):
            guard let child = o[key] else { return .object([:]) }
            return .object([key: keep(path.dropFirst(), of: child)])
        case .array(let a):
            return .array(a.map { keep(path, of: $0) })
        case .null:
            // An empty Go slice marshals as null (`"items":null`), and stays null through the selector.
            return .null
        default:
            return .object([:])
        }
    }

    private static func merge(_ a: JSONValue, _ b: JSONValue) -> JSONValue {
        switch (a, b) {
        case (.object(var x), .object(let y)):
            for (k, v) in y { x[k] = x[k].map { merge($0, v) } ?? v }
            return .object(x)
        case (.array(let x), .array(let y)) where x.count == y.count:
            return .array(zip(x, y).map(merge))
        default:
            return b
        }
    }

    private static func remove(_ path: ArraySlice<String>, from value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        switch value {
        case .object(var o):
            if path.count == 1 {
                o[key] = nil
            } else if let child = o[key] {
                o[key] = remove(path.dropFirst(), from: child)
            }
            return .object(o)
        case .array(let a):
            return .array(a.map { remove(path, from: $0) })
        default:
            return value
        }
    }
}
