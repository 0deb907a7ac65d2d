import Foundation
import Logging
import MCP
import MCPServer
import MCPStdio

/// The built `argo-mcp` binary, spawned over stdio and driven by the SDK's MCP client.
final class ServerProcess: MCPHarness, @unchecked Sendable {
    let process = Process()
    let client: Client
    private let stdin = Pipe()
    private let stdout = Pipe()
    private let stderr = Pipe()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ARGO_MCP_BINARY"] { return URL(fileURLWithPath: path) }
        // The test bundle sits next to the products of the same build.
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "argo-mcp"),
            Bundle.main.bundleURL.appendingPathComponent("argo-mcp"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("argo-mcp"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
                .appendingPathComponent(".build/debug/argo-mcp"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    /// - Parameter elicitation: when given, the client declares elicitation and answers with it.
    init(
        _ arguments: [String], environment: [String: String] = [:],
        elicitation: (@Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result)? = nil,
        sampling: (@Sendable (CreateSamplingMessage.Parameters) async throws -> CreateSamplingMessage.Result)? = nil
    ) async throws {
        client = await scenarioClient(elicitation: elicitation, sampling: sampling)
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = serverEnvironment(environment)
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // A server that dies must fail the calls waiting on it at once, not leave them waiting for ever.
        let client = self.client
        process.terminationHandler = { _ in Task { await client.disconnect() } }
        try process.run()
    }

    func connect() async throws -> Initialize.Result {
        let transport = LineTransport(
            input: stdout.fileHandleForReading.fileDescriptor, output: stdin.fileHandleForWriting.fileDescriptor)
        return try await client.connect(transport: transport)
    }

    /// Runs the binary to its end (for start-up failures): its exit status and standard error.
    static func runToExit(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let (status, _, stderr) = try runCapturing(arguments, environment: environment)
        return (status, stderr)
    }

    /// Runs the binary to its end: its exit status, standard output and standard error (read at once, so neither
    /// pipe fills while the other is read).
    static func runCapturing(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        Int32, String, String
    ) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ARGO_SERVER"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let err = Pipe()
        let out = Pipe()
        process.standardError = err
        process.standardInput = Pipe()
        process.standardOutput = out
        try process.run()
        let collected = OutputBox()
        let reader = Thread {
            collected.set(out.fileHandleForReading.readDataToEndOfFile())
        }
        reader.start()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stdout = String(decoding: collected.wait(), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }

    /// Runs `executable` to its end without holding a thread of the test's pool: its pipes are read on threads of
    /// their own and its end is polled (`exited(within:)`; past `limit` it is killed). A blocking wait here on a
    /// 2-core machine starves every other test of the run: their in-process servers stop answering and time out.
    static func runToEnd(_ executable: URL, _ arguments: [String], limit: Duration) async throws -> (
        status: Int32, stdout: Data, stderr: String, finished: Bool
    ) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = OutputBox()
        let stderr = OutputBox()
        Thread { stdout.set(out.fileHandleForReading.readDataToEndOfFile()) }.start()
        Thread { stderr.set(err.fileHandleForReading.readDataToEndOfFile()) }.start()
        let finished = await process.exited(within: limit)
        let (outData, errData) = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: (stdout.wait(), stderr.wait())) }.start()
        }
        return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self), finished)
    }

    /// The first line a child writes to `handle` (its URL), read on a thread of its own; what came, when the child
    /// closes it first.
    static func firstLine(of handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                var text = ""
                while !text.contains("\n") {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }.start()
        }
    }

    /// Everything left on `handle` once its writer has ended, read on a thread of its own.
    static func rest(of handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)) }
                .start()
        }
    }

    /// Bytes handed from a reader thread, waited for once.
    final class OutputBox: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()
        func set(_ value: Data) {
            data = value
            done.signal()
        }
        func wait() -> Data {
            done.wait()
            return data
        }
    }

    /// A scenario that fails before `stop()` must not leave its server running after the test run.
    deinit {
        if process.isRunning { process.terminate() }
    }

    func stop() async -> String {
        await client.disconnect()
        try? stdin.fileHandleForWriting.close()
        // Polled, not waited for on a thread of the test's pool (see `runToEnd`).
        _ = await process.exited(within: .seconds(60))
        return await Self.rest(of: stderr.fileHandleForReading)
    }
}

extension CallTool.Result {
    /// The text without the simulator's notice line, its last (asserted on its own in SubmitScenarioTests).
    var text: String {
        let all = rawText
        guard let newline = all.lastIndex(of: "\n"), all[all.index(after: newline)...].hasPrefix("[SIMULATOR]")
        else { return all.hasPrefix("[SIMULATOR]") ? "" : all }
        return String(all[..<newline])
    }

    var rawText: String {
        content.compactMap { if case .text(let t, _, _) = $0 { return t } else { return nil } }.joined(separator: "\n")
    }
}

extension Process {
    /// Waits for the process to end without blocking a thread of the test's pool (a blocked `waitUntilExit` on a
    /// 2-core machine starves every other test); false when it had not ended within `limit`, after which it is
    /// killed, so that a server that does not shut down fails its test instead of hanging the run.
    func exited(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        let ended = !isRunning
        if !ended { kill(processIdentifier, SIGKILL) }
        waitUntilExit()
        return ended
    }
}
