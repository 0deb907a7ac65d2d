import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one fuzz run found.
public struct FuzzReport: Sendable {
    public var calls = 0
    public var toolErrors = 0
    public var malformed = 0
    public var cancelledWatches = 0
    public var crashes: [String] = []
    public var hangs: [String] = []
    public var pollution: [String] = []
    public var restarts = 0
    public var seconds = 0.0
    public var byTool: [String: Int] = [:]
    /// The slowest answered calls (seconds, call), slowest first: where a hang would start.
    public var slowest: [(Double, String)] = []

    mutating func timed(_ seconds: Double, _ call: String) {
        slowest.append((seconds, call))
        slowest.sort { $0.0 > $1.0 }
        if slowest.count > 5 { slowest.removeLast() }
    }

    public var summary: String {
        "fuzz: \(calls) tool calls, \(malformed) malformed messages, \(toolErrors) tool errors; "
            + "\(crashes.count) crashes, \(hangs.count) hangs, \(pollution.count) lines of stdout pollution "
            + "in \(String(format: "%.0f", seconds)) s"
    }
}

/// Drives the built binary over stdio with hostile tool calls and malformed JSON-RPC, restarting it after a crash.
public struct FuzzCampaign: Sendable {
    public var binary: URL
    public var calls: Int
    public var seed: UInt64
    public var chainSteps: Int
    /// How long a call may take before the server is suspected of hanging (watch_workflow is cancelled sooner).
    public var callTimeout: TimeInterval = 20
    public var log: @Sendable (String) -> Void

    public init(
        binary: URL, calls: Int, seed: UInt64, chainSteps: Int = 30_000, log: @escaping @Sendable (String) -> Void
    ) {
        self.binary = binary
        self.calls = calls
        self.seed = seed
        self.chainSteps = chainSteps
        self.log = log
    }

    struct Tool {
        var name: String
        var schema: [String: Any]
    }

