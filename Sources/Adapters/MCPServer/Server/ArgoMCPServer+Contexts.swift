import Domain
import Foundation
import MCP

/// Several Argo Servers (`contexts`): one server per context, each with its own tools, policy, rules and
/// confirmations, behind a front that lists the widest of them and sends each request to the context it names
/// (`context` in a tool's or prompt's arguments, `argo://CONTEXT/…` in a resource URI; the default context when
/// none is named). The front adds nothing else: every answer is the context server's own.
public struct ContextRoutes: Sendable {
    public let defaultName: String
    /// The contexts in the configuration's order.
    public let names: [String]
    var servers: [String: ArgoMCPServer]
}

extension ArgoMCPServer {
    /// The argument that names a context.
    public static let contextArgument = "context"

    /// The front over each context's server (`contexts`, in order), `defaultName` being one of them.
    public static func routing(_ contexts: [(name: String, server: ArgoMCPServer)], defaultName: String)
        -> ArgoMCPServer?
    {
        guard let base = contexts.first(where: { $0.name == defaultName })?.server else { return nil }
        var front = base
        front.contextName = nil
        front.routes = ContextRoutes(
            defaultName: defaultName, names: contexts.map(\.name),
            servers: Dictionary(contexts.map { ($0.name, $0.server) }, uniquingKeysWith: { a, _ in a }))
        front.policyCeiling = contexts.map(\.server.policyCeiling).max() ?? .readOnly
        front.maxSafety = front.policyCeiling
        // Demo data in one context is said in that context's answers, not in the others'.
        front.notice = nil
        front.offer()
        return front
    }

    /// Where a request goes: the server of the context `arguments` names (or the default), the arguments without
    /// `context`, and whether the caller named one. Nil server with a refusal for a context that does not exist.
    func route(_ arguments: [String: Value]?) -> Routed {
        guard let routes else { return .to(self, arguments, explicit: false) }
        var rest = arguments
        let given = rest?.removeValue(forKey: Self.contextArgument)
        switch given {
        case nil, .null?:
            guard let server = routes.servers[routes.defaultName] else { return .unknown("no default context") }
            return .to(server, rest, explicit: false)
        case .string(let name)?:
            guard let server = routes.servers[name] else { return .unknown(unknownContext(name)) }
            return .to(server, rest, explicit: true)
        default:
            return .unknown("context must be a string: one of \(routes.names.joined(separator: ", "))")
        }
    }

    enum Routed {
        case to(ArgoMCPServer, [String: Value]?, explicit: Bool)
        case unknown(String)
    }

    /// The contexts served by the built-in simulator (this server's own notice when it has no contexts).
    var simulatedContexts: [String] {
        guard let routes else { return notice == nil ? [] : ["-"] }
        return routes.names.filter { routes.servers[$0]?.notice != nil }
    }

    /// What the instructions say of the contexts: which there are, the default, and which are demo data.
    var contextInstructions: String {
        guard let routes else { return "" }
        var text =
            "This argo-mcp serves several Argo Servers (contexts): \(routes.names.joined(separator: ", ")); default \(routes.defaultName). Name one with any tool's context argument (or argo://CONTEXT/… for a resource); list_contexts shows each with what it allows."
        let simulated = simulatedContexts
        if !simulated.isEmpty {
            text +=
                " [SIMULATOR] Context\(simulated.count == 1 ? "" : "s") \(simulated.joined(separator: ", ")) \(simulated.count == 1 ? "is" : "are") argo-mcp's built-in simulator: demo data, not a real Argo server."
        }
        return text + "\n\n"
    }

    /// The highest class of tool each context offers (as narrowed for this request).
    var contextCeilings: [String: SafetyClass] {
        routes?.servers.mapValues(\.maxSafety) ?? [:]
    }

