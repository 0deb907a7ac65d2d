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
    public let tools: [ToolDefinition]
    public let version: String
    let logger: Logger
    /// How destructive calls are confirmed (elicitation needs the host's capability; tokens always work).
    let confirmationMode: ConfirmationMode
    /// How long the user has to answer an elicitation before the call falls back to a token.
    let elicitationTimeout: Duration
    /// Names the namespaces that hold something when an answer found nothing in another one.
    let namespaceHint: (@Sendable (String) async -> String?)?
    /// The listed tools by name, and as `tools/list` gives them (made once, not per session or request).
    let byName: [String: ToolDefinition]
    let listed: [Tool]
    /// Tools the policy keeps out of `tools/list`, refused with a reason if called anyway.
    public let withheld: [String: SafetyClass]
    /// The most far-reaching class of tool this server offers.
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
        try await state.server.start(transport: transport) { info, capabilities in
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
            title: notice == nil ? "Argo Workflows" : "Argo Workflows (SIMULATOR: demo data, not a real Argo server)",
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
        context.manifestLimits = YAMLLimits(maxBytes: maxManifestBytes)
        return context
    }
}
