import AsyncHTTPClient
import Foundation
import Logging
import MCP
import Ports
import PostgresStore
import StreamableHTTPClient
import Testing

/// A team deployment as it runs: three `serve --http` replicas in stateless mode on one PostgreSQL store, in front of
/// one Argo (the simulator's REST face), behind nginx round robin. Whole conversations from the swift-sdk client and
/// from the official MCP Python SDK go through the balancer, so consecutive requests of one conversation reach
/// different replicas.
@Suite("replicas behind a round-robin balancer", .serialized, .timeLimit(.minutes(6)), .enabled(if: Balancer.enabled))
struct BalancerScenarioTests {
    static let python = HTTPServerProcess.BearerCaller(name: "python", token: "amt_python-\(UUID().uuidString)")
    static let manifest = SubmitScenarioTests.examples.appendingPathComponent("steps.yaml")
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop/conversations.py")

    /// The simulator, `count` stateless replicas sharing `postgres`, and nginx over them.
    final class Deployment: @unchecked Sendable {
        let simulator: Process
        var replicas: [HTTPServerProcess]
        let balancer: NginxBalancer
        let environment: [String: String]

        init(simulator: Process, replicas: [HTTPServerProcess], balancer: NginxBalancer, environment: [String: String])
        {
            self.simulator = simulator
            self.replicas = replicas
            self.balancer = balancer
            self.environment = environment
        }

        /// A scenario that fails before `stop()` must not leave the simulator running (the replicas and nginx end
        /// with their own objects).
        deinit {
            if simulator.isRunning { simulator.terminate() }
        }

        /// Each replica's `host:port`, as the balancer knows it.
        var addresses: [String] { replicas.map { String($0.url.dropFirst("http://".count).dropLast("/mcp".count)) } }

        func stop() async {
            balancer.stop()
            for replica in replicas { _ = await replica.stop() }
            simulator.terminate()
            simulator.waitUntilExit()
        }
    }

    static func environment(_ simulatorURL: String, postgres: String) -> [String: String] {
        [
            "ARGO_SERVER": String(simulatorURL.dropFirst("http://".count)), "ARGO_SECURE": "false",
            "ARGO_TOKEN": "Bearer test", "ARGO_NAMESPACE": "argo", "ARGO_MCP_READ_ONLY": "false",
            "ARGO_MCP_ALLOW_MUTATIONS": "true", "ARGO_MCP_POSTGRES_URL": postgres,
            "ARGO_MCP_HTTP_SESSIONS": "stateless", "ARGO_MCP_LOG_LEVEL": "warning",
            // One key for every replica: a confirmation's sealed state is opened wherever its answer lands.
            "ARGO_MCP_STATE_KEY": Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString(),
        ]
    }

    static func deploy(replicas count: Int, postgres: String, simulatorFlags: [String] = []) async throws
        -> Deployment
    {
        let (simulator, simulatorURL) = try await LiveChainScenarioTests.startRESTSimulator(
            ["--demo", "--require-authorization", "Bearer test"] + simulatorFlags)
        let environment = Self.environment(simulatorURL, postgres: postgres)
        var replicas: [HTTPServerProcess] = []
        for _ in 0..<count {
            replicas.append(
                try await HTTPServerProcess(
                    ["serve"], environment: environment, callers: [HTTPServerProcess.scenarioCaller, python]))
        }
        let upstreams = replicas.map { String($0.url.dropFirst("http://".count).dropLast("/mcp".count)) }
        return Deployment(
            simulator: simulator, replicas: replicas, balancer: try Balancer.start(upstreams: upstreams),
            environment: environment)
    }

