import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Testing

/// OpenTelemetry traces: argo-mcp against the REST simulator sends its spans over OTLP/HTTP (protobuf) to a
/// receiver in this process, which decodes them; a host's trace continues through `_meta` and through HTTP headers.
@Suite("OpenTelemetry traces", .serialized, .timeLimit(.minutes(2)))
struct TraceScenarioTests {
    /// One span as OTLP carries it.
    struct ReceivedSpan: CustomStringConvertible {
        var traceID = ""
        var spanID = ""
        var parentSpanID = ""
        var name = ""
        /// 1 internal, 2 server, 3 client.
        var kind = 0
        var attributes: [String: String] = [:]
        /// 0 unset, 1 ok, 2 error.
        var statusCode = 0

        var description: String { "\(name) [\(kind)] \(spanID)<-\(parentSpanID) \(attributes)" }
    }

    /// A reader of protobuf's wire format, enough for OTLP's ExportTraceServiceRequest.
    enum Protobuf {
        enum Field {
            case varint(UInt64)
            case bytes([UInt8])
            case fixed
        }

        static func fields(_ data: [UInt8]) -> [(Int, Field)] {
            var out: [(Int, Field)] = []
            var index = 0
            func varint() -> UInt64? {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while index < data.count, shift < 64 {
                    let byte = data[index]
                    index += 1
                    value |= UInt64(byte & 0x7f) << shift
                    if byte & 0x80 == 0 { return value }
                    shift += 7
                }
                return nil
            }
            while index < data.count {
                guard let key = varint() else { break }
                let number = Int(key >> 3)
                switch key & 7 {
                case 0:
                    guard let v = varint() else { return out }
                    out.append((number, .varint(v)))
                case 1:
                    index += 8
                    out.append((number, .fixed))
                case 2:
                    guard let length = varint(), index + Int(length) <= data.count else { return out }
                    out.append((number, .bytes(Array(data[index..<(index + Int(length))]))))
                    index += Int(length)
                case 5:
                    index += 4
                    out.append((number, .fixed))
                default:
                    return out
                }
            }
            return out
        }

        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

        /// The spans of one ExportTraceServiceRequest.
        static func spans(_ data: [UInt8]) -> [ReceivedSpan] {
            var spans: [ReceivedSpan] = []
            for case (1, .bytes(let resourceSpans)) in fields(data) {
                for case (2, .bytes(let scopeSpans)) in fields(resourceSpans) {
                    for case (2, .bytes(let raw)) in fields(scopeSpans) { spans.append(span(raw)) }
                }
            }
            return spans
        }

        static func span(_ raw: [UInt8]) -> ReceivedSpan {
            var span = ReceivedSpan()
            for (number, field) in fields(raw) {
                switch (number, field) {
                case (1, .bytes(let b)): span.traceID = hex(b)
                case (2, .bytes(let b)): span.spanID = hex(b)
                case (4, .bytes(let b)): span.parentSpanID = hex(b)
                case (5, .bytes(let b)): span.name = String(decoding: b, as: UTF8.self)
                case (6, .varint(let v)): span.kind = Int(v)
                case (9, .bytes(let keyValue)):
                    var key = ""
                    var value = ""
                    for (n, f) in fields(keyValue) {
                        if n == 1, case .bytes(let b) = f { key = String(decoding: b, as: UTF8.self) }
                        if n == 2, case .bytes(let any) = f {
                            for (m, g) in fields(any) {
                                switch (m, g) {
                                case (1, .bytes(let s)): value = String(decoding: s, as: UTF8.self)
                                case (2, .varint(let v)): value = v == 0 ? "false" : "true"
                                case (3, .varint(let v)): value = "\(Int64(bitPattern: v))"
                                default: break
                                }
                            }
                        }
                    }
                    span.attributes[key] = value
                case (15, .bytes(let status)):
                    for case (3, .varint(let code)) in fields(status) { span.statusCode = Int(code) }
                default: break
                }
            }
            return span
        }
    }

    /// An OTLP/HTTP receiver on a free loopback port: every POST to /v1/traces, decoded.
    final class Receiver: @unchecked Sendable {
        actor Store {
            var spans: [ReceivedSpan] = []
            var contentTypes: Set<String> = []
            func add(_ new: [ReceivedSpan], type: String) {
                spans += new
                contentTypes.insert(type)
            }
        }
        let store = Store()
        var task: Task<Void, any Error>?
        var url = ""

