import ArgoSimulator
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// One recorded exchange of `Tests/Fixtures/argo-contract/exchanges.json`.
struct ArgoExchange: Decodable, Sendable {
    struct Request: Decodable, Sendable {
        var method: String
        var path: String
        /// `Accept` the client must send; nil: anything.
        var accept: String?
        /// `key=value` items (percent-encoded as sent) that the raw query must contain.
        var query: [String]?
    }
    struct Chunk: Decodable, Sendable {
        var delayMs: Int?
        var text: String
    }
    struct Response: Decodable, Sendable {
        var status: Int
        var contentType: String
        var chunks: [Chunk]
        var holdOpen: Bool?
    }
    var id: String
    var versions: String
    var source: String
    var request: Request
    var response: Response

    func matches(method: String, path: String, query: String, accept: String?) -> Bool {
        guard method == request.method, path == request.path else { return false }
        if let wanted = request.accept, wanted != accept { return false }
        let items = Set(query.split(separator: "&").map(String.init))
        return (request.query ?? []).allSatisfy { items.contains($0) }
    }

    static let all: [ArgoExchange] = {
        struct File: Decodable { var exchanges: [ArgoExchange] }
        let url = Fixtures.root.appendingPathComponent("argo-contract/exchanges.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.exchanges
    }()

    static func named(_ ids: String...) -> [ArgoExchange] {
        ids.compactMap { id in all.first { $0.id == id } }
    }

    /// The chunk's text with `{{workflow:FILE}}`, `{{workflow:FILE|path=value}}` and `{{archivedRow:FILE}}` filled
    /// in from the upstream fixtures.
    static func expand(_ text: String) throws -> String {
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw SimulatorError("unclosed placeholder in \(text.prefix(80))")
            }
            let spec = String(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
            let parts = spec.split(separator: "|").map(String.init)
            let head = parts[0].split(separator: ":", maxSplits: 1).map(String.init)
            guard head.count == 2 else { throw SimulatorError("bad placeholder \(spec)") }
            var object = try Fixtures.json(head[1])
            for edit in parts.dropFirst() {
                let kv = edit.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { continue }
                object.set(kv[0].split(separator: ".").map(String.init), .string(kv[1]))
            }
            switch head[0] {
            case "workflow": break
            case "archivedRow": object = ArgoSimulator.archivedRow(object)
            default: throw SimulatorError("unknown placeholder \(head[0])")
            }
            out += String(decoding: object.encoded(), as: UTF8.self)
        }
        return out + rest
    }
}

/// A loopback HTTP server that answers with recorded exchanges, byte for byte and with their pauses, and keeps
/// every request it received.
struct ArgoReplay: Sendable {
    struct Received: Sendable, Equatable {
        var method: String
        var path: String
        var query: String
    }

    final class Log: Sendable {
        private let items = Mutex<[Received]>([])
        func add(_ r: Received) { items.withLock { $0.append(r) } }
        var all: [Received] { items.withLock { $0 } }
    }

    let exchanges: [ArgoExchange]
    let log = Log()

    struct Replay<Context: RequestContext>: RouterMiddleware {
        let exchanges: [ArgoExchange]
        let log: Log

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            let path = request.uri.path
            let query = request.uri.query ?? ""
            let method = request.method.rawValue
            log.add(Received(method: method, path: path, query: query))
            let accept = request.headers[.accept]
            guard
                let exchange = exchanges.first(where: {
                    $0.matches(method: method, path: path, query: query, accept: accept)
                })
            else {
                return Response(
                    status: .init(code: 599), headers: [:],
                    body: .init(byteBuffer: ByteBuffer(string: "no recorded exchange for \(method) \(path)?\(query)")))
            }
            let chunks = try exchange.response.chunks.map { ($0.delayMs ?? 0, try ArgoExchange.expand($0.text)) }
            let hold = exchange.response.holdOpen ?? false
            var headers = HTTPFields()
            headers[.contentType] = exchange.response.contentType
            let body = ResponseBody { writer in
                for (delay, text) in chunks {
                    if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                    try await writer.write(ByteBuffer(string: text))
                }
                if hold {
                    while !Task.isCancelled { try await Task.sleep(for: .seconds(1)) }
                }
                try await writer.finish(nil)
            }
            return Response(status: .init(code: exchange.response.status), headers: headers, body: body)
        }
    }

    /// Serves until the returned task is cancelled; returns the bound port.
    func start() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.add(middleware: Replay(exchanges: exchanges, log: log))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let running = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "replay", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await running.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            throw SimulatorError("the replay server did not start")
        }
        return (port, task)
    }
}
