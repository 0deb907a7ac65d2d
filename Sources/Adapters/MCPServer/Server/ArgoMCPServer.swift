import BoundedYAML
import Domain
import Foundation
import Logging
import MCP
import Ports

/// The MCP face of argo-mcp: one tool registry, filtered by the configured safety ceiling, served over a transport.
/// Each feature registers its own handlers: tools (`ArgoMCPServer+Tools.swift`), resources and completions
/// (`+Resources`), prompts and logging (`+Prompts`).
public struct ArgoMCPServer: Sendable {
    /// Every tool argo-mcp has, offered or not.
    let catalog: [ToolDefinition]
    /// The tools offered: within the safety ceiling and the selection, in catalog order.
    public private(set) var tools: [ToolDefinition] = []
    /// The toolsets and tools the configuration offers (and a request narrowed).
    public private(set) var selection: ToolSelection
    /// The ceiling the policy sets; a request that asks for read-only lowers `maxSafety` below it.
    var policyCeiling: SafetyClass
    public let version: String
    let logger: Logger
    /// How destructive calls are confirmed (elicitation needs the host's capability; tokens always work).
    let confirmationMode: ConfirmationMode
    /// How long the user has to answer an elicitation before the call falls back to a token.
    let elicitationTimeout: Duration
    /// Names the namespaces that hold something when an answer found nothing in another one.
    let namespaceHint: (@Sendable (String) async -> String?)?
    /// The listed tools by name and former names, and as `tools/list` gives them (made once, not per session or
    /// request).
    private(set) var byName: [String: ToolDefinition] = [:]
    private(set) var listed: [Tool] = []
    /// `listed` as a client with the MCP Apps extension gets it: the tools that show a workflow link to the view.
    private(set) var listedWithView: [Tool] = []
    /// Tools kept out of `tools/list` (by the policy, the toolsets, a request's narrowing), by name and former
    /// names: refused with the reason if called anyway.
    public private(set) var withheld: [String: ToolDefinition] = [:]
    /// The most far-reaching class of tool this server offers.
    public internal(set) var maxSafety: SafetyClass
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
    var notice: String?
    /// The largest manifest argument read (YAML or JSON text).
    let maxManifestBytes: Int
    /// Who this server serves (`bearer:alice`), for traces; nil over stdio or without authentication.
    let caller: String?
    /// The context this server serves (`contexts.NAME`), when argo-mcp serves several Argo Servers.
    public internal(set) var contextName: String?
    /// With several Argo Servers: each context's server, which this front sends requests to.
    public internal(set) var routes: ContextRoutes?
    /// The server as the configuration is now, when it can be reloaded: every request of a session made from
    /// this server is served by what this returns (its tools, policy and rules), so a reload applies to open
    /// sessions without dropping them.
    var follow: (@Sendable () -> ArgoMCPServer)?

    /// The server a request is served by: the current one when it follows a reloadable configuration.
    var current: ArgoMCPServer { follow?() ?? self }

    /// This server, serving each request of its sessions with what `source` returns then.
    public func following(_ source: @escaping @Sendable () -> ArgoMCPServer) -> ArgoMCPServer {
        var copy = self
        copy.follow = source
        return copy
    }
    public static let defaultMaxManifestBytes = 1 << 20

    /// - Parameters:
    ///   - tools: every tool argo-mcp has (see ``ToolCatalog``).
    ///   - maxSafety: tools above this class are not listed and are refused if called.
    ///   - confirmationMode: how destructive calls are confirmed.
    ///   - elicitationTimeout: how long a confirmation dialog waits for the user.
    ///   - prompts: the MCP prompts offered.
    ///   - maxResultBytes: the cap on a result's text (and four times it on its structured content).
    ///   - maxManifestBytes: the largest manifest argument read.
    ///   - notice: the simulator's notice, when it serves demo data.
    ///   - resources: the `argo://` resources, when offered.
    ///   - namespaceHint: names the namespaces that hold something, for an answer that found nothing.
    public init(
        tools: [ToolDefinition], maxSafety: SafetyClass, version: String, logger: Logger,
        confirmationMode: ConfirmationMode = .auto, elicitationTimeout: Duration = .seconds(300),
        prompts: [PromptDefinition] = [], maxResultBytes: Int = ArgoMCPServer.defaultMaxResultBytes,
        maxManifestBytes: Int = ArgoMCPServer.defaultMaxManifestBytes, notice: String? = nil,
        resources: ArgoResources? = nil, namespaceHint: (@Sendable (String) async -> String?)? = nil,
        selection: ToolSelection = .all, caller: String? = nil, contextName: String? = nil
    ) {
        self.caller = caller
        self.contextName = contextName
        self.resources = resources
        self.namespaceHint = namespaceHint
        self.notice = notice
        self.maxManifestBytes = maxManifestBytes
        self.prompts = prompts
        self.maxResultBytes = maxResultBytes
        self.confirmationMode = confirmationMode
        self.elicitationTimeout = elicitationTimeout
        self.catalog = tools
        self.selection = selection
        self.policyCeiling = maxSafety
        self.maxSafety = maxSafety
        self.version = version
        self.logger = logger
        offer()
    }

