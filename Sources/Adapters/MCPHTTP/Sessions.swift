import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import Metrics
import NIOCore
import Ports
import ServiceLifecycle
import Synchronization

/// The open sessions, by id, with when each was last used.
actor Sessions {
    struct Entry {
        var transport: StatefulHTTPServerTransport
        /// Who opened the session; only they may use it.
        var caller: Caller?
        /// What the opening request narrowed the tools to; the session keeps it.
        var narrowing: ToolNarrowing = .none
        /// What the session's streams have sent so far (the SDK keeps it for resumption).
        var sent: SentBytes
        /// The JSON-RPC ids of the session's requests not yet answered.
        var inFlight = InFlightIDs()
        var stop: @Sendable () async -> Void
        var lastUsed: ContinuousClock.Instant
    }

    let limits: MCPHTTPServer.Limits
    let logger: Logger
    private var entries: [String: Entry] = [:] {
        didSet { open.record(entries.count) }
    }
    private let open = Gauge(label: "argo_mcp_http_sessions")

    init(limits: MCPHTTPServer.Limits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    /// Places taken by sessions being opened, not yet in `entries`.
    private var reserved = 0

    /// Takes a place for a session about to be opened, if the cap leaves one; `add` fills it, `release` gives it
    /// back.
    func reserve() -> Bool {
        guard entries.count + reserved < limits.maxSessions else { return false }
        reserved += 1
        return true
    }

    func release() { reserved = max(0, reserved - 1) }

    var count: Int { entries.count }

    /// Set by a graceful shutdown: no new session is opened.
    private(set) var draining = false

    func add(
        _ id: String, transport: StatefulHTTPServerTransport, caller: Caller?, narrowing: ToolNarrowing = .none,
        sent: SentBytes, stop: @escaping @Sendable () async -> Void
    ) {
        reserved = max(0, reserved - 1)
        entries[id] = Entry(
            transport: transport, caller: caller, narrowing: narrowing, sent: sent, stop: stop, lastUsed: .now)
    }

    func session(_ id: String) -> (
        transport: StatefulHTTPServerTransport, caller: Caller?, sent: SentBytes, inFlight: InFlightIDs,
        narrowing: ToolNarrowing
    )? {
        guard var entry = entries[id] else { return nil }
        entry.lastUsed = .now
        entries[id] = entry
        return (entry.transport, entry.caller, entry.sent, entry.inFlight, entry.narrowing)
    }

    func beginDraining() { draining = true }

    func remove(_ id: String) async {
        guard let entry = entries.removeValue(forKey: id) else { return }
        await entry.stop()
    }

    /// Closes the sessions idle longer than the limit, checking every few seconds until cancelled.
    func expireIdle() async {
        while !Task.isCancelled && !draining {
            try? await Task.sleep(for: min(limits.idleTimeout, .seconds(5)))
            let now = ContinuousClock.now
            for (id, entry) in entries where now - entry.lastUsed > limits.idleTimeout {
                logger.info("closing an idle MCP session", metadata: ["session": "\(id)"])
                await remove(id)
            }
        }
    }

    func closeAll() async {
        for id in Array(entries.keys) { await remove(id) }
    }
}

/// Bytes a session's streams have sent, counted as they go out.
final class SentBytes: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// The session table's part of the service lifecycle: expires idle sessions while the server runs; on a graceful
/// shutdown refuses new sessions, lets tool calls under way finish, then closes every session (ending its streams,
/// so the HTTP server can finish its last responses and stop).
struct SessionKeeper: Service {
    let sessions: Sessions
    let open: OpenRequests
    let draining: @Sendable () async -> Void
    let drained: @Sendable (Duration) async -> Void
    let timeout: Duration

    func run() async throws {
        let sessions = self.sessions
        await cancelWhenGracefulShutdown { await sessions.expireIdle() }
        await sessions.beginDraining()
        await draining()
        // Whatever happens next, the process ends: the drain, the sessions' close, the HTTP server's stop and the
        // stores' shutdown each have a bound, and this one holds even if an await among them is never resumed.
        ShutdownWatchdog.arm(after: timeout + .seconds(45))
        // Cancelled (not asked to shut down gracefully): close at once.
        if !Task.isCancelled {
            let deadline = ContinuousClock.now + timeout
            while open.count > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
            }
            await drained(max(.zero, deadline - ContinuousClock.now))
        }
        await sessions.closeAll()
    }
}
