import Foundation
import MCP

/// Encodable → MCP `Value` without the SDK's data-URL guessing: strings stay strings.
enum JSONValueBridge {
    static func value(_ encodable: some Encodable) throws -> Value {
        try valueAndSize(encodable).0
    }

    static func valueAndSize(_ encodable: some Encodable) throws -> (Value, Int) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(encodable)
        return (convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])), data.count)
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