    /// The tool whose reads a prompt makes: the prompt is offered only with it.
    static let promptTools = [
        "why_did_this_fail": "analyze_failure", "triage_failures": "list_workflows",
        "draft_workflow": "list_workflow_templates",
    ]

    /// The prompts offered: those whose tool is offered.
    var offeredPrompts: [PromptDefinition] {
        prompts.filter { Self.promptTools[$0.prompt.name].map { byName[$0] != nil } ?? true }
    }

    /// Why a resource read is refused: the tool that reads the same is not offered (the toolsets, a request's
    /// narrowing or the policy keep it out); nil when it may be read.
    func resourceRefusal(_ uri: String) -> String? {
        guard let tool = ArgoResources.equivalentTool(uri), byName[tool] == nil else { return nil }
        return "\(uri.prefix(200)) is read as \(tool) reads it, and "
            + (withheldReason(tool) ?? "\(tool) is not offered")
    }

    /// Whether a completion may be offered: for a resource template, the tool that reads the same is offered; for
    /// a prompt's argument, the prompt is. (Completions name namespaces and workflows.)
    func completes(_ reference: CompletionReference) -> Bool {
        switch reference {
        case .resource(let ref): resourceRefusal(ref.uri) == nil
        case .prompt(let ref): offeredPrompts.contains { $0.prompt.name == ref.name }
        }
    }

    /// No values: what a completion the caller may not have answers.
    static let noCompletion = Complete.Result(completion: .init(values: [], total: 0, hasMore: false))

    /// Whether the workflow view can be offered: the view draws through `render_workflow_graph` and is read as a
    /// resource, so both must be offered (toolsets, a request's narrowing and the policy decide the tool).
    var offersView: Bool { resources != nil && byName["render_workflow_graph"] != nil }

    /// Works out what is offered from the catalog, the ceiling and the selection.
    mutating func offer() {
        let (routes, maxSafety, selection) = (self.routes, self.maxSafety, self.selection)
        // With contexts: what some context offers (each context applies its own ceiling and the selection).
        func offers(_ tool: ToolDefinition) -> Bool {
            guard let routes else { return tool.safety <= maxSafety && selection.includes(tool) }
            return routes.names.contains { routes.servers[$0]?.byName[tool.name] != nil }
        }
        tools = catalog.filter(offers)
        listed = routes == nil ? tools.map(\.mcpTool) : tools.map { contextual($0) }
        byName = [:]
        withheld = [:]
        for tool in catalog {
            let offered = offers(tool)
            for name in [tool.name] + tool.aliases {
                if offered { byName[name] = tool } else { withheld[name] = tool }
            }
        }
        listedWithView = offersView ? AppsExtension.linked(listed) : listed
    }

    /// This server as one request sees it: only the toolsets and tools it names, only reads if it asks for that.
    /// Never more than the server offers.
    public func narrowed(_ narrowing: ToolNarrowing) -> ArgoMCPServer {
        guard !narrowing.isNone else { return self }
        var narrowed = self
        narrowed.selection = selection.narrowed(by: narrowing)
        narrowed.maxSafety = narrowing.readOnly ? .readOnly : policyCeiling
        narrowed.routes?.servers = routes?.servers.mapValues { $0.narrowed(narrowing) } ?? [:]
        narrowed.offer()
        return narrowed
    }

    /// Every tool's safety class, by name and former names (for fair use's mutation limit).
    public var catalogSafety: [String: SafetyClass] {
        var out: [String: SafetyClass] = [:]
        for tool in catalog { for name in [tool.name] + tool.aliases { out[name] = tool.safety } }
        return out
    }

