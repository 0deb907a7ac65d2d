import Foundation
import Logging
import NIOSSL
import Ports
import PostgresNIO
import Synchronization

/// Confirmation tokens and the audit trail in PostgreSQL, shared by every replica of argo-mcp: a token issued by
/// one replica is redeemed once on any, and the database, not a lock in one process, makes the redemption single:
/// `DELETE … RETURNING` takes the row, so of two concurrent redemptions exactly one gets it. When the same store
/// keeps the audit trail, a redemption and its audit row are one transaction.
public final class PostgresStore: ConfirmationStore, AuditSink, Sendable {
    let client: PostgresClient
    let logger: Logger
    let url: PostgresURL
    /// Where it connects, without the password (for logs and errors).
    public let description: String
    /// This process among the replicas sharing the store: written beside every audit record it writes, and
    /// announced every `heartbeat` so that the others can tell when it has stopped.
    public let replica: String
    /// How often a replica says it is alive, and how long without a word before its unfinished calls are marked
    /// `interrupted` by a survivor.
    let heartbeat: Duration
    let staleAfter: Duration
    /// How long one operation of a request (a token put or taken, an audit record) may wait for the database: past
    /// it the operation fails with `StoreUnanswered`, so a mutation fails closed in bounded time when the database
    /// is down instead of waiting on the pool.
    let operationTimeout: Duration

    /// The database did not answer an operation in time.
    public struct StoreUnanswered: Error, CustomStringConvertible {
        public var operation: String
        public var timeout: Duration
        public var description: String {
            "the PostgreSQL store did not answer within \(timeout.components.seconds) s (\(operation)); is the database up and reachable?"
        }
    }

