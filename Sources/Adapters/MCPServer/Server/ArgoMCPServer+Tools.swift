import Domain
import Foundation
import Logging
import MCP
import Metrics
import Ports
import Tracing

/// Tools: `tools/list`, `tools/call`, and the one path every call's answer takes (the output cap, the simulator
/// notice, the words of an error and the namespace hint), which `resources/read` shares.
extension ArgoMCPServer {
    func registerTools(_ state: SessionState) async {
        let inFlight = state.inFlight
        let client = state.client
        await state.server.withMethodHandler(ListTools.self) { _ in
            let me = current
            let view = await client.showsApps
            return try await Traces.request(
                "tools/list", meta: nil, caller: me.caller, revision: Self.handshakeRevision
            ) { _ in
                await inFlight.begin()
                let result = ListTools.Result(tools: view ? me.listedWithView : me.listed)
                await inFlight.end()
                return result
            }
        }
        await state.server.withMethodHandler(CallTool.self) { params in
            // The server as the configuration is now (a reload applies to the calls of open sessions too).
            let me = current
            return try await Traces.request(
                "tools/call", target: params.name, meta: params._meta?.fields, caller: me.caller,
                revision: Self.handshakeRevision
            ) { span in
                // With several Argo Servers, the context's own server answers (its tools, policy and rules).
                let (target, arguments, explicit): (ArgoMCPServer, [String: Value]?, Bool)
                switch me.route(params.arguments) {
                case .to(let server, let rest, let named): (target, arguments, explicit) = (server, rest, named)
                case .unknown(let why):
                    let refusal = me.contextRefusal(params.name, why)
                    Traces.outcome(span, refusal)
                    return refusal
                }
                guard let tool = target.byName[params.name] else {
                    let refusal = try target.refuseUnlisted(params.name)
                    Traces.outcome(span, refusal)
                    return refusal
                }
                if let refusal = target.refuseEscalation(tool, arguments) {
                    Traces.outcome(span, refusal)
                    return refusal
                }
                await inFlight.begin()
                var context = await target.callContext(state, progressToken: params._meta?.progressToken)
                context.contextNamed = explicit
                context.contextCeilings = me.contextCeilings
                let started = ContinuousClock.now
                let result = await Self.call(
                    tool, arguments, context: context, logger: target.logger,
                    maxResultBytes: target.maxResultBytes, notice: target.notice)
                ToolMetrics.record(tool.name, failed: result.isError == true, since: started)
                Traces.outcome(span, result)
                await inFlight.end()
                return result
            }
        }
    }

    /// A listed tool whose escalating argument (`notify: true`, `update: true`) raises the call above what the
    /// request narrowed this server to (`X-MCP-Readonly`). Above the policy's own ceiling the runner refuses the
    /// change itself, with the setting (a read-only server's watch still watches, and says the hook was not sent).
    func refuseEscalation(_ tool: ToolDefinition, _ arguments: [String: Value]?) -> CallTool.Result? {
        guard maxSafety < policyCeiling, let escalation = tool.escalation,
            arguments?[escalation.argument] == .bool(true), escalation.safety > maxSafety
        else { return nil }
        let reason =
            "refused: \(tool.name) with \(escalation.argument): true is a \(escalation.safety.rawValue) call and this request asked for read-only tools (\(ToolNarrowing.readOnlyHeader): true)"
        let structured: Value = .object([
            "error": .string(reason), "tool": .string(tool.name), "safety_class": .string(escalation.safety.rawValue),
            "allowed_up_to": .string(maxSafety.rawValue),
        ])
        return CallTool.Result(
            content: [.text(text: Self.noticed(reason, notice), annotations: nil, _meta: nil)],
            structuredContent: Optional(Self.noticed(structured, notice)), isError: true)
    }

    /// A tool that is not listed: a withheld one is refused with the settings that would offer it.
    func refuseUnlisted(_ name: String) throws -> CallTool.Result {
        guard let tool = withheld[name], let reason = withheldReason(name) else {
            throw MCPError.invalidParams("unknown tool '\(name.prefix(100))'")
        }
        // The same structured shape as every other refusal, so a host reads it without parsing text.
        let structured: Value = .object([
            "error": .string(reason), "tool": .string(tool.name), "toolset": .string(tool.toolset.rawValue),
            "safety_class": .string(tool.safety.rawValue), "allowed_up_to": .string(maxSafety.rawValue),
        ])
        return CallTool.Result(
            content: [.text(text: Self.noticed(reason, notice), annotations: nil, _meta: nil)],
            structuredContent: Optional(Self.noticed(structured, notice)), isError: true)
    }

