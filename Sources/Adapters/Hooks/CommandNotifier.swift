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

/// Runs a shell command with the payload on its standard input; a non-zero exit is a failure.
///
/// The command runs with argo-mcp's environment minus its credentials (`ARGO_TOKEN`, client keys, anything named
/// like a token, password or secret): a hook has no need of them. Its time limit starts before the payload is
/// written, and a command that exits without reading its input is no error of ours (SIGPIPE is ignored by the
/// process; the write reports EPIPE instead of trapping).
public struct CommandNotifier: CompletionNotifier {
    public let command: String
    public let timeout: Duration

    public init(command: String, timeout: Duration = .seconds(30)) {
        self.command = command
        self.timeout = timeout
        IgnoreSIGPIPE.once()
    }

    public var target: String { "command \(command.split(separator: " ").first ?? "")" }

    /// The environment a hook command gets: argo-mcp's own without credentials.
    public static func childEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { key, _ in
            let upper = key.uppercased()
            if ["ARGO_TOKEN", "ARGO_CLIENT_KEY", "ARGO_SERVER", "ARGO_MCP_NOTIFY_WEBHOOK"].contains(upper) {
                return false
            }
            return !["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY"]
                .contains { upper.contains($0) }
        }
    }

    public func notify(_ payload: Data) async throws {
        let env = Self.childEnvironment(ProcessInfo.processInfo.environment)
        let child = try ChildProcess.spawn(["/bin/sh", "-c", command], environment: env)
        // The time limit runs from the start, whatever the command does with its input. It is kept by a dispatch
        // timer, not a task: a busy cooperative pool must not let a hook outlive its limit.
        let limit = timeout
        let terminate = DispatchWorkItem { child.signalGroup(SIGTERM) }
        let kill = DispatchWorkItem { child.signalGroup(SIGKILL) }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: terminate)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds + 2, execute: kill)
        defer {
            terminate.cancel()
            kill.cancel()
        }
        // A blocking write of a payload larger than the pipe's buffer waits for the command to read it: on a
        // thread of its own, so the time limit can end a command that never reads.
        let fd = child.stdin
        Thread.detachNewThread {
            PipeWriter.write(payload, to: fd)
            _ = close(fd)
        }
        let status = await child.exitStatus()
        switch status {
        case .exited(0): return
        case .exited(let code): throw HookFailed("the command exited with status \(code)")
        case .signalled(let signal):
            throw HookFailed(
                signal == SIGTERM || signal == SIGKILL
                    ? "the command was stopped by signal \(signal) (the time limit is \(limit))"
                    : "the command was ended by signal \(signal)")
        }
    }
}
