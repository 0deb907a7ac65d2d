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

/// Hummingbird responses: plain refusals, JSON-RPC errors, and the SDK's answers (streamed when they are event
/// streams).
extension MCPHTTPServer {
    static func jsonRPCError(
        _ status: HTTPTypes.HTTPResponse.Status, code: Int, _ message: String, id: Any? = nil
    ) -> Response {
        let object: [String: Any] = [
            "jsonrpc": "2.0", "id": id ?? NSNull(), "error": ["code": code, "message": message],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
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
                // The request (and its fair-use place) is open until the SDK has answered, client there or not.
                withExtendedLifetime((claim, open)) {}
            }
            let held = relay.map { buffer in withExtendedLifetime(open) { buffer } }
            return Response(status: status, headers: headers, body: .init(asyncSequence: held))
        default:
            let body = answer.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
            return Response(status: status, headers: headers, body: body)
        }
    }
}
