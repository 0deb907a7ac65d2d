import ArgoHTTP
import ArgoSimulator
import ArgumentParser
import Domain
import FileAudit
import Foundation
import Hooks
import Logging
import MCPServer
import MCPStdio
import Ports

let argoMCPVersion = "0.1.0"

@main
struct ArgoMCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argo-mcp",
        abstract: "An MCP server for Argo Workflows.",
        version: argoMCPVersion,
        subcommands: [Serve.self, SimulatorCommand.self, ToolsCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Flags every command that builds a backend reads: the config file, the namespace and logging.
struct CommonOptions: ParsableArguments {
    @Option(help: "YAML config file (flags override environment, which overrides the file).")
    var config: String?
    @Option(help: "Default namespace (env ARGO_NAMESPACE; default argo).")
    var namespace: String?
    @Option(
        name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (env ARGO_MCP_LOG_LEVEL).")
    var logLevel: String?

    /// The config file, then the environment, then these flags.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var s = Settings()
        if let config { try s.apply(file: config) }
        try s.apply(environment: environment)
        if let namespace { s.namespace = namespace }
        if let logLevel { s.logLevel = logLevel }
        return s
    }
}

/// Flags of the MCP server alone: how to reach Argo and what argo-mcp may do there.
struct ServeOptions: ParsableArguments {
    @Option(name: .customLong("argo-server"), help: "Argo Server host:port or URL (env ARGO_SERVER).")
    var argoServer: String?
    @Option(name: .customLong("ca-file"), help: "PEM CA bundle to trust (env ARGO_CA_FILE).")
    var caFile: String?
    @Option(name: .customLong("client-cert"), help: "PEM client certificate for mTLS (env ARGO_CLIENT_CERT).")
    var clientCert: String?
    @Option(name: .customLong("client-key"), help: "PEM client key for mTLS (env ARGO_CLIENT_KEY).")
    var clientKey: String?
    @Flag(
        name: .customLong("insecure-skip-verify"),
        help: "Do not verify the server's certificate (env ARGO_INSECURE_SKIP_VERIFY).")
    var insecureSkipVerify = false
    @Option(
        name: .customLong("request-timeout"),
        help: "Seconds one Argo request may take (env ARGO_REQUEST_TIMEOUT; default 30).")
    var requestTimeout: Int?
    @Option(
        name: .customLong("allow-namespace"),
        help: "Only these namespaces (glob; repeatable; env ARGO_MCP_NAMESPACES_ALLOW).")
    var allowNamespace: [String] = []
    @Option(
        name: .customLong("deny-namespace"),
        help: "Never these namespaces (glob; repeatable; wins over allow; env ARGO_MCP_NAMESPACES_DENY).")
    var denyNamespace: [String] = []
    @Flag(name: .customLong("read-only"), help: "Allow no tool that changes Argo (env ARGO_MCP_READ_ONLY).")
    var readOnly = false

    /// These flags over `s`.
    func apply(to s: inout Settings) throws {
        if let argoServer { s.server = argoServer }
        if let caFile { s.caFile = caFile }
        if let clientCert { s.clientCert = clientCert }
        if let clientKey { s.clientKey = clientKey }
        if insecureSkipVerify { s.insecureSkipVerify = true }
        if let requestTimeout {
            s.requestTimeoutSeconds = requestTimeout
            try s.checkRequestTimeout("--request-timeout")
        }
        if !allowNamespace.isEmpty { s.namespacesAllow = allowNamespace }
        if !denyNamespace.isEmpty { s.namespacesDeny = denyNamespace }
        if readOnly { s.readOnly = true }
    }
}

/// Flags that shape the simulator, read by `serve` (when it runs against the simulator) and by `simulator`.
struct SimulatorOptions: ParsableArguments {
    @Option(help: "Simulator: load Workflow/CronWorkflow/WorkflowTemplate YAML or JSON files from this directory.")
    var seed: String?
    @Flag(help: "Simulator: load the demo data as well as --seed files.")
    var demo = false
    @Option(help: "Simulator: inject a fault, e.g. get_workflow:code=7 or workflow_logs:break_after=5 (repeatable).")
    var fault: [String] = []
    @Option(
        help: "Simulator: add a generated workflow, e.g. name=big,nodes=10000,shape=dag,failures=0.01 (repeatable).")
    var generate: [String] = []
    @Flag(name: .customLong("no-archive"), help: "Simulator: behave like a server without a workflow archive.")
    var noArchive = false
    @Option(
        name: .customLong("tick-ms"),
        help: "Simulator: milliseconds between the steps of evolving workflows.")
    var tickMilliseconds: Int = 1000
    @Option(
        name: .customLong("watch-seconds"),
        help: """
            Simulator: seconds after which a workflow watch ends, as Argo ends one when the Kubernetes watch under it \
            closes (Kubernetes' --min-request-timeout; 1 to 86400).
            """)
    var watchSeconds: Int = 1800

    /// These flags over `s`.
    func apply(to s: inout Settings) {
        if let seed { s.seedDirectory = seed }
    }

    /// Builds the simulator with demo data or seeds, generated workflows and faults.
    func makeSimulator(_ settings: Settings, logger: Logger) async throws -> ArgoSimulator {
        guard (1...86_400).contains(watchSeconds) else {
            throw ConfigError("--watch-seconds=\(watchSeconds) is out of range; give 1 to 86400 seconds")
        }
        let simulator = ArgoSimulator(watchLifetime: .seconds(watchSeconds))
        if settings.seedDirectory == nil || demo { try await simulator.loadDemoData() }
        if let dir = settings.seedDirectory {
            let loaded = try await simulator.loadSeeds(from: URL(fileURLWithPath: dir))
            logger.info("simulator seeded", metadata: ["directory": "\(dir)", "objects": "\(loaded.count)"])
        }
        for spec in generate {
            let (generator, evolveSteps) = try Self.generator(spec, namespace: settings.namespace)
            if let evolveSteps {
                await simulator.addEvolving(generated: generator, steps: evolveSteps)
            } else {
                await simulator.add(generated: generator)
            }
        }
        if noArchive { await simulator.disableArchive() }
        for spec in fault {
            let (op, f) = try Fault.parse(spec)
            await simulator.inject(f, into: op)
        }
        return simulator
    }

    /// Parses a `--generate` spec; `evolve=N` makes the workflow start Pending and finish in N ticks.
    static func generator(_ spec: String, namespace: String) throws -> (WorkflowGenerator, Int?) {
        var g = WorkflowGenerator(name: "generated", namespace: namespace, nodeCount: 1000)
        var evolve: Int?
        for pair in spec.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ConfigError("--generate '\(spec)': '\(pair)' is not key=value") }
            switch kv[0] {
            case "name": g.name = kv[1]
            case "namespace": g.namespace = kv[1]
            case "nodes": g.nodeCount = max(1, Int(kv[1]) ?? 1000)
            case "shape":
                guard let shape = WorkflowGenerator.Shape(rawValue: kv[1]) else {
                    throw ConfigError("--generate: shape is dag or steps")
                }
                g.shape = shape
            case "failures": g.failureRate = Double(kv[1]) ?? 0
            case "running": g.runningRate = Double(kv[1]) ?? 0
            case "depth": g.depth = Int(kv[1]) ?? 2
            case "retry_every": g.retryEvery = Int(kv[1]) ?? 10
            case "seed": g.seed = UInt64(kv[1]) ?? 42
            case "evolve": evolve = max(1, Int(kv[1]) ?? 10)
            default:
                throw ConfigError(
                    "--generate '\(spec)': unknown key '\(kv[0])' (name, namespace, nodes, shape, failures, running, depth, retry_every, seed)"
                )
            }
        }
        return (g, evolve)
    }
}

