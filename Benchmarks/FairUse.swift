import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

extension Bench {
    /// Fair use under load: four quiet callers, each well under its limit, with and without a fifth caller that
    /// sends as fast as sixteen connections allow and is held to the same limit. What the quiet callers see is
    /// the figure: their latency should not change while the noisy one is answered 429.
    static func fairUse(_ figures: inout Figures, duration: Duration) async throws {
        let (sim, base) = try startSimulator()
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let names = ["quiet-1", "quiet-2", "quiet-3", "quiet-4", "noisy"]
        let tokens = Dictionary(uniqueKeysWithValues: names.map { ($0, "amt_\($0)-\(UUID().uuidString)") })
        let entries = names.map { name in
            let hash = SHA256.hash(data: Data((tokens[name] ?? "").utf8)).map { String(format: "%02x", $0) }.joined()
            return "- name: \(name)\n  sha256: \(hash)\n"
        }.joined()
        // 600 calls a minute (10 a second) and 4 at once, for every caller.
        var environment = argoEnvironment(base)
        environment["ARGO_MCP_BEARER_TOKENS"] = entries
        environment["ARGO_MCP_HTTP_SESSIONS"] = "stateless"
        environment["ARGO_MCP_CALLS_PER_MINUTE"] = "600"
        environment["ARGO_MCP_CONCURRENT_CALLS"] = "4"
        let server = try HTTPServe.start(environment: environment, token: benchToken)
        defer { server.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let body = ByteBuffer(
            string:
                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_workflow","arguments":{"name":"nightly-etl-7x2kq"}}}"#
        )
        /// One call of `name`: its HTTP status and how long it took.
        @Sendable func call(_ name: String) async -> (Int, Duration) {
            var request = HTTPClientRequest(url: server.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "MCP-Protocol-Version", value: "2025-11-25")
            request.headers.add(name: "Authorization", value: "Bearer \(tokens[name] ?? "")")
            request.body = .bytes(body)
            let started = clock.now
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 24)
                return (Int(response.status.code), clock.now - started)
            } catch {
                return (0, clock.now - started)
            }
        }
        /// The quiet callers, each sending one call every 250 ms (4 a second, under its 10) for `duration`; with
        /// `noisy`, the noisy caller on 16 connections at once beside them, each sending one call every
        /// `noisyInterval` (nil: as fast as it is answered). The quiet callers' latencies, their failures, and the
        /// noisy caller's statuses.
        func run(noisy: Bool, noisyInterval: Duration? = nil) async -> ([Duration], Int, [Int: Int]) {
            // The noisy caller starts first and spends its bucket (a minute's worth at once) before the quiet ones
            // are measured: what is measured is a caller over its limit, not one using its quota.
            let warmup: Duration = noisy && noisyInterval != .milliseconds(1600) ? .seconds(8) : .zero
            let start = clock.now + warmup
            let deadline = start + duration
            return await withTaskGroup(of: ([Duration], Int, [Int: Int]).self) { group in
                for name in names where name != "noisy" {
                    group.addTask {
                        try? await Task.sleep(until: start)
                        var latencies: [Duration] = []
                        var failures = 0
                        while clock.now < deadline {
                            let next = clock.now + .milliseconds(250)
                            let (status, latency) = await call(name)
                            if status == 200 { latencies.append(latency) } else { failures += 1 }
                            try? await Task.sleep(until: next)
                        }
                        return (latencies, failures, [:])
                    }
                }
                if noisy {
                    for connection in 0..<16 {
                        group.addTask {
                            var statuses: [Int: Int] = [:]
                            // Spread over the interval, so that a caller at its rate is not 16 calls at once.
                            if let noisyInterval { try? await Task.sleep(for: noisyInterval / 16 * connection) }
                            while clock.now < deadline {
                                if clock.now < start {
                                    _ = await call("noisy")
                                    continue
                                }
                                let next = clock.now + (noisyInterval ?? .zero)
                                let (status, _) = await call("noisy")
                                statuses[status, default: 0] += 1
                                if noisyInterval != nil { try? await Task.sleep(until: next) }
                            }
                            return ([], 0, statuses)
                        }
                    }
                }
                return await group.reduce(into: ([Duration](), 0, [Int: Int]())) {
                    $0.0 += $1.0
                    $0.1 += $1.1
                    $0.2.merge($1.2, uniquingKeysWith: +)
                }
            }
        }
        progress("fairuse: 4 quiet callers alone for \(Int(seconds(duration))) s…")
        _ = await call("quiet-1")
        let (alone, aloneFailures, _) = await run(noisy: false)
        let a = alone.sorted()
        figures.add(
            "4 quiet callers (4 calls/s each, limit 10/s) alone: `get_workflow` p50 / p99, failures",
            "\(ms(percentile(a, 0.5))) / \(ms(percentile(a, 0.99))), \(aloneFailures) of \(a.count + aloneFailures)")
        for (label, interval) in [
            ("at its limit (10 calls/s)", Duration.milliseconds(1600)),
            ("at 20× its limit (200 calls/s)", .milliseconds(80)), ("as fast as it is answered", nil),
        ] {
            progress("fairuse: the same beside a noisy caller, \(label)…")
            let (beside, besideFailures, noisy) = await run(noisy: true, noisyInterval: interval)
            let b = beside.sorted()
            figures.add(
                "… beside a noisy caller on 16 connections, \(label), same limits: p50 / p99, failures",
                "\(ms(percentile(b, 0.5))) / \(ms(percentile(b, 0.99))), \(besideFailures) of \(b.count + besideFailures)"
            )
            let total = noisy.values.reduce(0, +)
            figures.add(
                "… … the noisy caller: answered / refused 429 / other",
                "\(noisy[200] ?? 0) / \(noisy[429] ?? 0) / \(total - (noisy[200] ?? 0) - (noisy[429] ?? 0)) in \(Int(seconds(duration))) s"
            )
        }
        try? await httpClient.shutdown()
    }
}
