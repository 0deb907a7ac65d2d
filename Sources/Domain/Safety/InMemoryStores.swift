import Foundation
import Ports

/// Confirmations kept in memory only (lost on restart); the file store is the default in the server.
public actor InMemoryConfirmationStore: ConfirmationStore {
    private var entries: [String: PendingConfirmation] = [:]

    public init() {}

    public func put(_ confirmation: PendingConfirmation) async throws {
        entries[confirmation.id] = confirmation
    }

    public func take(id: String, now: Date, caller: String?) async throws -> PendingConfirmation? {
        guard let found = entries[id] else { return nil }
        guard found.caller == caller else { return found }
        entries.removeValue(forKey: id)
        entries = entries.filter { $0.value.expiresAt > now }
        return found
    }
}

/// An audit sink that keeps nothing and so refuses every record: mutations fail closed without an audit file.
public struct NoAuditSink: AuditSink {
    public init() {}
    public func record(_ record: AuditRecord) async throws {
        throw PolicyDenied("no audit file is configured (logging.auditFile)")
    }
}
