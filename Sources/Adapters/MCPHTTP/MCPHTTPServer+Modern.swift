import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore
import Ports

/// MCP 2026-07-28 at the same `/mcp`: a POST whose `MCP-Protocol-Version` is not one of the handshake era's is
/// served by `serveModern`, one request per POST, nothing kept between them (so any replica answers any request,
/// whatever `http.sessions` says). This adapter checks what is HTTP's: the method, Host and Origin, and that the
/// `Mcp-Method` and `Mcp-Name` headers say what the body says (400, -32020, when they do not).
extension MCPHTTPServer {
    /// Serves one message of the revision for `caller`, showing only what `narrowing` leaves; `emit` sends a
    /// notification of the request before the answer. Returns the answer and its HTTP status, or nil for a
    /// notification.
    public typealias ModernHandler =
        @Sendable (
            _ message: Data, _ caller: Caller?, _ narrowing: ToolNarrowing,
            _ emit: @escaping @Sendable (Data) async -> Void
        ) async -> (message: Data, status: Int)?

    /// Whether `request` is of the revision: it names a protocol version the handshake era does not know.
    func isModern(_ request: MCP.HTTPRequest) -> Bool {
        guard serveModern != nil, let version = request.header(HTTPHeaderName.protocolVersion) else { return false }
        return !Version.supported.contains(version)
    }

    func handleModern(
        _ request: MCP.HTTPRequest, caller: Caller?, narrowing: ToolNarrowing, sessions: Sessions,
        open: RequestOpen?
    ) async -> Response {
        guard let serveModern else { return Self.plain(.notFound, "not found") }
        guard request.method == "POST" else {
            var response = Self.plain(
                .methodNotAllowed,
                "MCP \(request.header(HTTPHeaderName.protocolVersion) ?? "") has no sessions and no GET stream: POST each request (subscriptions/listen for updates)"
            )
            response.headers[.allow] = "POST"
            return response
        }
        let context = HTTPValidationContext(
            httpMethod: "POST", sessionID: nil, isInitializationRequest: false,
            supportedProtocolVersions: Version.supported)
        if let refusal = StandardValidationPipeline(validators: [
            OriginValidator(allowedHosts: hostRules.allowedHosts, allowedOrigins: hostRules.allowedOrigins)
        ]).validate(request, context: context) {
            return Self.response(refusal, counting: SentBytes())
        }
        if await sessions.draining {
            return Self.plain(.serviceUnavailable, "argo-mcp is shutting down; send the request again")
        }
        let body = request.body ?? Data()
        let envelope = ModernEnvelope(body)
        if let mismatch = envelope.headerMismatch(request) {
            return Self.jsonRPCError(.badRequest, code: -32020, mismatch, id: envelope.id)
        }
        let acceptsEvents = (request.header(HTTPHeaderName.accept) ?? "").contains("text/event-stream")
        // A listen is nothing but its event stream: without one it would only hold its watches until the
        // workflows end.
        if envelope.method == "subscriptions/listen" && !acceptsEvents {
            return Self.jsonRPCError(
                .badRequest, code: -32600,
                "subscriptions/listen answers with an event stream: send Accept: application/json, text/event-stream",
                id: envelope.id)
        }
        let streaming = acceptsEvents && envelope.notifies
        guard streaming else {
            guard let answer = await serveModern(body, caller, narrowing, { _ in }) else {
                return Response(status: .accepted)
            }
            return Response(
                status: .init(code: answer.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.message)))
        }
        // A tool call that may report progress or log messages, or a subscriptions/listen. What comes first decides
        // the answer's form: the answer itself (a refusal, a quick result) goes out as JSON with its status; a
        // notification, or 15 s of silence, begins an event stream: each notification, then the answer, one SSE
        // event each (no event ids: the revision has no resumption), and a comment every 15 s while nothing else is
        // sent, so that balancers and proxies do not close a quiet stream.
        // Bounded: a client that stops reading loses the oldest pieces, never the answer (the last one).
        let (pieces, output) = AsyncStream<ModernPiece>.makeStream(bufferingPolicy: .bufferingNewest(4_096))
        let call = Task {
            let keepalive = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.keepaliveInterval)
                    if Task.isCancelled { break }
                    output.yield(.keepalive)
                }
            }
            let answer = await serveModern(body, caller, narrowing) { note in output.yield(.note(note)) }
            keepalive.cancel()
            if let answer { output.yield(.answer(answer.message, status: answer.status)) }
            output.finish()
        }
        var waiting = pieces.makeAsyncIterator()
        // If this handler's task is cancelled (the server stopping) before anything was sent, so is the request.
        // (A client that goes away is noticed once a write to it fails: the stream's termination below.)
        let first = await withTaskCancellationHandler {
            await waiting.next()
        } onCancel: {
            call.cancel()
        }
        switch first {
        case nil:
            return Response(status: .accepted)
        case .answer(let message, let status):
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: message)))
        case .note?, .keepalive?:
            break
        }
        let events = AsyncStream<ByteBuffer>(bufferingPolicy: .bufferingNewest(4_096)) { continuation in
            let relay = Task {
                if let first { continuation.yield(first.event) }
                for await piece in pieces { continuation.yield(piece.event) }
                continuation.finish()
            }
            // The client closing the stream cancels the request.
            continuation.onTermination = { _ in
                relay.cancel()
                call.cancel()
            }
        }
        let held = events.map { buffer in withExtendedLifetime(open) { buffer } }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache, no-transform"]
        // nginx and other proxies pass the events on as they come.
        if let accel = HTTPField.Name("X-Accel-Buffering") { headers[accel] = "no" }
        return Response(status: .ok, headers: headers, body: .init(asyncSequence: held))
    }
}

