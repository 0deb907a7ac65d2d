import Foundation
import Logging
import Ports
import PostgresNIO
import PostgresStore
import Testing

/// The test database, when one is configured.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_URL"].flatMap {
        $0.isEmpty ? nil : $0
    }
    static let required = ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_REQUIRED"] == "1"
}

/// The PostgreSQL store against a real server: `ARGO_MCP_TEST_POSTGRES_URL` (`.ci/run` starts one with
/// `scripts/test-postgres.sh`; `ARGO_MCP_TEST_POSTGRES_REQUIRED=1` there makes a missing server a failure, not a skip).
@Suite("PostgreSQL store", .serialized, .enabled(if: TestPostgres.url != nil || TestPostgres.required))
struct PostgresStoreTests {
    static let url = TestPostgres.url
    static let logger = Logger(label: "pg-test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` with `count` stores (separate connection pools, as separate replicas have) on the test database.
    static func withStores(_ count: Int = 1, _ body: @escaping @Sendable ([PostgresStore]) async throws -> Void)
        async throws
    {
        let url = try #require(url, "ARGO_MCP_TEST_POSTGRES_URL is not set; .ci/run starts a server")
        let stores = try (0..<count).map { _ in try PostgresStore(url: url, logger: logger) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { await store.run() } }
            defer { group.cancelAll() }
            for store in stores { try await store.migrate() }
            try await body(stores)
        }
    }

    static func pending(_ id: String = UUID().uuidString, expiresIn: TimeInterval = 300) -> PendingConfirmation {
        PendingConfirmation(
            id: id, tool: "delete_workflow", namespace: "argo", name: "w", uid: "u", argumentsDigest: "d",
            fingerprint: "Running", expiresAt: Date().addingTimeInterval(expiresIn), caller: "bearer:alice")
    }

    static func record(_ id: String, _ decision: String, tool: String = "delete_workflow") -> AuditRecord {
        AuditRecord(
            time: "2026-11-26T00:00:00Z", tool: tool, safety: "destructive",
            target: .init(kind: "Workflow", namespace: "argo", name: "w"), arguments: [:], decision: decision,
            tokenID: id, caller: "bearer:alice")
    }

    @Test("a token is taken once, with every field as it was put")
    func singleUse() async throws {
        try await Self.withStores { stores in
            let store = stores[0]
            let token = Self.pending()
            try await store.put(token)
            let taken = try await store.take(id: token.id, now: Date(), caller: "bearer:alice")
            #expect(taken?.id == token.id)
            #expect(taken?.caller == "bearer:alice")
            #expect(abs((taken?.expiresAt.timeIntervalSince1970 ?? 0) - token.expiresAt.timeIntervalSince1970) < 1)
            #expect(try await store.take(id: token.id, now: Date(), caller: "bearer:alice") == nil)
        }
    }

