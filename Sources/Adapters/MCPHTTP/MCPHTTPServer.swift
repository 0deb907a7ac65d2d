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

/// MCP Streamable HTTP at `/mcp`, hosted by Hummingbird, in one of two modes:
/// - `stateful`: each session is one SDK `StatefulHTTPServerTransport` with an MCP server of its own, made by
///   `makeSession` when a client initializes and found again by its `Mcp-Session-Id`;
/// - `stateless`: no session; every POST is served on its own by an MCP server made for it over a
///   `SingleRequestTransport`, so any replica behind a balancer can answer any request.
/// This adapter knows HTTP and sessions only; what a session serves is the factory's business.
public struct MCPHTTPServer: Sendable {
    /// Starts serving one new session of `caller` (nil without authentication) over `transport`, in `mode`
    /// (stateless: a session of one request); returns how to stop it.
    public typealias SessionFactory =
        @Sendable (_ transport: any Transport, _ caller: Caller?, _ mode: SessionMode) async throws -> (
            @Sendable () async -> Void
        )

    /// Whether a conversation lives in one replica's memory (`stateful`: sessions, server-to-client requests,
    /// subscriptions) or every request stands on its own (`stateless`: no `Mcp-Session-Id`, nothing kept between
    /// requests, for replicas behind a round-robin balancer).
    public enum SessionMode: String, Sendable, CaseIterable {
        case stateful
        case stateless
    }

    /// Who may call: every `/mcp` request carries `Authorization: Bearer …`, checked by `authenticator`; a session
    /// belongs to the caller that opened it.
    public struct Authentication: Sendable {
        public var authenticator: any CallerAuthenticator
        /// RFC 9728 protected resource metadata, served at `/.well-known/oauth-protected-resource` and named in
        /// the `WWW-Authenticate` challenge (OIDC: it tells a host which authorization server to ask).
        public var resourceMetadata: OAuthProtectedResourceServerMetadata?
        /// The public URL of that metadata document, for the challenge.
        public var resourceMetadataURL: String?

        public init(
            authenticator: any CallerAuthenticator, resourceMetadata: OAuthProtectedResourceServerMetadata? = nil,
            resourceMetadataURL: String? = nil
        ) {
            self.authenticator = authenticator
            self.resourceMetadata = resourceMetadata
            self.resourceMetadataURL = resourceMetadataURL
        }
    }

    /// DNS rebinding protection: the `Host` and `Origin` values accepted (`name:port`, or `name:*` for any port;
    /// origins with their scheme). A missing `Origin` (every non-browser host) is accepted.
    public struct HostRules: Sendable {
        public var allowedHosts: [String]
        public var allowedOrigins: [String]

        public init(allowedHosts: [String], allowedOrigins: [String]) {
            self.allowedHosts = allowedHosts
            self.allowedOrigins = allowedOrigins
        }

        /// Loopback names on any port.
        public static let loopback = HostRules(
            allowedHosts: ["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowedOrigins: ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"])
    }

    public struct Limits: Sendable {
        /// Sessions open at once; an initialize beyond it is refused with 503.
        public var maxSessions: Int
        /// A session unused this long is closed.
        public var idleTimeout: Duration
        /// The largest request body read.
        public var maxBodyBytes: Int
        /// The answers and notifications one session may send before it is closed and the client starts a new one
        /// (404 on its next request, which is not carried out). The swift-sdk's HTTP transport keeps every event it
        /// sent for resumption until the session ends, so this bounds a session's memory.
        public var maxSessionBytes: Int
        /// How long a graceful shutdown waits for tool calls under way before closing the sessions.
        public var drainTimeout: Duration
        /// Open connections and how slow or idle one may be.
        public var connections: ConnectionLimits

