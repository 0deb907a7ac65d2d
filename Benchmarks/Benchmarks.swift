// Prints argo-mcp's performance figures as Markdown tables; not a test. Run:
//   swift build -c release && .build/release/Benchmarks [--group NAME …] [--sizes 1000,10000]
import ArgoSimulator
import ArgoWire
import ArgumentParser
import AsyncHTTPClient
import Domain
import Foundation
import MCP
import MCPServer
import MCPStdio
import Ports

@main
struct Benchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Benchmarks",
        abstract: "Measure argo-mcp and print every figure as a Markdown table (progress goes to stderr).",
        discussion: """
            Groups: in-process (decode, summary and diagnostics without MCP or HTTP), startup (spawn → initialize), \
            stdio (tool calls through MCP over stdio, RSS, log throughput), http (the simulator's REST face), \
            eras (one get_workflow over HTTP in MCP 2025-11-25 and 2026-07-28 beside a direct GET), \
            sizes (diagnostics by workflow size, argo-mcp against a separate simulator over HTTP), \
            load (many MCP sessions over Streamable HTTP against the simulator's REST face), \
            replicas (two servers sharing PostgreSQL: cross-replica confirmations and double-redemption races), \
            balanced (sessions through nginx to three stateless replicas, beside one replica without a balancer), \
            fairuse (four quiet callers' latency with and without a noisy caller held to the same limits), \
            view (the MCP App view with a 100,000-node workflow in headless Chromium: the layout call and the drawing). \
            The spawned binary is the argo-mcp beside this one, or ARGO_MCP_BINARY.
            """)

    enum Group: String, CaseIterable, ExpressibleByArgument {
        case inProcess = "in-process"
        case startup, stdio, http, eras, sizes, load, replicas, balanced, view
        case fairUse = "fairuse"
    }

    @Option(name: .customLong("group"), help: "Run only this group (repeatable).")
    var groups: [Group] = []

    @Option(help: "Concurrent MCP sessions of the load group.")
    var sessions = 200
    @Option(name: .customLong("load-seconds"), help: "How long the load group's sessions call.")
    var loadSeconds = 60
    @Option(help: "Preview→confirm pairs of the replicas group (and a tenth as many races).")
    var pairs = 1000

    @Option(help: "Node counts of the sizes table, comma-separated.")
    var sizes: String = "1000,10000,50000"

    func validate() throws {
        guard !nodeCounts.isEmpty, nodeCounts.allSatisfy({ (1...200_000).contains($0) }) else {
            throw ValidationError("--sizes takes node counts from 1 to 200000, e.g. 1000,10000")
        }
    }

    var nodeCounts: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        // load, replicas and balanced take minutes, a database and nginx: only when asked for.
        let selected =
            groups.isEmpty
            ? Group.allCases.filter { ![.load, .replicas, .balanced, .fairUse, .view].contains($0) }
            : Group.allCases.filter(groups.contains)
        progress("argo-mcp benchmarks: \(ProcessInfo.processInfo.processorCount) cores, binary \(Bench.binary.path)")
        var figures = Figures()
        for group in selected {
            switch group {
            case .inProcess: try await Bench.inProcess(&figures)
            case .startup: try await Bench.startup(&figures)
            case .stdio: try await Bench.stdio(&figures)
            case .http: try await Bench.http(&figures)
            case .eras: try await Bench.eras(&figures)
            case .load: try await Bench.load(&figures, sessions: sessions, duration: .seconds(loadSeconds))
            case .replicas: try await Bench.replicas(&figures, pairs: pairs, races: max(1, pairs / 10))
            case .balanced: try await Bench.balanced(&figures, sessions: sessions, duration: .seconds(loadSeconds))
            case .fairUse: try await Bench.fairUse(&figures, duration: .seconds(min(loadSeconds, 30)))
            case .view: try await Bench.view(&figures)
            case .sizes: break
            }
        }
        if !figures.rows.isEmpty { print(figures.markdown) }
        if selected.contains(.sizes) {
            if !figures.rows.isEmpty { print("") }
            print(try await Bench.sizes(nodeCounts))
        }
    }
}

/// One line of progress on stderr (stdout holds only the tables).
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The figures of the general table, in the order measured.
struct Figures {
    var rows: [(figure: String, value: String)] = []
    mutating func add(_ figure: String, _ value: String) {
        rows.append((figure, value))
        progress("  \(figure): \(value)")
    }
    var markdown: String {
        (["| figure | value |", "| --- | --- |"] + rows.map { "| \($0.figure) | \($0.value) |" })
            .joined(separator: "\n")
    }
}

struct Spawned {
    let process: Process
    let client: Client
    let stdin: Pipe

    static func start(_ args: [String], environment: [String: String] = [:]) async throws -> (Spawned, Duration) {
        let process = Process()
        process.executableURL = Bench.binary
        process.arguments = args
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        let client = Client(name: "bench", version: "1")
        _ = try await client.connect(
            transport: LineTransport(
                input: stdout.fileHandleForReading.fileDescriptor, output: stdin.fileHandleForWriting.fileDescriptor))
        return (Spawned(process: process, client: client, stdin: stdin), clock.now - start)
    }

