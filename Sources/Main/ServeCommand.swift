import ArgoHTTP
import ArgoSimulator
import ArgumentParser
import ArtifactArchive
import Domain
import FileAudit
import Foundation
import Hooks
import Logging
import MCPHTTP
import MCPServer
import MCPStdio
import Metrics
import Ports
import Prometheus
import ServiceLifecycle
import Synchronization

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the MCP server on stdio (against ARGO_SERVER, or the built-in simulator when none is configured).")

    @OptionGroup var common: CommonOptions
    @OptionGroup(title: "Argo server and permissions") var options: ServeOptions
    @OptionGroup(title: "Simulator options (used when no Argo server is configured)")
    var simulatorOptions: SimulatorOptions
    @Flag(help: "Use the built-in simulator even when an Argo server is configured.")
    var simulator = false
    @Option(
        name: .customLong("http"),
        help: """
            Serve MCP Streamable HTTP at http://ADDRESS/mcp instead of stdio, e.g. 127.0.0.1:8080 (port 0 picks a \
            free one and prints the URL). Loopback addresses only, unless auth.mode is bearer or oidc.
            """)
    var http: String?

    /// What the flags and `environment` configure.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var s = try common.settings(environment: environment)
        try options.apply(to: &s)
        simulatorOptions.apply(to: &s)
        return s
    }

    func run() async throws {
        let settings: Settings
        do {
            var s = try self.settings()
            if let http { s.httpListen = http }
            if let listen = s.httpListen {
                _ = try Self.listenAddress(listen, authenticated: s.auth.authenticates)
                _ = try s.auth.authentication(logger: Logger(label: "argo-mcp") { _ in SwiftLogNoOpLogHandler() })
            }
            settings = s
        } catch {
            FileHandle.standardError.write(Data("argo-mcp: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = bootstrapLogging(level: settings.logLevel)
        do {
            // Before anything makes an HTTP client: the Argo client's spans use the tracer set here.
            let telemetry = try Telemetry.start(
                version: argoMCPVersion, logger: logger, environment: ProcessInfo.processInfo.environment)
            let stores = try Stores(settings, logger: logger)
            try await stores.running(logger: logger) {
                try await serveBackend(settings, stores: stores, logger: logger, telemetry: telemetry)
            }
        } catch let error as ConfigError {
            logger.error("configuration error", metadata: ["reason": "\(error.description)"])
            throw ExitCode(2)
        } catch let error as SimulatorError {
            logger.error("simulator setup failed", metadata: ["reason": "\(error.description)"])
            throw ExitCode(2)
        }
    }

    /// Serves against the configured Argo Server, or the built-in simulator.
    func serveBackend(_ settings: Settings, stores: Stores, logger: Logger, telemetry: (any Service)? = nil)
        async throws
    {
        if let plan = try settings.contextPlan() {
            guard !simulator else {
                throw ConfigError(
                    "--simulator and contexts: with contexts, each context says whether it is simulated (contexts.NAME.simulator.enabled: true)"
                )
            }
            try await serveContexts(plan, settings, stores: stores, logger: logger, telemetry: telemetry)
            return
        }
        if !simulator, let connection = try settings.connection() {
            logger.info(
                "serving against Argo",
                metadata: [
                    "server": "\(connection.baseURL.absoluteString)", "tls": "\(connection.tlsMode)",
                    "auth": "\(connection.authKind)",
                ])
            let policy = try settings.policy(simulator: false)
            for warning in settings.permissionWarnings(simulator: false) {
                logger.warning("permission settings contradict each other", metadata: ["detail": "\(warning)"])
            }
            try await ArgoHTTPGateway.with(connection, logger: logger) { gateway in
                let servers = try makeServers(
                    gateway: gateway, settings: settings, policy: policy, logger: logger, stores: stores)
                let rebuild: Rebuild = { next in
                    try Self.refuseNewContexts(next)
                    return try makeServers(
                        gateway: gateway, settings: next, policy: try next.policy(simulator: false), logger: logger,
                        stores: stores)
                }
                try await serve(
                    servers, settings: settings, logger: logger, telemetry: telemetry, rebuild: rebuild,
                    audit: stores.audit
                ) {
                    do {
                        _ = try await gateway.version()
                    } catch {
                        logger.warning("not ready: the Argo Server does not answer", metadata: ["error": "\(error)"])
                        return (false, "the Argo Server does not answer")
                    }
                    return await stores.ready("the Argo Server answers", logger: logger)
                }
            }
        } else {
            for warning in settings.permissionWarnings(simulator: true) {
                logger.warning("permission settings contradict each other", metadata: ["detail": "\(warning)"])
            }
            let composed = try await simulatorServer(settings, logger: logger, stores: stores)
            let count = await composed.simulator.workflowCount
            logger.info("serving against the built-in simulator", metadata: ["workflows": "\(count)"])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await composed.simulator.runEvolutions(tick: composed.tick) }
                let simulator = composed.simulator
                let rebuild: Rebuild = { next in
                    try Self.refuseNewContexts(next)
                    return try makeServers(
                        gateway: SimulatedArgoGateway(simulator: simulator), settings: next,
                        policy: try next.policy(simulator: true), logger: logger, simulator: true, stores: stores)
                }
                try await serve(
                    composed.servers, settings: settings, logger: logger, telemetry: telemetry, rebuild: rebuild,
                    audit: stores.audit
                ) {
                    await stores.ready("the built-in simulator", logger: logger)
                }
                group.cancelAll()
            }
        }
    }

    /// A reload cannot turn one Argo Server into several: that needs a restart.
    static func refuseNewContexts(_ next: Settings) throws {
        guard next.contexts.isEmpty && !next.contextsGiven else {
            throw ConfigError("contexts were added; serving several Argo Servers needs a restart")
        }
    }

    /// Said when the data is the simulator's: first in the instructions, last in every tool result's text, and
    /// under `simulator` in its structured content.
    static let simulatorNotice =
        "[SIMULATOR] Demo data from argo-mcp's built-in simulator, not a real Argo server; nothing here touches a cluster."

    /// The notice of one simulated context among several: it names the context, as other contexts' data is real.
    static func simulatorNotice(context: String?) -> String {
        guard let context else { return simulatorNotice }
        return
            "[SIMULATOR] Context \(context) is argo-mcp's built-in simulator: its data is demo data, not a real Argo server's, and nothing done in \(context) touches a cluster."
    }

    /// The MCP server over `gateway` as `settings` configure it, for one caller (nil: stdio, or HTTP without
    /// authentication): the use cases, the tool catalog and the policy. The audit sink, the token store and the
    /// notifier are made here once and shared by every caller's server; what differs per caller is its name in
    /// audit records and tokens, and its namespace rules.
    func makeServers(
        gateway: any ArgoGateway, settings: Settings, policy: Policy, logger: Logger, simulator: Bool = false,
        stores: Stores? = nil
    ) throws -> @Sendable (Caller?) -> ArgoMCPServer {
        let stores = try stores ?? Stores(settings, logger: logger)
        let made = try ContextServers(
            gateway: gateway, settings: settings, policy: policy, logger: logger, simulator: simulator, stores: stores)
        return { caller in made.server(made.useCases(caller), caller: caller) }
    }
}