        public init(
            maxSessions: Int = 256, idleTimeout: Duration = .seconds(1800), maxBodyBytes: Int = 16 << 20,
            maxSessionBytes: Int = 16 << 20, drainTimeout: Duration = .seconds(30),
            connections: ConnectionLimits = ConnectionLimits()
        ) {
            self.connections = connections
            self.maxSessions = maxSessions
            self.idleTimeout = idleTimeout
            self.maxBodyBytes = maxBodyBytes
            self.maxSessionBytes = maxSessionBytes
            self.drainTimeout = drainTimeout
        }
    }

    public let host: String
    public let port: Int
    public let limits: Limits
    public let sessionMode: SessionMode
    let makeSession: SessionFactory
    /// Whether the server can do its work (`/readyz`): ready or not, and why.
    let ready: @Sendable () async -> (Bool, String)
    let logger: Logger
    let authentication: Authentication?
    let hostRules: HostRules
    /// The Prometheus text exposition served at `/metrics`, when metrics are collected.
    let metrics: (@Sendable () -> String)?
    /// Waits (at most the given time) until no tool call is under way, for a graceful shutdown.
    let drained: @Sendable (Duration) async -> Void

    public init(
        host: String, port: Int, limits: Limits = Limits(), sessionMode: SessionMode = .stateful, logger: Logger,
        authentication: Authentication? = nil,
        hostRules: HostRules = .loopback, metrics: (@Sendable () -> String)? = nil,
        ready: @escaping @Sendable () async -> (Bool, String) = { (true, "ready") },
        drained: @escaping @Sendable (Duration) async -> Void = { _ in },
        makeSession: @escaping SessionFactory
    ) {
        self.metrics = metrics
        self.drained = drained
        self.host = host
        self.port = port
        self.limits = limits
        self.sessionMode = sessionMode
        self.logger = logger
        self.authentication = authentication
        self.hostRules = hostRules
        self.ready = ready
        self.makeSession = makeSession
    }

    /// The SDK's default checks, with this server's Host and Origin rules in place of its localhost-only ones.
    var validation: any HTTPRequestValidationPipeline {
        StandardValidationPipeline(validators: [
            OriginValidator(allowedHosts: hostRules.allowedHosts, allowedOrigins: hostRules.allowedOrigins),
            AcceptHeaderValidator(mode: .sseRequired),
            ContentTypeValidator(),
            ProtocolVersionValidator(),
            SessionValidator(),
        ])
    }

    /// The checks of a stateless request: those of the stateful mode but the session's, and an answer in JSON is
    /// enough (a client that accepts an event stream gets one, with its progress notifications).
    var statelessValidation: any HTTPRequestValidationPipeline {
        StandardValidationPipeline(validators: [
            OriginValidator(allowedHosts: hostRules.allowedHosts, allowedOrigins: hostRules.allowedOrigins),
            AcceptHeaderValidator(mode: .jsonOnly),
            ContentTypeValidator(),
            ProtocolVersionValidator(),
        ])
    }

    /// Serves until the task is cancelled or a SIGTERM/SIGINT asks for a graceful shutdown: then new sessions are
    /// refused (503), tool calls under way finish (up to `limits.drainTimeout`), the sessions are closed, and the
    /// HTTP server stops once their last answers are out. `onListening` receives the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let sessions = Sessions(limits: limits, logger: logger)
        let open = OpenRequests()
        let connections = limits.connections
        let app = Application(
            router: makeRouter(sessions, open: open),
            server: .http1(additionalChannelHandlers: [ConnectionTimeouts(limits: connections)]),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "argo-mcp",
                availableConnectionsDelegate: CountedConnections(limit: connections.maxConnections)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
        // Shut down in reverse order: the sessions first (their streams end), then the HTTP server.
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: app),
                .init(
                    service: SessionKeeper(
                        sessions: sessions, open: open, drained: drained, timeout: limits.drainTimeout)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        Self.shutdownLimits(&configuration, drainTimeout: limits.drainTimeout)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }

