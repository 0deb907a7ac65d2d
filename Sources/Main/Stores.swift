import FileAudit
import Foundation
import Logging
import Ports
import PostgresStore

/// Where the audit trail and the confirmation tokens are kept: the audit file and its token file beside it (one
/// machine; the default), or PostgreSQL when `store.postgres` is set (replicas share both).
struct Stores: Sendable {
    let audit: any AuditSink
    let confirmations: any ConfirmationStore
    let postgres: PostgresStore?
    /// Where, for the start-up log.
    let description: String

    init(_ settings: Settings, logger: Logger) throws {
        if let url = settings.storePostgres {
            let store: PostgresStore
            do {
                store = try PostgresStore(url: url, logger: logger)
            } catch {
                throw ConfigError("store.postgres (ARGO_MCP_POSTGRES_URL): \(error)")
            }
            audit = store
            confirmations = store
            postgres = store
            description = store.description
        } else {
            let path = settings.auditFile ?? Settings.defaultAuditFile
            audit = FileAuditSink(path: path)
            confirmations = FileConfirmationStore(path: path + ".tokens.json")
            postgres = nil
            description = path
        }
    }

    /// Runs `body` with the database's connection pool running and its tables in place (no database: just
    /// `body`). A database that cannot be reached at start-up stops the server with the reason.
    func running(logger: Logger, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard let postgres else { return try await body() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            do {
                try await postgres.probe()
                try await withDeadline(.seconds(30)) { try await postgres.migrate() }
            } catch {
                throw ConfigError(
                    "store.postgres: cannot prepare the tables at \(postgres.description): \(String(reflecting: error))"
                )
            }
            logger.info(
                "confirmations and audit records are kept in PostgreSQL",
                metadata: ["store": "\(postgres.description)", "replica": "\(postgres.replica)"])
            group.addTask { await postgres.keepWatch() }
            try await body()
        }
    }

    /// `/readyz` with the store: not ready while the database does not answer.
    /// Says which dependency is down, never where it is or what it said (`/readyz` is served without
    /// authentication); the reason goes to the log.
    func ready(_ backend: String, logger: Logger) async -> (Bool, String) {
        guard let postgres else { return (true, backend) }
        do {
            try await withDeadline(.seconds(5)) { try await postgres.ping() }
            return (true, backend + "; the PostgreSQL store answers")
        } catch {
            logger.warning("not ready: the PostgreSQL store does not answer", metadata: ["error": "\(error)"])
            return (false, "the PostgreSQL store does not answer")
        }
    }
}

struct DeadlinePassed: Error, CustomStringConvertible {
    var description: String { "no answer in time" }
}

/// `body`, or `DeadlinePassed` after `limit`.
func withDeadline(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlinePassed()
        }
        defer { group.cancelAll() }
        try await group.next()
    }
}