    /// Why a request's narrowing names something argo-mcp does not have (with the nearest name), or nil.
    public func check(_ narrowing: ToolNarrowing) -> NarrowingError? {
        let toolsets = Toolset.allCases.map(\.rawValue)
        for name in narrowing.toolsets ?? [] where !toolsets.contains(name) {
            var message =
                "\(ToolNarrowing.toolsetsHeader): '\(name.prefix(60))' is not a toolset (\(toolsets.joined(separator: ", ")))"
            if let near = Text.nearest(name, in: toolsets) { message += "; did you mean '\(near)'?" }
            return NarrowingError(message)
        }
        let names = catalog.flatMap { [$0.name] + $0.aliases }
        for name in narrowing.tools ?? [] where !names.contains(name) {
            var message = "\(ToolNarrowing.toolsHeader): '\(name.prefix(60))' is not a tool name"
            if let near = Text.nearest(name, in: names) { message += "; did you mean '\(near)'?" }
            return NarrowingError(message)
        }
        return nil
    }

    /// Why `name` is not offered, with what would offer it; nil for a name argo-mcp does not have.
    public func withheldReason(_ name: String) -> String? {
        guard let tool = withheld[name] else { return nil }
        if routes != nil { return frontWithheldReason(tool.name) }
        let called = name == tool.name ? tool.name : "\(name) (now \(tool.name))"
        if tool.safety > policyCeiling {
            var reason = Self.withheldReason(
                called, safety: tool.safety, allowed: policyCeiling, context: contextName)
            if let excluded = selection.exclusion(tool) { reason += "; besides, " + excluded }
            return reason
        }
        if tool.safety > maxSafety {
            return
                "refused: \(called) is a \(tool.safety.rawValue) tool and this request asked for read-only tools (\(ToolNarrowing.readOnlyHeader): true)"
        }
        return "refused: \(called) is not offered: " + (selection.exclusion(tool) ?? "it is not offered")
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

    /// What the handlers of one session share.
    struct SessionState: Sendable {
        let server: Server
        let inFlight: InFlight
        let client: ClientSession
        let subscriptions: ResourceSubscriptions
        /// The scope is a whole session (not a single request).
        let lasting: Bool
    }

    /// Starts serving one session over `transport` (with `.singleRequest`, a session of one request).
    public func start(transport: any Transport, inFlight: InFlight = InFlight(), scope: Scope = .session)
        async throws -> Session
    {
        let state = SessionState(
            server: makeServer(lasting: scope == .session), inFlight: inFlight, client: ClientSession(),
            subscriptions: ResourceSubscriptions(), lasting: scope == .session)
        await registerTools(state)
        await registerPrompts(state)
        await registerLogging(state)
        if let resources { await registerResources(resources, state) }
        let client = state.client
        // With `argo://` resources, the view can be read: a client that declares the Apps extension is offered it.
        // Not within a single request (stateless HTTP): the `tools/list` that would link the view is another
        // request, which knows nothing of this one's `initialize`, so the extension is not declared either.
        let negotiated: any Transport =
            !offersView || scope == .singleRequest
            ? transport : await AppsNegotiation(base: transport, client: client)
        try await state.server.start(transport: negotiated) { info, capabilities in
            await client.set(
                info.name, canElicit: capabilities.elicitation != nil, canSample: capabilities.sampling != nil)
        }
        return Session(server: state.server, subscriptions: state.subscriptions)
    }

    /// The SDK server with argo-mcp's name, instructions and capabilities.
    func makeServer(lasting: Bool) -> Server {
        Server(
            name: "argo-mcp",
            version: version,
            title: simulatedContexts.isEmpty || (routes != nil && simulatedContexts.count < (routes?.names.count ?? 0))
                ? "Argo Workflows" : "Argo Workflows (SIMULATOR: demo data, not a real Argo server)",
            instructions: instructions,
            capabilities: .init(
                completions: resources == nil ? nil : .init(),
                logging: lasting ? .init() : nil, prompts: .init(listChanged: false),
                resources: resources == nil ? nil : .init(subscribe: lasting, listChanged: false),
                tools: .init(listChanged: false))
        )
    }

    /// What the server tells a client first (`initialize`, `server/discover`): the simulator's notice, then how
    /// to begin.
    var instructions: String {
        (notice.map { $0 + " (no ARGO_SERVER is configured, or --simulator was given)\n\n" } ?? "")
            + contextInstructions
                + """
                Read and diagnose Argo Workflows. Start with list_workflows, then get_workflow for one run (its summary \
                lists failed nodes with pod names), then get_workflow_logs for a node. Results are compact; follow \
                'continue' tokens and include/fields options for more.
                """
    }

    /// The context a call runs in: the hint, the manifest limits; a tool call adds what its session offers.
    func baseContext() -> ToolContext {
        var context = ToolContext()
        context.namespaceHint = namespaceHint
        context.argoContext = contextName
        context.manifestLimits = YAMLLimits(maxBytes: maxManifestBytes)
        return context
    }
}