    /// What a tool call may use of its session: a confirmation dialog, the host's model, log messages, progress.
    func callContext(_ state: SessionState, progressToken: ProgressToken?) async -> ToolContext {
        let (server, client, lasting) = (state.server, state.client, state.lasting)
        var context = baseContext()
        context.client = await client.name
        let canElicit = lasting ? await client.canElicit : false
        if confirmationMode != .token && canElicit {
            context.confirmer = ElicitationConfirmer(server: server, timeout: elicitationTimeout)
        }
        context.sampler = HostSampling.sampler(server, available: lasting ? await client.canSample : false)
        context.log = { [weak server] message in
            guard lasting, await client.logs(.info), let server else { return }
            try? await server.log(level: .info, logger: "argo-mcp", data: .string(message))
        }
        if let token = progressToken {
            context.progress = { [weak server] progress, total, message in
                let notification = ProgressNotification.message(
                    .init(progressToken: token, progress: progress, total: total, message: message))
                try? await server?.notify(notification)
            }
        }
        return context
    }

    /// Why a withheld tool is refused, with the settings that would allow it.
    public static func withheldReason(
        _ tool: String, safety: SafetyClass, allowed: SafetyClass, context: String? = nil
    ) -> String {
        if let context {
            // One context's policy: its own permissions block, never the environment (which is the top level's).
            var settings = ["readOnly: false", "allowMutations: true"]
            if safety == .destructive { settings.append("allowDestructive: true") }
            return
                "refused in context \(context): \(tool) is a \(safety.rawValue) tool and context \(context) allows only \(allowed.rawValue) tools; to offer it there, set contexts.\(context).permissions: {\(settings.joined(separator: ", "))} (a context pointed at a real Argo Server is read-only until they are set; a top-level permissions.readOnly: true, --read-only or ARGO_MCP_READ_ONLY=true keeps every context read-only)"
        }
        var settings = ["permissions.readOnly: false (ARGO_MCP_READ_ONLY=false)"]
        settings.append("permissions.allowMutations: true (ARGO_MCP_ALLOW_MUTATIONS=true)")
        if safety == .destructive {
            settings.append("permissions.allowDestructive: true (ARGO_MCP_ALLOW_DESTRUCTIVE=true)")
        }
        return
            "refused: \(tool) is a \(safety.rawValue) tool and this server allows only \(allowed.rawValue) tools; to offer it, set "
            + settings.joined(separator: ", ")
            + " (a server pointed at a real Argo Server is read-only until they are set)"
    }

    /// What a call came to, before it is framed as a tool result or as a resource's contents (neither carries the
    /// notice yet).
    enum Answer {
        /// The output within the cap.
        case output(ToolOutput)
        /// The error in words (within the cap), its structured form, and the error itself.
        case failure(message: String, structured: [String: Value], error: any Error)
    }

    /// Runs `tool` and puts what it came to in the words and within the bounds every answer has.
    static func answer(
        _ tool: ToolDefinition, _ arguments: [String: Value]?, context: ToolContext, logger: Logger,
        maxResultBytes: Int, notice: String?
    ) async -> Answer {
        let args = ToolArguments(arguments, tool: tool.name)
        let room = max(1024, maxResultBytes - (notice.map { $0.utf8.count + 1 } ?? 0))
        do {
            return .output(try await tool.run(args, context).capped(maxTextBytes: room))
        } catch {
            // An error quotes what it refused, and that can be anything a caller sent: the same cap as any answer.
            var described = describe(error, tool: tool, args: args)
            if let argo = error as? ArgoError, argo.kind == .notFound,
                let namespace = arguments?["namespace"]?.stringValue, !namespace.isEmpty,
                let hint = await context.namespaceHint?(namespace)
            {
                described += "; " + hint
            }
            let message = ToolOutput.cut(described, maxBytes: room)
            // The log gets the reason only: a refusal's preview carries a fresh confirmation token.
            let logged = (error as? MutationRefused).map { "refused: \($0.reason)" } ?? message
            logger.debug("tool call failed", metadata: ["tool": "\(tool.name)", "error": "\(logged)"])
            var structured: [String: Value] = ["error": .string(message), "tool": .string(tool.name)]
            if let refused = error as? MutationRefused, let preview = refused.preview,
                let value = try? JSONValueBridge.value(preview)
            {
                structured["preview"] = value
                structured["confirmation_token"] = preview.confirmationToken.map(Value.string) ?? .null
                structured["expires_at"] = preview.expiresAt.map(Value.string) ?? .null
            }
            return .failure(message: message, structured: structured, error: error)
        }
    }

