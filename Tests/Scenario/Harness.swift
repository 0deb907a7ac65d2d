import Crypto
import Foundation
import Logging
import MCP
import MCPServer
import StreamableHTTPClient
import Synchronization
import Testing

@testable import ArgoMCP

/// An argo-mcp server a scenario drives through the SDK's MCP client, over one transport or another.
protocol MCPHarness: AnyObject, Sendable {
    var client: Client { get }
    func connect() async throws -> Initialize.Result
    /// Ends the server; a spawned one returns what it wrote to standard error.
    func stop() async -> String
}

/// The transports a scenario can run over: the same server built in this process and reached through the SDK's
/// in-memory transport, the built binary spawned over stdio, or the built binary serving Streamable HTTP on
/// loopback.
enum TransportKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inProcess = "in-process"
    case stdio
    case http

    var testDescription: String { rawValue }

    /// Starts `argo-mcp ARGUMENTS` over this transport (not yet connected).
    func start(
        _ arguments: [String], environment: [String: String] = [:],
        elicitation: (@Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result)? = nil,
        sampling: (@Sendable (CreateSamplingMessage.Parameters) async throws -> CreateSamplingMessage.Result)? = nil
    ) async throws -> any MCPHarness {
        switch self {
        case .inProcess:
            try await InProcessServer(
                arguments, environment: environment, elicitation: elicitation, sampling: sampling)
        case .stdio:
            try await ServerProcess(arguments, environment: environment, elicitation: elicitation, sampling: sampling)
        case .http:
            try await HTTPServerProcess(
                arguments, environment: environment, elicitation: elicitation, sampling: sampling)
        }
    }
}

/// The MCP client every scenario drives the server with; it declares elicitation and sampling only when the
/// scenario answers them.
func scenarioClient(
    elicitation: (@Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result)?,
    sampling: (@Sendable (CreateSamplingMessage.Parameters) async throws -> CreateSamplingMessage.Result)?
) async -> Client {
    let client = Client(
        name: "argo-mcp-scenario", version: "1.0",
        capabilities: .init(sampling: sampling == nil ? nil : .init(), elicitation: elicitation == nil ? nil : .init()))
    if let elicitation { await client.withElicitationHandler(elicitation) }
    if let sampling { await client.withSamplingHandler(sampling) }
    return client
}

/// This process's environment without a real Argo server or token, with the scenario's own settings on top.
func serverEnvironment(_ extra: [String: String]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["ARGO_SERVER"] = nil
    env["ARGO_TOKEN"] = nil
    for (k, v) in extra { env[k] = v }
    return env
}

extension MCPHarness {
    /// Calls a tool and returns the whole result, structured content included. A call that gets no answer in
    /// `limit` fails the test with the tool's name instead of hanging the run (the SDK client waits forever, and
    /// a time limit cannot cancel that wait).
    func call(_ name: String, _ arguments: [String: Value] = [:], limit: Duration = .seconds(90)) async throws
        -> CallTool.Result
    {
        let client = self.client
        return try await withDeadline(limit, what: "\(name) got no answer") {
            try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
        }
    }

    /// Calls a tool the policy asks to confirm: the preview's token, then the call again with it.
    func callConfirmed(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        let first = try await call(name, arguments)
        guard first.isError != true,
            let token = first.structuredContent?.objectValue?["confirmation_token"]?.stringValue
        else { return first }
        var confirmed = arguments
        confirmed["confirmation_token"] = .string(token)
        return try await call(name, confirmed)
    }

    /// `get_workflow`'s phase once it is `phase`, polling for up to `seconds` (Argo applies a terminate or stop
    /// after answering it); the last phase seen otherwise.
    func phase(of name: String, becomes phase: String, within seconds: Double = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        repeat {
            last =
                try await call("get_workflow", ["name": .string(name)]).structuredContent?.objectValue?["phase"]?
                .stringValue ?? ""
            if last == phase { return last }
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        return last
    }
}

/// The server `argo-mcp serve ARGUMENTS` builds against the simulator (the same flags and environment, through
/// the same composition code), served in this process over the SDK's in-memory transport.
final class InProcessServer: MCPHarness, @unchecked Sendable {
    let client: Client
    private let mcpServer: ArgoMCPServer
    private let clientTransport: InMemoryTransport
    private let serverTransport: InMemoryTransport
    private let evolutions: Task<Void, Never>
    private var server: ArgoMCPServer.Session?

