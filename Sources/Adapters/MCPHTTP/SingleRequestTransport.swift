import Foundation
import Logging
import MCP

/// One JSON-RPC request served on its own, for `http.sessions: stateless`: the MCP server made for this request
/// reads the one message, and what it sends back (progress and log notifications, then the answer) goes out as
/// this POST's response, after which the transport ends.
///
/// Why not the swift-sdk's `StatelessHTTPServerTransport` (read in 0.12.1): it drops every notification, so
/// progress could not stream in the answer it belongs to; it answers JSON only; and one instance matches answers
/// to waiters by JSON-RPC id, which every client numbers from 1, so it cannot be shared by many clients either.
actor SingleRequestTransport: Transport {
    nonisolated let logger: Logger
    private let incoming: AsyncThrowingStream<Data, any Swift.Error>
    private let incomingContinuation: AsyncThrowingStream<Data, any Swift.Error>.Continuation
    /// The messages for the client, in order; finished after the answer.
    nonisolated let outgoing: AsyncThrowingStream<Data, any Swift.Error>
    private let outgoingContinuation: AsyncThrowingStream<Data, any Swift.Error>.Continuation
    /// Whether notifications go out too (the client accepts an event stream) or only the answer.
    private let streaming: Bool
    private var answered = false

    init(request: Data, streaming: Bool, logger: Logger) {
        self.logger = logger
        self.streaming = streaming
        (incoming, incomingContinuation) = AsyncThrowingStream.makeStream()
        (outgoing, outgoingContinuation) = AsyncThrowingStream.makeStream()
        incomingContinuation.yield(request)
    }

    func connect() async throws {}

    func disconnect() async {
        incomingContinuation.finish()
        outgoingContinuation.finish()
    }

    func receive() -> AsyncThrowingStream<Data, any Swift.Error> { incoming }

    func send(_ data: Data) async throws {
        guard !answered else { return }
        switch JSONRPCShape(data) {
        case .response:
            answered = true
            outgoingContinuation.yield(data)
            outgoingContinuation.finish()
            incomingContinuation.finish()
        case .notification:
            if streaming { outgoingContinuation.yield(data) }
        case .request(let method), .other(let method):
            // Nothing in this mode asks the client (no elicitation, sampling or roots is offered without a session).
            logger.debug("dropped a message a stateless request cannot carry", metadata: ["method": "\(method)"])
        }
    }
}

/// What a JSON-RPC message is, read from its top-level keys.
enum JSONRPCShape: Equatable {
    /// A request's id as text (`s:` before a string id, `n:` before a number, so that "1" and 1 differ); nil for
    /// anything but a request.
    static func requestID(_ data: Data) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], object["method"] is String
        else { return nil }
        switch object["id"] {
        case let text as String: return "s:" + text
        case let number as NSNumber: return "n:\(number)"
        default: return nil
        }
    }

    case request(method: String)
    case notification(method: String)
    case response
    case other(String)

    init(_ data: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            let first = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            self = .other(first == UInt8(ascii: "[") ? "a batch" : "not a JSON object")
            return
        }
        let hasID = object["id"] is String || object["id"] is NSNumber
        let answers = object["result"] != nil || object["error"] != nil
        if let method = object["method"] as? String {
            // A request that also carries an answer's keys is neither: the SDK would take it for an answer to
            // nothing and never reply.
            guard !answers else {
                self = .other("a request with result or error")
                return
            }
            self = hasID ? .request(method: method) : .notification(method: method)
        } else if hasID, answers {
            self = .response
        } else {
            self = .other("neither a request, a notification nor a response")
        }
    }
}
