import ArgoHTTP
import ArgoSimulator
import Domain
import Foundation
import Logging
import MCPServer
import Ports
import ServiceLifecycle
import Synchronization

/// One context's gateway: an Argo Server's client, or a built-in simulator.
struct ContextGateway: Sendable {
    var gateway: any ArgoGateway
    var simulator: ArgoSimulator?
}

extension Serve {
    /// Serves several Argo Servers side by side (`contexts`): one gateway per context (an HTTP client each, or a
    /// simulator), one server per context and caller, behind the front that routes by `context`. A context
    /// whose server does not answer fails only the requests that go to it.
    func serveContexts(
        _ plan: ContextPlan, _ settings: Settings, stores: Stores, logger: Logger, telemetry: (any Service)?
    ) async throws {
        if settings.token != nil || settings.tokenFile != nil || settings.tokenEnv != nil {
            logger.warning(
                "argo.token (ARGO_TOKEN), argo.tokenFile or argo.tokenEnv is set at the top level, but with contexts each context has its own credentials (contexts.NAME.argo.tokenFile or tokenEnv); the top-level one is not used"
            )
        }
        for context in plan.contexts {
            for warning in context.settings.permissionWarnings(simulator: context.simulator) {
                logger.warning(
                    "permission settings contradict each other",
                    metadata: ["context": "\(context.name)", "detail": "\(warning)"])
            }
        }
        let lastSilent = Mutex<[String]>([])
        try await withGateways(plan.contexts[...], [:], logger: logger) { gateways in
            let servers = try makeContextServers(plan, gateways: gateways, logger: logger, stores: stores)
            let rebuild: Rebuild = { next in
                guard let nextPlan = try next.contextPlan() else {
                    throw ConfigError("the contexts were removed; serving one Argo Server again needs a restart")
                }
                try Self.checkSameServers(plan, nextPlan)
                return try makeContextServers(nextPlan, gateways: gateways, logger: logger, stores: stores)
            }
            logger.info(
                "serving several Argo Servers",
                metadata: [
                    "contexts": "\(plan.names.joined(separator: ","))", "default": "\(plan.defaultName)",
                ])
            try await withThrowingTaskGroup(of: Void.self) { group in
                let tick = Duration.milliseconds(max(10, simulatorOptions.tickMilliseconds))
                for simulator in gateways.values.compactMap(\.simulator) {
                    group.addTask { await simulator.runEvolutions(tick: tick) }
                }
                try await serve(
                    servers, settings: settings, logger: logger, telemetry: telemetry, rebuild: rebuild,
                    audit: stores.audit
                ) {
                    // Ready while at least one context answers: a dead context degrades only itself. Every context
                    // is asked at once, each within 2 s, so a probe's own timeout is never reached.
                    let dead = await Self.silentContexts(gateways)
                    let before = lastSilent.withLock { last in
                        defer { last = dead }
                        return last
                    }
                    if dead != before {
                        logger.warning(
                            dead.isEmpty ? "every context answers again" : "some contexts do not answer",
                            metadata: ["contexts": "\(dead.joined(separator: ","))"])
                    }
                    if dead.count == plan.contexts.count {
                        return (false, "no context's Argo Server answers")
                    }
                    return await stores.ready(
                        "\(plan.contexts.count - dead.count) of \(plan.contexts.count) contexts answer", logger: logger)
                }
                group.cancelAll()
            }
        }
    }

