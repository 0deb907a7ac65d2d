import AsyncHTTPClient
import Foundation
import MCP
import NIOCore
import NIOHTTP1
import Testing

/// What the Streamable HTTP transport itself must do, beyond serving the scenarios every transport runs.
@Suite("MCP over Streamable HTTP", .serialized, .timeLimit(.minutes(2)))
struct HTTPTransportScenarioTests {
    static func post(
        _ url: String, _ body: String, headers: [(String, String)] = [], client: HTTPClient = .shared,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: timeout)
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        var fields: [String: String] = [:]
        for h in response.headers { fields[h.name.lowercased()] = h.value }
        return (Int(response.status.code), fields, text)
    }

    static let initialize =
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#

    @Test("sessions: initialize opens one, a call needs it, an unknown one is 404, DELETE ends it; /healthz answers")
    func sessions() async throws {
        let server = try await HTTPServerProcess(["serve", "--simulator"], callers: [])
        let opened = try await Self.post(server.url, Self.initialize)
        #expect(opened.status == 200)
        let session = try #require(opened.headers["mcp-session-id"])
        #expect(opened.body.contains(#""serverInfo":{"name":"argo-mcp""#))

        let call =
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_workflow","arguments":{"name":"nightly-etl-7x2kq"}}}"#
        let answered = try await Self.post(
            server.url, call, headers: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")])
        #expect(answered.status == 200)
        #expect(answered.body.contains("nightly-etl-7x2kq: Succeeded"))

        let unknown = try await Self.post(server.url, call, headers: [("Mcp-Session-Id", "not-a-session")])
        #expect(unknown.status == 404)
        let without = try await Self.post(server.url, call)
        #expect(without.status == 400)

        var delete = HTTPClientRequest(url: server.url)
        delete.method = .DELETE
        delete.headers.add(name: "Mcp-Session-Id", value: session)
        delete.headers.add(name: "MCP-Protocol-Version", value: "2025-11-25")
        #expect(try await HTTPClient.shared.execute(delete, timeout: .seconds(5)).status == .ok)
        let after = try await Self.post(
            server.url, call, headers: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")])
        #expect(after.status == 404)

        let health = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: server.url.replacingOccurrences(of: "/mcp", with: "/healthz")), timeout: .seconds(5))
        #expect(health.status == .ok)
        _ = await server.stop()
    }

    @Test(
        "stateless: no session id, any request without initialize, progress in the answer's stream, JSON when only JSON is accepted; GET, DELETE and batches refused; subscriptions and dialogs not offered"
    )
    func stateless() async throws {
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--generate", "name=quick,nodes=8,evolve=6", "--tick-ms", "100"],
            environment: ["ARGO_MCP_HTTP_SESSIONS": "stateless"], callers: [])
        let opened = try await Self.post(server.url, Self.initialize)
        #expect(opened.status == 200)
        #expect(opened.headers["mcp-session-id"] == nil)
        #expect(opened.body.contains(#""subscribe":false"#))
        #expect(!opened.body.contains(#""logging""#))
        let initialized = try await Self.post(server.url, #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        #expect(initialized.status == 202)

        // A request without any initialize before it (it may reach a replica that never saw one).
        let call =
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_workflow","arguments":{"name":"nightly-etl-7x2kq"}}}"#
        let answered = try await Self.post(server.url, call, headers: [("MCP-Protocol-Version", "2025-11-25")])
        #expect(answered.status == 200)
        #expect(answered.headers["content-type"] == "text/event-stream")
        #expect(answered.body.contains("nightly-etl-7x2kq: Succeeded"))
        // A stale session id from a stateful server is ignored, not 404.
        let stale = try await Self.post(server.url, call, headers: [("Mcp-Session-Id", "from-before")])
        #expect(stale.status == 200)
        var jsonOnly = HTTPClientRequest(url: server.url)
        jsonOnly.method = .POST
        jsonOnly.headers.add(name: "Content-Type", value: "application/json")
        jsonOnly.headers.add(name: "Accept", value: "application/json")
        jsonOnly.body = .bytes(ByteBuffer(string: call))
        let json = try await HTTPClient.shared.execute(jsonOnly, timeout: .seconds(10))
        #expect(json.headers.first(name: "Content-Type") == "application/json")
        let jsonBody = String(buffer: try await json.body.collect(upTo: 1 << 20))
        #expect(jsonBody.hasPrefix("{") && jsonBody.contains("nightly-etl-7x2kq: Succeeded"))

        // Progress notifications of a call come in that call's own event stream, before its answer.
        let watch =
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"watch_workflow","arguments":{"name":"quick","timeout_seconds":30},"_meta":{"progressToken":"p-1"}}}"#
        let watched = try await Self.post(server.url, watch)
        let events = watched.body.components(separatedBy: "\n\n").filter { $0.contains("data: ") }
        #expect(events.count >= 3, "\(watched.body.prefix(500))")
        #expect(events.dropLast().allSatisfy { $0.contains("notifications/progress") && $0.contains("p-1") })
        #expect(events.last?.contains(#""endedBy":"completed""#) == true)

        let subscribe =
            #"{"jsonrpc":"2.0","id":4,"method":"resources/subscribe","params":{"uri":"argo://workflows/argo/quick"}}"#
        let refused = try await Self.post(server.url, subscribe)
        #expect(refused.body.contains("resources/subscribe needs a session"))
        let batch = try await Self.post(server.url, "[\(call)]")
        #expect(batch.status == 400)
        #expect(batch.body.contains("batches were removed"))
        for method in [NIOHTTP1.HTTPMethod.GET, .DELETE] {
            var request = HTTPClientRequest(url: server.url)
            request.method = method
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers.first(name: "Allow") == "POST")
        }
        _ = await server.stop()
    }

    @Test("a request from a foreign web page (Origin not localhost) is refused: DNS rebinding")
    func origin() async throws {
        let server = try await HTTPServerProcess(["serve", "--simulator"], callers: [])
        let refused = try await Self.post(server.url, Self.initialize, headers: [("Origin", "https://evil.example")])
        #expect(refused.status == 403)
        let local = try await Self.post(server.url, Self.initialize, headers: [("Origin", "http://localhost:3000")])
        #expect(local.status == 200)
        // A DNS-rebound name reaching the loopback port: its Host is not one of the allowed names.
        let rebound = try await Self.post(server.url, Self.initialize, headers: [("Host", "evil.example:8080")])
        #expect(rebound.status == 421)
        _ = await server.stop()
    }

    @Test("listening beyond loopback without authentication is refused at start-up, with the fix")
    func loopbackOnly() throws {
        let (status, stderr) = try ServerProcess.runToExit(["serve", "--simulator", "--http", "0.0.0.0:8080"])
        #expect(status == 2)
        #expect(stderr.contains("would accept calls from other machines"))
        #expect(stderr.contains("127.0.0.1"))
        let (badStatus, badStderr) = try ServerProcess.runToExit(["serve", "--simulator", "--http", "8080"])
        #expect(badStatus == 2)
        #expect(badStderr.contains("is not HOST:PORT"))
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test(
        "/readyz says whether Argo answers: ready on the simulator, 503 naming the dependency that is down, without its address or error text"
    )
    func readiness() async throws {
        let simulator = try await HTTPServerProcess(["serve", "--simulator"])
        let ready = try await Self.get(simulator.url.replacingOccurrences(of: "/mcp", with: "/readyz"))
        #expect(ready.status == 200)
        #expect(ready.body.contains("simulator"))
        _ = await simulator.stop()

        // An Argo Server address where nothing listens.
        let down = try await HTTPServerProcess(
            ["serve"], environment: ["ARGO_SERVER": "127.0.0.1:9", "ARGO_SECURE": "false"])
        let notReady = try await Self.get(down.url.replacingOccurrences(of: "/mcp", with: "/readyz"))
        #expect(notReady.status == 503)
        #expect(notReady.body.trimmingCharacters(in: .whitespacesAndNewlines) == "the Argo Server does not answer")
        #expect(!notReady.body.contains("127.0.0.1"))
        let log = await down.stop()
        #expect(log.contains("not ready: the Argo Server does not answer"), "the reason goes to the log")
    }

    @Test("http.listen in the config file and ARGO_MCP_HTTP_LISTEN choose HTTP too, under the same loopback rule")
    func listenSettings() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-http-\(UUID().uuidString).yaml")
        try Data("http:\n  listen: 0.0.0.0:8080\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, stderr) = try ServerProcess.runToExit(["serve", "--simulator", "--config", file.path])
        #expect(status == 2)
        #expect(stderr.contains("(http.listen)=0.0.0.0:8080 would accept calls from other machines"))
        let (envStatus, envStderr) = try ServerProcess.runToExit(
            ["serve", "--simulator"], environment: ["ARGO_MCP_HTTP_LISTEN": "192.168.1.5:8080"])
        #expect(envStatus == 2)
        #expect(envStderr.contains("192.168.1.5:8080 would accept calls from other machines"))
    }

    @Test("/metrics: calls per tool and outcome with latency histograms, open sessions, refused callers, Argo errors")
    func metrics() async throws {
        // A real Argo Server address where nothing listens, so Argo request errors are counted too.
        let server = try await HTTPServerProcess(
            ["serve"], environment: ["ARGO_SERVER": "127.0.0.1:9", "ARGO_SECURE": "false"])
        _ = try await server.connect()
        _ = try await server.call("list_workflows", ["limit": 1])
        _ = try await Self.post(server.url, Self.initialize, headers: [("Authorization", "Bearer wrong")])
        let scraped = try await Self.get(server.url.replacingOccurrences(of: "/mcp", with: "/metrics"))
        #expect(scraped.status == 200)
        let lines = scraped.body.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"argo_mcp_tool_calls_total{tool="list_workflows",outcome="error"} 1"#))
        #expect(
            lines.contains { $0.hasPrefix(#"argo_mcp_tool_call_duration_seconds_bucket{tool="list_workflows",le="#) })
        #expect(lines.contains(#"argo_mcp_tool_call_duration_seconds_count{tool="list_workflows"} 1"#))
        #expect(lines.contains("argo_mcp_http_sessions 1.0"))
        #expect(lines.contains(#"argo_mcp_http_auth_failures_total{reason="invalid"} 1"#))
        #expect(lines.contains { $0.hasPrefix(#"argo_mcp_argo_request_errors_total{kind="unavailable"}"#) })
        #expect(lines.contains { $0.hasPrefix("argo_mcp_argo_request_duration_seconds_count") })
        _ = await server.stop()
    }

    @Test("SIGTERM: a call under way is answered, new sessions are refused meanwhile, then the process exits 0")
    func gracefulShutdown() async throws {
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--fault", "list_workflows:latency_ms=5000"], callers: [])
        _ = try await server.connect()
        async let slow = server.call("list_workflows", ["limit": 2])
        // SIGTERM once the server has taken the request (its open-requests gauge says so), whether or not the
        // request has reached its tool handler yet: it must be answered either way.
        let metrics = server.url.replacingOccurrences(of: "/mcp", with: "/metrics")
        let taken = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < taken,
            !(try await Self.get(metrics).body.contains("argo_mcp_http_open_requests 1.0"))
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(server.process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(200))
        let refused = try await Self.post(server.url, Self.initialize)
        #expect(refused.status == 503)
        #expect(refused.body.contains("shutting down"))
        let answered = try await slow
        #expect(answered.isError == false)
        #expect((answered.structuredContent?.objectValue?["items"]?.arrayValue ?? []).count == 2)
        let deadline = ContinuousClock.now + .seconds(10)
        while server.process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!server.process.isRunning, "the process ends once its sessions are closed")
        #expect(server.process.terminationStatus == 0)
        let stderr = await server.stop()
        #expect(stderr.contains("the HTTP server stopped"))
    }

    @Test("a session that sent its byte allowance is closed: its next request gets 404 and is not carried out")
    func sessionAllowance() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-http-\(UUID().uuidString).yaml")
        try Data("http:\n  maxSessionBytes: 65536\n".utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let server = try await HTTPServerProcess(["serve", "--simulator", "--config", config.path], callers: [])
        let opened = try await Self.post(server.url, Self.initialize)
        let session = try #require(opened.headers["mcp-session-id"])
        let headers = [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")]
        let call =
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_workflows","arguments":{"all_namespaces":true,"limit":50}}}"#
        // Answers go out until the session has sent more than its allowance; the request after that is refused.
        var sent = opened.body.utf8.count
        var answers = 0
        var refusal: (status: Int, headers: [String: String], body: String)?
        while answers < 200 {
            let answer = try await Self.post(server.url, call, headers: headers)
            guard answer.status == 200 else {
                refusal = answer
                break
            }
            sent += answer.body.utf8.count
            answers += 1
        }
        #expect(sent > 65536 && sent < 65536 + 16384, "closed right after the allowance, not before")
        let recycled = try #require(refusal)
        #expect(recycled.status == 404)
        #expect(recycled.body.contains("initialize a new session and send it again"))
        let again = try await Self.post(server.url, Self.initialize)
        #expect(again.status == 200)
        _ = await server.stop()
    }
}
