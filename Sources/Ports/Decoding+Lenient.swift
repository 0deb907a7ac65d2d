import Foundation

/// A coding key for any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A JSON scalar read as text: Argo writes parameter values and exit codes sometimes as strings, sometimes as numbers.
struct ScalarString: Decodable {
    var value: String
    /// The text of a scalar; nil for an object, a list or null.
    var text: String?
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            value = s
        } else if let i = try? c.decode(Int.self) {
            value = String(i)
        } else if let d = try? c.decode(Double.self) {
            value = String(d)
        } else if let b = try? c.decode(Bool.self) {
            value = String(b)
        } else {
            value = ""
            return
        }
        text = value
    }
}

/// One item of a list or map that is read on its own: an item of the wrong shape is left out instead of failing the
/// whole read (one CronWorkflow someone else wrote must not hide every other one).
public struct Lenient<T: Decodable>: Decodable {
    public var value: T?
    public init(from decoder: any Decoder) throws { value = try? T(from: decoder) }
}

/// An integer that may arrive as a number, a numeric string (Kubernetes int64 fields are sometimes quoted) or a
/// number beyond `Int` (held at the ends of its range).
struct LenientInt: Decodable {
    var value: Int?
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            value = i
        } else if let d = try? c.decode(Double.self) {
            value = Checked.int(d)
        } else if let s = try? c.decode(String.self) {
            value = Int(s.trimmingCharacters(in: .whitespaces))
        }
    }
}

/// Objects read from Argo are written by other people and other controllers: a field of the wrong type reads as
/// absent, never as a failure of the whole object.
extension KeyedDecodingContainer {
    public func lenient<T: Decodable>(_ type: T.Type, forKey key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }

    /// The items of a list that have the expected shape.
    func lenientList<T: Decodable>(_ type: T.Type, forKey key: Key) -> [T] {
        lenient([Lenient<T>].self, forKey: key)?.compactMap(\.value) ?? []
    }

    /// A map of names to text (labels, annotations); numbers and booleans are written as text.
    func lenientStringMap(forKey key: Key) -> [String: String] {
        lenient([String: Lenient<ScalarString>].self, forKey: key)?.compactMapValues { $0.value?.text } ?? [:]
    }

    /// A map of names to integers (resourcesDuration).
    func lenientIntMap(forKey key: Key) -> [String: Int] {
        lenient([String: LenientInt].self, forKey: key)?.compactMapValues(\.value) ?? [:]
    }

    func decodeScalarString(forKey key: Key) throws -> String? {
        lenient(ScalarString.self, forKey: key)?.value
    }

    func decodeLenientInt(forKey key: Key) throws -> Int? {
        lenient(LenientInt.self, forKey: key)?.value
    }
}