    /// The contexts whose server does not answer `version` within 2 s, by name.
    static func silentContexts(_ gateways: [String: ContextGateway]) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for (name, context) in gateways {
                let gateway = context.gateway
                group.addTask {
                    let answer = await ArgoContexts.within(.seconds(2), context: name) { try await gateway.version() }
                    if case .success = answer { return nil }
                    return name
                }
            }
            var silent: [String] = []
            for await name in group { if let name { silent.append(name) } }
            return silent.sorted()
        }
    }

    /// Every context's gateway, opened one after another (each HTTP client is closed when `body` ends).
    func withGateways(
        _ pending: ArraySlice<ContextSettings>, _ made: [String: ContextGateway], logger: Logger,
        _ body: ([String: ContextGateway]) async throws -> Void
    ) async throws {
        guard let next = pending.first else { return try await body(made) }
        var made = made
        if next.simulator {
            let simulator = try await simulatorOptions.makeSimulator(next.settings, logger: logger)
            made[next.name] = ContextGateway(gateway: SimulatedArgoGateway(simulator: simulator), simulator: simulator)
            return try await withGateways(pending.dropFirst(), made, logger: logger, body)
        }
        guard let connection = try next.settings.connection() else {
            throw ConfigError("contexts.\(next.name): give its Argo Server (contexts.\(next.name).argo.server)")
        }
        logger.info(
            "context",
            metadata: [
                "context": "\(next.name)", "server": "\(connection.baseURL.absoluteString)",
                "tls": "\(connection.tlsMode)", "auth": "\(connection.authKind)",
            ])
        try await ArgoHTTPGateway.with(connection, logger: logger) { gateway in
            made[next.name] = ContextGateway(gateway: gateway, simulator: nil)
            try await withGateways(pending.dropFirst(), made, logger: logger, body)
        }
    }

    /// Each caller's front over every context's server.
    func makeContextServers(
        _ plan: ContextPlan, gateways: [String: ContextGateway], logger: Logger, stores: Stores
    ) throws -> @Sendable (Caller?) -> ArgoMCPServer {
        let made = try plan.contexts.map { context in
            guard let gateway = gateways[context.name] else {
                throw ConfigError("contexts.\(context.name) was added; a new context needs a restart")
            }
            return try ContextServers(
                gateway: gateway.gateway, settings: context.settings,
                policy: try context.settings.policy(simulator: context.simulator), logger: logger,
                simulator: context.simulator, stores: stores, context: context.name)
        }
        let defaultName = plan.defaultName
        return { caller in
            let useCases = made.map { $0.useCases(caller) }
            let contexts = ArgoContexts(
                defaultName: defaultName,
                entries: zip(made, useCases).map { context, useCases in
                    ArgoContexts.Entry(
                        name: context.context ?? "", description: context.description, useCases: useCases,
                        policy: context.policy)
                })
            let servers = zip(made, useCases).map { context, useCases in
                (name: context.context ?? "", server: context.server(useCases, caller: caller, contexts: contexts))
            }
            // The plan names its default among its contexts, so the front always exists.
            return ArgoMCPServer.routing(servers, defaultName: defaultName) ?? servers[0].server
        }
    }

    /// A reload may change what a context allows, not where it is: the same contexts with the same servers and
    /// credentials, else the reload is refused (those need a restart).
    static func checkSameServers(_ running: ContextPlan, _ next: ContextPlan) throws {
        guard running.names == next.names else {
            throw ConfigError(
                "the contexts changed (\(running.names.joined(separator: ",")) → \(next.names.joined(separator: ","))); adding or removing a context needs a restart"
            )
        }
        for (a, b) in zip(running.contexts, next.contexts) {
            let fields: [(String, (Settings) -> String)] = [
                ("argo.server", { $0.server ?? "" }), ("argo.baseHref", { $0.baseHref ?? "" }),
                ("argo.secure", { "\($0.secure)" }), ("argo.tokenFile", { $0.tokenFile ?? "" }),
                ("argo.tokenEnv", { $0.tokenEnv ?? "" }), ("argo.caFile", { $0.caFile ?? "" }),
                ("argo.clientCert", { $0.clientCert ?? "" }), ("argo.clientKey", { $0.clientKey ?? "" }),
                ("argo.insecureSkipVerify", { "\($0.insecureSkipVerify)" }),
                ("argo.namespace", { $0.namespace }), ("simulator.enabled", { "\($0.simulatorEnabled)" }),
                ("argo.requestTimeoutSeconds", { "\($0.requestTimeoutSeconds)" }), ("argo.streams", { $0.streams }),
                ("simulator.seed", { $0.seedDirectory ?? "" }),
            ]
            for (key, value) in fields where value(a.settings) != value(b.settings) {
                throw ConfigError("contexts.\(a.name).\(key) changed; where a context's Argo Server is needs a restart")
            }
        }
    }
}
