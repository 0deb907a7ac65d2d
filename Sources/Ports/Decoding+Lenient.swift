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
        }
    }
}

extension KeyedDecodingContainer {
    func decodeScalarString(forKey key: Key) throws -> String? {
        try decodeIfPresent(ScalarString.self, forKey: key)?.value
    }

    /// An integer that may arrive as a number or a numeric string (Kubernetes int64 fields are sometimes quoted).
    func decodeLenientInt(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let i = try? decode(Int.self, forKey: key) { return i }
        if let s = try? decode(String.self, forKey: key) { return Int(s) }
        return nil
    }
}