    /// "'x' is not a context; the contexts are …; did you mean …?"
    func unknownContext(_ name: String) -> String {
        let names = routes?.names ?? []
        var message = "'\(name.prefix(64))' is not a context; the contexts are \(names.joined(separator: ", "))"
        if let near = Text.nearest(name, in: names) { message += "; did you mean '\(near)'?" }
        return message
    }

    /// A refusal as a tool result (the arguments named no context there is).
    func contextRefusal(_ tool: String, _ reason: String) -> CallTool.Result {
        let message = "\(tool): invalid arguments — context: \(reason)"
        return CallTool.Result(
            content: [.text(text: message, annotations: nil, _meta: nil)],
            structuredContent: .object([
                "error": .string(message), "tool": .string(tool),
                "contexts": .array((routes?.names ?? []).map(Value.string)),
            ]), isError: true)
    }

    /// A tool as the front lists it: its schema takes `context`, and a tool that changes Argo says in which
    /// contexts it may.
    func contextual(_ tool: ToolDefinition) -> Tool {
        guard let routes else { return tool.mcpTool }
        let names = routes.names
        var schema = tool.inputSchema
        schema = Schema.adding(
            [
                Self.contextArgument: Schema.string(
                    "The Argo Server (context) to act on: \(names.joined(separator: ", ")). Default: \(routes.defaultName). list_contexts shows each with what it allows.",
                    enum: names)
            ], to: schema)
        var description = tool.description
        if tool.highestSafety > .readOnly {
            // Where it may do all it offers, where only without its escalating argument, where not at all.
            let offering = names.filter { routes.servers[$0]?.byName[tool.name] != nil }
            let full = offering.filter { (routes.servers[$0]?.policyCeiling ?? .readOnly) >= tool.highestSafety }
            let partial = offering.filter { !full.contains($0) }
            let refusing = names.filter { !offering.contains($0) }
            var parts: [String] = []
            if !full.isEmpty {
                let plural = full.count == 1 ? "" : "s"
                parts.append(
                    tool.safety > .readOnly
                        ? "Changes Argo only in context\(plural) \(full.joined(separator: ", "))"
                        : "With \(tool.escalation?.argument ?? "its options"): true only in context\(plural) \(full.joined(separator: ", "))"
                )
            }
            if !partial.isEmpty, let escalation = tool.escalation {
                parts.append(
                    "in \(partial.joined(separator: ", ")) only without \(escalation.argument): true (a \(escalation.safety.rawValue) call there is refused)"
                )
            }
            if !refusing.isEmpty {
                parts.append("refused in \(refusing.joined(separator: ", ")) (their permissions do not allow it)")
            }
            if !parts.isEmpty { description += "\n\n" + parts.joined(separator: "; ") + "." }
        }
        var listed = Tool(
            name: tool.name, title: tool.title, description: description, inputSchema: schema,
            annotations: tool.annotations)
        listed._meta = tool.mcpTool._meta
        return listed
    }

    /// Why a tool no context offers is refused: each context's reason.
    func frontWithheldReason(_ name: String) -> String? {
        guard let routes else { return nil }
        let reasons = routes.names.compactMap { context in
            routes.servers[context]?.withheldReason(name).map { "\(context): \($0)" }
        }
        guard !reasons.isEmpty else { return nil }
        return "refused: \(name) is offered in no context (" + reasons.joined(separator: "; ") + ")"
    }
}

/// Resources and prompts with contexts: `argo://CONTEXT/…` names a context (a URI without one means the default
/// context), and every prompt takes `context`.
extension ArgoMCPServer {
    /// The server a resource URI goes to and the URI as that server reads it: `argo://prod/workflows/…` is prod's
    /// `argo://workflows/…`. Throws "resource not found" for a context there is not.
    func routeResource(_ uri: String) throws -> (server: ArgoMCPServer, uri: String) {
        guard let routes, uri.hasPrefix("argo://") else { return (self, uri) }
        let rest = uri.dropFirst("argo://".count)
        let first = String(rest.prefix { $0 != "/" })
        guard !ArgoResources.uriKinds.contains(first) else {
            guard let server = routes.servers[routes.defaultName] else { return (self, uri) }
            return (server, uri)
        }
        guard let server = routes.servers[first], rest.count > first.count else {
            throw MCPError.serverError(
                code: ArgoResources.resourceNotFound,
                message: "unknown resource \(uri.prefix(200)): " + unknownContext(first))
        }
        return (server, "argo://" + rest.dropFirst(first.count + 1))
    }