/// What a request of the revision sends back, piece by piece.
enum ModernPiece: Sendable {
    case note(Data)
    case answer(Data, status: Int)
    case keepalive

    /// As one SSE event (a comment for a keepalive).
    var event: ByteBuffer {
        switch self {
        case .keepalive:
            return ByteBuffer(string: ": keepalive\n\n")
        case .note(let message), .answer(let message, _):
            var buffer = ByteBuffer(string: "event: message\ndata: ")
            buffer.writeBytes(message)
            buffer.writeString("\n\n")
            return buffer
        }
    }
}

extension MCPHTTPServer {
    /// How often a quiet answer stream of the revision gets a comment.
    static let keepaliveInterval: Duration = .seconds(15)
}

/// What the HTTP layer reads of a request of the revision to check its headers against it.
struct ModernEnvelope {
    var method: String?
    var id: Any?
    /// `params.name` (tools/call, prompts/get) or `params.uri` (resources/read).
    var name: String?
    var version: String?
    /// Whether `params._meta` carries the protocol version and the client's capabilities. Without them the request
    /// is malformed (-32602), which the handler says before any header is compared.
    var enveloped = false
    /// The request may send notifications before its answer (a tool call asking for progress or log messages).
    var notifies = false

    init(_ body: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return }
        method = object["method"] as? String
        id = object["id"]
        let params = object["params"] as? [String: Any]
        switch method {
        case "tools/call", "prompts/get": name = params?["name"] as? String
        case "resources/read": name = params?["uri"] as? String
        default: break
        }
        let meta = params?["_meta"] as? [String: Any]
        version = meta?["io.modelcontextprotocol/protocolVersion"] as? String
        enveloped =
            meta?["io.modelcontextprotocol/protocolVersion"] != nil
            && meta?["io.modelcontextprotocol/clientCapabilities"] != nil
        notifies =
            method == "subscriptions/listen"
            || (method == "tools/call"
                && (meta?["progressToken"] != nil || meta?["io.modelcontextprotocol/logLevel"] != nil))
    }

    /// Why the standard headers do not say what the body says (transports/streamable-http: `MCP-Protocol-Version`,
    /// `Mcp-Method`, and `Mcp-Name` for a call, a prompt or a read), or nil when they do. A value may come as
    /// `=?base64?…?=`.
    func headerMismatch(_ request: MCP.HTTPRequest) -> String? {
        guard let method else { return nil }  // not a request: the handler answers it
        guard id != nil else { return nil }  // a notification: the revision sets no header rules for one
        // Checked in the Python reference's order: missing `_meta` keys first (the handler's -32602), then headers.
        guard enveloped else { return nil }
        let checks: [(header: String, body: String?)] = [
            (HTTPHeaderName.protocolVersion, version), ("Mcp-Method", method),
        ]
        var all = checks
        if name != nil || ["tools/call", "prompts/get", "resources/read"].contains(method) {
            all.append(("Mcp-Name", name))
        }
        for (header, value) in all {
            guard let sent = request.header(header) else {
                return "Header mismatch: the \(header) header is required"
            }
            let decoded = Self.decoded(sent)
            guard let value, decoded == value else {
                return
                    "Header mismatch: \(header) header value '\(decoded.prefix(200))' does not match body value '\((value ?? "").prefix(200))'"
            }
        }
        return nil
    }

    /// A header value, its `=?base64?…?=` form decoded.
    static func decoded(_ value: String) -> String {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let inner = value.dropFirst(9).dropLast(2)
        guard let data = Data(base64Encoded: String(inner)), let text = String(data: data, encoding: .utf8) else {
            return value
        }
        return text
    }
}
