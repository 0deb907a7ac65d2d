import BoundedYAML
import Domain
import Foundation
import Logging
import MCP
import Metrics
import Ports

/// The MCP face of argo-mcp: one tool registry, filtered by the configured safety ceiling, served over a transport.
public struct ArgoMCPServer: Sendable {
    public let tools: [ToolDefinition]
    public let version: String
    let logger: Logger

    /// - Parameters:
    ///   - tools: every tool argo-mcp has (see ``ToolCatalog``).
    ///   - maxSafety: tools above this class are not listed and are refused if called.
    /// How destructive calls are confirmed (elicitation needs the host's capability; tokens always work).
    let confirmationMode: ConfirmationMode
    /// How long the user has to answer an elicitation before the call falls back to a token.
    let elicitationTimeout: Duration

    public init(
        tools: [ToolDefinition], maxSafety: SafetyClass, version: String, logger: Logger,
        confirmationMode: ConfirmationMode = .auto, elicitationTimeout: Duration = .seconds(300),
        prompts: [PromptDefinition] = [], maxResultBytes: Int = ArgoMCPServer.defaultMaxResultBytes,
        maxManifestBytes: Int = ArgoMCPServer.defaultMaxManifestBytes, notice: String? = nil,
        resources: ArgoResources? = nil, namespaceHint: (@Sendable (String) async -> String?)? = nil
    ) {
        self.resources = resources
        self.namespaceHint = namespaceHint
        self.notice = notice
        self.maxManifestBytes = maxManifestBytes
        self.prompts = prompts
        self.maxResultBytes = maxResultBytes
        self.confirmationMode = confirmationMode
        self.elicitationTimeout = elicitationTimeout
        self.tools = tools.filter { $0.safety <= maxSafety }
        self.byName = Dictionary(uniqueKeysWithValues: self.tools.map { ($0.name, $0) })
        self.listed = self.tools.map(\.mcpTool)
        self.withheld = Dictionary(
            uniqueKeysWithValues: tools.filter { $0.safety > maxSafety }.map { ($0.name, $0.safety) })
        self.maxSafety = maxSafety
        self.version = version
        self.logger = logger
    }

    /// Names the namespaces that hold something when an answer found nothing in another one.
    let namespaceHint: (@Sendable (String) async -> String?)?

    /// The listed tools by name, and as `tools/list` gives them (made once, not per session or request).
    let byName: [String: ToolDefinition]
    let listed: [Tool]
    /// Tools the policy keeps out of `tools/list`, refused with a reason if called anyway.
    public let withheld: [String: SafetyClass]