    init(
        _ arguments: [String], environment: [String: String] = [:],
        elicitation: (@Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result)? = nil,
        sampling: (@Sendable (CreateSamplingMessage.Parameters) async throws -> CreateSamplingMessage.Result)? = nil
    ) async throws {
        var flags = arguments
        if flags.first == "serve" { flags.removeFirst() }
        let command = try Serve.parse(flags)
        let settings = try command.settings(environment: serverEnvironment(environment))
        let connection = try settings.connection()
        guard command.simulator || connection == nil else {
            throw InProcessError("the in-process harness serves the simulator; spawn the binary for a real server")
        }
        let logger = Logger(label: "argo-mcp-in-process") { _ in SwiftLogNoOpLogHandler() }
        let built = try await command.simulatorServer(settings, logger: logger)
        mcpServer = built.servers(nil)
        let simulator = built.simulator
        let tick = built.tick
        evolutions = Task { await simulator.runEvolutions(tick: tick) }
        (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        client = await scenarioClient(elicitation: elicitation, sampling: sampling)
    }

    func connect() async throws -> Initialize.Result {
        server = try await mcpServer.start(transport: serverTransport)
        return try await client.connect(transport: clientTransport)
    }

    func stop() async -> String {
        await client.disconnect()
        await server?.stop()
        evolutions.cancel()
        return ""
    }

    struct InProcessError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// The built binary serving MCP Streamable HTTP on a free loopback port (`serve --http 127.0.0.1:0`), reached with
/// the SDK's client over `StreamableHTTPClient`.
final class HTTPServerProcess: MCPHarness, @unchecked Sendable {
    let process = Process()
    let client: Client
    let url: String
    /// The bearer token the client sends (nil: the server runs without authentication).
    let bearerToken: String?
    private let stderr = Pipe()

    /// A caller of the bearer-authenticated server, in the form `ARGO_MCP_BEARER_TOKENS` takes.
    struct BearerCaller {
        var name: String
        var token: String
        var groups: [String] = []

        var entry: String {
            let hash = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
            return "- name: \(name)\n  sha256: \(hash)\n  groups: [\(groups.joined(separator: ", "))]\n"
        }
    }

    /// The caller every authenticated scenario connects as, unless it names others.
    static let scenarioCaller = BearerCaller(name: "scenario", token: "amt_scenario-\(UUID().uuidString)")

    /// Serves `arguments` over HTTP on a free loopback port. By default the server authenticates with bearer
    /// tokens and the client connects as `scenarioCaller`, so every scenario that runs over HTTP also runs
    /// through authentication; `callers: []` serves without it.
    init(
        _ arguments: [String], environment: [String: String] = [:],
        callers: [BearerCaller] = [HTTPServerProcess.scenarioCaller], connectAs: String? = nil,
        listen: String = "127.0.0.1:0", launcher: [String] = [],
        elicitation: (@Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result)? = nil,
        sampling: (@Sendable (CreateSamplingMessage.Parameters) async throws -> CreateSamplingMessage.Result)? = nil
    ) async throws {
        client = await scenarioClient(elicitation: elicitation, sampling: sampling)
        // A launcher (e.g. prlimit with its options) runs the binary instead of the test running it directly.
        if let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments =
                Array(launcher.dropFirst()) + [ServerProcess.binary.path] + arguments + ["--http", listen]
        } else {
            process.executableURL = ServerProcess.binary
            process.arguments = arguments + ["--http", listen]
        }
        var environment = environment
        if !callers.isEmpty {
            environment["ARGO_MCP_AUTH_MODE"] = environment["ARGO_MCP_AUTH_MODE"] ?? "bearer"
            environment["ARGO_MCP_BEARER_TOKENS"] =
                environment["ARGO_MCP_BEARER_TOKENS"] ?? callers.map(\.entry).joined()
        }
        bearerToken = callers.first { $0.name == (connectAs ?? callers.first?.name) }?.token
        process.environment = serverEnvironment(environment)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = Pipe()
        try process.run()
        // The first line on stdout is the URL (the port was picked by the system).
        let line = await ServerProcess.firstLine(of: stdout.fileHandleForReading)
        url = line.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(
            of: "//0.0.0.0:", with: "//127.0.0.1:")
        guard url.hasPrefix("http://") else {
            process.terminate()
            throw InProcessServer.InProcessError("serve --http printed no URL: \(line)")
        }
    }

    func connect() async throws -> Initialize.Result {
        try await client.connect(transport: StreamableHTTPClient(url: url, bearerToken: bearerToken))
    }

    /// Another client of the same server, sending `bearerToken`.
    func connectedClient(bearerToken: String?) async throws -> Client {
        let other = await scenarioClient(elicitation: nil, sampling: nil)
        _ = try await other.connect(transport: StreamableHTTPClient(url: url, bearerToken: bearerToken))
        return other
    }

    /// A scenario that fails before `stop()` must not leave its server running after the test run.
    deinit {
        if process.isRunning { process.terminate() }
    }

    func stop() async -> String {
        await client.disconnect()
        process.terminate()
        // Polled, not waited for on a thread of the test's pool (see `ServerProcess.runToEnd`).
        _ = await process.exited(within: .seconds(60))
        return await ServerProcess.rest(of: stderr.fileHandleForReading)
    }
}

struct NoAnswer: Error, CustomStringConvertible {
    var description: String
}

/// `body`'s result, or `NoAnswer` after `limit`, even when `body` ignores cancellation (it is left running).
func withDeadline<T: Sendable>(
    _ limit: Duration, what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let once = OneShot(continuation)
        Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            once.resume(.failure(NoAnswer(description: "\(what) within \(limit)")))
        }
    }
}

/// A continuation resumed by whichever result comes first.
final class OneShot<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<T, any Error>) {
        continuation.withLock { waiting in
            waiting?.resume(with: result)
            waiting = nil
        }
    }
}
