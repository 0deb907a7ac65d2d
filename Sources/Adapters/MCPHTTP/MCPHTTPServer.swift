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
    /// (stateless: a session of one request), showing only what `narrowing` leaves; returns how to stop it.
    public typealias SessionFactory =
        @Sendable (_ transport: any Transport, _ caller: Caller?, _ narrowing: ToolNarrowing, _ mode: SessionMode)
        async throws -> (@Sendable () async -> Void)

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
    /// Serves a request of MCP 2026-07-28 (`MCPHTTPServer+Modern.swift`); nil: only the handshake era.
    let serveModern: ModernHandler?
    /// Called as a graceful shutdown begins, before the drain: requests that would never end by themselves
    /// (2026-07-28's `subscriptions/listen`) end now, with their answers.
    let draining: @Sendable () async -> Void
    /// Why a request's narrowing headers name something the server does not have (nil: they are fine).
    let checkNarrowing: @Sendable (ToolNarrowing) -> NarrowingError?
    /// Per-caller limits (nil: none).
    let fairUse: FairUseMeter?
    /// Whether a W3C `traceparent` header is carried into the request's `_meta` (traces are on).
    let carriesTraceContext: Bool

    public init(
        host: String, port: Int, limits: Limits = Limits(), sessionMode: SessionMode = .stateful, logger: Logger,
        authentication: Authentication? = nil,
        hostRules: HostRules = .loopback, metrics: (@Sendable () -> String)? = nil,
        ready: @escaping @Sendable () async -> (Bool, String) = { (true, "ready") },
        drained: @escaping @Sendable (Duration) async -> Void = { _ in },
        serveModern: ModernHandler? = nil, draining: @escaping @Sendable () async -> Void = {},
        checkNarrowing: @escaping @Sendable (ToolNarrowing) -> NarrowingError? = { _ in nil },
        fairUse: FairUse? = nil, carriesTraceContext: Bool = false, makeSession: @escaping SessionFactory
    ) {
        self.carriesTraceContext = carriesTraceContext
        self.fairUse = fairUse.map { FairUseMeter($0) }
        self.checkNarrowing = checkNarrowing
        self.serveModern = serveModern
        self.draining = draining
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
    /// `alongside` run in the same service group, started first and shut down last (e.g. the trace exporter,
    /// which then sends the last spans).
    public func run(
        alongside: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
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
            services: alongside.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + [
                .init(service: app),
                .init(
                    service: SessionKeeper(
                        sessions: sessions, open: open, draining: draining, drained: drained,
                        timeout: limits.drainTimeout)),
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
        var body = buffer.readableBytes > 0 ? Data(buffer.readableBytesView) : nil
        if carriesTraceContext, let given = body, let traced = Self.carryingTraceContext(given, headers: headers) {
            body = traced
        }
        let mcpRequest = MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers, body: body, path: request.uri.path)
        // What the request narrows the tools to (X-MCP-Toolsets, X-MCP-Tools, X-MCP-Readonly): only names the
        // server has, else 400 naming the nearest.
        let narrowing: ToolNarrowing
        switch ToolNarrowing.parse(header: { mcpRequest.header($0) }) {
        case .success(let parsed):
            if let problem = checkNarrowing(parsed) {
                return Self.jsonRPCError(.badRequest, code: -32600, problem.message)
            }
            narrowing = parsed
        case .failure(let problem):
            return Self.jsonRPCError(.badRequest, code: -32600, problem.message)
        }
        if let refusal = admit(mcpRequest, caller: caller, open: open) { return refusal }
        if isModern(mcpRequest) {
            return await handleModern(
                mcpRequest, caller: caller, narrowing: narrowing, sessions: sessions, open: open)
        }
        if sessionMode == .stateless {
            return await handleStateless(
                mcpRequest, caller: caller, narrowing: narrowing, sessions: sessions, open: open)
        }
        return await handleStateful(
            mcpRequest, method: request.method, caller: caller, narrowing: narrowing, sessions: sessions, open: open)
    }
}

extension MCPHTTPServer {
    /// Fair use: a call over its caller's limits is answered 429 with `Retry-After` before any of its work; an
    /// admitted one holds its place among the calls under way until its answer is written.
    func admit(_ request: MCP.HTTPRequest, caller: Caller?, open: RequestOpen?) -> Response? {
        guard let fairUse, request.method == "POST", !fairUse.policy.limits(caller).isUnlimited else { return nil }
        // What the body says, not the headers: the request is served as its body says.
        let object = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any]
        guard let method = object?["method"] as? String, object?["id"] != nil else { return nil }
        let tool = (object?["params"] as? [String: Any])?["name"] as? String
        let id = object?["id"]
        switch fairUse.admit(caller, method: method, tool: tool) {
        case .success(let permit):
            open?.hold(permit)
            return nil
        case .failure(let refusal):
            logger.info(
                "over a fair-use limit",
                metadata: ["caller": "\(caller?.description ?? "-")", "limit": "\(refusal.limit)"])
            let object: [String: Any] = [
                "jsonrpc": "2.0", "id": id ?? NSNull(),
                "error": [
                    "code": Self.rateLimitedCode, "message": "rate limited: \(refusal.message)",
                    "data": ["retryAfterSeconds": refusal.retryAfterSeconds, "limit": refusal.limit],
                ],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
            return Response(
                status: .tooManyRequests,
                headers: [.contentType: "application/json", .retryAfter: "\(refusal.retryAfterSeconds)"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// The JSON-RPC error code of a call over a fair-use limit (an implementation-defined server error).
    public static let rateLimitedCode = -32029
}

extension MCPHTTPServer {
    /// The request with the W3C trace context of its HTTP headers (`traceparent`, `tracestate`) in its
    /// `params._meta`, where the MCP layer reads it; nil when there is none to carry, or `_meta` has its own.
    static func carryingTraceContext(_ body: Data, headers: [String: String]) -> Data? {
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name }?.value
        }
        guard let traceparent = header("traceparent"), traceparent.utf8.count <= 512,
            var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], object["method"] is String
        else { return nil }
        // Only where adding `_meta.traceparent` changes nothing else: params and its _meta absent or objects.
        guard object["params"] == nil || object["params"] is [String: Any] else { return nil }
        var params = object["params"] as? [String: Any] ?? [:]
        guard params["_meta"] == nil || params["_meta"] is [String: Any] else { return nil }
        var meta = params["_meta"] as? [String: Any] ?? [:]
        guard meta["traceparent"] == nil else { return nil }
        meta["traceparent"] = traceparent
        if let tracestate = header("tracestate"), tracestate.utf8.count <= 512 { meta["tracestate"] = tracestate }
        params["_meta"] = meta
        object["params"] = params
        return try? JSONSerialization.data(withJSONObject: object)
    }
}
