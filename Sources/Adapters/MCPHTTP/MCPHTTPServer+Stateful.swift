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

/// The stateful mode: sessions in this process's memory, found again by `Mcp-Session-Id`.
extension MCPHTTPServer {
    /// One request of the stateful mode: to the session its `Mcp-Session-Id` names (the caller's own, within its
    /// byte allowance, with a request id not already in flight), or an initialize that opens a session.
    func handleStateful(
        _ mcpRequest: MCP.HTTPRequest, method: HTTPTypes.HTTPRequest.Method, caller: Caller?,
        narrowing: ToolNarrowing, sessions: Sessions, open: RequestOpen?
    ) async -> Response {
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
            // The session shows what its opening request narrowed it to; a request that asks for something else is
            // refused rather than served with a view it did not ask for.
            if method == .post, !(narrowing.isNone || narrowing == known.narrowing) {
                return Self.jsonRPCError(
                    .badRequest, code: -32600,
                    "this session was opened with \(known.narrowing.summary) (\(ToolNarrowing.toolsetsHeader), \(ToolNarrowing.toolsHeader), \(ToolNarrowing.readOnlyHeader)); to see \(narrowing.summary), initialize a new session with those headers"
                )
            }
            transport = known.transport
            sent = known.sent
            // A request id already in flight in this session is refused: the SDK's transport would put the new
            // request's answer stream in the place of the first one's, which then never ends.
            if method == .post, let requestID = JSONRPCShape.requestID(mcpRequest.body ?? Data()) {
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
            guard method == .post else {
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
                let stop = try await makeSession(transport, caller, narrowing, .stateful)
                let answer = await transport.handleRequest(mcpRequest)
                if let id = answer.headers.first(where: { $0.key.lowercased() == HTTPHeaderName.sessionID.lowercased() }
                )?
                .value {
                    await sessions.add(
                        id, transport: transport, caller: caller, narrowing: narrowing, sent: sent, stop: stop)
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
        if method == .delete, answer.statusCode == 200, let id = mcpRequest.header(HTTPHeaderName.sessionID) {
            await sessions.remove(id)
        }
        return Self.response(answer, counting: sent, holding: open)
    }
}