/// One Argo Server's use cases and MCP server, for any caller: what `settings` configure over `gateway`, made
/// once (the audit sink, the token store and the notifier are shared by every caller's server); what differs per
/// caller is its name in audit records and tokens, and its namespace rules. With several Argo Servers there is
/// one of these per context.
struct ContextServers: Sendable {
    let gateway: any ArgoGateway
    let policy: Domain.Policy
    let logger: Logger
    let simulator: Bool
    let stores: Stores
    let notifier: (any CompletionNotifier)?
    let callerRules: CallerNamespaceRules
    let namespace: String
    let maxResultBytes: Int
    let maxManifestBytes: Int
    let seal: CursorSeal
    let selection: ToolSelection
    /// The context's name and description, with several Argo Servers.
    let context: String?
    let description: String?

    init(
        gateway: any ArgoGateway, settings: Settings, policy: Domain.Policy, logger: Logger, simulator: Bool,
        stores: Stores, context: String? = nil
    ) throws {
        var policy = policy
        policy.context = context
        self.gateway = gateway
        self.policy = policy
        self.logger = logger
        self.simulator = simulator
        self.stores = stores
        self.context = context
        self.description = settings.contextDescription
        notifier = try settings.notifier()
        callerRules = settings.auth.callerRules
        namespace = settings.namespace
        maxResultBytes = settings.maxResultBytes
        maxManifestBytes = settings.maxManifestBytes
        seal = settings.cursorSeal()
        var metadata: Logger.Metadata = ["policy": "\(policy.summary)", "audit": "\(stores.description)"]
        if let context { metadata["context"] = "\(context)" }
        logger.info("policy", metadata: metadata)
        // Every tool of the catalog, also those the policy withholds (a confirmation rule may name them).
        let catalog = ToolCatalog.all(
            UseCases(
                gateway: gateway, defaultNamespace: namespace, unpacker: ArchiveUnpacker(), policy: policy,
                audit: stores.audit))
        try Settings.checkConfirmationRequire(policy, tools: catalog.map(\.name))
        let selection = try settings.toolSelection(catalog: catalog)
        self.selection = selection
        let offered = catalog.filter { $0.safety <= policy.ceiling && selection.includes($0) }
        if !selection.isAll || offered.isEmpty {
            logger.info(
                "tools",
                metadata: [
                    "toolsets":
                        "\(Toolset.allCases.filter(selection.toolsets.contains).map(\.rawValue).joined(separator: ","))",
                    "enabled": "\(selection.enabledTools.sorted().joined(separator: ","))",
                    "disabled": "\(selection.disabledTools.sorted().joined(separator: ","))",
                    "offered": "\(offered.count) of \(catalog.count)",
                ])
        }
        if offered.isEmpty {
            logger.warning(
                "no tool is offered: the toolsets and tools chosen (tools.*) hold none the permissions allow",
                metadata: context.map { ["context": "\($0)"] } ?? [:])
        }
    }