    /// The service group's limit: a graceful shutdown that has not finished `drainTimeout` plus 15 s after it began
    /// (a stream that never ends, a client that never reads) is cancelled: connections are closed and the process
    /// ends. (No limit on the cancellation itself: service-lifecycle ends an overdue one with a trap.)
    static func shutdownLimits(_ configuration: inout ServiceGroupConfiguration, drainTimeout: Duration) {
        configuration.maximumGracefulShutdownDuration = drainTimeout + .seconds(15)
    }

    func makeRouter(_ sessions: Sessions, open: OpenRequests = OpenRequests()) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        let ready = self.ready
        router.get("/readyz") { _, _ in
            let (isReady, why) = await ready()
            return Self.plain(isReady ? .ok : .serviceUnavailable, why)
        }
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            // A POST counts as open until its answer has been written (a streamed one: until the stream ends), so
            // a graceful shutdown answers every request it has taken, not only the tool calls already running.
            try await handle(request, sessions: sessions, open: request.method == .post ? RequestOpen(open) : nil)
        }
        if let metrics {
            router.get("/metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: metrics())))
            }
        }
        if let metadata = authentication?.resourceMetadata {
            let document = ByteBuffer(data: (try? JSONEncoder().encode(metadata)) ?? Data("{}".utf8))
            let serve: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
            }
            // RFC 9728 §3: at the well-known path, and with the resource's path appended.
            router.get("/.well-known/oauth-protected-resource", use: serve)
            router.get("/.well-known/oauth-protected-resource/mcp", use: serve)
        }
        router.post("/mcp", use: handler)
        router.get("/mcp", use: handler)
        router.delete("/mcp", use: handler)
        return router
    }

    func handle(_ request: Request, sessions: Sessions, open: RequestOpen? = nil) async throws -> Response {
        // Who calls, before anything of the request is read.
        var caller: Caller?
        if let authentication {
            switch await authenticate(request, authentication) {
            case .success(let who): caller = who
            case .failure(let refusal): return refusal.response
            }
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch {
            return Self.plain(.contentTooLarge, "request body over \(limits.maxBodyBytes) bytes")
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.rawName] = field.value }
        // HTTP/1's Host arrives as the request's authority, not among the fields; the SDK's DNS rebinding check
        // reads it as a header.
        if let authority = request.head.authority { headers["Host"] = authority }
        let mcpRequest = MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers,
            body: buffer.readableBytes > 0 ? Data(buffer.readableBytesView) : nil, path: request.uri.path)
        if sessionMode == .stateless {
            return await handleStateless(mcpRequest, caller: caller, sessions: sessions, open: open)
        }
        let transport: StatefulHTTPServerTransport
        let sent: SentBytes
        if let id = mcpRequest.header(HTTPHeaderName.sessionID) {
            guard let known = await sessions.session(id) else {
                // The spec: a request with an unknown or expired session id gets 404; the client starts anew.
                return Self.plain(.notFound, "unknown or expired MCP session; initialize a new one")
            }
            if known.sent.value > limits.maxSessionBytes {
                logger.info("closing an MCP session that sent its byte allowance", metadata: ["session": "\(id)"])
                await sessions.remove(id)
                return Self.plain(
                    .notFound,
                    "this MCP session sent its \(limits.maxSessionBytes >> 20) MiB of answers and was closed to bound memory; the request was not carried out: initialize a new session and send it again"
                )
            }
            guard known.caller == caller else {  // the same name, method and groups as when it was opened
                logger.warning(
                    "a caller used another caller's MCP session",
                    metadata: [
                        "caller": "\(caller?.description ?? "-")", "owner": "\(known.caller?.description ?? "-")",
                    ])
                return Self.plain(.forbidden, "this MCP session belongs to another caller; initialize your own")
            }
            transport = known.transport
            sent = known.sent
            // A request id already in flight in this session is refused: the SDK's transport would put the new
            // request's answer stream in the place of the first one's, which then never ends.
            if request.method == .post, let requestID = JSONRPCShape.requestID(mcpRequest.body ?? Data()) {
                guard let claim = known.inFlight.claim(requestID) else {
                    return Self.jsonRPCError(
                        .conflict, code: -32600,
                        "request id \(requestID.prefix(64)) is already in use by a request of this session that has not been answered; use a new id"
                    )
                }
                let answer = await transport.handleRequest(mcpRequest)
                return Self.response(answer, counting: sent, holding: open, claim: claim)
            }
        } else {
            guard request.method == .post else {
                return Self.plain(.badRequest, "Mcp-Session-Id is required; initialize a session with POST first")
            }
            if await sessions.draining {
                return Self.plain(.serviceUnavailable, "argo-mcp is shutting down; connect again shortly")
            }
            // A place is reserved before anything is awaited, so concurrent initializes cannot overshoot the cap.
            guard await sessions.reserve() else {
                return Self.plain(.serviceUnavailable, "too many open MCP sessions; try again later")
            }
            transport = StatefulHTTPServerTransport(validationPipeline: validation, logger: logger)
            let sent = SentBytes()
            do {
                let stop = try await makeSession(transport, caller, .stateful)
                let answer = await transport.handleRequest(mcpRequest)
                if let id = answer.headers.first(where: { $0.key.lowercased() == HTTPHeaderName.sessionID.lowercased() }
                )?
                .value {
                    await sessions.add(id, transport: transport, caller: caller, sent: sent, stop: stop)
                } else {
                    await sessions.release()
                    await stop()
                }
                return Self.response(answer, counting: sent, holding: open)
            } catch {
                await sessions.release()
                logger.error("could not start an MCP session", metadata: ["error": "\(error)"])
                return Self.plain(.internalServerError, "could not start an MCP session")
            }
        }
        let answer = await transport.handleRequest(mcpRequest)
        if request.method == .delete, answer.statusCode == 200, let id = mcpRequest.header(HTTPHeaderName.sessionID) {
            await sessions.remove(id)
        }
        return Self.response(answer, counting: sent, holding: open)
    }

    /// One request of the stateless mode: a notification or a response is taken (202) and has nowhere to go; a
    /// request is served by an MCP server of its own, its progress notifications and answer streamed back as
    /// server-sent events (or the answer alone as JSON, when the client accepts nothing else).
    func handleStateless(_ request: MCP.HTTPRequest, caller: Caller?, sessions: Sessions, open: RequestOpen?) async
        -> Response
    {
        guard request.method == "POST" else {
            var response = Self.plain(
                .methodNotAllowed,
                "this server keeps no MCP sessions (http.sessions: stateless): POST each message; there is no GET stream and nothing to DELETE"
            )
            response.headers[.allow] = "POST"
            return response
        }
        if await sessions.draining {
            return Self.plain(.serviceUnavailable, "argo-mcp is shutting down; send the request again")
        }
        let body = request.body ?? Data()
        let shape = JSONRPCShape(body)
        let context = HTTPValidationContext(
            httpMethod: "POST", sessionID: nil, isInitializationRequest: shape == .request(method: "initialize"),
            supportedProtocolVersions: Version.supported)
        if let refusal = statelessValidation.validate(request, context: context) {
            return Self.response(refusal, counting: SentBytes())
        }
        switch shape {
        case .notification, .response:
            // notifications/initialized, a cancellation: no session holds anything they could change.
            return Response(status: .accepted)
        case .other(let what):
            return Self.jsonRPCError(
                .badRequest, code: -32600,
                "invalid JSON-RPC message (\(what)); send one request object per POST (batches were removed in MCP 2025-06-18)"
            )
        case .request:
            break
        }
        let streaming = (request.header(HTTPHeaderName.accept) ?? "").contains("text/event-stream")
        let transport = SingleRequestTransport(request: body, streaming: streaming, logger: logger)
        let stop: @Sendable () async -> Void
        do {
            stop = try await makeSession(transport, caller, .stateless)
        } catch {
            logger.error("could not start an MCP server for a request", metadata: ["error": "\(error)"])
            return Self.plain(.internalServerError, "could not serve the request")
        }
        let messages = transport.outgoing
        guard streaming else {
            var answer: Data?
            do {
                for try await message in messages { answer = message }
            } catch {}
            await stop()
            guard let answer else { return Self.plain(.internalServerError, "the request got no answer") }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        // Each message is one SSE event; the MCP server is stopped once the answer is out or the client has gone.
        let events = AsyncStream<ByteBuffer> { continuation in
            let pump = Task {
                do {
                    for try await message in messages {
                        var event = ByteBuffer(string: "event: message\ndata: ")
                        event.writeBytes(message)
                        event.writeString("\n\n")
                        continuation.yield(event)
                    }
                } catch {}
                continuation.finish()
            }
            continuation.onTermination = { _ in
                pump.cancel()
                Task { await stop() }
            }
        }
        let held = events.map { buffer in withExtendedLifetime(open) { buffer } }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache, no-transform"],
            body: .init(asyncSequence: held))
    }

    static func jsonRPCError(_ status: HTTPTypes.HTTPResponse.Status, code: Int, _ message: String) -> Response {
        let object: [String: Any] = ["jsonrpc": "2.0", "id": NSNull(), "error": ["code": code, "message": message]]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The caller of `request`, or the answer refusing it: 401 with a `WWW-Authenticate` challenge (RFC 6750 §3)
    /// for a missing or refused token, 503 when the verifier cannot work.
    func authenticate(_ request: Request, _ authentication: Authentication) async -> Result<Caller, RefusedRequest> {
        var challenge = "Bearer realm=\"argo-mcp\""
        if let url = authentication.resourceMetadataURL { challenge += ", resource_metadata=\"\(url)\"" }
        guard let header = request.headers[.authorization] else {
            Self.refusedCallers(.missing)
            return .failure(Self.unauthorized(challenge, "an Authorization: Bearer token is required"))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            Self.refusedCallers(.invalid)
            return .failure(
                Self.unauthorized(
                    challenge + ", error=\"invalid_request\"", "the Authorization header is not 'Bearer TOKEN'"))
        }
        switch await authentication.authenticator.authenticate(bearerToken: String(parts[1])) {
        case .success(let caller):
            return .success(caller)
        case .failure(let failure) where failure.kind == .unavailable:
            Self.refusedCallers(.unavailable)
            logger.error("cannot authenticate callers", metadata: ["reason": "\(failure.reason)"])
            return .failure(
                .init(response: Self.plain(.serviceUnavailable, "cannot check credentials now: \(failure.reason)")))
        case .failure(let failure):
            Self.refusedCallers(.invalid)
            logger.info("refused a caller", metadata: ["reason": "\(failure.reason)"])
            let description = failure.reason.replacingOccurrences(of: "\"", with: "'")
            return .failure(
                Self.unauthorized(
                    challenge + ", error=\"invalid_token\", error_description=\"\(description)\"", failure.reason))
        }
    }

    static func refusedCallers(_ kind: AuthenticationFailure.Kind) {
        Counter(label: "argo_mcp_http_auth_failures_total", dimensions: [("reason", "\(kind)")]).increment()
    }

    struct RefusedRequest: Error {
        var response: Response
    }

    static func unauthorized(_ challenge: String, _ text: String) -> RefusedRequest {
        var response = plain(.unauthorized, text)
        response.headers[.wwwAuthenticate] = challenge
        return RefusedRequest(response: response)
    }

    static func plain(_ status: HTTPTypes.HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// The SDK's framework-neutral answer as a Hummingbird response; an SSE answer is streamed as it comes, its
    /// bytes counted into `sent`.
    static func response(
        _ answer: MCP.HTTPResponse, counting sent: SentBytes, holding open: RequestOpen? = nil,
        claim: InFlightIDs.Claim? = nil
    ) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: answer.statusCode)
        switch answer {
        case .stream(let stream, _):
            guard let claim else {
                let buffers = stream.map { chunk in
                    // Held by the stream: the request stays open until the body is written and released.
                    withExtendedLifetime(open) { sent.add(chunk.count) }
                    return ByteBuffer(bytes: chunk)
                }
                return Response(status: status, headers: headers, body: .init(asyncSequence: buffers))
            }
            // The request's id stays taken until the SDK has answered it, even when the client has gone: the SDK's
            // stream is read to its end here, whoever still reads the response.
            let (relay, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(64))
            Task {
                do {
                    for try await chunk in stream {
                        sent.add(chunk.count)
                        continuation.yield(ByteBuffer(bytes: chunk))
                    }
                } catch {}
                continuation.finish()
                withExtendedLifetime(claim) {}
            }
            let held = relay.map { buffer in withExtendedLifetime(open) { buffer } }
            return Response(status: status, headers: headers, body: .init(asyncSequence: held))
        default:
            let body = answer.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
            return Response(status: status, headers: headers, body: body)
        }
    }
}

