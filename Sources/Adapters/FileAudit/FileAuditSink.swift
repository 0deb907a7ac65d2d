import Foundation
import Ports

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The append-only JSON Lines audit file: one record per line, each appended with a single write and fsync'd.
/// The file is created with mode 0600. A record that cannot be written is an error, so callers can fail closed.
public actor FileAuditSink: AuditSink {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func record(_ record: AuditRecord) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(record)
        line.append(10)
        try FileStore.ensureDirectory(for: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw FileStoreError("cannot open the audit file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw FileStoreError(
                "cannot append to the audit file \(path): \(written < 0 ? String(cString: strerror(errno)) : "short write")"
            )
        }
        guard fsync(fd) == 0 else {
            throw FileStoreError("cannot sync the audit file \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Pending confirmations in a small JSON file beside the audit file, rewritten atomically (temporary file and
/// rename) on every change, expired entries pruned; they survive a restart.
public actor FileConfirmationStore: ConfirmationStore {
    public let path: String
    private var entries: [String: PendingConfirmation]?

    public init(path: String) {
        self.path = path
    }

    private func load() throws -> [String: PendingConfirmation] {
        if let entries { return entries }
        var loaded: [String: PendingConfirmation] = [:]
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let list = try decoder.decode([PendingConfirmation].self, from: data)
            for c in list { loaded[c.id] = c }
        }
        entries = loaded
        return loaded
    }

    private func save(_ all: [String: PendingConfirmation]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(all.values.sorted { $0.id < $1.id })
        try FileStore.ensureDirectory(for: path)
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileStoreError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileStoreError("cannot save the confirmation store \(path)")
        }
        entries = all
    }

    public func put(_ confirmation: PendingConfirmation) async throws {
        var all = try load()
        let now = Date()
        all = all.filter { $0.value.expiresAt > now }
        all[confirmation.id] = confirmation
        try save(all)
    }

    public func take(id: String, now: Date) async throws -> PendingConfirmation? {
        var all = try load()
        let found = all.removeValue(forKey: id)
        all = all.filter { $0.value.expiresAt > now }
        try save(all)
        return found
    }
}

enum FileStore {
    static func ensureDirectory(for path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}

public struct FileStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
