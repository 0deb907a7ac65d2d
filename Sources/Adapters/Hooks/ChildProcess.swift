import AsyncHTTPClient
import Foundation
import NIOCore
import Ports

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process in a process group of its own (so a time limit ends the whole pipeline a shell started, not
/// just the shell), its standard input a pipe, its standard output and error argo-mcp's standard error (stdout
/// belongs to JSON-RPC).
final class ChildProcess: Sendable {
    enum Status: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    let pid: pid_t
    /// The write end of the child's standard input.
    let stdin: Int32

    private init(pid: pid_t, stdin: Int32) {
        self.pid = pid
        self.stdin = stdin
    }

    static func spawn(_ arguments: [String], environment: [String: String]) throws -> ChildProcess {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HookFailed("cannot create a pipe: errno \(errno)") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        _ = close(readEnd)
        guard result == 0 else {
            _ = close(writeEnd)
            throw HookFailed("cannot start \(arguments[0]): errno \(result)")
        }
        return ChildProcess(pid: pid, stdin: writeEnd)
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Waits for the child to end, on a thread of its own (waitpid blocks).
    func exitStatus() async -> Status {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal))
            }
        }
    }
}

/// A write to a pipe whose reader has exited raises SIGPIPE, which ends the process unless ignored; every server
/// ignores it and handles EPIPE. Done once, process-wide (Main also does it at start-up).
public enum IgnoreSIGPIPE {
    private static let done: Bool = {
        _ = signal(SIGPIPE, SIG_IGN)
        return true
    }()

    public static func once() { _ = done }
}

/// Writes to a file descriptor with POSIX `write`: a reader that went away is an EPIPE to give up on, not a trap.
enum PipeWriter {
    @discardableResult
    static func write(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                    let n = Glibc.write(fd, base + offset, raw.count - offset)
                #elseif canImport(Musl)
                    let n = Musl.write(fd, base + offset, raw.count - offset)
                #else
                    let n = Darwin.write(fd, base + offset, raw.count - offset)
                #endif
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