    /// The use cases of one caller.
    func useCases(_ caller: Caller?) -> UseCases {
        UseCases(
            gateway: gateway, defaultNamespace: namespace, unpacker: ArchiveUnpacker(), policy: policy,
            audit: stores.audit, confirmations: stores.confirmations, notifier: notifier, caller: caller,
            callerRules: callerRules, cursorSeal: seal)
    }

    /// The MCP server over one caller's use cases (with several Argo Servers, `contexts` is every context's).
    func server(_ useCases: UseCases, caller: Caller?, contexts: ArgoContexts? = nil) -> ArgoMCPServer {
        ArgoMCPServer(
            tools: ToolCatalog.all(useCases, contexts: contexts), maxSafety: policy.ceiling, version: argoMCPVersion,
            logger: logger, confirmationMode: policy.confirmationMode, prompts: ToolCatalog.prompts(useCases),
            maxResultBytes: maxResultBytes, maxManifestBytes: maxManifestBytes,
            notice: simulator ? Serve.simulatorNotice(context: context) : nil, resources: ArgoResources(useCases),
            namespaceHint: { await useCases.cluster.unknownNamespaceHint($0) }, selection: selection,
            caller: caller?.description, contextName: context)
    }
}

extension Serve {

    /// The server `serve` builds against the built-in simulator, with the simulator and its clock; also what the
    /// in-process test harness serves over an in-memory transport.
    func simulatorServer(_ settings: Settings, logger: Logger, stores: Stores? = nil) async throws -> (
        servers: @Sendable (Caller?) -> ArgoMCPServer, simulator: ArgoSimulator, tick: Duration
    ) {
        let sim = try await simulatorOptions.makeSimulator(settings, logger: logger)
        let servers = try makeServers(
            gateway: SimulatedArgoGateway(simulator: sim), settings: settings,
            policy: try settings.policy(simulator: true), logger: logger, simulator: true, stores: stores)
        return (servers, sim, Duration.milliseconds(max(10, simulatorOptions.tickMilliseconds)))
    }

    /// Serves over stdio until the host closes it, or over HTTP when `settings.httpListen` is set (`--http`,
    /// `http.listen`, `ARGO_MCP_HTTP_LISTEN`), each session with the server of its caller; `ready` answers
    /// `/readyz`.
    /// The callers' servers from settings a reload read (throws what is wrong with them).
    typealias Rebuild = @Sendable (Settings) throws -> @Sendable (Caller?) -> ArgoMCPServer

    func serve(
        _ servers: @escaping @Sendable (Caller?) -> ArgoMCPServer, settings: Settings, logger: Logger,
        telemetry: (any Service)? = nil, rebuild: Rebuild? = nil, audit: (any AuditSink)? = nil,
        ready: @escaping @Sendable () async -> (Bool, String)
    ) async throws {
        let initialAuthentication = try settings.auth.authentication(logger: logger)
        /// One generation of the configuration: its callers' servers, who may call, the fair-use limits.
        @Sendable func generation(
            _ s: Settings, _ number: Int, _ servers: @escaping @Sendable (Caller?) -> ArgoMCPServer
        ) throws -> LiveConfiguration.Generation {
            let authentication = number == 0 ? initialAuthentication : try s.auth.authentication(logger: logger)
            let perCaller = PerCaller(make: servers)
            let safety = perCaller.server(nil).catalogSafety
            return LiveConfiguration.Generation(
                number: number, settings: s, servers: perCaller, authenticator: authentication?.authenticator,
                callers: ((try? s.auth.bearerEntries()) ?? []).map(\.name).sorted(),
                fairUse: s.fairUse(isMutation: { (safety[$0] ?? .readOnly) > .readOnly }))
        }
        let live = LiveConfiguration(try generation(settings, 0, servers))
        let reloader = rebuild.map { rebuild in
            Reloader(
                live: live,
                read: {
                    var s = try self.settings()
                    if let http { s.httpListen = http }
                    return s
                },
                make: { s, number in try generation(s, number, try rebuild(s)) }, configFile: common.config,
                audit: audit ?? NoAuditSink(), logger: logger)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let reloader { group.addTask { await reloader.run() } }
            try await serve(live: live, settings: settings, logger: logger, telemetry: telemetry, ready: ready)
            group.cancelAll()
        }
    }