/// The open sessions, by id, with when each was last used.
actor Sessions {
    struct Entry {
        var transport: StatefulHTTPServerTransport
        /// Who opened the session; only they may use it.
        var caller: Caller?
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
        _ id: String, transport: StatefulHTTPServerTransport, caller: Caller?, sent: SentBytes,
        stop: @escaping @Sendable () async -> Void
    ) {
        reserved = max(0, reserved - 1)
        entries[id] = Entry(transport: transport, caller: caller, sent: sent, stop: stop, lastUsed: .now)
    }

    func session(_ id: String) -> (
        transport: StatefulHTTPServerTransport, caller: Caller?, sent: SentBytes, inFlight: InFlightIDs
    )? {
        guard var entry = entries[id] else { return nil }
        entry.lastUsed = .now
        entries[id] = entry
        return (entry.transport, entry.caller, entry.sent, entry.inFlight)
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

/// The JSON-RPC ids of one session's requests that are not answered yet; a claim holds its id until it is released
/// (when the answer's stream has been written, or dropped because the client went away).
final class InFlightIDs: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// The id, taken; nil when a request of the session already holds it.
    func claim(_ id: String) -> Claim? {
        ids.withLock { $0.insert(id).inserted } ? Claim(id: id, owner: self) : nil
    }

    var count: Int { ids.withLock { $0.count } }

    final class Claim: Sendable {
        let id: String
        let owner: InFlightIDs
        init(id: String, owner: InFlightIDs) {
            self.id = id
            self.owner = owner
        }
        deinit { _ = owner.ids.withLock { $0.remove(id) } }
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
    let drained: @Sendable (Duration) async -> Void
    let timeout: Duration

    func run() async throws {
        let sessions = self.sessions
        await cancelWhenGracefulShutdown { await sessions.expireIdle() }
        await sessions.beginDraining()
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

/// The last resort of a shutdown: a thread of its own (not one of the concurrency pool's, which a stuck shutdown may
/// hold) that ends the process with status 1 and a line on stderr once `after` has passed.
enum ShutdownWatchdog {
    static func arm(after limit: Duration) {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let thread = Thread {
            Thread.sleep(forTimeInterval: seconds)
            FileHandle.standardError.write(
                Data(
                    "argo-mcp: the shutdown did not finish within \(Int(seconds)) s of its start; exiting\n".utf8))
            exit(1)
        }
        thread.name = "argo-mcp-shutdown-watchdog"
        thread.start()
    }
}

/// POST requests taken and not yet answered (also the `argo_mcp_http_open_requests` gauge).
final class OpenRequests: Sendable {
    private let value = Atomic<Int>(0)
    private let gauge = Gauge(label: "argo_mcp_http_open_requests")
    var count: Int { value.load(ordering: .relaxed) }

    func add(_ n: Int) {
        let now = value.add(n, ordering: .relaxed).newValue
        gauge.record(now)
    }
}

/// One open request: counted while this lives (its answer's stream holds it), released when it is written.
final class RequestOpen: Sendable {
    let requests: OpenRequests

    init(_ requests: OpenRequests) {
        self.requests = requests
        requests.add(1)
    }

    deinit { requests.add(-1) }
}
