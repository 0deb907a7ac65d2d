import AsyncHTTPClient
import Foundation
import MCP
import NIOCore
import Testing

/// The HTTP server attacked as an outsider and as a caller would: idle connections, duplicate request ids, races
/// for the caps, forged log lines.
@Suite("HTTP hardening", .serialized, .timeLimit(.minutes(3)))
struct HTTPHardeningScenarioTests {
    static func config(_ yaml: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-hardening-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: file)
        return file
    }

    static func port(_ url: String) -> Int {
        Int(url.split(separator: ":").last?.split(separator: "/").first ?? "") ?? 0
    }

    /// A TCP connection to 127.0.0.1:`port` that sends nothing; -1 when it cannot be made.
    static func idleConnection(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        if !connected {
            close(fd)
            return -1
        }
        return fd
    }

    /// Whether the server closed `fd` within `milliseconds` (a read sees the end).
    static func closedByServer(_ fd: Int32, within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    /// The value of one Prometheus sample (`name{labels} value`), 0 when it is not there.
    static func sample(_ metrics: String, _ name: String) -> Double {
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// A POST on a connection of its own (the server under test closes idle kept-alive connections quickly).
    static func postFresh(_ url: String, _ body: String, headers: [(String, String)] = []) async throws -> (
        status: Int, headers: [String: String], body: String
    ) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let answer = try await HTTPTransportScenarioTests.post(
                url, body, headers: headers, client: client, timeout: .seconds(60))
            try await client.shutdown()
            return answer
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test(
        "600 idle connections against a server limited to 512 open files: a caller is still served, the idle ones are closed within the head timeout, and the process lives"
    )
    func idleConnections() async throws {
        let config = try Self.config("http:\n  headTimeoutSeconds: 2\n  idleTimeoutSeconds: 2\n")
        defer { try? FileManager.default.removeItem(at: config) }
        let server = try await HTTPServerProcess(
            [
                "serve", "--simulator", "--config", config.path, "--generate", "name=slow,nodes=4,evolve=1000",
                "--tick-ms", "1000",
            ], callers: [],
            launcher: ["/usr/bin/prlimit", "--nofile=512:512", "--"])
        let port = Self.port(server.url)
        // More than the process could hold open: it accepts up to its cap and leaves the rest in the backlog.
        var idle: [Int32] = []
        for _ in 0..<600 { idle.append(Self.idleConnection(port)) }
        defer { for fd in idle where fd >= 0 { close(fd) } }
        #expect(idle.filter { $0 >= 0 }.count >= 500)

        let started = ContinuousClock.now
        let served = try await Self.postFresh(server.url, HTTPTransportScenarioTests.initialize)
        #expect(served.status == 200)
        // Served once the idle connections ahead of it were closed: seconds here, more on a loaded machine; the
        // bound only tells a wait for the head timeout from a wait for ever.
        #expect(ContinuousClock.now - started < .seconds(60), "served once the idle connections were closed")
        // The first idle connections were accepted first: closed by the server within the head timeout (2 s).
        let closed = idle.prefix(100).filter { $0 >= 0 && Self.closedByServer($0, within: 6000) }.count
        #expect(closed == 100)
        #expect(server.process.isRunning, "running out of descriptors never ends the process")
        let metrics = try await HTTPTransportScenarioTests.get(
            server.url.replacingOccurrences(of: "/mcp", with: "/metrics"))
        #expect(Self.sample(metrics.body, #"argo_mcp_http_connection_timeouts_total{kind="head"}"#) >= 100)
        #expect(Self.sample(metrics.body, "argo_mcp_http_accept_paused_total") >= 1)
        // An answer under way is exempt: a 4 s watch streams past the 2 s head and idle timeouts.
        let watch =
            #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"watch_workflow","arguments":{"name":"slow","timeout_seconds":4}}}"#
        let session = try #require(served.headers["mcp-session-id"])
        let watched = try await Self.postFresh(
            server.url, watch, headers: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")])
        #expect(watched.body.contains(#""endedBy":"timeout""#), "\(watched.body.suffix(300))")
        let stderr = await server.stop()
        #expect(!stderr.contains("Too many open files"), "\(stderr.suffix(500))")
    }

    @Test(
        "a request id already in flight in a session is refused; nothing stays open after the answers, and SIGTERM exits promptly"
    )
    func duplicateIDs() async throws {
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--generate", "name=slow,nodes=6,evolve=1000", "--tick-ms", "1000"], callers: [])
        let opened = try await HTTPTransportScenarioTests.post(server.url, HTTPTransportScenarioTests.initialize)
        let session = try #require(opened.headers["mcp-session-id"])
        let headers = [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")]
        let slow =
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"watch_workflow","arguments":{"name":"slow","timeout_seconds":6}}}"#
        let metricsURL = server.url.replacingOccurrences(of: "/mcp", with: "/metrics")
        async let first = HTTPTransportScenarioTests.post(server.url, slow, headers: headers)
        // The duplicates go out once the server holds the first request.
        let taken = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < taken,
            Self.sample(try await HTTPTransportScenarioTests.get(metricsURL).body, "argo_mcp_http_open_requests") < 1
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        let duplicates = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask { try await HTTPTransportScenarioTests.post(server.url, slow, headers: headers).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(duplicates.allSatisfy { $0 == 409 }, "\(Set(duplicates))")
        let answered = try await first
        #expect(answered.body.contains(#""endedBy":"timeout""#))
        // The id is free again once its request is answered.
        let again = try await HTTPTransportScenarioTests.post(
            server.url,
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_workflow","arguments":{"name":"slow"}}}"#,
            headers: headers)
        #expect(again.status == 200)
        // Every request ends once its answer is written.
        let ended = ContinuousClock.now + .seconds(10)
        var open = 1.0
        while ContinuousClock.now < ended {
            open = Self.sample(try await HTTPTransportScenarioTests.get(metricsURL).body, "argo_mcp_http_open_requests")
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(open == 0, "every request ended")
        let stopping = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        #expect(await server.process.exited(within: .seconds(60)))
        #expect(ContinuousClock.now - stopping < .seconds(10))
        #expect(server.process.terminationStatus == 0)
    }

    @Test("250 simultaneous initializes against maxSessions 10 open exactly 10 sessions")
    func sessionCap() async throws {
        let config = try Self.config("http:\n  maxSessions: 10\n")
        defer { try? FileManager.default.removeItem(at: config) }
        let server = try await HTTPServerProcess(["serve", "--simulator", "--config", config.path], callers: [])
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<250 {
                group.addTask {
                    try await HTTPTransportScenarioTests.post(server.url, HTTPTransportScenarioTests.initialize).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 10)
        #expect(statuses.filter { $0 == 503 }.count == 240)
        _ = await server.stop()
    }

    @Test("120 concurrent subscribes against a cap of 50 accept exactly 50")
    func subscriptionCap() async throws {
        let generated = (0..<120).flatMap { ["--generate", "name=sub-\($0),nodes=2"] }
        let server = try await HTTPServerProcess(["serve", "--simulator"] + generated, callers: [])
        _ = try await server.connect()
        let client = server.client
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<120 {
                group.addTask {
                    do {
                        try await client.subscribeToResource(uri: "argo://workflows/argo/sub-\(index)")
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 50)
        _ = await server.stop()
    }

    @Test("a value sent by a caller cannot forge a log line: control characters are escaped")
    func forgedLogLine() async throws {
        let server = try await ServerProcess(["serve", "--simulator", "--log-level", "debug"])
        _ = try await server.connect()
        let forged = "no-such\n2026-12-03T00:00:00+0000 critical argo-mcp: FORGED line\r\u{1B}[2J\u{202E}"
        let answer = try await server.call("get_workflow", ["name": .string(forged)])
        #expect(answer.isError == true)
        let stderr = await server.stop()
        let lines = stderr.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("2026-12-03T00:00:00+0000 critical") }, "a forged line")
        #expect(
            stderr.contains(#"no-such\n2026-12-03T00:00:00+0000 critical argo-mcp: FORGED line\r\u{1B}[2J\u{202E}"#))
        #expect(!stderr.contains("\u{1B}"))
    }
}