    /// `body`, or `StoreUnanswered` after `operationTimeout`, whichever comes first. The caller gets its answer in
    /// time even when the body does not end on cancellation (a query on a connection that hangs): the body is
    /// cancelled and left to end on its own, bounded by the server-side timeouts set on every connection.
    func bounded<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = operationTimeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let race = Race(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if race.finish(.failure(StoreUnanswered(operation: operation, timeout: timeout))) { race.cancelWork() }
            }
            race.start(
                Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    if race.finish(result) { timer.cancel() }
                })
        }
    }

    /// The first of a body and its timer to finish answers; the other is told to stop.
    final class Race<T: Sendable>: Sendable {
        private let state: Mutex<(continuation: CheckedContinuation<T, any Error>?, work: Task<Void, Never>?)>

        init(_ continuation: CheckedContinuation<T, any Error>) {
            state = Mutex((continuation, nil))
        }

        func start(_ work: Task<Void, Never>) { state.withLock { $0.work = work } }

        /// Whether this result was the first.
        func finish(_ result: Result<T, any Error>) -> Bool {
            let continuation = state.withLock { state in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
            return continuation != nil
        }

        func cancelWork() { state.withLock { $0.work }?.cancel() }
    }

    public init(
        url: String, logger: Logger, replica: String? = nil, heartbeat: Duration = .seconds(5),
        staleAfter: Duration = .seconds(30), operationTimeout: Duration = .seconds(10)
    ) throws {
        self.operationTimeout = operationTimeout
        self.replica =
            replica
            ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8).lowercased())"
        self.heartbeat = heartbeat
        self.staleAfter = staleAfter
        let parsed = try PostgresURL(url)
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: parsed.tls)
        configuration.options.maximumConnections = 8
        // The server ends what hangs on its side (a lock, a statement, a transaction left open), so that a request
        // that gave up on the store does not leave work behind for long.
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "10s"), ("lock_timeout", "10s"), ("idle_in_transaction_session_timeout", "30s"),
        ]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.url = parsed
        self.description = parsed.redacted
    }

    /// Opens and closes one connection, so that an unreachable or misconfigured database is reported at once with
    /// the server's own reason (the pool would retry quietly until a request gives up).
    public func probe() async throws {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: try url.connectionTLS())
        configuration.options.connectTimeout = .seconds(10)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try await connection.close()
    }

    /// Runs the connection pool until the task is cancelled; the store works only while this runs.
    public func run() async { await client.run() }

    /// Creates the tables when they are missing; replicas starting together take turns (an advisory lock).
    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(72616777)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS argo_mcp_confirmations (
                    id text PRIMARY KEY,
                    body jsonb NOT NULL,
                    expires_at timestamptz NOT NULL
                )
                """, logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS argo_mcp_audit (
                    seq bigserial PRIMARY KEY,
                    recorded_at timestamptz NOT NULL DEFAULT now(),
                    tool text NOT NULL,
                    decision text NOT NULL,
                    caller text,
                    token_id text,
                    namespace text NOT NULL,
                    name text NOT NULL,
                    record jsonb NOT NULL
                )
                """, logger: logger)
            try await connection.query(
                "CREATE INDEX IF NOT EXISTS argo_mcp_audit_token ON argo_mcp_audit (token_id)", logger: logger)
            // Which replica wrote a record, and the attempt an allowed call and its outcome share (added later:
            // tables made by an older argo-mcp gain the columns).
            try await connection.query(
                "ALTER TABLE argo_mcp_audit ADD COLUMN IF NOT EXISTS replica text", logger: logger)
            try await connection.query(
                "ALTER TABLE argo_mcp_audit ADD COLUMN IF NOT EXISTS attempt text", logger: logger)
            try await connection.query(
                "CREATE INDEX IF NOT EXISTS argo_mcp_audit_attempt ON argo_mcp_audit (attempt)", logger: logger)
            try await connection.query(
                """
                CREATE INDEX IF NOT EXISTS argo_mcp_audit_allowed ON argo_mcp_audit (recorded_at)
                WHERE decision = 'allowed'
                """, logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS argo_mcp_replicas (
                    id text PRIMARY KEY,
                    seen_at timestamptz NOT NULL
                )
                """, logger: logger)
        }
    }

    /// Says every `heartbeat` that this replica is alive, and marks the calls of replicas silent for
    /// `staleAfter` that were allowed but never got an outcome as `interrupted` (a replica killed between "allowed"
    /// and "done" cannot say what happened; the trail then says that it is unknown instead of hiding it). Runs
    /// until cancelled; a database that does not answer is tried again next time.
    public func keepWatch() async {
        while !Task.isCancelled {
            do {
                // Bounded like every store operation: a query that never answers (the pool shut down under it)
                // gives up after the operation timeout, so the loop sees its cancellation within two of them.
                try await bounded("the heartbeat") { try await self.beat() }
                _ = try await bounded("marking interrupted calls") { try await self.markInterrupted() }
            } catch {
                logger.debug("the store's heartbeat failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: heartbeat)
        }
    }

    /// Says that this replica is alive now.
    public func beat() async throws {
        let id = replica
        try await client.query(
            """
            INSERT INTO argo_mcp_replicas (id, seen_at) VALUES (\(id), now())
            ON CONFLICT (id) DO UPDATE SET seen_at = now()
            """, logger: logger)
    }

    /// Writes one `interrupted` record for each allowed call of a silent replica that has no outcome; returns how
    /// many. Survivors take turns (an advisory lock), so a call is marked once.
    @discardableResult
    public func markInterrupted() async throws -> Int {
        let id = replica
        let stale = Double(staleAfter.components.seconds) + Double(staleAfter.components.attoseconds) / 1e18
        let outcome =
            "unknown: the replica carrying it out (see the allowed record) stopped before recording an outcome; look at the object in Argo to see whether it happened"
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(72616778)", logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO argo_mcp_audit (tool, decision, caller, token_id, namespace, name, record, replica, attempt)
                SELECT a.tool, 'interrupted', a.caller, a.token_id, a.namespace, a.name,
                       a.record || jsonb_build_object(
                           'decision', 'interrupted', 'outcome', \(outcome)::text, 'reason', NULL,
                           'time', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                       \(id), a.attempt
                FROM argo_mcp_audit a
                LEFT JOIN argo_mcp_replicas r ON r.id = a.replica
                WHERE a.decision = 'allowed' AND a.attempt IS NOT NULL AND a.replica IS DISTINCT FROM \(id)
                  AND a.recorded_at < now() - make_interval(secs => \(stale))
                  AND a.recorded_at > now() - interval '7 days'
                  AND (r.id IS NULL OR r.seen_at < now() - make_interval(secs => \(stale)))
                  AND NOT EXISTS (
                      SELECT 1 FROM argo_mcp_audit b WHERE b.attempt = a.attempt AND b.decision <> 'allowed')
                RETURNING seq
                """, logger: logger)
            var marked = 0
            for try await _ in rows { marked += 1 }
            // Replicas gone for a day are of no further use to anyone.
            try await connection.query(
                "DELETE FROM argo_mcp_replicas WHERE seen_at < now() - interval '1 day'", logger: logger)
            if marked > 0 {
                logger.warning(
                    "marked calls of a stopped replica as interrupted", metadata: ["count": "\(marked)"])
            }
            return marked
        }
    }

    /// Whether the database answers (for `/readyz`).
    public func ping() async throws {
        let (client, logger) = (self.client, self.logger)
        _ = try await bounded("ping") { try await client.query("SELECT 1", logger: logger) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public func put(_ confirmation: PendingConfirmation) async throws {
        let body = String(decoding: try Self.encoder.encode(confirmation), as: UTF8.self)
        let id = confirmation.id
        let expires = confirmation.expiresAt
        let (client, logger) = (self.client, self.logger)
        try await bounded("keeping a confirmation token") {
            try await Self.put(id: id, body: body, expires: expires, client: client, logger: logger)
        }
    }

    static func put(id: String, body: String, expires: Date, client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            // Expired tokens are of no use to anyone: prune them as new ones come.
            try await connection.query(
                "DELETE FROM argo_mcp_confirmations WHERE expires_at < now() - interval '1 hour'", logger: logger)
            try await connection.query(
                "INSERT INTO argo_mcp_confirmations (id, body, expires_at) VALUES (\(id), \(body)::jsonb, \(expires))",
                logger: logger)
        }
    }

    public func take(id: String, now: Date, caller: String?) async throws -> PendingConfirmation? {
        let (client, logger) = (self.client, self.logger)
        return try await bounded("taking a confirmation token") {
            try await client.withConnection { connection in
                try await Self.take(id, caller: caller, on: connection, logger: logger)
            }
        }
    }

    /// Deletes the token if it was issued to `caller` (the database decides a race: one `DELETE … RETURNING` gets
    /// the row); another caller's token is read, not deleted.
    static func take(_ id: String, caller: String?, on connection: PostgresConnection, logger: Logger) async throws
        -> PendingConfirmation?
    {
        let rows = try await connection.query(
            """
            DELETE FROM argo_mcp_confirmations WHERE id = \(id) AND (body->>'caller') IS NOT DISTINCT FROM \(caller)
            RETURNING body::text
            """, logger: logger)
        for try await body in rows.decode(String.self) {
            return try decoder.decode(PendingConfirmation.self, from: Data(body.utf8))
        }
        let other = try await connection.query(
            "SELECT body::text FROM argo_mcp_confirmations WHERE id = \(id)", logger: logger)
        for try await body in other.decode(String.self) {
            let found = try decoder.decode(PendingConfirmation.self, from: Data(body.utf8))
            // Not this caller's (or taken by them between the two statements: then it is gone, and nil is right).
            return found.caller == caller ? nil : found
        }
        return nil
    }

    public func record(_ record: AuditRecord) async throws {
        let (client, logger, replica) = (self.client, self.logger, self.replica)
        try await bounded("writing an audit record") {
            try await client.withConnection { connection in
                try await Self.insert(record, replica: replica, on: connection, logger: logger)
            }
        }
    }

    static func insert(
        _ record: AuditRecord, replica: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let body = String(decoding: try encoder.encode(record), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO argo_mcp_audit (tool, decision, caller, token_id, namespace, name, record, replica, attempt)
            VALUES (\(record.tool), \(record.decision), \(record.caller), \(record.tokenID), \(record.target.namespace),
                    \(record.target.name), \(body)::jsonb, \(replica), \(record.attempt))
            """, logger: logger)
    }

    /// The audit records of one confirmation token (its preview, its use, its outcome), oldest first.
    public func auditRecords(tokenID: String) async throws -> [AuditRecord] {
        let rows = try await client.query(
            "SELECT record::text FROM argo_mcp_audit WHERE token_id = \(tokenID) ORDER BY seq", logger: logger)
        var records: [AuditRecord] = []
        for try await body in rows.decode(String.self) {
            records.append(try Self.decoder.decode(AuditRecord.self, from: Data(body.utf8)))
        }
        return records
    }

    /// The audit records of one confirmation token with the replica that wrote each, oldest first.
    public func auditTrail(tokenID: String) async throws -> [(replica: String, record: AuditRecord)] {
        try await trail(
            client.query(
                "SELECT coalesce(replica, ''), record::text FROM argo_mcp_audit WHERE token_id = \(tokenID) ORDER BY seq",
                logger: logger))
    }

    /// Every audit record with the replica that wrote it, oldest first (for tests and audits of a whole run).
    public func allAuditRecords() async throws -> [(replica: String, record: AuditRecord)] {
        try await trail(
            client.query(
                "SELECT coalesce(replica, ''), record::text FROM argo_mcp_audit ORDER BY seq", logger: logger))
    }

    func trail(_ rows: PostgresRowSequence) async throws -> [(replica: String, record: AuditRecord)] {
        var records: [(replica: String, record: AuditRecord)] = []
        for try await (replica, body) in rows.decode((String, String).self) {
            records.append((replica, try Self.decoder.decode(AuditRecord.self, from: Data(body.utf8))))
        }
        return records
    }

    public func redeem(
        id: String, now: Date, caller: String?, audit: any AuditSink,
        record: @escaping @Sendable (PendingConfirmation?) -> AuditRecord
    ) async throws -> PendingConfirmation? {
        guard let store = audit as? PostgresStore, store === self else {
            // The audit trail is elsewhere: take, then record there.
            let taken = try await take(id: id, now: now, caller: caller)
            try await audit.record(record(taken))
            return taken
        }
        let (client, logger, replica) = (self.client, self.logger, self.replica)
        // The record is made before the transaction, so the closure that crosses into the bounded task is data.
        return try await bounded("redeeming a confirmation token and recording it") {
            try await client.withTransaction(logger: logger) { connection in
                let taken = try await Self.take(id, caller: caller, on: connection, logger: logger)
                try await Self.insert(record(taken), replica: replica, on: connection, logger: logger)
                return taken
            }
        }
    }
}

/// `postgres://user:password@host:port/database?sslmode=…` (also `postgresql://`), as libpq and Argo's own
/// persistence settings spell it.
struct PostgresURL {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var sslMode: SSLMode
    var redacted: String

    enum SSLMode { case disable, prefer, require }

    var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw Invalid(description: "not a postgres:// URL (postgres://USER:PASSWORD@HOST:5432/DATABASE)")
        }
        guard let host = url.host, !host.isEmpty else { throw Invalid(description: "the URL names no host") }
        guard let user = url.user, !user.isEmpty else { throw Invalid(description: "the URL names no user") }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        self.database = path.isEmpty ? nil : path
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        switch mode {
        case "disable": sslMode = .disable
        case "allow", "prefer": sslMode = .prefer
        // Certificates are verified (the client configuration's default) whatever the mode says: a store that
        // holds confirmation tokens should not be reachable by a man in the middle.
        case "require", "verify-ca", "verify-full": sslMode = .require
        default:
            throw Invalid(description: "sslmode=\(mode) is not disable, prefer, require, verify-ca or verify-full")
        }
        self.redacted = "postgres://\(self.user)@\(host):\(port)/\(database ?? "")?sslmode=\(mode)"
    }
}
