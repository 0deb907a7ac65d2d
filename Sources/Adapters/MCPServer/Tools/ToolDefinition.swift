import Domain
import Foundation
import MCP
import Ports

/// A tool, declared once: its name, its safety class, its schema and its handler.
public struct ToolDefinition: Sendable {
    public var name: String
    /// The group it is offered in (`tools.toolsets`).
    public var toolset: Toolset
    /// Former names, still accepted in calls and in the configuration, never listed.
    public var aliases: [String]
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
        name: String, toolset: Toolset, aliases: [String] = [], title: String, description: String,
        safety: SafetyClass, inputSchema: Value, escalation: Escalation? = nil,
        describe: @escaping @Sendable (ToolArguments) -> String,
        run: @escaping @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput
    ) {
        self.name = name
        self.toolset = toolset
        self.aliases = aliases
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
        mutation: Mutation, toolset: Toolset, aliases: [String] = [], title: String, description: String,
        inputSchema: Value, escalatingArgument: String? = nil,
        describe: @escaping @Sendable (ToolArguments) -> String,
        run: @escaping @Sendable (ToolArguments, ToolContext) async throws -> ToolOutput
    ) {
        self.init(
            name: mutation.tool, toolset: toolset, aliases: aliases, title: title, description: description,
            safety: mutation.safety,
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

    /// The `_meta` key under which `tools/list` names a tool's toolset.
    public static let toolsetMetaKey = "argo-mcp/toolset"

    public var mcpTool: Tool {
        var tool = Tool(
            name: name, title: title, description: description, inputSchema: inputSchema, annotations: annotations)
        tool._meta = Metadata(additionalFields: [Self.toolsetMetaKey: .string(toolset.rawValue)])
        return tool
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
