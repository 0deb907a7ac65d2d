import Foundation
import Logging
import MCP

/// A connection's era (stdio): its first message decides. A request of the 2026-07-28 revision (no `initialize`,
/// a protocol version in `_meta`) makes the connection modern, served by `serveModern` one request at a time; anything
/// else is the handshake era, served by the SDK's `Server` as before. As the revision asks, the connection is then
/// not a session: nothing of one request is kept for the next.
extension ArgoMCPServer {
    /// Serves until the transport's input ends, then lets calls already under way answer before returning.
    /// `flush`, when given, waits until the transport has written those answers (a transport that writes from
    /// a queue of its own, like stdio's, knows when that is).
    public func run(transport: any Transport, flush: (@Sendable () async -> Void)? = nil) async throws {
        try await transport.connect()
        let incoming = await transport.receive()
        let (relay, relayInput) = AsyncThrowingStream<Data, any Error>.makeStream()
        let decided = EraDecision()
        let inFlight = InFlight()
        let server = self
        // One reader of the input: the first message decides the era; a handshake-era connection's messages go on
        // to the SDK through `relay`, a modern one's are served here.
        // The connection's listens end, each with its answer, when its input ends.
        let ending = ListenEnding()
        let reader = Task {
            var modern: Bool?
            let running = RunningRequests()
            do {
                for try await message in incoming {
                    if modern == nil {
                        modern = ModernProtocol.isModernRequest(message)
                        await decided.set(modern == true)
                    }
                    guard modern == true else {
                        relayInput.yield(message)
                        continue
                    }
                    if let cancelled = Self.cancelledRequest(message) {
                        await running.cancel(cancelled)
                        continue
                    }
                    let key = Self.requestKey(message)
                    await inFlight.begin()
                    let task = Task {
                        // A cancelled request sends nothing more, its answer included.
                        if let reply = await server.current.serveModern(
                            message,
                            emit: { note in if !Task.isCancelled { try? await transport.send(note) } },
                            ending: ending),
                            !Task.isCancelled
                        {
                            try? await transport.send(reply.message)
                        }
                        if let key { await running.finished(key) }
                        await inFlight.end()
                    }
                    if let key { await running.started(key, task) }
                }
                // The client closed its input: a listen would never end by itself. It answers, as at a shutdown, so
                // that the transport is not left waiting for its answer.
                ending.end()
                relayInput.finish()
            } catch {
                relayInput.finish(throwing: error)
            }
            if modern == nil { await decided.set(false) }
        }
        if await decided.modern {
            _ = await reader.value
            await inFlight.drained(timeout: .seconds(30))
            if let flush { await flush() }
            await transport.disconnect()
            return
        }
        let relayed = RelayTransport(base: transport, incoming: relay)
        let session = try await start(transport: relayed, inFlight: inFlight)
        await session.server.waitUntilCompleted()
        // The SDK handles each request in a task of its own; give the ones read before end of input time to reply.
        try? await Task.sleep(for: .milliseconds(50))
        await inFlight.drained(timeout: .seconds(30))
        if let flush {
            await flush()
        } else {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await session.stop()
        reader.cancel()
    }

    /// The id of the request a `notifications/cancelled` names, as a key.
    static func cancelledRequest(_ message: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
            object["method"] as? String == "notifications/cancelled",
            let params = object["params"] as? [String: Any], let id = params["requestId"]
        else { return nil }
        return key(id)
    }

    /// A request's id as a key.
    static func requestKey(_ message: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any], let id = object["id"]
        else { return nil }
        return key(id)
    }

    /// An id as a key: the number 1 and the string "1" are different requests.
    static func key(_ id: Any) -> String {
        if let text = id as? String { return "s:" + text }
        return "n:\(id)"
    }
}

/// The era of a stdio connection, once its first message is read.
actor EraDecision {
    private var value: Bool?
    private var waiting: [CheckedContinuation<Bool, Never>] = []

    func set(_ modern: Bool) {
        guard value == nil else { return }
        value = modern
        for w in waiting { w.resume(returning: modern) }
        waiting.removeAll()
    }

    var modern: Bool {
        get async {
            if let value { return value }
            return await withCheckedContinuation { waiting.append($0) }
        }
    }
}

/// The transport the SDK's server gets on a handshake-era connection: the messages the era reader passed on, and
/// the real transport's output.
actor RelayTransport: Transport {
    let base: any Transport
    let incoming: AsyncThrowingStream<Data, any Error>
    nonisolated let logger: Logger

    init(base: any Transport, incoming: AsyncThrowingStream<Data, any Error>) {
        self.base = base
        self.incoming = incoming
        self.logger = Logger(label: "argo-mcp.relay")
    }

    /// The real transport is connected already (the era reader reads from it).
    func connect() async throws {}
    func disconnect() async { await base.disconnect() }
    func send(_ data: Data) async throws { try await base.send(data) }
    func receive() -> AsyncThrowingStream<Data, any Error> { incoming }
}

/// The requests of a modern stdio connection under way, by id, so that `notifications/cancelled` can stop one.
actor RunningRequests {
    private var tasks: [String: Task<Void, Never>] = [:]
    /// Finished before they were registered (a request can end before `started` runs).
    private var done: Set<String> = []

    func started(_ key: String, _ task: Task<Void, Never>) {
        if done.remove(key) != nil { return }
        tasks[key] = task
    }

    func finished(_ key: String) {
        if tasks.removeValue(forKey: key) == nil { done.insert(key) }
    }

    /// Cancels the request; it sends nothing more (a cancelled request gets no answer). Its task stays registered
    /// until it finishes, so its id is released then, like any other.
    func cancel(_ key: String) {
        tasks[key]?.cancel()
    }
}
