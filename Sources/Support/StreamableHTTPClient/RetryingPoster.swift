import AsyncHTTPClient
import Foundation
import NIOCore

/// JSON-RPC to a stateless Streamable HTTP server, one POST per message, retried as a client behind a balancer
/// should retry: when the connection is refused or dropped, on 502, 503 and 504 (a replica stopping or gone), and
/// when an answer's event stream ends without the answer. Used by the deployment scenarios and the benchmarks; the
/// swift-sdk's client does not retry.
public struct RetryingPoster: Sendable {
    public let url: String
    public let bearerToken: String?
    public let httpClient: HTTPClient
    /// Tries per message, and the pause before the first retry (doubled each time).
    public var attempts = 10
    public var backoff: Duration = .milliseconds(50)

    public init(url: String, bearerToken: String?, httpClient: HTTPClient = .shared) {
        self.url = url
        self.bearerToken = bearerToken
        self.httpClient = httpClient
    }

    /// What a message got: the JSON-RPC answer (nil for a notification), how many tries were retries, and the
    /// time from the first try to the answer.
    public struct Answer: Sendable {
        public var message: Data?
        public var retries: Int
        public var elapsed: Duration
        /// The `Mcp-Session-Id` a stateful server answered with.
        public var sessionID: String? = nil
    }

    /// The server refused the message in a way a retry would not change.
    public struct Refused: Error, CustomStringConvertible {
        public var status: Int
        public var body: String
        public var description: String { "HTTP \(status): \(body)" }
    }

    /// Every try failed.
    public struct GaveUp: Error, CustomStringConvertible {
        public var tries: Int
        public var last: String
        public var description: String { "no answer after \(tries) tries; the last: \(last)" }
    }

    /// Sends one message (with `sessionID`, to a stateful server's session) and returns its answer. `headers`
    /// replace or add to the defaults (e.g. MCP 2026-07-28's `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`).
    public func post(_ body: Data, sessionID: String? = nil, headers: [(String, String)] = []) async throws -> Answer {
        let started = ContinuousClock.now
        var last = ""
        for attempt in 0..<attempts {
            if attempt > 0 {
                try await Task.sleep(for: backoff * (1 << min(attempt - 1, 6)))
            }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Accept", value: "application/json, text/event-stream")
            request.headers.add(name: "MCP-Protocol-Version", value: "2025-11-25")
            if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
            if let sessionID { request.headers.add(name: "Mcp-Session-Id", value: sessionID) }
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let status: Int
            let text: ByteBuffer
            let isStream: Bool
            let session: String?
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(300))
                status = Int(response.status.code)
                isStream = response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true
                session = response.headers.first(name: "Mcp-Session-Id")
                text = try await response.body.collect(upTo: 64 << 20)
            } catch {
                last = "\(error)"
                continue
            }
            switch status {
            case 502, 503, 504:
                last = "HTTP \(status): \(String(buffer: text).prefix(200))"
                continue
            case 202:
                return Answer(message: nil, retries: attempt, elapsed: .now - started)
            case 200:
                let data = Data(text.readableBytesView)
                guard let answer = isStream ? Self.answer(inEvents: data) : data else {
                    last = "the answer's event stream ended without the answer"
                    continue
                }
                return Answer(message: answer, retries: attempt, elapsed: .now - started, sessionID: session)
            default:
                throw Refused(status: status, body: String(buffer: text))
            }
        }
        throw GaveUp(tries: attempts, last: last)
    }

    /// The JSON-RPC response among an event stream's messages (the notifications before it are skipped).
    static func answer(inEvents data: Data) -> Data? {
        let text = String(decoding: data, as: UTF8.self)
        for event in text.components(separatedBy: "\n\n").reversed() {
            let payload = event.split(separator: "\n").filter { $0.hasPrefix("data:") }
                .map { $0.dropFirst(5).drop { $0 == " " } }.joined(separator: "\n")
            guard !payload.isEmpty, let bytes = payload.data(using: .utf8),
                let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any],
                object["method"] == nil, object["result"] != nil || object["error"] != nil
            else { continue }
            return bytes
        }
        return nil
    }
}