    /// Serves the configuration `live` holds, over stdio or HTTP.
    func serve(
        live: LiveConfiguration, settings: Settings, logger: Logger, telemetry: (any Service)?,
        ready: @escaping @Sendable () async -> (Bool, String)
    ) async throws {
        if let listen = settings.httpListen {
            let (host, port) = try Self.listenAddress(listen, authenticated: settings.auth.authenticates)
            let authentication = try settings.auth.authentication(logger: logger).map { initial in
                var forwarding = initial
                forwarding.authenticator = LiveAuthenticator(live: live, method: initial.authenticator.method)
                return forwarding
            }
            let inFlight = InFlight()
            let limits = MCPHTTPServer.Limits(
                maxSessions: settings.httpMaxSessions, maxSessionBytes: settings.httpMaxSessionBytes,
                connections: ConnectionLimits(
                    maxConnections: settings.httpMaxConnections ?? ConnectionLimits.defaultMaxConnections(),
                    headTimeout: .seconds(settings.httpHeadTimeoutSeconds),
                    bodyTimeout: .seconds(settings.httpBodyTimeoutSeconds),
                    idleTimeout: .seconds(settings.httpIdleTimeoutSeconds)))
            let mode = MCPHTTPServer.SessionMode(rawValue: settings.httpSessions) ?? .stateful
            if mode == .stateful && settings.stateKey == nil {
                logger.info(
                    "ARGO_MCP_STATE_KEY is not set: MCP 2026-07-28 clients are served statelessly whatever http.sessions says, and their confirmations are sealed with a key of this process; with more than one replica, give every replica the same key (head -c 32 /dev/urandom | base64) and store.postgres"
                )
            }
            if mode == .stateless && settings.stateKey == nil {
                logger.warning(
                    "http.sessions is stateless but ARGO_MCP_STATE_KEY is not set: continue tokens of listings that namespace rules filter, and confirmations asked in a later request (MCP 2026-07-28), are sealed with a key of this process, so another replica cannot read them; give every replica the same key (head -c 32 /dev/urandom | base64)"
                )
            }
            if mode == .stateless && settings.storePostgres == nil {
                logger.warning(
                    "http.sessions is stateless but confirmation tokens are kept by this process only (no store.postgres): run one replica, or configure store.postgres so that any replica can redeem a token"
                )
            }
            // A request is served by the configuration in force: its callers' servers are made once per caller and
            // generation, and an open session serves each request with the current one.
            let httpServer = MCPHTTPServer(
                host: host, port: port, limits: limits, sessionMode: mode, logger: logger,
                authentication: authentication, hostRules: settings.auth.hostRules, metrics: Self.prometheus(),
                ready: ready, drained: { await inFlight.drained(timeout: $0) },
                serveModern: { message, caller, narrowing, emit in
                    await inFlight.begin()
                    defer { Task { await inFlight.end() } }
                    guard
                        let reply = await live.current.servers.server(caller, narrowing).serveModern(
                            message, emit: emit)
                    else {
                        return nil
                    }
                    return (reply.message, ModernProtocol.httpStatus(errorCode: reply.errorCode))
                },
                draining: { ArgoMCPServer.endListens() },
                checkNarrowing: { live.current.servers.server(nil).check($0) },
                fairUse: FairUse(
                    limits: { live.current.fairUse?.limits($0) ?? FairUse.Limits() },
                    isMutation: { live.current.fairUse?.isMutation($0) ?? false }),
                carriesTraceContext: telemetry != nil,
                makeSession: { transport, caller, narrowing, mode in
                    let session =
                        switch mode {
                        case .stateful:
                            try await live.current.servers.server(caller, narrowing)
                                .following { live.current.servers.server(caller, narrowing) }
                                .start(transport: transport, inFlight: inFlight)
                        case .stateless:
                            try await live.current.servers.server(caller, narrowing).start(
                                transport: transport, inFlight: inFlight, scope: .singleRequest)
                        }
                    return { await session.stop() }
                })
            try await httpServer.run(alongside: telemetry.map { [$0] } ?? []) { bound in
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/mcp"
                FileHandle.standardOutput.write(Data((url + "\n").utf8))
                logger.info(
                    "serving MCP over HTTP",
                    metadata: [
                        "url": "\(url)", "auth": "\(authentication?.authenticator.method ?? "none")",
                        "sessions": "\(mode.rawValue)",
                        "maxConnections": "\(limits.connections.maxConnections)",
                    ])
            }
            logger.info("the HTTP server stopped")
            return
        }
        if settings.auth.authenticates {
            logger.warning(
                "auth.mode applies to HTTP only; over stdio the caller is whoever started the process",
                metadata: ["mode": "\(settings.auth.mode ?? "none")"])
        }
        let stdio = LineTransport(logger: logger)
        let session = live.current.servers.server(nil).following { live.current.servers.server(nil) }
        guard let telemetry else {
            try await session.run(transport: stdio) { await stdio.waitForAnswers(limit: .seconds(10)) }
            return
        }
        // The exporter runs beside the session; when the host closes stdio it sends the last spans and stops.
        let exporter = ServiceGroup(configuration: .init(services: [.init(service: telemetry)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await exporter.run() }
            try await session.run(transport: stdio) { await stdio.waitForAnswers(limit: .seconds(10)) }
            await exporter.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    /// Collects swift-metrics into a Prometheus registry (once per process) and returns its text exposition, for
    /// `/metrics`.
    static func prometheus() -> @Sendable () -> String {
        let registry = PrometheusMetricsState.registry
        return { registry.emitToString() }
    }

    /// `--http`'s host and port. Without authentication only a loopback address is accepted: anyone who can
    /// reach the port would act with the server's Argo credentials.
    static func listenAddress(_ text: String, authenticated: Bool) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            throw ConfigError("--http (http.listen)=\(text) is not HOST:PORT; use e.g. 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard authenticated || ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw ConfigError(
                "--http (http.listen)=\(text) would accept calls from other machines, and auth.mode is none; "
                    + "set auth.mode to bearer or oidc (see 'Deploy for a team' in the README), or "
                    + "listen on 127.0.0.1 (reach it from elsewhere through an SSH tunnel or a port-forward)")
        }
        return (host, port)
    }
}

/// Each caller's MCP server, made the first time the caller is seen (at most `limit` kept; past it the table starts
/// again), so that a stateless request does not rebuild the tool catalog and the use cases.
final class PerCaller: Sendable {
    private let make: @Sendable (Caller?) -> ArgoMCPServer
    private let table = Mutex<[String: (Caller?, ArgoMCPServer)]>([:])
    private let limit: Int

