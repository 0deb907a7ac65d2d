import Foundation
import Logging
import NIOSSL
import Ports
import PostgresNIO

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

    public init(url: String, logger: Logger) throws {
        let parsed = try PostgresURL(url)
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: parsed.tls)
        configuration.options.maximumConnections = 8
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
        }
    }

    /// Whether the database answers (for `/readyz`).
    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
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
        try await client.withTransaction(logger: logger) { connection in
            // Expired tokens are of no use to anyone: prune them as new ones come.
            try await connection.query(
                "DELETE FROM argo_mcp_confirmations WHERE expires_at < now() - interval '1 hour'", logger: logger)
            try await connection.query(
                "INSERT INTO argo_mcp_confirmations (id, body, expires_at) VALUES (\(id), \(body)::jsonb, \(expires))",
                logger: logger)
        }
    }

    public func take(id: String, now: Date) async throws -> PendingConfirmation? {
        try await client.withConnection { connection in try await Self.take(id, on: connection, logger: logger) }
    }

    static func take(_ id: String, on connection: PostgresConnection, logger: Logger) async throws
        -> PendingConfirmation?
    {
        let rows = try await connection.query(
            "DELETE FROM argo_mcp_confirmations WHERE id = \(id) RETURNING body::text", logger: logger)
        for try await body in rows.decode(String.self) {
            return try decoder.decode(PendingConfirmation.self, from: Data(body.utf8))
        }
        return nil
    }

    public func record(_ record: AuditRecord) async throws {
        try await client.withConnection { connection in try await Self.insert(record, on: connection, logger: logger) }
    }

    static func insert(_ record: AuditRecord, on connection: PostgresConnection, logger: Logger) async throws {
        let body = String(decoding: try encoder.encode(record), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO argo_mcp_audit (tool, decision, caller, token_id, namespace, name, record)
            VALUES (\(record.tool), \(record.decision), \(record.caller), \(record.tokenID), \(record.target.namespace),
                    \(record.target.name), \(body)::jsonb)
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

    public func redeem(
        id: String, now: Date, audit: any AuditSink, record: @Sendable (PendingConfirmation?) -> AuditRecord
    ) async throws -> PendingConfirmation? {
        guard let store = audit as? PostgresStore, store === self else {
            // The audit trail is elsewhere: take, then record there.
            let taken = try await take(id: id, now: now)
            try await audit.record(record(taken))
            return taken
        }
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            let taken = try await Self.take(id, on: connection, logger: logger)
            try await Self.insert(record(taken), on: connection, logger: logger)
            return taken
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
