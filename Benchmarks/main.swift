import ArgoSimulator
// Prints argo-mcp's performance figures; not a test. Run: swift run -c release Benchmarks
import AsyncHTTPClient
import Domain
import Foundation
import MCP
import MCPStdio
import Ports

let binary: URL = {
    if let path = ProcessInfo.processInfo.environment["ARGO_MCP_BINARY"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("argo-mcp")
}()

struct Spawned {
    let process: Process
    let client: Client
    let stdin: Pipe

    static func start(_ args: [String], environment: [String: String] = [:]) async throws -> (Spawned, Duration) {
        let process = Process()
        process.executableURL = binary
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

func ms(_ d: Duration) -> String {
    String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
}
func median(_ xs: [Duration]) -> Duration { xs.sorted()[xs.count / 2] }

let clock = ContinuousClock()
print("argo-mcp benchmarks (\(ProcessInfo.processInfo.processorCount) cores, binary \(binary.path))")

// 0. In-process: where the time of a large summary goes.
do {
    let json = WorkflowGenerator(name: "big", nodeCount: 10_000, failureRate: 0.01, depth: 3).generate()
    let data = json.encoded()
    var decodes: [Duration] = []
    var shapes: [Duration] = []
    var wf: Workflow?
    for _ in 0..<5 {
        let t = clock.now
        wf = try Workflow.decode(from: data)
        decodes.append(clock.now - t)
        let t2 = clock.now
        _ = WorkflowShaping(now: Date()).summary(wf!)
        shapes.append(clock.now - t2)
    }
    print(
        "in-process, 10,000-node workflow (\(data.count / 1024) KiB JSON): decode \(ms(median(decodes))), summary \(ms(median(shapes)))"
    )
}

// 0b. In-process: the diagnostics on a 10,000-node workflow (simulator gateway, no HTTP, no MCP).
do {
    let sim = ArgoSimulator()
    await sim.add(generated: WorkflowGenerator(name: "d-10k", nodeCount: 10_000, failureRate: 0.002, depth: 3))
    await sim.add(
        generated: WorkflowGenerator(name: "d-10k-b", nodeCount: 10_000, failureRate: 0.002, depth: 3, seed: 7))
    let diagnostics = Diagnostics(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo")
    let target = Diagnostics.Target(namespace: "argo", name: "d-10k")
    _ = try await diagnostics.metrics(target)
    func time(_ body: () async throws -> Void) async rethrows -> String {
        var xs: [Duration] = []
        for _ in 0..<5 {
            let t = clock.now
            try await body()
            xs.append(clock.now - t)
        }
        return ms(median(xs))
    }
    let analyze = try await time { _ = try await diagnostics.analyzeFailure(.init(target: target)) }
    let metrics = try await time { _ = try await diagnostics.metrics(target) }
    let graph = try await time { _ = try await diagnostics.graph(.init(target: target)) }
    let compare = try await time {
        _ = try await diagnostics.compare(
            .init(base: .init(namespace: "argo", name: "d-10k-b"), other: target, baseline: nil))
    }
    print(
        "in-process, 10,000 nodes: analyze_failure \(analyze) (with 5 log reads), metrics \(metrics), graph \(graph), compare \(compare)"
    )
}

// 1. Cold start: spawn → initialize reply.
var starts: [Duration] = []
for _ in 0..<5 {
    let (s, d) = try await Spawned.start(["serve", "--simulator"])
    starts.append(d)
    await s.stop()
}
print("cold start (spawn → initialize reply), median of 5: \(ms(median(starts)))")

// 2. Per-call latency of get_workflow through MCP, and idle RSS.
let (server, _) = try await Spawned.start(
    ["serve", "--simulator", "--generate", "name=big-10k,nodes=10000,failures=0.01,depth=3"],
    // The log throughput figure reads large pages on purpose.
    environment: ["ARGO_MCP_MAX_RESULT_BYTES": "1048576"])
try await Task.sleep(for: .milliseconds(200))
print(
    "idle RSS after initialize (demo data and a 10,000-node workflow registered; built on first use): \(server.rssKiB() / 1024) MiB"
)
var calls: [Duration] = []
for _ in 0..<300 {
    let t = clock.now
    _ = try await server.call("get_workflow", ["name": "nightly-etl-7x2kq"])
    calls.append(clock.now - t)
}
print("get_workflow (40-node workflow) through MCP over stdio, median of 300: \(ms(median(calls)))")

// 3. Summary of a 10,000-node workflow.
var bigCalls: [Duration] = []
var bytes = 0
for _ in 0..<10 {
    let t = clock.now
    let r = try await server.call("get_workflow", ["name": "big-10k"])
    bigCalls.append(clock.now - t)
    bytes = r.content.reduce(0) { n, c in if case .text(let s, _, _) = c { return n + s.utf8.count } else { return n } }
}
print("get_workflow summary of a 10,000-node workflow, median of 10: \(ms(median(bigCalls))), text \(bytes) bytes")
print("RSS after the large summaries: \(server.rssKiB() / 1024) MiB")

// 4. Log throughput.
let t0 = clock.now
let logs = try await server.call("get_workflow_logs", ["name": "big-10k", "tail_lines": 60, "max_bytes": 200_000])
let logTime = clock.now - t0
let lineCount = logs.structuredContent?.objectValue?["lineCount"]?.intValue ?? 0
let dropped = logs.structuredContent?.objectValue?["droppedLines"]?.intValue ?? 0
let total = lineCount + dropped
print(
    "get_workflow_logs over every pod of the 10,000-node workflow: \(total) lines streamed in \(ms(logTime)) (\(Int(Double(total) / (Double(logTime.components.seconds) + Double(logTime.components.attoseconds) / 1e18))) lines/s)"
)
await server.stop()

/// Starts `argo-mcp simulator --port 0` with extra arguments; returns it and its base URL.
func startSimulator(_ extra: [String] = []) throws -> (Process, String) {
    let sim = Process()
    sim.executableURL = binary
    sim.arguments = ["simulator", "--port", "0"] + extra
    let simOut = Pipe()
    sim.standardOutput = simOut
    sim.standardError = FileHandle.nullDevice
    try sim.run()
    var urlLine = ""
    while !urlLine.contains("\n") {
        let chunk = simOut.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        urlLine += String(decoding: chunk, as: UTF8.self)
    }
    return (sim, urlLine.trimmingCharacters(in: .whitespacesAndNewlines))
}

// 5. The same get as a direct HTTP GET against the simulator's REST face.
let (sim, base) = try startSimulator()
let http = HTTPClient.shared
var gets: [Duration] = []
for _ in 0..<300 {
    let t = clock.now
    let response = try await http.execute(
        HTTPClientRequest(url: "\(base)/api/v1/workflows/argo/nightly-etl-7x2kq"), timeout: .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 24)
    gets.append(clock.now - t)
}
print("direct HTTP GET of the same workflow from the simulator's REST face, median of 300: \(ms(median(gets)))")
var bigGets: [Duration] = []
var bigSize = 0
for _ in 0..<30 {
    let t = clock.now
    let response = try await http.execute(
        HTTPClientRequest(url: "\(base)/api/v1/workflows/argo/backfill-fanout-2k-p7w1c"), timeout: .seconds(10))
    bigSize = try await response.body.collect(upTo: 1 << 28).readableBytes
    bigGets.append(clock.now - t)
}
print("direct HTTP GET of a 2,000-node workflow (\(bigSize / 1024) KiB), median of 30: \(ms(median(bigGets)))")
sim.terminate()
sim.waitUntilExit()

// 6. Diagnostics by workflow size, against a separate simulator over HTTP (so argo-mcp's memory is its own):
// median of 5 calls after one warm-up, and the server's peak RSS (VmHWM) after all of them.
print("")
print(
    "| nodes | JSON | decode (in-process) | get_workflow | analyze_failure | get_workflow_metrics | render_workflow_graph | compare_workflows | peak RSS |"
)
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for size in [1_000, 10_000, 50_000] {
    let generator = WorkflowGenerator(name: "wf-\(size)", nodeCount: size, failureRate: 0.002, depth: 3)
    let data = generator.generate().encoded()
    var decodes: [Duration] = []
    for _ in 0..<5 {
        let t = clock.now
        _ = try Workflow.decode(from: data)
        decodes.append(clock.now - t)
    }
    let spec = "nodes=\(size),failures=0.002,depth=3"
    let (simulator, url) = try startSimulator([
        "--generate", "name=wf-\(size),\(spec)", "--generate", "name=wf-\(size)-b,\(spec),seed=7",
    ])
    let (s, _) = try await Spawned.start(
        ["serve"], environment: ["ARGO_SERVER": String(url.dropFirst(7)), "ARGO_SECURE": "false"])
    var cells = ["\(size)", "\(data.count / 1024) KiB", ms(median(decodes))]
    let calls: [(String, [String: Value])] = [
        ("get_workflow", ["name": .string("wf-\(size)")]),
        ("analyze_failure", ["name": .string("wf-\(size)")]),
        ("get_workflow_metrics", ["name": .string("wf-\(size)")]),
        ("render_workflow_graph", ["name": .string("wf-\(size)")]),
        ("compare_workflows", ["name": .string("wf-\(size)"), "base_name": .string("wf-\(size)-b")]),
    ]
    for (tool, args) in calls {
        _ = try await s.call(tool, args)
        var times: [Duration] = []
        var bytes = 0
        for _ in 0..<5 {
            let t = clock.now
            let r = try await s.call(tool, args)
            times.append(clock.now - t)
            bytes = r.content.reduce(0) { n, c in if case .text(let t, _, _) = c { n + t.utf8.count } else { n } }
        }
        cells.append("\(ms(median(times))) (\(bytes / 1024 + 1) KB)")
    }
    cells.append("\(s.rssKiB("VmHWM:") / 1024) MiB")
    print("| " + cells.joined(separator: " | ") + " |")
    await s.stop()
    simulator.terminate()
    simulator.waitUntilExit()
}
