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

/// The stateless mode: every request on its own, for replicas behind a balancer.
extension MCPHTTPServer {
    /// One request of the stateless mode: a notification or a response is taken (202) and has nowhere to go; a
    /// request is served by an MCP server of its own, its progress notifications and answer streamed back as
    /// server-sent events (or the answer alone as JSON, when the client accepts nothing else).
    func handleStateless(
        _ request: MCP.HTTPRequest, caller: Caller?, narrowing: ToolNarrowing, sessions: Sessions,
        open: RequestOpen?
    ) async -> Response {
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
            stop = try await makeSession(transport, caller, narrowing, .stateless)
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
}
