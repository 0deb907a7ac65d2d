import AsyncHTTPClient
import Foundation
import StreamableHTTPClient

extension Bench {
    /// Many sessions through nginx round robin to three stateless replicas, beside one replica without a balancer
    /// (stateful, and stateless), every configuration driven by the same plain Streamable HTTP client (so the
    /// figures compare servers, not clients); and what statelessness costs one call.
    static func balanced(_ figures: inout Figures, sessions: Int, duration: Duration) async throws {
        try await withPostgres { url in
            try await balanced(&figures, postgres: url, sessions: sessions, duration: duration)
        }
    }

    static func balanced(_ figures: inout Figures, postgres: String, sessions: Int, duration: Duration) async throws {
        let (sim, base) = try startSimulator()
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let environment = [
            "ARGO_SERVER": String(base.dropFirst("http://".count)), "ARGO_SECURE": "false",
            "ARGO_TOKEN": "Bearer bench", "ARGO_NAMESPACE": "argo", "ARGO_MCP_POSTGRES_URL": postgres,
        ]
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = sessions + 16
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await balanced(
                &figures, environment: environment, httpClient: httpClient, sessions: sessions, duration: duration)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    static func balanced(
        _ figures: inout Figures, environment: [String: String], httpClient: HTTPClient, sessions: Int,
        duration: Duration
    ) async throws {
        var environment = environment
        for mode in ["stateful", "stateless"] {
            environment["ARGO_MCP_HTTP_SESSIONS"] = mode
            let server = try HTTPServe.start(environment: environment, token: benchToken)
            defer { server.stop() }
            let poster = RetryingPoster(url: server.url, bearerToken: benchToken, httpClient: httpClient)
            progress("balanced: one \(mode) replica, sequential calls…")
            let session = mode == "stateful" ? try await openSession(poster) : nil
            let one = try await timed(300) { _ = try await toolCall(poster, session, turn: 1) }
            figures.add("`get_workflow`, one \(mode) replica, no balancer, sequential, median of 300", ms(one))
            progress("balanced: \(sessions) sessions against one \(mode) replica for \(seconds(duration)) s…")
            let run = try await load(poster, sessions: sessions, duration: duration, stateful: mode == "stateful")
            figures.add(
                "\(sessions) sessions, one \(mode) replica, no balancer: calls/s, p50 / p99, errors, replica peak RSS",
                run.summary(duration) + ", \(server.kiB("VmHWM:") / 1024) MiB")
        }

        environment["ARGO_MCP_HTTP_SESSIONS"] = "stateless"
        let replicas = try (0..<3).map { _ in try HTTPServe.start(environment: environment, token: benchToken) }
        defer { for replica in replicas { replica.stop() } }
        let balancer = try NginxBalancer(
            upstreams: replicas.map { String($0.url.dropFirst("http://".count).dropLast("/mcp".count)) },
            template: URL(fileURLWithPath: "deploy/nginx/argo-mcp.conf"))
        defer { balancer.stop() }
        let poster = RetryingPoster(url: balancer.url, bearerToken: benchToken, httpClient: httpClient)
        let through = try await timed(300) { _ = try await toolCall(poster, nil, turn: 1) }
        figures.add("`get_workflow`, three stateless replicas behind nginx, sequential, median of 300", ms(through))
        progress("balanced: \(sessions) sessions through nginx to three stateless replicas for \(seconds(duration)) s…")
        let run = try await load(poster, sessions: sessions, duration: duration, stateful: false)
        figures.add(
            "\(sessions) sessions through nginx round robin to three stateless replicas: calls/s, p50 / p99, errors, each replica's peak RSS",
            run.summary(duration) + ", " + replicas.map { "\($0.kiB("VmHWM:") / 1024)" }.joined(separator: " / ")
                + " MiB")
    }

    struct LoadRun {
        var latencies: [Duration]
        var errors: Int

        func summary(_ duration: Duration) -> String {
            let sorted = latencies.sorted()
            return "\(Int(Double(sorted.count) / Bench.seconds(duration))) calls/s, "
                + "\(Bench.ms(Bench.percentile(sorted, 0.5))) / \(Bench.ms(Bench.percentile(sorted, 0.99))), "
                + "\(errors) errors"
        }
    }

    /// `initialize` on a stateful server: the session id.
    static func openSession(_ poster: RetryingPoster) async throws -> String {
        let initialize: [String: Any] = [
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": [
                "protocolVersion": "2025-11-25", "capabilities": [String: Any](),
                "clientInfo": ["name": "bench", "version": "1"],
            ],
        ]
        let answer = try await poster.post(try JSONSerialization.data(withJSONObject: initialize))
        guard let session = answer.sessionID else { throw ValidationFailure("a stateful server opened no session") }
        let initialized: [String: Any] = ["jsonrpc": "2.0", "method": "notifications/initialized"]
        _ = try await poster.post(try JSONSerialization.data(withJSONObject: initialized), sessionID: session)
        return session
    }

    /// `get_workflow` (odd turns) or a 20-row `list_workflows` (even turns); whether the answer was a success.
    static func toolCall(_ poster: RetryingPoster, _ session: String?, turn: Int) async throws -> Bool {
        let (name, arguments): (String, [String: Any]) =
            turn % 2 == 1 ? ("get_workflow", ["name": "nightly-etl-7x2kq"]) : ("list_workflows", ["limit": 20])
        let call: [String: Any] = [
            "jsonrpc": "2.0", "id": turn, "method": "tools/call", "params": ["name": name, "arguments": arguments],
        ]
        let answer = try await poster.post(try JSONSerialization.data(withJSONObject: call), sessionID: session)
        guard let data = answer.message,
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let result = object["result"] as? [String: Any]
        else { return false }
        return result["isError"] as? Bool != true
    }

    /// `sessions` clients calling for `duration`, each as a host would: a session first when the server is
    /// stateful.
    static func load(_ poster: RetryingPoster, sessions: Int, duration: Duration, stateful: Bool) async throws
        -> LoadRun
    {
        let opened: [String?] = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<sessions { group.addTask { stateful ? try await openSession(poster) : nil } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let deadline = clock.now + duration
        return await withTaskGroup(of: LoadRun.self) { group in
            for (index, session) in opened.enumerated() {
                group.addTask {
                    var run = LoadRun(latencies: [], errors: 0)
                    var turn = index
                    while clock.now < deadline {
                        let started = clock.now
                        let ok = (try? await toolCall(poster, session, turn: turn)) ?? false
                        if !ok { run.errors += 1 }
                        run.latencies.append(clock.now - started)
                        turn += 1
                    }
                    return run
                }
            }
            return await group.reduce(into: LoadRun(latencies: [], errors: 0)) {
                $0.latencies += $1.latencies
                $0.errors += $1.errors
            }
        }
    }
}
