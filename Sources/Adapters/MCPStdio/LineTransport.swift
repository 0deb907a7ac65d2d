import Foundation
import Logging
import MCP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Newline-delimited JSON-RPC over two file descriptors, read with blocking reads on a dedicated thread.
///
/// The SDK's `StdioTransport` polls a non-blocking stdin and sleeps 10 ms whenever it is idle, which adds that much
/// to every sequential request; this transport wakes up as soon as a byte arrives. It serves the server on
/// stdin/stdout and test clients on a child process's pipes.
public actor LineTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var connected = false
    private let requests = RequestCounter()

    /// The longest message read; a longer line is dropped (the client gets a parse error) and the next line is read.
    public let maxLineBytes: Int
    public static let defaultMaxLineBytes = 16 << 20

    public init(
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger? = nil,
        maxLineBytes: Int = LineTransport.defaultMaxLineBytes
    ) {
        self.maxLineBytes = max(1024, maxLineBytes)
        self.input = input
        self.output = output
        self.logger = logger ?? Logger(label: "argo-mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
        (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
    }

    public func connect() async throws {
        guard !connected else { return }
        connected = true
        for fd in [input, output] {
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0 && flags & O_NONBLOCK != 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        }
        let fd = input
        let continuation = self.continuation
        let logger = self.logger
        let requests = self.requests
        let maxLine = self.maxLineBytes
        let thread = Thread {
            Self.readLoop(fd: fd, continuation: continuation, logger: logger, requests: requests, maxLine: maxLine)
        }
        thread.name = "argo-mcp.stdin"
        thread.start()
    }

    private static func readLoop(
        fd: Int32, continuation: AsyncThrowingStream<Data, any Error>.Continuation, logger: Logger,
        requests: RequestCounter, maxLine: Int
    ) {
        var pending = [UInt8]()
        // How far `pending` has been searched for a newline, so each read scans only its own bytes.
        var scanned = 0
        // Inside a line that was too long: its bytes are dropped up to the next newline.
        var skipping = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&p, 1, -1)
                    continue
                }
                logger.error("stdin read failed", metadata: ["errno": "\(errno)"])
                break
            }
            if n == 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            var start = 0
            while let newline = pending[max(start, scanned)...].firstIndex(of: 10) {
                var line = pending[start..<newline]
                start = newline + 1
                if skipping {
                    skipping = false
                    continue
                }
                if line.last == 13 { line = line.dropLast() }
                if !line.isEmpty {
                    let message = Data(line)
                    if let id = requestID(message) { requests.received(id) }
                    // A cancelled request gets no answer (both revisions): the end of input does not wait for one.
                    if let id = cancelledID(message) { requests.answered(id) }
                    continuation.yield(message)
                }
            }
            pending.removeFirst(start)
            scanned = pending.count
            if pending.count > maxLine {
                if !skipping {
                    logger.warning(
                        "dropped an input line over the size limit", metadata: ["limit_bytes": "\(maxLine)"])
                    // Not JSON: the server answers it with a parse error, so the client is not left waiting.
                    continuation.yield(Data("oversized message dropped".utf8))
                }
                skipping = true
                pending.removeAll()
                scanned = 0
            }
        }
        if !pending.isEmpty && !skipping { continuation.yield(Data(pending)) }
        continuation.finish()
    }

    public func disconnect() async {
        connected = false
        continuation.finish()
    }

    /// Waits (at most `limit`) until every request read so far has been answered: after the input ends, the SDK may
    /// still be encoding answers to requests that arrived just before.
    public func waitForAnswers(limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while requests.unanswered > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    public func send(_ data: Data) async throws {
        defer { if let id = Self.responseID(data) { requests.answered(id) } }
        var bytes = [UInt8](data)
        bytes.append(10)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(output, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var p = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, -1)
                    continue
                }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            offset += n
        }
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> {
        stream
    }
}

extension LineTransport {
    /// A JSON-RPC id as its JSON text (`7`, `"abc"`).
    private struct ID: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) {
                text = String(i)
            } else {
                // As the answers write it (slashes unescaped), so a request and its answer name one id.
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.withoutEscapingSlashes]
                text = String(decoding: try encoder.encode(try c.decode(String.self)), as: UTF8.self)
            }
        }
    }

    private struct Envelope: Decodable {
        var id: ID?
        var method: String?
    }

    private struct Cancelled: Decodable {
        struct Params: Decodable { var requestId: ID? }
        var method: String?
        var params: Params?
    }

    /// The id a `notifications/cancelled` names.
    static func cancelledID(_ data: Data) -> String? {
        guard data.count < 4_096, let c = try? JSONDecoder().decode(Cancelled.self, from: data),
            c.method == "notifications/cancelled"
        else { return nil }
        return c.params?.requestId?.text
    }

    /// The id of a request (not a notification, not a response) that the server will answer.
    static func requestID(_ data: Data) -> String? {
        guard let e = try? JSONDecoder().decode(Envelope.self, from: data), e.method != nil else { return nil }
        return e.id?.text
    }

    /// The id a response answers. The SDK writes sorted keys: a result starts `{"id":…,"jsonrpc":"2.0","result"`
    /// (read from the head, without parsing a large body); an error starts `{"error"` and is small.
    static func responseID(_ data: Data) -> String? {
        let head = String(decoding: data.prefix(128), as: UTF8.self)
        if head.hasPrefix("{\"error\"") {
            return (try? JSONDecoder().decode(Envelope.self, from: data))?.id?.text
        }
        guard head.hasPrefix("{\"id\":"), let r = head.range(of: ",\"jsonrpc\":\"2.0\","),
            head[r.upperBound...].hasPrefix("\"result\"")
        else { return nil }
        let text = head[head.index(head.startIndex, offsetBy: 6)..<r.lowerBound]
        // The id as the request's was read (one canonical text for one id).
        return (try? JSONDecoder().decode(ID.self, from: Data(text.utf8)))?.text ?? String(text)
    }
}

/// Ids of requests read and not yet answered, shared by the reader thread and the actor.
final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Set<String>()
    func received(_ id: String) { lock.withLock { _ = pending.insert(id) } }
    func answered(_ id: String) { lock.withLock { _ = pending.remove(id) } }
    var unanswered: Int { lock.withLock { pending.count } }
}