    /// The revision the SDK's session speaks, for traces.
    static let handshakeRevision = "2025-11-25"

    /// One `tools/call`: the answer as a tool result, with the notice, in an `execute_tool` span (and its outcome
    /// on the request's span too).
    static func call(
        _ tool: ToolDefinition, _ arguments: [String: Value]?, context: ToolContext, logger: Logger,
        maxResultBytes: Int = defaultMaxResultBytes, notice: String? = nil
    ) async -> CallTool.Result {
        await withSpan("execute_tool \(tool.name)", ofKind: .internal) { span in
            span.attributes["gen_ai.operation.name"] = "execute_tool"
            span.attributes["gen_ai.tool.name"] = tool.name
            span.attributes["argo_mcp.safety_class"] = tool.safety.rawValue
            let result: CallTool.Result
            switch await answer(
                tool, arguments, context: context, logger: logger, maxResultBytes: maxResultBytes, notice: notice)
            {
            case .output(let output):
                result = CallTool.Result(
                    content: [.text(text: noticed(output.text, notice), annotations: nil, _meta: nil)],
                    structuredContent: Optional(noticed(output.structured, notice)), isError: false)
            case .failure(let message, let structured, _):
                result = CallTool.Result(
                    content: [.text(text: noticed(message, notice), annotations: nil, _meta: nil)],
                    structuredContent: Optional(noticed(Value.object(structured), notice)),
                    isError: true)
            }
            Traces.outcome(span, result)
            return result
        }
    }

    /// `text` with the notice as its last line, when there is one: the answer (or the error) comes first, so a
    /// host that shows one line shows it, and the notice is still in every result.
    static func noticed(_ text: String, _ notice: String?) -> String {
        guard let notice else { return text }
        return text + "\n" + notice
    }

    /// Structured content with the notice under `simulator`, when there is one and the content is an object.
    static func noticed(_ structured: Value, _ notice: String?) -> Value {
        guard let notice, case .object(var object) = structured else { return structured }
        object["simulator"] = .string(notice)
        return .object(object)
    }

    /// One sentence that names the cause and, where known, the fix.
    static func describe(_ error: any Error, tool: ToolDefinition, args: ToolArguments) -> String {
        switch error {
        case let invalid as InvalidArguments:
            return "\(tool.name): invalid arguments — " + invalid.summary
        case let argo as ArgoError:
            return "failed to \(tool.describe(args)): \(argo.description)"
        case let failure as ReadFailure:
            return "failed to \(tool.describe(args)): \(failure.message)"
        case let denied as PolicyDenied:
            return "refused to \(tool.describe(args)): \(denied.reason)"
        case let refused as MutationRefused:
            var text = "refused to \(tool.describe(args)): \(refused.reason)"
            if let preview = refused.preview { text += "\n" + Render.preview(preview) }
            return text
        case is CancellationError:
            return "\(tool.name) was cancelled"
        default:
            return "failed to \(tool.describe(args)): \(error)"
        }
    }
}

/// Calls per tool and outcome, and their latency (swift-metrics; exported as Prometheus metrics over HTTP). Only
/// the catalog's tool names become labels, so a caller cannot grow the label set.
enum ToolMetrics {
    static func record(_ tool: String, failed: Bool, since started: ContinuousClock.Instant) {
        Counter(
            label: "argo_mcp_tool_calls_total", dimensions: [("tool", tool), ("outcome", failed ? "error" : "ok")]
        ).increment()
        Metrics.Timer(label: "argo_mcp_tool_call_duration_seconds", dimensions: [("tool", tool)])
            .record(duration: ContinuousClock.now - started)
    }
}
