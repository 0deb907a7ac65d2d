import Foundation
import Ports

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Pending confirmations in a small JSON file beside the audit file; they survive a restart.
///
/// Several argo-mcp processes may share the file (every host that starts argo-mcp with the same state directory):
/// each change takes an exclusive `flock` on `<path>.lock`, reads the file afresh under it, and replaces it through a
/// new temporary file (O_EXCL, O_NOFOLLOW) and a rename, so no process overwrites another's tokens and a token is
/// taken by one process only. Expired entries are pruned on every change.
public actor FileConfirmationStore: ConfirmationStore {
    public let path: String
    /// The largest store file read (a few hundred bytes per pending token).
    static let maxBytes = 16 << 20

    public init(path: String) {
        self.path = path
    }

    /// Runs `body` with the store's entries read under an exclusive lock; what it returns is written back.
    private func locked<T>(
        _ body: (inout [String: PendingConfirmation]) throws -> T
    ) throws -> T {
        try PrivateFiles.ensureDirectory(for: path)
        let lockPath = path + ".lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lock >= 0 else {
            throw FileStoreError("cannot open the lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw FileStoreError("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(lock, LOCK_UN) }
        var entries = try readEntries()
        let before = entries
        let result = try body(&entries)
        if entries.keys.sorted() != before.keys.sorted() { try writeEntries(entries) }
        return result
    }

    private func readEntries() throws -> [String: PendingConfirmation] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return [:] }
            throw FileStoreError("cannot read the confirmation store \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw FileStoreError("cannot read the confirmation store \(path)") }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            guard data.count <= Self.maxBytes else {
                throw FileStoreError("the confirmation store \(path) is larger than \(Self.maxBytes) bytes; remove it")
            }
        }
        guard !data.isEmpty else { return [:] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            let list = try decoder.decode([PendingConfirmation].self, from: data)
            return Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        } catch {
            throw FileStoreError(
                "the confirmation store \(path) is not readable (\(error)); remove it (pending confirmations are lost)")
        }
    }

    private func writeEntries(_ all: [String: PendingConfirmation]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(all.values.sorted { $0.id < $1.id })
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw FileStoreError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileStoreError("cannot save the confirmation store \(path)")
        }
    }

    public func put(_ confirmation: PendingConfirmation) async throws {
        let now = Date()
        try locked { all in
            all = all.filter { $0.value.expiresAt > now }
            all[confirmation.id] = confirmation
        }
    }

    public func take(id: String, now: Date, caller: String?) async throws -> PendingConfirmation? {
        try locked { all in
            guard let found = all[id] else { return nil }
            // Another caller's token stays where it is; its owner can still use it.
            guard found.caller == caller else { return found }
            all.removeValue(forKey: id)
            all = all.filter { $0.value.expiresAt > now }
            return found
        }
    }
}