        func start() async throws {
            let router = Router()
            let store = self.store
            router.post("/v1/traces") { request, _ in
                let body = try await request.body.collect(upTo: 16 << 20)
                await store.add(
                    Protobuf.spans(Array(body.readableBytesView)),
                    type: request.headers[.contentType] ?? "")
                return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
            }
            let port = AsyncStream<Int>.makeStream()
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in port.continuation.yield(channel.localAddress?.port ?? 0) },
                logger: Logger(label: "otlp-receiver") { _ in SwiftLogNoOpLogHandler() })
            task = Task { try await app.runService() }
            var iterator = port.stream.makeAsyncIterator()
            url = "http://127.0.0.1:\(await iterator.next() ?? 0)"
        }

        /// The spans received once `done` holds of them, polling for up to `seconds`.
        func spans(within seconds: Double = 20, until done: ([ReceivedSpan]) -> Bool) async throws -> [ReceivedSpan] {
            let deadline = Date().addingTimeInterval(seconds)
            var seen: [ReceivedSpan] = []
            repeat {
                seen = await store.spans
                if done(seen) { return seen }
                try await Task.sleep(for: .milliseconds(100))
            } while Date() < deadline
            return seen
        }

        deinit { task?.cancel() }
    }

    static func post(_ url: String, _ body: String, _ headers: [(String, String)]) async throws -> String {
        try await HTTPTransportScenarioTests.post(
            url, body,
            headers: [
                ("Authorization", "Bearer \(HTTPServerProcess.scenarioCaller.token)"),
                ("MCP-Protocol-Version", "2025-11-25"),
            ] + headers
        ).body
    }

    @Test(
        "a confirmed mutation's span tree reaches an OTLP receiver: the host's trace continues (from _meta and from the traceparent header), execute_tool below the request, Argo's requests below that by route, no argument value or token in any attribute"
    )
    func confirmedMutation() async throws {
        let receiver = Receiver()
        try await receiver.start()
        let (rest, simulatorURL) = try await LiveChainScenarioTests.startRESTSimulator(["--demo"])
        defer { rest.terminate() }
        let server = try await HTTPServerProcess(
            ["serve"],
            environment: [
                "ARGO_SERVER": String(simulatorURL.dropFirst("http://".count)), "ARGO_SECURE": "false",
                "ARGO_MCP_READ_ONLY": "false", "ARGO_MCP_ALLOW_MUTATIONS": "true",
                "ARGO_MCP_ALLOW_DESTRUCTIVE": "true", "ARGO_MCP_HTTP_SESSIONS": "stateless",
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "100",
            ])
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let hostSpan = "00f067aa0ba902b7"
        let target = "ingest-events-q9z4m"

        // The preview, with the host's trace in _meta.
        let preview = try await Self.post(
            server.url,
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"terminate_workflow","arguments":{"name":"\#(target)"},"_meta":{"traceparent":"00-\#(trace)-\#(hostSpan)-01"}}}"#,
            [])
        let token = try #require(
            preview.range(of: #"amc_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(preview[$0]) },
            "\(preview.prefix(400))")
        // The confirmed call, with the host's trace in the traceparent header.
        let otherSpan = "b7ad6b7169203331"
        let done = try await Self.post(
            server.url,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"terminate_workflow","arguments":{"name":"\#(target)","confirmation_token":"\#(token)"}}}"#,
            [("traceparent", "00-\(trace)-\(otherSpan)-01")])
        #expect(done.contains(#""isError":false"#), "\(done.prefix(400))")

        let spans = try await receiver.spans { spans in
            spans.contains { $0.attributes["argo_mcp.outcome"] == "ok" && $0.kind == 2 && $0.traceID == trace }
                && spans.filter { $0.kind == 3 && $0.traceID == trace }.count >= 3
        }
        let ours = spans.filter { $0.traceID == trace }
        let requests = ours.filter { $0.name == "tools/call terminate_workflow" }
        let previewRequest = try #require(requests.first { $0.parentSpanID == hostSpan }, "\(ours)")
        let confirmed = try #require(requests.first { $0.parentSpanID == otherSpan }, "\(ours)")
        #expect(previewRequest.attributes["argo_mcp.outcome"] == "preview")
        #expect(confirmed.kind == 2 && confirmed.attributes["argo_mcp.outcome"] == "ok", "\(confirmed)")
        #expect(confirmed.attributes["mcp.method.name"] == "tools/call")
        #expect(confirmed.attributes["gen_ai.tool.name"] == "terminate_workflow")
        #expect(confirmed.attributes["argo_mcp.caller"] == "bearer:scenario")
        let execute = try #require(
            ours.first { $0.name == "execute_tool terminate_workflow" && $0.parentSpanID == confirmed.spanID },
            "\(ours)")
        #expect(execute.attributes["gen_ai.operation.name"] == "execute_tool")
        let argo = ours.filter { $0.parentSpanID == execute.spanID && $0.kind == 3 }.map(\.name)
        #expect(argo.contains("GET /api/v1/workflows/{namespace}/{name}"), "\(argo)")
        #expect(argo.contains("PUT /api/v1/workflows/{namespace}/{name}/terminate"), "\(argo)")
        for span in ours {
            for value in span.attributes.values {
                #expect(!value.contains(token) && !value.contains(target), "\(span)")
            }
        }
        #expect(await receiver.store.contentTypes == ["application/x-protobuf"])
        _ = await server.stop()
    }
}
