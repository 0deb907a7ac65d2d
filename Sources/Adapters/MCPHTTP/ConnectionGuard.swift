import Foundation
import HummingbirdCore
import Metrics
import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a connection may cost before it has earned its keep: how long it may take to send a request's head, its
/// body, and how long it may sit idle between requests; and how many connections are open at once. A response under
/// way (an event stream included: it only exists for an authenticated request) has no time limit.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once; past it the server stops accepting until one closes (the kernel holds the rest in
    /// its backlog), so it never runs out of file descriptors.
    public var maxConnections: Int
    /// From the connection's start (or the end of the previous answer) to a complete request head.
    public var headTimeout: Duration
    /// From the head to the end of the request's body.
    public var bodyTimeout: Duration
    /// A kept-alive connection with no request under way is closed after this.
    public var idleTimeout: Duration

    public init(
        maxConnections: Int = ConnectionLimits.defaultMaxConnections(), headTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(120)
    ) {
        self.maxConnections = maxConnections
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }

    /// This process's limit of open files (`RLIMIT_NOFILE`, soft), when it can be read.
    public static func openFileLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        // RLIM_INFINITY is all ones; anything that large is no limit worth counting against.
        return limit.rlim_cur >= UInt(Int32.max) ? nil : Int(limit.rlim_cur)
    }

    /// The descriptors kept back from HTTP clients: Argo's connection pool, PostgreSQL's, the audit and token files,
    /// standard streams, a hook's pipes, and the listening socket.
    public static let reservedFiles = 64

    /// 4096, or fewer when the open-file limit leaves less room beside `reservedFiles`.
    public static func defaultMaxConnections(fileLimit: Int? = openFileLimit()) -> Int {
        guard let fileLimit else { return 4096 }
        return max(1, min(4096, fileLimit - reservedFiles))
    }

    /// The largest `maxConnections` the open-file limit allows, when it is known.
    public static func ceiling(fileLimit: Int? = openFileLimit()) -> Int? {
        fileLimit.map { max(1, $0 - reservedFiles) }
    }
}

/// Counts open connections for Hummingbird's accept loop: at `limit`, accepting pauses until one closes.
struct CountedConnections: AvailableConnectionsDelegate {
    let limit: Int
    var count = 0
    private let gauge = Gauge(label: "argo_mcp_http_connections")
    private let paused = Counter(label: "argo_mcp_http_accept_paused_total")

    init(limit: Int) { self.limit = limit }

    mutating func connectionOpened() {
        count += 1
        gauge.record(count)
        if count == limit { paused.increment() }
    }

    mutating func connectionClosed() {
        count -= 1
        gauge.record(count)
    }

    func isAcceptingNewConnections() -> Bool { count < limit }
}

/// Closes a connection that is too slow to send a request head or body, or idle too long between requests. Requests
/// and answers are counted apart: a body still coming after an early answer (a 401 before the body) keeps its body
/// timer, and the idle timer starts only when every request read has been answered.
final class ConnectionTimeouts: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum Phase: Equatable {
        /// No request under way: a new connection (`head` timeout) or one kept alive after its answers (`idle`).
        case waiting(first: Bool)
        /// A request's body is being read.
        case reading
        /// Every request read is complete and an answer is being made or streamed: no limit.
        case answering
    }

    let limits: ConnectionLimits
    private var started = 0
    private var ended = 0
    private var answered = 0
    private var phase = Phase.waiting(first: true)
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    static let timeouts = (
        head: Counter(label: "argo_mcp_http_connection_timeouts_total", dimensions: [("kind", "head")]),
        body: Counter(label: "argo_mcp_http_connection_timeouts_total", dimensions: [("kind", "body")]),
        idle: Counter(label: "argo_mcp_http_connection_timeouts_total", dimensions: [("kind", "idle")])
    )

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: started += 1
        case .body: break
        case .end: ended += 1
        }
        update(context)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answered += 1
            update(context)
        }
        context.write(data, promise: promise)
    }

    /// The phase the counts give; its timer is armed when the phase changes (a body's timer runs from its head).
    private func update(_ context: ChannelHandlerContext) {
        let now: Phase =
            started > ended ? .reading : (ended > answered ? .answering : .waiting(first: started == 0))
        guard now != phase else { return }
        phase = now
        arm(context)
    }

    /// The timer of the current phase, replacing the previous one.
    private func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        let (limit, counter): (Duration, Counter)
        switch phase {
        case .waiting(let first):
            (limit, counter) =
                first ? (limits.headTimeout, Self.timeouts.head) : (limits.idleTimeout, Self.timeouts.idle)
        case .reading:
            (limit, counter) = (limits.bodyTimeout, Self.timeouts.body)
        case .answering:
            return
        }
        let channel = context.channel
        let nanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            counter.increment()
            channel.close(promise: nil)
        }
    }
}
