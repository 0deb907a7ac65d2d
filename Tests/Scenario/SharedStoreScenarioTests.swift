import Crypto
import Foundation
import Logging
import MCP
import PostgresStore
import Testing

/// Two argo-mcp replicas sharing one PostgreSQL store, in front of one Argo (the simulator's REST face): a token
/// issued by one is redeemed on the other, concurrent redemptions of one token let exactly one through, and every
/// use is audited exactly once. Needs `ARGO_MCP_TEST_POSTGRES_URL` (`.ci/run` starts a server).
@Suite(
    "replicas sharing a PostgreSQL store", .serialized, .timeLimit(.minutes(3)),
    .enabled(
        if: ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true
            || ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_REQUIRED"] == "1"))
struct SharedStoreScenarioTests {
    static func tokenID(_ token: String) -> String {
        String(SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12))
    }

    static func call(_ client: Client, _ name: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    @Test("tokens issued on one replica are redeemed once on the other; double redemptions: one wins; all audited once")
    func crossReplica() async throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_URL"], "ARGO_MCP_TEST_POSTGRES_URL is not set")
        // Argo accepts only argo-mcp's own token: a caller's MCP token passed through would be refused.
        let (simulator, simulatorURL) = try await LiveChainScenarioTests.startRESTSimulator([
            "--demo", "--require-authorization", "Bearer test",
        ])
        defer { simulator.terminate() }
        let environment = [
            "ARGO_SERVER": String(simulatorURL.dropFirst("http://".count)), "ARGO_SECURE": "false",
            "ARGO_TOKEN": "Bearer test", "ARGO_NAMESPACE": "argo", "ARGO_MCP_READ_ONLY": "false",
            "ARGO_MCP_ALLOW_MUTATIONS": "true", "ARGO_MCP_POSTGRES_URL": url,
        ]
        let a = try await HTTPServerProcess(["serve"], environment: environment)
        let b = try await HTTPServerProcess(["serve"], environment: environment)
        let token = HTTPServerProcess.scenarioCaller.token
        let onA = try await a.connectedClient(bearerToken: token)
        let onB = try await b.connectedClient(bearerToken: token)

        @Sendable func preview(_ client: Client, _ minute: Int) async throws -> String {
            let answer = try await Self.call(
                client, "update_cron_schedule", ["name": "nightly-etl", "schedules": ["\(minute) 3 * * *"]])
            return try #require(answer.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        }
        @Sendable func confirm(_ client: Client, _ minute: Int, _ token: String) async throws -> CallTool.Result {
            try await Self.call(
                client, "update_cron_schedule",
                ["name": "nightly-etl", "schedules": ["\(minute) 3 * * *"], "confirmation_token": .string(token)])
        }

        // Issued on A, redeemed on B.
        var pairs: [String] = []
        for pair in 0..<30 {
            let token = try await preview(onA, pair % 60)
            let done = try await confirm(onB, pair % 60, token)
            #expect(done.isError == false, "\(done.content)")
            pairs.append(token)
        }
        // Issued on one, redeemed on both at once: exactly one carries it out.
        var races: [String] = []
        for round in 0..<10 {
            let minute = (30 + round) % 60
            let token = try await preview(round % 2 == 0 ? onA : onB, minute)
            async let first = confirm(onA, minute, token)
            async let second = confirm(onB, minute, token)
            let outcomes = try await [first, second]
            #expect(outcomes.filter { $0.isError == false }.count == 1)
            races.append(token)
        }

        // The shared audit trail: each token previewed once, allowed once, carried out once; the loser of a race is
        // refused once.
        let store = try PostgresStore(url: url, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            for token in pairs {
                let decisions = try await store.auditRecords(tokenID: Self.tokenID(token)).map(\.decision)
                #expect(decisions == ["preview", "allowed", "succeeded"], "\(decisions)")
            }
            for token in races {
                let decisions = try await store.auditRecords(tokenID: Self.tokenID(token)).map(\.decision).sorted()
                #expect(decisions == ["allowed", "preview", "refused", "succeeded"], "\(decisions)")
            }
            let records = try await store.auditRecords(tokenID: Self.tokenID(pairs[0]))
            #expect(records.allSatisfy { $0.caller == "bearer:scenario" })
        }

        // The Argo Server saw argo-mcp's credentials only: with its own token refused, the call fails, whatever
        // the caller's MCP token.
        let wrongToken = try await HTTPServerProcess(
            ["serve"], environment: environment.merging(["ARGO_TOKEN": "Bearer not-argo-mcps"]) { _, new in new })
        let refused = try await wrongToken.connectedClient(bearerToken: token)
        let answer = try await Self.call(refused, "get_cron_workflow", ["name": "nightly-etl"])
        #expect(answer.isError == true)
        #expect(
            answer.content.contains {
                if case .text(let t, _, _) = $0 { t.contains("token not valid") } else { false }
            })
        await refused.disconnect()
        _ = await wrongToken.stop()
        for client in [onA, onB] { await client.disconnect() }
        _ = await a.stop()
        _ = await b.stop()
    }

    @Test("a store that cannot be reached stops the server at start-up with the reason, without the password")
    func unreachableStore() throws {
        let (status, stderr) = try ServerProcess.runToExit(
            ["serve", "--simulator", "--http", "127.0.0.1:0"],
            environment: ["ARGO_MCP_POSTGRES_URL": "postgres://argo_mcp:s3cret@127.0.0.1:1/argo?sslmode=disable"])
        #expect(status == 2)
        #expect(stderr.contains("store.postgres: cannot prepare the tables at postgres://argo_mcp@127.0.0.1:1/argo"))
        #expect(!stderr.contains("s3cret"))
    }
}