    static func store(_ url: String) throws -> PostgresStore {
        try PostgresStore(url: url, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }, replica: "test")
    }

    static func call(_ client: Client, _ name: String, _ arguments: [String: Value] = [:]) async throws
        -> CallTool.Result
    {
        try await withDeadline(.seconds(90), what: "\(name) got no answer") {
            try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
        }
    }

    /// One whole conversation through the balancer with the swift-sdk client: initialize, tools/list, two reads, a
    /// submit previewed and confirmed. Returns the confirmation token.
    static func conversation(_ url: String, manifest: String) async throws -> String {
        let client = Client(name: "argo-mcp-balancer", version: "1.0")
        let initialized = try await client.connect(
            transport: StreamableHTTPClient(url: url, bearerToken: HTTPServerProcess.scenarioCaller.token))
        #expect(initialized.capabilities.resources?.subscribe == false, "a stateless server offers no subscriptions")
        let tools = try await client.send(ListTools.request(.init())).value.tools.map(\.name)
        #expect(tools.contains("submit_workflow"))
        let listing = try await call(client, "list_workflows", ["limit": 5])
        let first = try #require(listing.structuredContent?.objectValue?["items"]?.arrayValue?.first?.objectValue)
        let one = try await call(
            client, "get_workflow", ["name": first["name"] ?? "", "namespace": first["namespace"] ?? ""])
        #expect(one.isError == false)
        #expect(one.structuredContent?.objectValue?["name"] == first["name"])
        let preview = try await call(client, "submit_workflow", ["manifest": .string(manifest)])
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let done = try await call(
            client, "submit_workflow", ["manifest": .string(manifest), "confirmation_token": .string(token)])
        #expect(done.isError == false, "\(done.content)")
        await client.disconnect()
        return token
    }

    /// The official Python client's conversations (Tests/Interop/conversations.py): one JSON object per line.
    static func pythonConversations(
        _ url: String, count: Int, mode: String, watch: String? = nil, listen: String? = nil
    ) async throws -> [[String: Any]] {
        let python = try #require(Balancer.python, "the MCP Python SDK venv is missing (scripts/test-components.sh)")
        var arguments = [
            script.path, url, "--token", Self.python.token, "--count", "\(count)", "--mode", mode, "--manifest",
            manifest.path,
        ]
        if let watch { arguments += ["--watch", watch] }
        if let listen { arguments += ["--listen", listen] }
        let run = try await ServerProcess.runToEnd(URL(fileURLWithPath: python), arguments, limit: .seconds(240))
        #expect(run.finished, "the Python client did not finish")
        #expect(run.status == 0, "the Python client failed: \(run.stderr.suffix(2000))")
        return String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    @Test(
        "20 whole conversations from the swift-sdk client, 20 from the official Python client (2026-07-28) and 5 in its legacy mode through 3 replicas; each confirmation, by token or in a form answered in a later request, is redeemed by another replica than the one that asked, audited once"
    )
    func conversations() async throws {
        let postgres = try #require(
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_URL"], "ARGO_MCP_TEST_POSTGRES_URL is not set")
        let deployment = try await Self.deploy(
            replicas: 3, postgres: postgres,
            simulatorFlags: [
                // In a namespace of their own: the conversations' listings (of argo) do not start their clocks, so each
                // evolves only once its watch reads it.
                "--generate", "name=lb-swift,namespace=lb,nodes=12,evolve=15", "--generate",
                "name=lb-python,namespace=lb,nodes=12,evolve=15", "--generate",
                "name=lb-listen,namespace=lb,nodes=12,evolve=15",
                "--tick-ms", "200",
            ])
        let url = deployment.balancer.url
        let manifest = try String(contentsOf: Self.manifest, encoding: .utf8)

        var swiftTokens: [String] = []
        for _ in 0..<20 { swiftTokens.append(try await Self.conversation(url, manifest: manifest)) }
        #expect(swiftTokens.count == 20)

        let pythonStarted = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let lines = try await Self.pythonConversations(
            url, count: 20, mode: "auto", watch: "lb/lb-python", listen: "lb/lb-listen")
        let python = lines.filter { $0["ok"] as? Bool == true }
        #expect(python.count == 20, "\(lines)")
        // The client's auto mode finds 2026-07-28 by server/discover: every request then stands alone, so the
        // balancer may send each to another replica.
        #expect(python.allSatisfy { $0["protocol"] as? String == "2026-07-28" }, "\(python.first ?? [:])")
        // Its legacy mode (initialize, 2025-11-25) works through the same balancer, statelessly.
        let legacy = try await Self.pythonConversations(url, count: 5, mode: "legacy").filter {
            $0["ok"] as? Bool == true
        }
        #expect(legacy.count == 5 && legacy.allSatisfy { $0["protocol"] as? String == "2025-11-25" }, "\(legacy)")
        let pythonTokens = (python + legacy).compactMap { $0["token"] as? String }
        // Each also confirmed a submission in the client's form, answered in a later request (multi round-trip).
        #expect(python.allSatisfy { $0["dialogSubmitted"] as? String != nil }, "\(python.first ?? [:])")

        // watch_workflow's progress notifications stream in the answer of the call they belong to.
        // subscriptions/listen through the balancer: whichever replica took it followed the workflow to its end.
        let listened = try #require(lines.first { $0["listen"] != nil })
        #expect(listened["honoured"] as? [String] == ["argo://workflows/lb/lb-listen"], "\(listened)")
        #expect(listened["updates"] as? Int ?? 0 >= 2, "\(listened)")
        let watched = try #require(lines.first { $0["watch"] != nil })
        #expect(watched["endedBy"] as? String == "completed")
        #expect(((watched["progress"] as? [Any])?.count ?? 0) >= 2, "\(watched)")
        let notes = ProgressNotes()
        let client = Client(name: "argo-mcp-balancer-watch", version: "1.0")
        await client.onNotification(ProgressNotification.self) { await notes.add($0.params.progress) }
        _ = try await client.connect(
            transport: StreamableHTTPClient(url: url, bearerToken: HTTPServerProcess.scenarioCaller.token))
        let watch = try await withDeadline(.seconds(90), what: "watch_workflow got no answer") {
            try await client.send(
                CallTool.request(
                    .init(
                        name: "watch_workflow",
                        arguments: ["name": "lb-swift", "namespace": "lb", "timeout_seconds": 90],
                        meta: Metadata(progressToken: .string("lb-watch"))))
            ).value
        }
        #expect(watch.structuredContent?.objectValue?["endedBy"] == "completed")
        let progress = await notes.values
        #expect(progress.count >= 2)
        #expect(progress == progress.sorted())
        await client.disconnect()

        // The shared audit trail: each token previewed once, allowed once, carried out once, by its caller, and
        // redeemed by another replica than the one that issued it.
        let store = try Self.store(postgres)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            var replicas: Set<String> = []
            for (tokens, caller) in [(swiftTokens, "bearer:scenario"), (pythonTokens, "bearer:python")] {
                for token in tokens {
                    let trail = try await store.auditTrail(tokenID: SharedStoreScenarioTests.tokenID(token))
                    #expect(trail.map(\.record.decision) == ["preview", "allowed", "succeeded"], "\(trail)")
                    #expect(trail.allSatisfy { $0.record.caller == caller })
                    if trail.count == 3 {
                        #expect(trail[0].replica != trail[1].replica, "previewed and confirmed on one replica")
                        #expect(trail[1].replica == trail[2].replica)
                        #expect(trail[1].record.attempt != nil && trail[1].record.attempt == trail[2].record.attempt)
                    }
                    replicas.formUnion(trail.map(\.replica))
                }
            }
            #expect(replicas.count == 3, "all three replicas answered: \(replicas)")

            // The forms' answers: each question's sealed state opened and its token redeemed by another replica
            // than the one that asked, once, audited as the dialog's.
            let answered = try await store.allAuditRecords().filter {
                $0.record.caller == "bearer:python" && $0.record.time >= pythonStarted
                    && $0.record.reason == "confirmed in the host's dialog (answered in a later request)"
            }
            #expect(answered.count == 20, "\(answered.count) answers to the form were audited")
            for allowed in answered {
                let trail = try await store.auditTrail(tokenID: try #require(allowed.record.tokenID))
                #expect(trail.map(\.record.decision) == ["preview", "allowed", "succeeded"], "\(trail)")
                if trail.count == 3 {
                    #expect(trail[0].replica != trail[1].replica, "asked and answered on one replica")
                }
            }
        }
        await deployment.stop()
    }

    /// A client pool large enough for `sessions` concurrent conversations.
    static func httpClient(_ sessions: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = sessions + 16
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Three replicas on `ARGO_MCP_TEST_POSTGRES_URL` behind nginx, and a retrying client for `sessions` at once.
    static func loadedDeployment(sessions: Int) async throws -> (
        postgres: String, deployment: Deployment, httpClient: HTTPClient, poster: RetryingPoster
    ) {
        let postgres = try #require(
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_URL"], "ARGO_MCP_TEST_POSTGRES_URL is not set")
        let deployment = try await Self.deploy(replicas: 3, postgres: postgres)
        let httpClient = Self.httpClient(sessions)
        let poster = RetryingPoster(
            url: deployment.balancer.url, bearerToken: HTTPServerProcess.scenarioCaller.token, httpClient: httpClient)
        return (postgres, deployment, httpClient, poster)
    }

    /// Conversations that completed and those that failed after their retries.
    actor Tally {
        let manifest: String
        var outcomes: [StatelessConversation.Outcome] = []
        var failures: [String] = []

        init(manifest: String) { self.manifest = manifest }

        /// One whole conversation through `poster`, counted.
        nonisolated func converse(_ poster: RetryingPoster) async {
            do {
                await add(
                    try await StatelessConversation.run(poster, workflow: "nightly-etl-7x2kq", manifest: manifest))
            } catch {
                await fail("\(error)")
            }
        }
        func add(_ outcome: StatelessConversation.Outcome) { outcomes.append(outcome) }
        func fail(_ why: String) { failures.append(why) }
        var count: Int { outcomes.count + failures.count }
    }

    /// Every token's trail: previewed once, allowed at most once, and every allowed call with its outcome (succeeded
    /// or failed) or marked interrupted; returns the trails.
    static func checkTrails(_ store: PostgresStore, _ tokens: [String]) async throws -> [[(
        replica: String, record: AuditRecord
    )]] {
        var trails: [[(replica: String, record: AuditRecord)]] = []
        for token in tokens {
            let trail = try await store.auditTrail(tokenID: SharedStoreScenarioTests.tokenID(token))
            let decisions = trail.map(\.record.decision)
            #expect(decisions.filter { $0 == "preview" }.count == 1, "\(decisions)")
            #expect(decisions.filter { $0 == "allowed" }.count <= 1, "a confirmation carried out twice: \(decisions)")
            #expect(decisions.filter { $0 == "succeeded" }.count <= 1, "\(decisions)")
            trails.append(trail)
        }
        return trails
    }

    /// Waits (up to `limit`) until every allowed call in the store has an outcome or is marked interrupted by a
    /// survivor; returns the attempts still open.
    static func openAttempts(_ store: PostgresStore, of pids: [Int32], limit: Duration) async throws -> [String] {
        let deadline = ContinuousClock.now + limit
        while true {
            // This deployment's records only (a replica's id holds its pid): other suites share the database.
            let records = try await store.allAuditRecords().filter { entry in
                pids.contains { entry.replica.contains("/\($0)/") }
            }.map(\.record)
            let allowed = Set(records.filter { $0.decision == "allowed" }.compactMap(\.attempt))
            let closed = Set(records.filter { $0.decision != "allowed" }.compactMap(\.attempt))
            let open = allowed.subtracting(closed).sorted()
            if open.isEmpty || ContinuousClock.now > deadline { return open }
            try await Task.sleep(for: .seconds(1))
        }
    }

    @Test(
        "a replica SIGKILLed in the middle of 200 concurrent conversations: retried conversations complete on the survivors, no confirmation is carried out twice, and every allowed call gets its outcome or is marked interrupted"
    )
    func killUnderLoad() async throws {
        let sessions = 200
        let (postgres, deployment, httpClient, poster) = try await Self.loadedDeployment(sessions: sessions)
        let tally = Tally(manifest: try String(contentsOf: Self.manifest, encoding: .utf8))
        let victim = deployment.replicas[1].process
        let victimPID = victim.processIdentifier
        let pids = deployment.replicas.map(\.process.processIdentifier)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<sessions {
                group.addTask {
                    await tally.converse(poster)
                }
            }
            // In the middle of it: once a quarter of the conversations have finished.
            while await tally.count < sessions / 4 { try await Task.sleep(for: .milliseconds(20)) }
            kill(victimPID, SIGKILL)
            try await group.waitForAll()
        }
        #expect(await victim.exited(within: .seconds(30)))
        #expect(victim.terminationReason == .uncaughtSignal)
        let outcomes = await tally.outcomes
        let failures = await tally.failures
        #expect(failures.isEmpty, "\(failures.count) conversation(s) failed: \(failures.prefix(3))")
        #expect(outcomes.count == sessions)
        #expect(outcomes.allSatisfy { $0.confirmed || $0.alreadyUsed })

        let store = try Self.store(postgres)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            let trails = try await Self.checkTrails(store, outcomes.map(\.token))
            let replicas = Set(trails.flatMap { $0.map(\.replica) })
            #expect(replicas.contains { $0.contains("/\(victimPID)/") }, "the killed replica had answered before")
            // A confirmation whose retry found its token used was redeemed by the killed replica, once.
            for (outcome, trail) in zip(outcomes, trails) where outcome.alreadyUsed {
                #expect(trail.filter { $0.record.decision == "allowed" }.count == 1, "\(trail.map(\.record.decision))")
            }
            // The survivors mark what the killed replica left without an outcome, once it has been silent for 30 s.
            let open = try await Self.openAttempts(store, of: pids, limit: .seconds(75))
            #expect(open.isEmpty, "allowed calls without an outcome: \(open)")
            let ids = Set(outcomes.map { SharedStoreScenarioTests.tokenID($0.token) })
            let interrupted = try await store.allAuditRecords().filter {
                $0.record.decision == "interrupted" && ids.contains($0.record.tokenID ?? "")
            }
            print(
                "kill under load: \(outcomes.count) conversations, \(outcomes.map(\.retries).reduce(0, +)) retried request(s), \(outcomes.filter(\.alreadyUsed).count) confirmation(s) found used on retry, \(interrupted.count) confirmed call(s) marked interrupted"
            )
        }
        try await httpClient.shutdown()
        await deployment.stop()
    }

    @Test(
        "a rolling restart under load (SIGTERM each replica in turn, start it again): no call fails for clients that retry on 503 and closed connections"
    )
    func rollingRestart() async throws {
        let sessions = 60
        let (postgres, deployment, httpClient, poster) = try await Self.loadedDeployment(sessions: sessions)
        let tally = Tally(manifest: try String(contentsOf: Self.manifest, encoding: .utf8))
        let restarting = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<sessions {
                group.addTask {
                    while await restarting.value {
                        await tally.converse(poster)
                    }
                }
            }
            let addresses = deployment.addresses
            for (index, address) in addresses.enumerated() {
                while await tally.count < (index + 1) * sessions / 2 { try await Task.sleep(for: .milliseconds(20)) }
                let old = deployment.replicas[index]
                old.process.terminate()
                let exited = await old.process.exited(within: .seconds(90))
                #expect(exited, "a replica asked to shut down ends (its drain is bounded by 30 s)")
                #expect(old.process.terminationStatus == 0, "a graceful shutdown exits 0")
                deployment.replicas[index] = try await HTTPServerProcess(
                    ["serve"], environment: deployment.environment,
                    callers: [HTTPServerProcess.scenarioCaller, Self.python], listen: address)
            }
            let after = await tally.count
            while await tally.count < after + sessions { try await Task.sleep(for: .milliseconds(20)) }
            await restarting.set(false)
            try await group.waitForAll()
        }
        let outcomes = await tally.outcomes
        let failures = await tally.failures
        #expect(failures.isEmpty, "\(failures.count) conversation(s) failed: \(failures.prefix(3))")
        #expect(outcomes.count >= sessions * 2)
        #expect(outcomes.allSatisfy { $0.confirmed }, "a graceful shutdown answers what it took")
        let store = try Self.store(postgres)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            let trails = try await Self.checkTrails(store, outcomes.map(\.token))
            #expect(trails.allSatisfy { $0.map(\.record.decision) == ["preview", "allowed", "succeeded"] })
        }
        try await httpClient.shutdown()
        await deployment.stop()
    }

    actor Flag {
        var value = true
        func set(_ new: Bool) { value = new }
    }

    actor ProgressNotes {
        var values: [Double] = []
        func add(_ value: Double) { values.append(value) }
    }
}
