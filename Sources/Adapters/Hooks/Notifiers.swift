import AsyncHTTPClient
import Foundation
import NIOCore
import Ports

/// POSTs the payload as JSON to a URL; any answer but 2xx is a failure.
public struct WebhookNotifier: CompletionNotifier {
    public let url: URL
    public let timeout: Duration

    public init(url: URL, timeout: Duration = .seconds(10)) {
        self.url = url
        self.timeout = timeout
    }

    /// The URL without its query and credentials, which may hold secrets.
    public var target: String {
        var c = URLComponents(url: url, resolvingAgainstBaseURL: false)
        c?.query = nil
        c?.user = nil
        c?.password = nil
        return "webhook \(c?.string ?? url.host ?? "?")"
    }

    public func notify(_ payload: Data) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "argo-mcp")
        request.body = .bytes(ByteBuffer(bytes: payload))
        let seconds = Int64(timeout.components.seconds)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(seconds))
        _ = try? await response.body.collect(upTo: 64 << 10)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw HookFailed("the webhook answered HTTP \(response.status.code)")
        }
    }
}

/// Runs a shell command with the payload on its standard input; a non-zero exit is a failure.
public struct CommandNotifier: CompletionNotifier {
    public let command: String
    public let timeout: Duration

    public init(command: String, timeout: Duration = .seconds(30)) {
        self.command = command
        self.timeout = timeout
    }

    public var target: String { "command \(command.split(separator: " ").first ?? "")" }

    public func notify(_ payload: Data) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        // The command's output must never reach stdout, which belongs to JSON-RPC.
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            input.fileHandleForWriting.write(payload)
            try? input.fileHandleForWriting.close()
            let deadline = timeout
            Task {
                try? await Task.sleep(for: deadline)
                if process.isRunning { process.terminate() }
            }
        }
        guard status == 0 else { throw HookFailed("the command exited with status \(status)") }
    }
}

public struct HookFailed: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