    /// The resource templates: without a context (the default one), and with one (`argo://{context}/…`).
    var resourceTemplates: [Resource.Template] {
        guard routes != nil else { return ArgoResources.templates }
        return ArgoResources.templates
            + ArgoResources.templates.filter { !$0.uriTemplate.hasPrefix(ArgoReference.examplePrefix) }.map {
                var template = $0
                template.uriTemplate = "argo://{context}/" + $0.uriTemplate.dropFirst("argo://".count)
                template.name = $0.name + "-in-context"
                template.description = ($0.description ?? "") + " In the context named (list_contexts)."
                return template
            }
    }

    /// A resource read's contents under the URI the client asked for (a context's server answers for its own).
    static func relabelled(_ result: ReadResource.Result, uri: String) -> ReadResource.Result {
        ReadResource.Result(
            contents: result.contents.map { content in
                // argo-mcp's resources are text (an Argo object's JSON, a log, a document).
                .text(content.text ?? "", uri: uri, mimeType: content.mimeType, _meta: content._meta)
            })
    }

    /// Completes `context` with the contexts' names; any other argument, in the context the earlier arguments
    /// named (or the default one).
    func completeInContext(_ params: Complete.Parameters) async throws -> Complete.Result? {
        guard let routes else { return nil }
        if params.argument.name == Self.contextArgument {
            let matching = routes.names.filter { $0.hasPrefix(params.argument.value) }
            return Complete.Result(completion: .init(values: matching, total: matching.count, hasMore: false))
        }
        let named = params.context?.arguments[Self.contextArgument] ?? routes.defaultName
        guard let server = routes.servers[named], let resources = server.resources else { return Self.noCompletion }
        var reference = params.ref
        if case .resource(let ref) = params.ref, ref.uri.hasPrefix("argo://{context}/") {
            reference = .resource(.init(uri: "argo://" + ref.uri.dropFirst("argo://{context}/".count)))
        }
        guard server.completes(reference) else { return Self.noCompletion }
        return try await ArgoCompletions(resources.useCases).complete(
            Complete.Parameters(ref: reference, argument: params.argument, context: params.context))
    }

    /// A prompt's arguments with `context` (with several Argo Servers).
    var listedPrompts: [Prompt] {
        let offered = offeredPrompts.map(\.prompt)
        guard let routes else { return offered }
        return offered.map { prompt in
            Prompt(
                name: prompt.name, title: prompt.title, description: prompt.description,
                arguments: (prompt.arguments ?? []) + [
                    Prompt.Argument(
                        name: Self.contextArgument,
                        description:
                            "The Argo Server (context) to read: \(routes.names.joined(separator: ", ")); default \(routes.defaultName).",
                        required: false)
                ], icons: prompt.icons, meta: prompt._meta)
        }
    }

    /// `prompts/get` in the context its arguments name.
    func getPrompt(_ name: String, _ arguments: [String: String]) async throws -> GetPrompt.Result {
        var arguments = arguments
        var server = self
        if let routes {
            let named = arguments.removeValue(forKey: Self.contextArgument) ?? routes.defaultName
            guard let target = routes.servers[named] else {
                throw MCPError.invalidParams("context: " + unknownContext(named))
            }
            server = target
        }
        guard let prompt = server.offeredPrompts.first(where: { $0.prompt.name == name }) else {
            throw MCPError.invalidParams("unknown prompt '\(name.prefix(100))'")
        }
        return try await prompt.get(arguments)
    }
}
