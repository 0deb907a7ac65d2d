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
        try PrivateFiles.ensureDirectory(for: path)
        // O_NOFOLLOW: a symbolic link planted at the audit path must not redirect the records elsewhere.
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
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
