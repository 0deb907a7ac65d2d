import MCP

/// JSON Schema fragments for tool inputs.
public enum Schema {
    /// `schema` (an object schema) with more `properties`; `dropRequired` lifts its required list.
    public static func adding(_ properties: [String: Value], to schema: Value, dropRequired: Bool = false) -> Value {
        guard case .object(var object) = schema, case .object(var existing)? = object["properties"] else {
            return schema
        }
        existing.merge(properties) { _, new in new }
        object["properties"] = .object(existing)
        if dropRequired { object["required"] = nil }
        return .object(object)
    }

    public static func object(_ properties: [String: Value], required: [String] = []) -> Value {
        var schema: [String: Value] = [
            "type": "object", "properties": .object(properties), "additionalProperties": false,
        ]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    public static func string(_ description: String, enum values: [String]? = nil, default value: String? = nil)
        -> Value
    {
        var s: [String: Value] = ["type": "string", "description": .string(description)]
        if let values { s["enum"] = .array(values.map { .string($0) }) }
        if let value { s["default"] = .string(value) }
        return .object(s)
    }

    public static func integer(
        _ description: String, minimum: Int? = nil, maximum: Int? = nil, default value: Int? = nil
    ) -> Value {
        var s: [String: Value] = ["type": "integer", "description": .string(description)]
        if let minimum { s["minimum"] = .int(minimum) }
        if let maximum { s["maximum"] = .int(maximum) }
        if let value { s["default"] = .int(value) }
        return .object(s)
    }

    public static func boolean(_ description: String, default value: Bool? = nil) -> Value {
        var s: [String: Value] = ["type": "boolean", "description": .string(description)]
        if let value { s["default"] = .bool(value) }
        return .object(s)
    }

    public static func stringArray(_ description: String, enum values: [String]? = nil) -> Value {
        var items: [String: Value] = ["type": "string"]
        if let values { items["enum"] = .array(values.map { .string($0) }) }
        return .object(["type": "array", "description": .string(description), "items": .object(items)])
    }
}