    @Test("two replicas redeem the same tokens at once: exactly one wins each, and each use is audited once")
    func races() async throws {
        try await Self.withStores(2) { stores in
            let tokens = (0..<50).map { _ in Self.pending() }
            for token in tokens { try await stores[0].put(token) }
            let winners = try await withThrowingTaskGroup(of: Int.self) { group in
                for token in tokens {
                    for store in stores {
                        group.addTask {
                            let taken = try await store.redeem(
                                id: token.id, now: Date(), caller: "bearer:alice", audit: store
                            ) { taken in
                                Self.record(token.id, taken == nil ? "refused" : "allowed")
                            }
                            return taken == nil ? 0 : 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(winners == tokens.count)
            for token in tokens {
                let decisions = try await stores[1].auditRecords(tokenID: token.id).map(\.decision).sorted()
                #expect(decisions == ["allowed", "refused"], "\(token.id)")
            }
        }
    }

    @Test("a redemption whose audit row cannot be written is rolled back: the token is still there")
    func rollback() async throws {
        try await Self.withStores { stores in
            let store = stores[0]
            let token = Self.pending()
            try await store.put(token)
            // PostgreSQL refuses a NUL character in text: the audit insert fails inside the transaction.
            await #expect(throws: (any Error).self) {
                _ = try await store.redeem(id: token.id, now: Date(), caller: "bearer:alice", audit: store) { _ in
                    Self.record(token.id, "allowed", tool: "bad\u{0}tool")
                }
            }
            #expect(try await store.auditRecords(tokenID: token.id).isEmpty)
            #expect(try await store.take(id: token.id, now: Date(), caller: "bearer:alice")?.id == token.id)
        }
    }

    @Test("long-expired tokens are pruned when new ones are put")
    func pruning() async throws {
        try await Self.withStores { stores in
            let store = stores[0]
            let old = Self.pending(expiresIn: -7200)
            try await store.put(old)
            try await store.put(Self.pending())
            #expect(try await store.take(id: old.id, now: Date(), caller: "bearer:alice") == nil)
        }
    }

    @Test("a bad URL is refused with what is wrong, without the password")
    func urls() {
        #expect(throws: (any Error).self) { try PostgresStore(url: "mysql://u@h/db", logger: Self.logger) }
        #expect(throws: (any Error).self) {
            try PostgresStore(url: "postgres://u:pw@h/db?sslmode=sometimes", logger: Self.logger)
        }
        let store = try? PostgresStore(
            url: "postgres://u:secret@db.example:6543/argo?sslmode=require", logger: Self.logger)
        #expect(store?.description == "postgres://u@db.example:6543/argo?sslmode=require")
    }

    @Test(
        "an allowed call whose replica stopped before recording its outcome is marked interrupted once by a survivor; finished calls and live replicas' calls are left alone"
    )
    func interruptedCalls() async throws {
        let shared = try #require(Self.url, "ARGO_MCP_TEST_POSTGRES_URL is not set; .ci/run starts a server")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        // A database of its own: a survivor this impatient would mark other suites' calls in the shared one.
        let database = "argo_mcp_interrupt_\(suffix.replacingOccurrences(of: "-", with: ""))"
        let parts = try #require(URLComponents(string: shared))
        let path = parts.path
        try #require(!path.isEmpty, "ARGO_MCP_TEST_POSTGRES_URL names no database")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: parts.host ?? "127.0.0.1", port: parts.port ?? 5432, username: parts.user ?? "argo_mcp",
                password: parts.password, database: String(path.dropFirst()), tls: .disable),
            id: 1, logger: Self.logger)
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"), logger: Self.logger)
        try await connection.close()
        let url = shared.replacingOccurrences(of: path + "?", with: "/\(database)?")
        let dead = try PostgresStore(url: url, logger: Self.logger, replica: "dead-\(suffix)")
        let busy = try PostgresStore(url: url, logger: Self.logger, replica: "busy-\(suffix)")
        let survivor = try PostgresStore(
            url: url, logger: Self.logger, replica: "survivor-\(suffix)", staleAfter: .seconds(3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [dead, busy, survivor] { group.addTask { await store.run() } }
            defer { group.cancelAll() }
            try await survivor.migrate()
            func allowed(_ store: PostgresStore, _ token: String, _ attempt: String) async throws {
                var record = Self.record(token, "allowed")
                record.attempt = attempt
                try await store.record(record)
            }
            let (lost, finished, running) = ("lost-\(suffix)", "finished-\(suffix)", "running-\(suffix)")
            try await dead.beat()
            try await allowed(dead, lost, "a-\(lost)")
            try await allowed(dead, finished, "a-\(finished)")
            var done = Self.record(finished, "succeeded")
            done.attempt = "a-\(finished)"
            try await dead.record(done)
            try await allowed(busy, running, "a-\(running)")
            // Too young to judge: nothing is marked yet.
            _ = try await survivor.markInterrupted()
            #expect(try await survivor.auditRecords(tokenID: lost).map(\.decision) == ["allowed"])
            try await Task.sleep(for: .milliseconds(4000))
            try await busy.beat()
            _ = try await survivor.markInterrupted()
            _ = try await survivor.markInterrupted()
            let trail = try await survivor.auditTrail(tokenID: lost)
            #expect(trail.map(\.record.decision) == ["allowed", "interrupted"])
            #expect(trail.last?.record.outcome?.hasPrefix("unknown:") == true)
            #expect(trail.last?.record.attempt == "a-\(lost)")
            #expect(trail.last?.record.caller == "bearer:alice")
            #expect(trail.map(\.replica) == ["dead-\(suffix)", "survivor-\(suffix)"])
            #expect(try await survivor.auditRecords(tokenID: finished).map(\.decision) == ["allowed", "succeeded"])
            #expect(try await survivor.auditRecords(tokenID: running).map(\.decision) == ["allowed"])
        }
    }

    @Test("a database that does not answer fails a store operation within its timeout, with a clear reason")
    func outage() async throws {
        // Nothing listens on port 1: the pool keeps trying to connect, and the operation gives up in time.
        let store = try PostgresStore(
            url: "postgres://argo_mcp@127.0.0.1:1/argo?sslmode=disable", logger: Self.logger,
            operationTimeout: .seconds(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            let started = ContinuousClock.now
            await #expect {
                try await store.put(Self.pending())
            } throws: { error in
                "\(error)".contains("the PostgreSQL store did not answer within 1 s (keeping a confirmation token)")
            }
            await #expect(throws: PostgresStore.StoreUnanswered.self) {
                try await store.redeem(id: "x", now: Date(), caller: nil, audit: store) { _ in
                    Self.record("x", "allowed")
                }
            }
            // A hang guard, not a timing claim: without the timeout both calls would wait for the pool forever.
            // The bound leaves room for a loaded CI machine (6 s was once exceeded with the other core busy).
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }
}