func bootstrapLogging(level: String) -> Logger {
    // A peer that goes away (a hook command, a closed pipe) must be an EPIPE error, not the end of the process.
    IgnoreSIGPIPE.once()
    let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = parsed
        return handler
    }
    return Logger(label: "argo-mcp")
}

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
            settings = try self.settings()
        } catch {
            FileHandle.standardError.write(Data("argo-mcp: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = bootstrapLogging(level: settings.logLevel)
        do {
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
                    let server = try makeServer(gateway: gateway, settings: settings, policy: policy, logger: logger)
                    try await serve(server, logger: logger)
                }
            } else {
                for warning in settings.permissionWarnings(simulator: true) {
                    logger.warning("permission settings contradict each other", metadata: ["detail": "\(warning)"])
                }
                let composed = try await simulatorServer(settings, logger: logger)
                let count = await composed.simulator.workflowCount
                logger.info("serving against the built-in simulator", metadata: ["workflows": "\(count)"])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await composed.simulator.runEvolutions(tick: composed.tick) }
                    try await serve(composed.server, logger: logger)
                    group.cancelAll()
                }
            }
        } catch let error as ConfigError {
            logger.error("configuration error", metadata: ["reason": "\(error.description)"])
            throw ExitCode(2)
        } catch let error as SimulatorError {
            logger.error("simulator setup failed", metadata: ["reason": "\(error.description)"])
            throw ExitCode(2)
        }
    }

    /// The first line of every answer when the data is the simulator's.
    static let simulatorNotice =
        "[SIMULATOR] Demo data from argo-mcp's built-in simulator, not a real Argo server (no ARGO_SERVER is configured, or --simulator was given); nothing here touches a cluster."

    /// The MCP server over `gateway` as `settings` configure it: the use cases, the tool catalog and the policy.
    func makeServer(
        gateway: any ArgoGateway, settings: Settings, policy: Policy, logger: Logger, simulator: Bool = false
    ) throws -> ArgoMCPServer {
        let auditPath = settings.auditFile ?? Settings.defaultAuditFile
        logger.info("policy", metadata: ["policy": "\(policy.summary)", "audit": "\(auditPath)"])
        let useCases = Wiring.useCases(
            gateway: gateway, defaultNamespace: settings.namespace, policy: policy,
            audit: FileAuditSink(path: auditPath),
            confirmations: FileConfirmationStore(path: auditPath + ".tokens.json"), notifier: try settings.notifier())
        let tools = ToolCatalog.all(useCases)
        try Settings.checkConfirmationRequire(policy, tools: tools.map(\.name))
        return ArgoMCPServer(
            tools: tools, maxSafety: policy.ceiling, version: argoMCPVersion, logger: logger,
            confirmationMode: policy.confirmationMode, prompts: ToolCatalog.prompts(useCases),
            maxResultBytes: settings.maxResultBytes, maxManifestBytes: settings.maxManifestBytes,
            notice: simulator ? Self.simulatorNotice : nil)
    }

    /// The server `serve` builds against the built-in simulator, with the simulator and its clock; also what the
    /// in-process test harness serves over an in-memory transport.
    func simulatorServer(_ settings: Settings, logger: Logger) async throws -> (
        server: ArgoMCPServer, simulator: ArgoSimulator, tick: Duration
    ) {
        let sim = try await simulatorOptions.makeSimulator(settings, logger: logger)
        let server = try makeServer(
            gateway: SimulatedArgoGateway(simulator: sim), settings: settings,
            policy: try settings.policy(simulator: true), logger: logger, simulator: true)
        return (server, sim, Duration.milliseconds(max(10, simulatorOptions.tickMilliseconds)))
    }

    /// Serves over stdio until the host closes it.
    func serve(_ server: ArgoMCPServer, logger: Logger) async throws {
        let stdio = LineTransport(logger: logger)
        try await server.run(transport: stdio) { await stdio.waitForAnswers(limit: .seconds(10)) }
    }
}

struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Serve the simulator's Argo REST API on 127.0.0.1 (point any Argo client at it).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var simulatorOptions: SimulatorOptions
    @Option(help: "Port on 127.0.0.1 (0 picks a free one; the URL is printed on stdout).")
    var port: Int = 2746

    func run() async throws {
        var settings = try common.settings()
        simulatorOptions.apply(to: &settings)
        let logger = bootstrapLogging(level: settings.logLevel)
        let sim = try await simulatorOptions.makeSimulator(settings, logger: logger)
        let server = SimulatorHTTPServer(simulator: sim, port: port, logger: logger)
        let tick = Duration.milliseconds(max(10, simulatorOptions.tickMilliseconds))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sim.runEvolutions(tick: tick) }
            try await run(server, logger)
            group.cancelAll()
        }
    }

    func run(_ server: SimulatorHTTPServer, _ logger: Logger) async throws {
        try await server.run { bound in
            FileHandle.standardOutput.write(Data("http://127.0.0.1:\(bound)\n".utf8))
            logger.info("simulator listening", metadata: ["url": "http://127.0.0.1:\(bound)"])
        }
    }
}

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools", abstract: "Print the tool list as Markdown (name, safety class, description).")

    func run() async throws {
        let useCases = Wiring.useCases(
            gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo")
        print(ToolCatalog.markdown(ToolCatalog.all(useCases)))
    }
}