    func call(_ name: String, _ args: [String: Value]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: args))).value
    }

    func rssKiB(_ field: String = "VmRSS:") -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    func stop() async {
        await client.disconnect()
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

enum Bench {
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["ARGO_MCP_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("argo-mcp")
    }()
    static let clock = ContinuousClock()

    static func ms(_ d: Duration) -> String {
        let value = Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000
        return value < 10 ? String(format: "%.2f ms", value) : String(format: "%.0f ms", value)
    }
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    static func median(_ xs: [Duration]) -> Duration { xs.sorted()[xs.count / 2] }
    static func textBytes(_ r: CallTool.Result) -> Int {
        r.content.reduce(0) { n, c in if case .text(let s, _, _) = c { n + s.utf8.count } else { n } }
    }

    /// The median of `runs` timings of `body`.
    static func timed(_ runs: Int, _ body: () async throws -> Void) async rethrows -> Duration {
        var xs: [Duration] = []
        for _ in 0..<runs {
            let t = clock.now
            try await body()
            xs.append(clock.now - t)
        }
        return median(xs)
    }

    /// Where the time of a large summary goes, and the diagnostics, without MCP or HTTP.
    static func inProcess(_ figures: inout Figures) async throws {
        progress("in-process: decoding and shaping a 10,000-node workflow…")
        let json = WorkflowGenerator(name: "big", nodeCount: 10_000, failureRate: 0.01, depth: 3).generate()
        let data = json.encoded()
        let workflow = try Workflow.decode(from: data)
        let decode = try await timed(5) { _ = try Workflow.decode(from: data) }
        let shape = await timed(5) { _ = WorkflowShaping(now: Date()).summary(workflow) }
        figures.add(
            "decoding a 10,000-node workflow (\(data.count / 1024) KiB of JSON) / shaping its summary, in-process",
            "\(ms(decode)) / \(ms(shape))")

        progress("in-process: diagnostics on a 10,000-node workflow…")
        let sim = ArgoSimulator()
        await sim.add(generated: WorkflowGenerator(name: "d-10k", nodeCount: 10_000, failureRate: 0.002, depth: 3))
        await sim.add(
            generated: WorkflowGenerator(name: "d-10k-b", nodeCount: 10_000, failureRate: 0.002, depth: 3, seed: 7))
        let diagnostics = Diagnostics(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo"))
        let target = Diagnostics.Target(namespace: "argo", name: "d-10k")
        _ = try await diagnostics.metrics(target)
        let analyze = try await timed(5) { _ = try await diagnostics.analyzeFailure(.init(target: target)) }
        let metrics = try await timed(5) { _ = try await diagnostics.metrics(target) }
        let graph = try await timed(5) { _ = try await diagnostics.graph(.init(target: target)) }
        let compare = try await timed(5) {
            _ = try await diagnostics.compare(
                .init(base: .init(namespace: "argo", name: "d-10k-b"), other: target, baseline: nil))
        }
        figures.add(
            "10,000 nodes in-process: analyze_failure (with 5 log reads) / metrics / graph / compare, median of 5",
            "\(ms(analyze)) / \(ms(metrics)) / \(ms(graph)) / \(ms(compare))")
    }

    static func startup(_ figures: inout Figures) async throws {
        progress("startup: 5 spawns…")
        var starts: [Duration] = []
        for _ in 0..<5 {
            let (s, d) = try await Spawned.start(["serve", "--simulator"])
            starts.append(d)
            await s.stop()
        }
        figures.add("cold start: spawn → `initialize` reply, median of 5", ms(median(starts)))
    }

    static func stdio(_ figures: inout Figures) async throws {
        progress("stdio: starting a server with a 10,000-node workflow…")
        let (server, _) = try await Spawned.start(
            ["serve", "--simulator", "--generate", "name=big-10k,nodes=10000,failures=0.01,depth=3"],
            // The log throughput figure reads large pages on purpose.
            environment: ["ARGO_MCP_MAX_RESULT_BYTES": "1048576"])
        try await Task.sleep(for: .milliseconds(200))
        let idle = server.rssKiB() / 1024
        progress("stdio: 300 calls of get_workflow…")
        let small = try await timed(300) { _ = try await server.call("get_workflow", ["name": "nightly-etl-7x2kq"]) }
        figures.add("`get_workflow` (40-node workflow) through MCP over stdio, SDK client, median of 300", ms(small))
        progress("stdio: 10 summaries of the 10,000-node workflow…")
        var bytes = 0
        let big = try await timed(10) {
            bytes = textBytes(try await server.call("get_workflow", ["name": "big-10k"]))
        }
        figures.add(
            "`get_workflow` summary of a 10,000-node workflow, median of 10",
            "\(ms(big)), \(bytes / 1024 + 1) KB of text")
        let afterSummaries = server.rssKiB() / 1024
        progress("stdio: logs of every pod of the 10,000-node workflow…")
        let t0 = clock.now
        let logs = try await server.call(
            "get_workflow_logs", ["name": "big-10k", "tail_lines": 60, "max_bytes": 200_000])
        let logTime = clock.now - t0
        let object = logs.structuredContent?.objectValue
        let total = (object?["lineCount"]?.intValue ?? 0) + (object?["droppedLines"]?.intValue ?? 0)
        figures.add(
            "log throughput, every pod of the 10,000-node workflow (\(total) lines)",
            "\(Int(Double(total) / max(seconds(logTime), 1e-9))) lines/s")
        figures.add(
            "RSS after `initialize` / after the large summaries / after reading every pod's log",
            "\(idle) MiB / \(afterSummaries) MiB / \(server.rssKiB() / 1024) MiB")
        await server.stop()
    }

    /// Starts `argo-mcp simulator --port 0` with extra arguments; returns it and its base URL.
    static func startSimulator(_ extra: [String] = []) throws -> (Process, String) {
        let sim = Process()
        sim.executableURL = binary
        sim.arguments = ["simulator", "--port", "0"] + extra
        let simOut = Pipe()
        sim.standardOutput = simOut
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        let urlLine = simOut.firstLine()
        return (sim, urlLine.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func http(_ figures: inout Figures) async throws {
        progress("http: 300 GETs and 30 large GETs from the simulator's REST face…")
        let (sim, base) = try startSimulator()
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let client = HTTPClient.shared
        let small = try await timed(300) {
            let response = try await client.execute(
                HTTPClientRequest(url: "\(base)/api/v1/workflows/argo/nightly-etl-7x2kq"), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 24)
        }
        figures.add("direct HTTP GET of the same workflow from the simulator's REST face, median of 300", ms(small))
        var size = 0
        let big = try await timed(30) {
            let response = try await client.execute(
                HTTPClientRequest(url: "\(base)/api/v1/workflows/argo/backfill-fanout-2k-p7w1c"), timeout: .seconds(10))
            size = try await response.body.collect(upTo: 1 << 28).readableBytes
        }
        figures.add("direct HTTP GET of a 2,000-node workflow (\(size / 1024) KiB), median of 30", ms(big))
    }

    /// Diagnostics by workflow size, against a separate simulator over HTTP (so argo-mcp's memory is its own):
    /// median of 5 calls after one warm-up, and the server's peak RSS (VmHWM) after all of them.
    static func sizes(_ counts: [Int]) async throws -> String {
        var lines = [
            "| nodes | JSON | decode (in-process) | get_workflow | analyze_failure | get_workflow_metrics | render_workflow_graph | compare_workflows | peak RSS |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for size in counts {
            progress("sizes: \(size) nodes…")
            let generator = WorkflowGenerator(name: "wf-\(size)", nodeCount: size, failureRate: 0.002, depth: 3)
            let data = generator.generate().encoded()
            let decode = try await timed(5) { _ = try Workflow.decode(from: data) }
            let spec = "nodes=\(size),failures=0.002,depth=3"
            let (simulator, url) = try startSimulator([
                "--generate", "name=wf-\(size),\(spec)", "--generate", "name=wf-\(size)-b,\(spec),seed=7",
            ])
            let (s, _) = try await Spawned.start(
                ["serve"], environment: ["ARGO_SERVER": String(url.dropFirst(7)), "ARGO_SECURE": "false"])
            var cells = ["\(size.formatted())", "\(data.count / 1024) KiB", ms(decode)]
            let calls: [(String, [String: Value])] = [
                ("get_workflow", ["name": .string("wf-\(size)")]),
                ("analyze_failure", ["name": .string("wf-\(size)")]),
                ("get_workflow_metrics", ["name": .string("wf-\(size)")]),
                ("render_workflow_graph", ["name": .string("wf-\(size)")]),
                ("compare_workflows", ["name": .string("wf-\(size)"), "base_name": .string("wf-\(size)-b")]),
            ]
            for (tool, args) in calls {
                _ = try await s.call(tool, args)
                var bytes = 0
                let time = try await timed(5) { bytes = textBytes(try await s.call(tool, args)) }
                cells.append("\(ms(time)) (\(bytes / 1024 + 1) KB)")
                progress("  \(size) nodes, \(tool): \(cells.last ?? "")")
            }
            cells.append("\(s.rssKiB("VmHWM:") / 1024) MiB")
            lines.append("| " + cells.joined(separator: " | ") + " |")
            await s.stop()
            simulator.terminate()
            simulator.waitUntilExit()
        }
        return lines.joined(separator: "\n")
    }
}

extension Pipe {
    /// What a child process writes up to its first newline (the URL a server prints), without waiting for the end:
    /// a server, or a daemon it started, keeps the pipe open.
    func firstLine() -> String {
        var line = ""
        while !line.contains("\n") {
            let chunk = fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        return line
    }
}