    /// Runs on a thread of its own: the campaign blocks while it waits for the server, and must not hold one of
    /// the few threads Swift concurrency shares between tasks (tests run beside it).
    public func runDetached() async throws -> FuzzReport {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.run() })
            }
        }
    }

    public func run() throws -> FuzzReport {
        _ = signal(SIGPIPE, SIG_IGN)
        let started = Date()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-fuzz-\(UUID().uuidString)")
        let seeds = work.appendingPathComponent("seeds")
        try HostileObjects.write(to: seeds, chainSteps: chainSteps)
        defer { try? FileManager.default.removeItem(at: work) }
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("ARGO_") { environment[key] = nil }
        environment["XDG_STATE_HOME"] = work.path
        environment["ARGO_MCP_AUDIT_FILE"] = work.appendingPathComponent("audit.jsonl").path
        let arguments = ["serve", "--simulator", "--seed", seeds.path, "--demo", "--log-level", "error"]

        var report = FuzzReport()
        var generator = HostileArguments(seed: seed)
        var nextID = 10
        func newID() -> Int {
            nextID += 1
            return nextID
        }

        var peer = try StdioPeer(binary: binary, arguments: arguments, environment: environment)
        var tools = try handshake(peer)
        log("fuzz: \(tools.count) tools; seed \(seed)")

        func restart(_ why: String) throws {
            report.pollution += peer.pollution
            peer.stop()
            report.restarts += 1
            log("fuzz: restarting after \(why)")
            peer = try StdioPeer(binary: binary, arguments: arguments, environment: environment)
            tools = try handshake(peer)
        }

        func alive(after what: String) throws -> Bool {
            let id = newID()
            peer.send(["jsonrpc": "2.0", "id": id, "method": "ping"])
            if peer.response(id, timeout: 15) != nil { return true }
            if peer.isRunning {
                report.hangs.append("\(what): no answer to ping within 15 s")
                try restart("a hang")
            } else {
                peer.process.waitUntilExit()
                report.crashes.append(
                    "\(what): exit \(peer.process.terminationStatus) (\(peer.process.terminationReason == .uncaughtSignal ? "signal" : "status")); stderr: \(peer.stderrText.suffix(1500))"
                )
                try restart("a crash")
            }
            return false
        }

        // First a sweep: every tool on every named object (demo and hostile), with otherwise plausible arguments, so
        // each hostile object meets each read and diagnostic at least once.
        var sweep: [(Tool, [String: Any])] = []
        for tool in tools {
            let properties = tool.schema["properties"] as? [String: Any] ?? [:]
            for name in HostileArguments.names {
                var args: [String: Any] = [:]
                if properties["name"] != nil { args["name"] = name }
                if properties["other"] != nil { args["other"] = name }
                if properties["base"] != nil { args["base"] = "hostile-chain" }
                if properties["resource_name"] != nil { args["resource_name"] = name }
                if properties["include"] != nil { args["include"] = ["nodes"] }
                if properties["timeout_seconds"] != nil { args["timeout_seconds"] = 1 }
                if properties["manifest"] != nil { continue }
                if args.isEmpty && name != HostileArguments.names[0] { continue }
                sweep.append((tool, args))
            }
        }

        var i = 0
        while i < calls {
            if i > 0 && i % 1000 == 0 { log("fuzz: \(i) calls") }
            if i % 25 == 24 {
                let line = generator.malformedLine(nextID: newID())
                report.malformed += 1
                peer.send(line)
                _ = try alive(after: "malformed message \(String(decoding: line.prefix(160), as: UTF8.self))")
            }
            let (tool, args): (Tool, Any)
            if i < sweep.count {
                (tool, args) = sweep[i]
            } else {
                tool = generator.pick(tools)
                args = generator.arguments(schema: tool.schema)
            }
            let id = newID()
            let request: [String: Any] = [
                "jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": ["name": tool.name, "arguments": args, "_meta": ["progressToken": id]],
            ]
            let text =
                (try? JSONSerialization.data(withJSONObject: request)).map {
                    String(decoding: $0.prefix(400), as: UTF8.self)
                } ?? "?"
            i += 1
            report.calls += 1
            report.byTool[tool.name, default: 0] += 1
            let wait = tool.name == "watch_workflow" ? 3 : callTimeout
            guard peer.send(request) else {
                _ = try alive(after: "sending \(text)")
                continue
            }
            let sent = Date()
            if let response = peer.response(id, timeout: wait) {
                report.timed(Date().timeIntervalSince(sent), text)
                if let result = response["result"] as? [String: Any], result["isError"] as? Bool == true {
                    report.toolErrors += 1
                }
                continue
            }
            if !peer.isRunning {
                _ = try alive(after: text)
                continue
            }
            if tool.name == "watch_workflow" {
                report.cancelledWatches += 1
                peer.send(["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": id]])
                _ = try alive(after: "cancelled \(text)")
            } else {
                report.hangs.append("\(text): no answer within \(Int(wait)) s")
                _ = try alive(after: text)
            }
        }
        _ = try alive(after: "the last call")
        report.pollution += peer.pollution
        peer.stop()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    func handshake(_ peer: StdioPeer) throws -> [Tool] {
        peer.send([
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": [
                "protocolVersion": "2025-11-25", "capabilities": [String: Any](),
                "clientInfo": ["name": "argo-mcp-fuzz", "version": "1"],
            ],
        ])
        guard peer.response(1, timeout: 60) != nil else {
            throw FuzzError("the server did not answer initialize: \(peer.stderrText.suffix(2000))")
        }
        peer.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        peer.send(["jsonrpc": "2.0", "id": 2, "method": "tools/list"])
        guard let list = peer.response(2, timeout: 30), let result = list["result"] as? [String: Any],
            let tools = result["tools"] as? [[String: Any]], !tools.isEmpty
        else { throw FuzzError("the server did not list its tools") }
        return tools.compactMap { t in
            guard let name = t["name"] as? String else { return nil }
            return Tool(name: name, schema: t["inputSchema"] as? [String: Any] ?? [:])
        }
    }
}

public struct FuzzError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
