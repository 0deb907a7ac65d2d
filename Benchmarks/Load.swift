import ArgoHTTP
import AsyncHTTPClient
import Crypto
import Domain
import Foundation
import Logging
import MCP
import PostgresStore
import StreamableHTTPClient

/// A spawned `argo-mcp serve --http` and the URL it printed.
struct HTTPServe {
    let process: Process
    let url: String

    /// Serves over HTTP on a free loopback port with bearer authentication (one caller, `token`).
    static func start(environment: [String: String], token: String) throws -> HTTPServe {
        let process = Process()
        process.executableURL = Bench.binary
        process.arguments = ["serve", "--http", "127.0.0.1:0"]
        let hash = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        process.environment = ProcessInfo.processInfo.environment.merging(
            environment.merging([
                "ARGO_MCP_AUTH_MODE": "bearer", "ARGO_MCP_BEARER_TOKENS": "- name: bench\n  sha256: \(hash)\n",
                "ARGO_MCP_LOG_LEVEL": "warning",
            ]) { a, _ in a }
        ) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = out.firstLine()
        return HTTPServe(process: process, url: line.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func kiB(_ field: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension Bench {
    static let benchToken = "amt_bench-\(UUID().uuidString)"

    /// What `argo-mcp serve` needs to reach the simulator's REST face at `base` as its Argo Server.
    static func argoEnvironment(_ base: String) -> [String: String] {
        [
            "ARGO_SERVER": String(base.dropFirst("http://".count)), "ARGO_SECURE": "false",
            "ARGO_TOKEN": "Bearer bench", "ARGO_NAMESPACE": "argo",
        ]
    }

    /// An MCP client of `url` on `httpClient`, initialized.
    static func session(_ url: String, _ httpClient: HTTPClient) async throws -> Client {
        let client = Client(name: "bench", version: "1")
        _ = try await client.connect(
            transport: StreamableHTTPClient(url: url, bearerToken: benchToken, httpClient: httpClient))
        return client
    }

    static func call(_ client: Client, _ name: String, _ args: [String: Value]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: args))).value
    }

    static func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// Many MCP sessions over Streamable HTTP at once, against the simulator's REST face (so every call also makes
    /// an HTTP request to "Argo"), and where a single call's time goes.
    static func load(_ figures: inout Figures, sessions: Int, duration: Duration) async throws {
        let (sim, base) = try startSimulator()
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let server = try HTTPServe.start(environment: argoEnvironment(base), token: benchToken)
        defer { server.stop() }
        var configuration = HTTPClient.Configuration()
        // Every session holds its event stream open beside the call under way.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = sessions * 2 + 16
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        progress("load: where one call's time goes (sequential, one session)…")
        let direct = try await timed(300) {
            var request = HTTPClientRequest(url: "\(base)/api/v1/workflows/argo/nightly-etl-7x2kq")
            request.headers.add(name: "Authorization", value: "Bearer bench")
            _ = try await httpClient.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 24)
        }
        // The use case alone: the same fetch through argo-mcp's Argo adapter, the decode and the summary.
        let adapter = ArgoConnection(baseURL: URL(string: base) ?? URL(fileURLWithPath: "/"), token: "Bearer bench")
        let useCase = try await ArgoHTTPGateway.with(
            adapter, logger: Logger(label: "b") { _ in SwiftLogNoOpLogHandler() }
        ) {
            gateway in
            let reads = WorkflowReads(ArgoContext(gateway: gateway, defaultNamespace: "argo"))
            return try await timed(300) { _ = try await reads.get(GetWorkflowRequest(name: "nightly-etl-7x2kq")) }
        }
        let (stdio, _) = try await Spawned.start(
            ["serve"],
            environment: [
                "ARGO_SERVER": String(base.dropFirst("http://".count)), "ARGO_SECURE": "false",
                "ARGO_TOKEN": "Bearer bench", "ARGO_NAMESPACE": "argo",
            ])
        let overStdio = try await timed(300) { _ = try await stdio.call("get_workflow", ["name": "nightly-etl-7x2kq"]) }
        await stdio.stop()
        let one = try await session(server.url, httpClient)
        var sample: CallTool.Result?
        let overHTTP = try await timed(300) {
            sample = try await call(one, "get_workflow", ["name": "nightly-etl-7x2kq"])
        }
        // What the MCP SDK does with every result on both sides: encode it, and decode it into its `Value` type.
        let encoded = try JSONEncoder().encode(sample)
        let coding = try await timed(300) {
            _ = try JSONDecoder().decode(CallTool.Result.self, from: try JSONEncoder().encode(sample))
        }
        let listOverHTTP = try await timed(300) { _ = try await call(one, "list_workflows", ["limit": 20]) }
        await one.disconnect()
        figures.add(
            "direct GET of the workflow from the REST face (the Argo request inside every call), median of 300",
            ms(direct))
        figures.add(
            "… the same through argo-mcp's Argo adapter, decode and summary, no MCP, median of 300", ms(useCase))
        figures.add(
            "… the SDK encoding the tool result and decoding it into `Value` (\(encoded.count / 1024 + 1) KB), median of 300",
            ms(coding))
        figures.add("`get_workflow` over stdio against the REST face, median of 300", ms(overStdio))
        figures.add(
            "`get_workflow` over Streamable HTTP, authenticated, against the REST face, median of 300", ms(overHTTP))
        figures.add("`list_workflows` (20 rows) over Streamable HTTP, median of 300", ms(listOverHTTP))

        progress("load: \(sessions) sessions for \(seconds(duration)) s…")
        let idle = server.kiB("VmRSS:") / 1024
        let clients = try await withThrowingTaskGroup(of: Client.self) { group in
            for _ in 0..<sessions { group.addTask { try await session(server.url, httpClient) } }
            return try await group.reduce(into: [Client]()) { $0.append($1) }
        }
        let opened = server.kiB("VmRSS:") / 1024
        let deadline = clock.now + duration
        let results = await withTaskGroup(of: ([Duration], Int).self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    var latencies: [Duration] = []
                    var errors = 0
                    var turn = index
                    while clock.now < deadline {
                        let started = clock.now
                        do {
                            let result =
                                turn % 2 == 0
                                ? try await call(client, "list_workflows", ["limit": 20])
                                : try await call(client, "get_workflow", ["name": "nightly-etl-7x2kq"])
                            if result.isError == true { errors += 1 }
                        } catch {
                            errors += 1
                        }
                        latencies.append(clock.now - started)
                        turn += 1
                    }
                    return (latencies, errors)
                }
            }
            return await group.reduce(into: ([Duration](), 0)) {
                $0.0 += $1.0
                $0.1 += $1.1
            }
        }
        let peak = server.kiB("VmHWM:") / 1024
        for client in clients { await client.disconnect() }
        let sorted = results.0.sorted()
        let calls = sorted.count
        figures.add(
            "\(sessions) concurrent sessions, `list_workflows`/`get_workflow` for \(Int(seconds(duration))) s: calls, throughput",
            "\(calls.formatted()) calls, \(Int(Double(calls) / seconds(duration))) calls/s")
        figures.add(
            "… latency p50 / p99 / max",
            "\(ms(percentile(sorted, 0.5))) / \(ms(percentile(sorted, 0.99))) / \(ms(sorted.last ?? .zero))")
        figures.add("… errors", "\(results.1)")
        figures.add(
            "… server RSS idle / with \(sessions) sessions open / peak", "\(idle) MiB / \(opened) MiB / \(peak) MiB")
        // (On an error above the process ends anyway.)
        try? await httpClient.shutdown()
    }

    /// Two replicas sharing one PostgreSQL store in front of one Argo: previews on one confirmed on the other,
    /// double redemptions raced, then the shared audit trail checked token by token.
    static func replicas(_ figures: inout Figures, pairs: Int, races: Int) async throws {
        try await withPostgres { url in try await replicas(&figures, url: url, pairs: pairs, races: races) }
    }

    /// Runs `body` with a PostgreSQL URL: `ARGO_MCP_TEST_POSTGRES_URL`, or a throwaway server started (and stopped)
    /// with scripts/test-postgres.sh.
    static func withPostgres(_ body: (String) async throws -> Void) async throws {
        var startedDatabase: String?
        let url: String
        if let given = ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_URL"], !given.isEmpty {
            url = given
        } else {
            let script = Process()
            script.executableURL = URL(fileURLWithPath: "/bin/bash")
            script.arguments = ["scripts/test-postgres.sh", "start"]
            let out = Pipe()
            script.standardOutput = out
            try script.run()
            // Read up to the line, not to the end: the database server it started may hold the pipe open.
            let line = out.firstLine()
            // Not waited for: Foundation's waitUntilExit was seen to hang here once the script had exited.
            let words = line.split(separator: " ")
            guard words.count == 2, words[0].hasPrefix("postgres://") else {
                throw ValidationFailure("could not start PostgreSQL (scripts/test-postgres.sh, run from the checkout)")
            }
            url = String(words[0])
            startedDatabase = words[1].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        defer {
            if let startedDatabase {
                let stop = Process()
                stop.executableURL = URL(fileURLWithPath: "/bin/bash")
                stop.arguments = ["scripts/test-postgres.sh", "stop", startedDatabase]
                try? stop.run()
                let deadline = Date().addingTimeInterval(30)
                while stop.isRunning && Date() < deadline { usleep(50_000) }
            }
        }
        try await body(url)
    }

    static func replicas(_ figures: inout Figures, url: String, pairs: Int, races: Int) async throws {
        let (sim, base) = try startSimulator(["--demo"])
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let environment = [
            "ARGO_SERVER": String(base.dropFirst("http://".count)), "ARGO_SECURE": "false",
            "ARGO_TOKEN": "Bearer bench",
            "ARGO_NAMESPACE": "argo", "ARGO_MCP_READ_ONLY": "false", "ARGO_MCP_ALLOW_MUTATIONS": "true",
            "ARGO_MCP_POSTGRES_URL": url,
        ]
        let a = try HTTPServe.start(environment: environment, token: benchToken)
        let b = try HTTPServe.start(environment: environment, token: benchToken)
        defer {
            a.stop()
            b.stop()
        }
        let onA = try await session(a.url, .shared)
        let onB = try await session(b.url, .shared)
        @Sendable func preview(_ client: Client, _ minute: Int) async throws -> String {
            let answer = try await call(
                client, "update_cron_schedule", ["name": "nightly-etl", "schedules": ["\(minute) 3 * * *"]])
            guard let token = answer.structuredContent?.objectValue?["confirmation_token"]?.stringValue else {
                throw ValidationFailure("no confirmation token in the preview: \(answer.content)")
            }
            return token
        }
        @Sendable func confirm(_ client: Client, _ minute: Int, _ token: String) async throws -> Bool {
            let answer = try await call(
                client, "update_cron_schedule",
                ["name": "nightly-etl", "schedules": ["\(minute) 3 * * *"], "confirmation_token": .string(token)])
            return answer.isError == false
        }
        progress("replicas: \(pairs) previews on A confirmed on B…")
        var paired: [String] = []
        var failedPairs = 0
        let started = clock.now
        for i in 0..<pairs {
            let token = try await preview(onA, i % 60)
            if !(try await confirm(onB, i % 60, token)) { failedPairs += 1 }
            paired.append(token)
        }
        let pairTime = clock.now - started
        progress("replicas: \(races) double redemptions…")
        var raced: [String] = []
        var singleWinners = 0
        for i in 0..<races {
            let minute = (i * 7) % 60
            let token = try await preview(i % 2 == 0 ? onA : onB, minute)
            async let first = confirm(onA, minute, token)
            async let second = confirm(onB, minute, token)
            if try await [first, second].filter({ $0 }).count == 1 { singleWinners += 1 }
            raced.append(token)
        }
        await onA.disconnect()
        await onB.disconnect()

        progress("replicas: checking the shared audit trail…")
        let store = try PostgresStore(url: url, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let (auditedPairs, auditedRaces) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            func id(_ token: String) -> String {
                String(SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12))
            }
            var goodPairs = 0
            for token in paired
            where try await store.auditRecords(tokenID: id(token)).map(\.decision) == [
                "preview", "allowed", "succeeded",
            ] {
                goodPairs += 1
            }
            var goodRaces = 0
            for token in raced
            where try await store.auditRecords(tokenID: id(token)).map(\.decision).sorted()
                == ["allowed", "preview", "refused", "succeeded"]
            {
                goodRaces += 1
            }
            return (goodPairs, goodRaces)
        }
        figures.add(
            "two replicas, one PostgreSQL: \(pairs) previews on A confirmed on B",
            "\(pairs - failedPairs)/\(pairs) carried out, \(Int(Double(pairs) / seconds(pairTime))) pairs/s")
        figures.add(
            "… \(races) double redemptions (A and B at once)", "\(singleWinners)/\(races) with exactly one winner")
        figures.add(
            "… audit trail: each token previewed, allowed and carried out exactly once (races: the loser refused once)",
            "\(auditedPairs)/\(pairs) pairs, \(auditedRaces)/\(races) races")
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
