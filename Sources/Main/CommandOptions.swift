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
    @Option(
        name: .customLong("toolsets"),
        help: "Offer only these toolsets (repeatable or comma-separated, e.g. workflows,logs; env ARGO_MCP_TOOLSETS).")
    var toolsets: [String] = []

    /// These flags over `s`.
    func apply(to s: inout Settings) throws {
        if let argoServer { s.server = argoServer }
        if let caFile { s.caFile = caFile }
        if let clientCert { s.clientCert = clientCert }
        if let clientKey { s.clientKey = clientKey }
        if insecureSkipVerify { s.insecureSkipVerify = true }
        if let requestTimeout {
            try Settings.check(requestTimeout, of: "argo.requestTimeoutSeconds", source: "--request-timeout")
            s.requestTimeoutSeconds = requestTimeout
        }
        if !allowNamespace.isEmpty { s.namespacesAllow = allowNamespace }
        if !denyNamespace.isEmpty { s.namespacesDeny = denyNamespace }
        if readOnly { s.readOnly = true }
        if !toolsets.isEmpty {
            s.toolsets = toolsets.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
    }
}

/// Flags that shape the simulator, read by `serve` (when it runs against the simulator) and by `simulator`.
struct SimulatorOptions: ParsableArguments {
    @Option(
        help:
            "Simulator: load Workflow, CronWorkflow, WorkflowTemplate and ClusterWorkflowTemplate YAML or JSON files from this directory instead of the demo data."
    )
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
    @Flag(
        name: .customLong("no-artifact-files"),
        help: "Simulator: serve artifacts only on the older /artifacts/ routes, as an Argo Server before v3.4 does.")
    var noArtifactFiles = false
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
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigError(
                    "--seed \(dir): no such directory; give a directory of Workflow, CronWorkflow and WorkflowTemplate YAML or JSON files"
                )
            }
            let loaded: [String]
            do {
                loaded = try await simulator.loadSeeds(from: URL(fileURLWithPath: dir))
            } catch let error as SimulatorError {
                throw ConfigError("--seed \(dir): \(error)")
            } catch {
                throw ConfigError("--seed \(dir): cannot be read (\(error.localizedDescription))")
            }
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
        if noArtifactFiles { await simulator.setArtifactFilesRoute(false) }
        for spec in fault {
            let (op, f) = try Fault.parse(spec)
            await simulator.inject(f, into: op)
        }
        return simulator
    }

    /// Parses a `--generate` spec; `evolve=N` makes the workflow start Pending and finish in N ticks. Every value
    /// is checked: a typo is an error naming the key and the range, never a silent default.
    static func generator(_ spec: String, namespace: String) throws -> (WorkflowGenerator, Int?) {
        // Started a day ago (an evolving one: now, as it starts when first looked at), not on the generator's fixed
        // date, so that its times agree with the clock: the longest sequential run allowed (50,000 nodes in steps)
        // takes a few hours; a DAG runs its 100,000 nodes side by side.
        let now = Date()
        var g = WorkflowGenerator(
            name: "generated", namespace: namespace, nodeCount: 1000, startedAt: now.addingTimeInterval(-86_400))
        var evolve: Int?
        func whole(_ key: String, _ text: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let n = Int(text), range.contains(n) else {
                throw ConfigError(
                    "--generate '\(spec)': \(key)=\(text) is not a whole number from \(range.lowerBound) to \(range.upperBound)"
                )
            }
            return n
        }
        func rate(_ key: String, _ text: String) throws -> Double {
            guard let r = Double(text), r.isFinite, (0...1).contains(r) else {
                throw ConfigError("--generate '\(spec)': \(key)=\(text) is not a fraction from 0 to 1 (e.g. 0.01)")
            }
            return r
        }
        for pair in spec.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ConfigError("--generate '\(spec)': '\(pair)' is not key=value") }
            switch kv[0] {
            case "name": g.name = kv[1]
            case "namespace": g.namespace = kv[1]
            case "nodes": g.nodeCount = try whole("nodes", kv[1], 1...100_000)
            case "shape":
                guard let shape = WorkflowGenerator.Shape(rawValue: kv[1]) else {
                    throw ConfigError("--generate '\(spec)': shape=\(kv[1]) is not dag or steps")
                }
                g.shape = shape
            case "failures": g.failureRate = try rate("failures", kv[1])
            case "running": g.runningRate = try rate("running", kv[1])
            case "depth": g.depth = try whole("depth", kv[1], 1...50)
            case "retry_every": g.retryEvery = try whole("retry_every", kv[1], 0...1_000_000)
            case "seed":
                guard let seed = UInt64(kv[1]) else {
                    throw ConfigError("--generate '\(spec)': seed=\(kv[1]) is not a whole number from 0")
                }
                g.seed = seed
            case "evolve": evolve = try whole("evolve", kv[1], 1...1_000)
            default:
                throw ConfigError(
                    "--generate '\(spec)': unknown key '\(kv[0])' (name, namespace, nodes, shape, failures, running, depth, retry_every, seed, evolve)"
                )
            }
        }
        if g.shape == .steps, g.nodeCount > 50_000 {
            throw ConfigError(
                "--generate '\(spec)': shape=steps takes at most 50,000 nodes (one after another, more would still be running a day after the start); use shape=dag for up to 100,000"
            )
        }
        if let evolve {
            g.startedAt = now
            // Every state of an evolution is built up front: bound the work.
            guard g.nodeCount * evolve <= 2_000_000 else {
                throw ConfigError(
                    "--generate '\(spec)': nodes × evolve is at most 2,000,000 (the states are built up front); got \(g.nodeCount) × \(evolve)"
                )
            }
        }
        return (g, evolve)
    }
}
