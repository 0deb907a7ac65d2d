import BoundedYAML
import Domain
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

/// What a running tool can do besides returning: report progress to the caller (when it asked for it).
public struct ToolContext: Sendable {
    /// Sends an MCP progress notification; does nothing when the call carried no progress token.
    public var progress: @Sendable (_ progress: Double, _ total: Double?, _ message: String) async -> Void
    /// The MCP client's name from its initialize request, for the audit file.
    public var client: String?
    /// Asks the user to confirm (MCP elicitation) when the host supports it and the mode allows it.
    public var confirmer: (any Confirmer)?
    /// Asks the host's model (MCP sampling) for text: system prompt, user text, token budget. Nil when the host
    /// does not offer sampling.
    public var sampler: (@Sendable (_ system: String, _ text: String, _ maxTokens: Int) async throws -> String)?
    /// Sends an MCP log message (notifications/message, level info) when the client's log level lets it through.
    public var log: @Sendable (_ message: String) async -> Void
    /// The bounds on a manifest argument (size, nesting, alias expansion).
    public var manifestLimits = YAMLLimits()
    /// For an answer that found nothing in a namespace: the hint that names the namespaces that hold something,
    /// when this one holds nothing argo-mcp can see.
    public var namespaceHint: (@Sendable (String) async -> String?)?

    public init(
        client: String? = nil, confirmer: (any Confirmer)? = nil,
        sampler: (@Sendable (String, String, Int) async throws -> String)? = nil,
        log: @escaping @Sendable (String) async -> Void = { _ in },
        progress: @escaping @Sendable (Double, Double?, String) async -> Void = { _, _, _ in }
    ) {
        self.client = client
        self.confirmer = confirmer
        self.sampler = sampler
        self.log = log
        self.progress = progress
    }
}

/// A tool, declared once: its name, its safety class, its schema and its handler.
public struct ToolDefinition: Sendable {
    public var name: String
    public var title: String
    public var description: String
    public var safety: SafetyClass
    public var inputSchema: Value
    /// Set when one argument raises the class of a call (e.g. `update: true` makes create_template destructive).
    public var escalation: Escalation?
    /// Describes the call for error messages, e.g. "get workflow argo/etl-42".
    public var describe: @Sendable (ToolArguments) -> String
    public var run: @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput

    public init(
        name: String, title: String, description: String, safety: SafetyClass, inputSchema: Value,
        escalation: Escalation? = nil,
        describe: @escaping @Sendable (ToolArguments) -> String,
        run: @escaping @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.safety = safety
        self.inputSchema = safety >= .mutating ? Self.withConfirmationToken(inputSchema) : inputSchema
        self.escalation = escalation
        self.describe = describe
        self.run = run
    }

    /// A tool that offers `mutation`: its name and safety class are the mutation's, and so is the class its
    /// escalating argument (`escalatingArgument`, a boolean) raises a call to.
    public init(
        mutation: Mutation, title: String, description: String, inputSchema: Value, escalatingArgument: String? = nil,
        describe: @escaping @Sendable (ToolArguments) -> String,
        run: @escaping @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput
    ) {
        self.init(
            name: mutation.tool, title: title, description: description, safety: mutation.safety,
            inputSchema: inputSchema,
            escalation: escalatingArgument.map { Escalation(argument: $0, safety: mutation.safety(escalated: true)) },
            describe: describe, run: run)
    }

    /// Every tool that changes Argo takes `confirmation_token`: which calls must be confirmed is the policy's choice
    /// (`confirmation.require`), so any of them may need one.
    static func withConfirmationToken(_ schema: Value) -> Value {
        guard case .object(var s) = schema, case .object(var properties)? = s["properties"],
            properties["confirmation_token"] == nil
        else { return schema }
        properties["confirmation_token"] = Schema.string(
            "The confirmation_token a preview returned, for a call the policy asks to confirm (hosts that show "
                + "confirmation dialogs ask the user instead).")
        s["properties"] = .object(properties)
        return .object(s)
    }

    /// Annotations follow from the safety class, so no tool can forget or contradict them.
    public var annotations: Tool.Annotations {
        Tool.Annotations(
            title: title,
            readOnlyHint: safety == .readOnly,
            destructiveHint: highestSafety == .destructive,
            idempotentHint: safety == .readOnly,
            openWorldHint: true
        )
    }

    /// The class of the tool's most far-reaching call.
    public var highestSafety: SafetyClass { max(safety, escalation?.safety ?? safety) }

    /// How the class reads in the README: "mutating", or "mutating; destructive with `update: true`".
    public var safetyLabel: String {
        guard let escalation else { return safety.rawValue }
        return "\(safety.rawValue); \(escalation.safety.rawValue) with `\(escalation.argument): true`"
    }

    public var mcpTool: Tool {
        Tool(name: name, title: title, description: description, inputSchema: inputSchema, annotations: annotations)
    }
}

/// JSON Schema fragments for tool inputs.
public enum Schema {
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

/// A boolean argument that raises a call's safety class; the policy checks the raised class for such calls.
public struct Escalation: Sendable {
    public var argument: String
    public var safety: SafetyClass

    public init(argument: String, safety: SafetyClass) {
        self.argument = argument
        self.safety = safety
    }
}