    /// Why a withheld tool is refused, with the settings that would allow it.
    public static func withheldReason(_ tool: String, safety: SafetyClass, allowed: SafetyClass) -> String {
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
    public let maxSafety: SafetyClass
    /// The MCP prompts offered.
    let prompts: [PromptDefinition]
    /// The `argo://` resources, when offered.
    let resources: ArgoResources?
    /// The hard cap on a tool result's text (structured content: four times this).
    let maxResultBytes: Int
    public static let defaultMaxResultBytes = 65_536
    /// Said first in the instructions, in the title, on the last line of every tool result and under `simulator`
    /// in its structured content (the simulator's "demo data, not a real Argo" notice), so neither a model nor its
    /// user can take fake data for real.
    let notice: String?
    /// The largest manifest argument read (YAML or JSON text).
    let maxManifestBytes: Int
    public static let defaultMaxManifestBytes = 1 << 20

    /// Serves until the transport's input ends, then lets calls already under way answer before returning.
    /// `flush`, when given, waits until the transport has written those answers (a transport that writes from
    /// a queue of its own, like stdio's, knows when that is).
    public func run(transport: any Transport, flush: (@Sendable () async -> Void)? = nil) async throws {
        let inFlight = InFlight()
        let session = try await start(transport: transport, inFlight: inFlight)
        await session.server.waitUntilCompleted()
        // The SDK handles each request in a task of its own; give the ones read before end of input time to reply.
        try? await Task.sleep(for: .milliseconds(50))
        await inFlight.drained(timeout: .seconds(30))
        if let flush {
            await flush()
        } else {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await session.stop()
    }

    /// One MCP session: the SDK server and what runs for it on its own (resource subscriptions).
    public struct Session: Sendable {
        public let server: Server
        let subscriptions: ResourceSubscriptions

        /// Ends the session: its subscriptions' streams, then the server.
        public func stop() async {
            await subscriptions.cancelAll()
            await server.stop()
        }
    }

    /// How long what a client said lasts: a whole session (stdio, stateful HTTP), or one request (stateless HTTP,
    /// where the next request may reach another replica). A single request is offered nothing that needs the
    /// server to remember the client or to ask it something later: no elicitation (confirmation by token), no
    /// sampling, no resource subscriptions, no log level.
    public enum Scope: Sendable {
        case session
        case singleRequest
    }

    /// Starts serving one session over `transport` (with `.singleRequest`, a session of one request).
    public func start(transport: any Transport, inFlight: InFlight = InFlight(), scope: Scope = .session)
        async throws -> Session
    {
        let session = scope == .session
        let server = Server(
            name: "argo-mcp",
            version: version,
            title: notice == nil ? "Argo Workflows" : "Argo Workflows (SIMULATOR: demo data, not a real Argo server)",
            instructions: (notice.map { $0 + " (no ARGO_SERVER is configured, or --simulator was given)\n\n" } ?? "")
                + """
                Read and diagnose Argo Workflows. Start with list_workflows, then get_workflow for one run (its summary \
                lists failed nodes with pod names), then get_workflow_logs for a node. Results are compact; follow \
                'continue' tokens and include/fields options for more.
                """,
            capabilities: .init(
                completions: resources == nil ? nil : .init(),
                logging: session ? .init() : nil, prompts: .init(listChanged: false),
                resources: resources == nil ? nil : .init(subscribe: session, listChanged: false),
                tools: .init(listChanged: false))
        )
        let byName = self.byName
        let listed = self.listed
        let logger = self.logger
        let withheld = self.withheld
        let maxSafety = self.maxSafety
        let confirmationMode = self.confirmationMode
        let elicitationTimeout = self.elicitationTimeout
        let maxResultBytes = self.maxResultBytes
        let manifestLimits = YAMLLimits(maxBytes: maxManifestBytes)
        let notice = self.notice
        let client = ClientSession()
        let prompts = self.prompts
        let subscriptions = ResourceSubscriptions()
        await server.withMethodHandler(ListTools.self) { _ in
            await inFlight.begin()
            let result = ListTools.Result(tools: listed)
            await inFlight.end()
            return result
        }
        await server.withMethodHandler(CallTool.self) { params in
            guard let tool = byName[params.name] else {
                if let safety = withheld[params.name] {
                    let reason = Self.withheldReason(params.name, safety: safety, allowed: maxSafety)
                    // The same structured shape as every other refusal, so a host reads it without parsing text.
                    let structured: Value = .object([
                        "error": .string(reason), "tool": .string(params.name),
                        "safety_class": .string(safety.rawValue), "allowed_up_to": .string(maxSafety.rawValue),
                    ])
                    return CallTool.Result(
                        content: [.text(text: Self.noticed(reason, notice), annotations: nil, _meta: nil)],
                        structuredContent: Optional(Self.noticed(structured, notice)), isError: true)
                }
                throw MCPError.invalidParams("unknown tool '\(params.name)'")
            }
            await inFlight.begin()
            let canElicit = session ? await client.canElicit : false
            let confirmer: (any Confirmer)? =
                confirmationMode != .token && canElicit
                ? ElicitationConfirmer(server: server, timeout: elicitationTimeout) : nil
            let sampler = Self.sampler(server, available: session ? await client.canSample : false)
            let log: @Sendable (String) async -> Void = { [weak server] message in
                guard session, await client.logs(.info), let server else { return }
                try? await server.log(level: .info, logger: "argo-mcp", data: .string(message))
            }
            var context = ToolContext(client: await client.name, confirmer: confirmer, sampler: sampler, log: log)
            context.namespaceHint = namespaceHint
            context.manifestLimits = manifestLimits
            if let token = params._meta?.progressToken {
                context.progress = {
                    [weak server] progress, total, message in
                    let notification = ProgressNotification.message(
                        .init(progressToken: token, progress: progress, total: total, message: message))
                    try? await server?.notify(notification)
                }
            }
            let started = ContinuousClock.now
            let result = await Self.call(
                tool, params.arguments, context: context, logger: logger, maxResultBytes: maxResultBytes,
                notice: notice)
            ToolMetrics.record(tool.name, failed: result.isError == true, since: started)
            await inFlight.end()
            return result
        }
        if session {
            await server.withMethodHandler(SetLoggingLevel.self) { params in
                await client.setLogLevel(params.level)
                return Empty()
            }
        }
        await server.withMethodHandler(ListPrompts.self) { _ in ListPrompts.Result(prompts: prompts.map(\.prompt)) }
        if let resources = self.resources {
            await server.withMethodHandler(ListResourceTemplates.self) { _ in
                ListResourceTemplates.Result(templates: ArgoResources.templates)
            }
            await server.withMethodHandler(ListResources.self) { params in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                return try await resources.list(cursor: params.cursor)
            }
            await server.withMethodHandler(ResourceSubscribe.self) { [weak server] params in
                guard session else {
                    throw MCPError.invalidRequest(
                        "resources/subscribe needs a session, and this server keeps none (http.sessions: stateless, for replicas behind a balancer): read the resource again, or call watch_workflow, which streams progress in its own answer"
                    )
                }
                let notify: @Sendable (String) async -> Void = { [weak server] uri in
                    try? await server?.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
                }
                try await subscriptions.subscribe(params.uri, resources: resources, notify: notify)
                return Empty()
            }
            await server.withMethodHandler(ResourceUnsubscribe.self) { params in
                await subscriptions.unsubscribe(params.uri)
                return Empty()
            }
            let completions = ArgoCompletions(resources.useCases)
            await server.withMethodHandler(Complete.self) { params in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                return try await completions.complete(params)
            }
            await server.withMethodHandler(ReadResource.self) { params in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                return try await resources.read(params.uri)
            }
        }
        await server.withMethodHandler(GetPrompt.self) { params in
            guard let prompt = prompts.first(where: { $0.prompt.name == params.name }) else {
                throw MCPError.invalidParams("unknown prompt '\(params.name)'")
            }
            await inFlight.begin()
            defer { Task { await inFlight.end() } }
            return try await prompt.get(params.arguments ?? [:])
        }
        try await server.start(transport: transport) { info, capabilities in
            await client.set(
                info.name, canElicit: capabilities.elicitation != nil, canSample: capabilities.sampling != nil)
        }
        return Session(server: server, subscriptions: subscriptions)
    }

    static func sampler(_ server: Server, available: Bool) -> (@Sendable (String, String, Int) async throws -> String)?
    {
        guard available else { return nil }
        return { system, text, maxTokens in
            try await sample(server, system: system, text: text, maxTokens: maxTokens)
        }
    }

    /// One answer of the host's model, or an error after `timeout`.
    static func sample(
        _ server: Server, system: String, text: String, maxTokens: Int, timeout: Duration = .seconds(120)
    )
        async throws -> String
    {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                let result = try await server.requestSampling(
                    messages: [.user(.single(.text(text)))], systemPrompt: system,
                    includeContext: Sampling.ContextInclusion.none,
                    temperature: 0.2, maxTokens: maxTokens)
                switch result.content {
                case .single(.text(let t)): return t
                case .multiple(let blocks):
                    return blocks.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined(separator: "\n")
                default: return ""
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SamplingTimedOut(timeout: timeout)
            }
            let first = try await group.next() ?? ""
            group.cancelAll()
            return first
        }
    }

    static func call(
        _ tool: ToolDefinition, _ arguments: [String: Value]?, context: ToolContext, logger: Logger,
        maxResultBytes: Int = defaultMaxResultBytes, notice: String? = nil
    ) async -> CallTool.Result {
        let args = ToolArguments(arguments, tool: tool.name)
        let room = max(1024, maxResultBytes - (notice.map { $0.utf8.count + 1 } ?? 0))
        do {
            let output = try await tool.run(args, context).capped(maxTextBytes: room)
            return CallTool.Result(
                content: [.text(text: noticed(output.text, notice), annotations: nil, _meta: nil)],
                structuredContent: Optional(noticed(output.structured, notice)), isError: false)
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
            return CallTool.Result(
                content: [.text(text: noticed(message, notice), annotations: nil, _meta: nil)],
                structuredContent: Optional(noticed(Value.object(structured), notice)),
                isError: true)
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

/// The host's model did not answer a sampling request in time.
struct SamplingTimedOut: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(timeout)" }
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