    init(make: @escaping @Sendable (Caller?) -> ArgoMCPServer, limit: Int = 1024) {
        self.make = make
        self.limit = limit
    }

    func server(_ caller: Caller?) -> ArgoMCPServer {
        let key = Self.key(caller)
        if let (known, server) = table.withLock({ $0[key] }), known == caller { return server }
        let server = make(caller)
        table.withLock { table in
            if table.count >= limit { table.removeAll() }
            table[key] = (caller, server)
        }
        return server
    }

    /// The caller's server as a request narrowed it (X-MCP-Toolsets, X-MCP-Tools, X-MCP-Readonly), made once per
    /// caller and narrowing.
    func server(_ caller: Caller?, _ narrowing: ToolNarrowing) -> ArgoMCPServer {
        guard !narrowing.isNone else { return server(caller) }
        let key = NarrowedKey(caller: Self.key(caller), narrowing: narrowing)
        if let (known, server) = narrowed.withLock({ $0[key] }), known == caller { return server }
        let server = server(caller).narrowed(narrowing)
        narrowed.withLock { table in
            if table.count >= limit { table.removeAll() }
            table[key] = (caller, server)
        }
        return server
    }

    private struct NarrowedKey: Hashable {
        var caller: String
        var narrowing: ToolNarrowing
    }
    private let narrowed = Mutex<[NarrowedKey: (Caller?, ArgoMCPServer)]>([:])

    static func key(_ caller: Caller?) -> String {
        caller.map { "\($0.method):\($0.name):\($0.groups.joined(separator: ","))" } ?? ""
    }
}

/// The process's Prometheus registry, made and bootstrapped into swift-metrics the first time it is asked for.
enum PrometheusMetricsState {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
