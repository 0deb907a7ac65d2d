import ArgoHTTP
import Domain
import Foundation
import Ports
import Testing

@testable import MCPServer
@testable import MCPStdio

@Suite("Argument validation")
struct ValidationTests {
    @Test(
        "label selectors the API server accepts",
        arguments: [
            "app=web", "app==web", "app!=web", "env in (prod,staging)", "tier notin (cache)", "team", "!legacy",
            "workflows.argoproj.io/phase=Failed,team=data", "a.b/c-d_e=f.g",
        ])
    func validSelectors(selector: String) {
        #expect(Validation.labelSelector(selector) == nil)
    }

    @Test("label selectors it rejects", arguments: ["a in b", "=x", "a=b c", "a,,b", "a/b/c=d", "key=-bad", "x in ()"])
    func invalidSelectors(selector: String) {
        #expect(Validation.labelSelector(selector) != nil)
    }

    @Test("label selector matching")
    func matching() throws {
        let s = try LabelSelector.parse("env in (prod,staging),!legacy,team=data").get()
        #expect(s.matches(["env": "prod", "team": "data"]))
        #expect(!s.matches(["env": "prod", "team": "data", "legacy": "1"]))
        #expect(!s.matches(["env": "dev", "team": "data"]))
    }

    @Test("list_workflows reports every bad argument at once")
    func allProblems() {
        let r = ListWorkflowsRequest(
            namespace: "Bad_NS", phases: ["Running", "bogus"], labelSelector: "a in b", limit: 0)
        let fields = r.problems().map(\.field)
        #expect(fields == ["namespace", "phase", "label_selector", "limit"])
        #expect(ListWorkflowsRequest(phases: ["failed"]).problems().isEmpty)
    }

    @Test(
        "durations", arguments: [("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("45", 45)])
    func durations(text: String, seconds: Int) {
        #expect(Validation.durationSeconds(text) == seconds)
    }

    @Test("bad durations", arguments: ["", "abc", "10x", "m"])
    func badDurations(text: String) {
        #expect(Validation.durationSeconds(text) == nil)
    }

    @Test("names and namespaces")
    func names() {
        #expect(Validation.objectName("etl-42.daily") == nil)
        #expect(Validation.objectName("ETL") != nil)
        #expect(Validation.namespace("argo") == nil)
        #expect(Validation.namespace("a.b") != nil)
    }
}

@Suite("Argo error mapping")
struct ErrorMappingTests {
    @Test(
        "gRPC codes map to kinds",
        arguments: [
            (5, ArgoError.Kind.notFound), (7, .permissionDenied), (16, .unauthenticated), (6, .conflict),
            (3, .invalidArgument), (14, .unavailable), (4, .timeout), (12, .unimplemented), (13, .server),
        ])
    func grpc(code: Int, kind: ArgoError.Kind) {
        #expect(ArgoError.fromServer(httpStatus: 500, grpcCode: code, message: "m").kind == kind)
    }

    @Test(
        "HTTP statuses map to kinds when there is no gRPC code",
        arguments: [
            (404, ArgoError.Kind.notFound), (403, .permissionDenied), (401, .unauthenticated), (409, .conflict),
            (400, .invalidArgument), (503, .unavailable), (500, .server),
        ])
    func http(status: Int, kind: ArgoError.Kind) {
        #expect(ArgoError.fromServer(httpStatus: status, grpcCode: nil, message: "m").kind == kind)
    }

    @Test("the description keeps code, status, message and hint")
    func description() {
        let e = ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "workflows.argoproj.io \"x\" not found")
            .withHint("check the name")
        #expect(e.description == "notFound (HTTP 404, code 5): workflows.argoproj.io \"x\" not found — check the name")
    }

    @Test("ARGO_SERVER-style addresses")
    func baseURL() {
        #expect(
            ArgoConnection.baseURL(server: "localhost:2746", secure: true, baseHref: nil)?.absoluteString
                == "https://localhost:2746")
        #expect(
            ArgoConnection.baseURL(server: "localhost:2746", secure: false, baseHref: "/argo/")?.absoluteString
                == "http://localhost:2746/argo")
        #expect(
            ArgoConnection.baseURL(server: "https://argo.example.com/", secure: false, baseHref: nil)?.absoluteString
                == "https://argo.example.com")
        #expect(ArgoConnection.baseURL(server: "ftp://x", secure: true, baseHref: nil) == nil)
    }
}

@Suite("Stream frames")
struct StreamFrameTests {
    typealias Parser = StreamFrameParser<LogEntry>

    func results(_ frames: [Parser.Frame]) -> [String] {
        frames.compactMap { if case .result(let e) = $0 { return e.content } else { return nil } }
    }

    @Test("newline-delimited JSON, split anywhere")
    func ndjson() {
        let text =
            #"{"result":{"content":"one","podName":"p"}}"# + "\n" + #"{"result":{"content":"two","podName":"p"}}"#
            + "\n"
        var parser = Parser()
        var all: [Parser.Frame] = []
        for chunk in Array(text.utf8).chunked(7) { all += parser.feed(chunk) }
        all += parser.finish()
        #expect(results(all) == ["one", "two"])
    }

    @Test("server-sent events with keepalives and CRLF")
    func sse() {
        let text =
            ": keepalive\r\n\r\ndata: {\"result\":{\"content\":\"a\",\"podName\":\"p\"}}\r\n\r\nevent: x\r\ndata: {\"result\":{\"content\":\"b\",\"podName\":\"p\"}}\n\n"
        var parser = Parser()
        #expect(results(parser.feed(Array(text.utf8)) + parser.finish()) == ["a", "b"])
    }

    @Test("a mid-stream error frame becomes a streamBroken error with its code")
    func errorFrame() {
        let text =
            #"{"result":{"content":"a","podName":"p"}}"# + "\n"
            + #"{"error":{"grpc_code":14,"http_code":503,"message":"transport is closing","http_status":"Service Unavailable"}}"#
            + "\n"
        var parser = Parser()
        let frames = parser.feed(Array(text.utf8))
        #expect(results(frames) == ["a"])
        guard case .error(let e)? = frames.last else {
            Issue.record("no error frame")
            return
        }
        #expect(e.kind == .streamBroken)
        #expect(e.grpcCode == 14)
        #expect(e.message == "transport is closing")
    }

    @Test("garbage is reported, not swallowed; a last line without newline still counts")
    func garbage() {
        var parser = Parser()
        let frames = parser.feed(Array("not json\n".utf8))
        guard case .error(let e)? = frames.first else {
            Issue.record("expected an error")
            return
        }
        #expect(e.kind == .malformedResponse)
        _ = parser.feed(Array(#"{"result":{"content":"tail","podName":"p"}}"#.utf8))
        #expect(results(parser.finish()) == ["tail"])
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

@Suite("stdio transport bookkeeping")
struct TransportTests {
    @Test("requests and the responses that answer them are told apart by id")
    func ids() {
        #expect(LineTransport.requestID(Data(#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#.utf8)) == "7")
        #expect(LineTransport.requestID(Data(#"{"jsonrpc":"2.0","id":"a-1","method":"ping"}"#.utf8)) == "\"a-1\"")
        #expect(LineTransport.requestID(Data(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8)) == nil)
        #expect(LineTransport.requestID(Data("garbage {".utf8)) == nil)
        #expect(LineTransport.responseID(Data(#"{"id":7,"jsonrpc":"2.0","result":{"tools":[]}}"#.utf8)) == "7")
        #expect(LineTransport.responseID(Data(#"{"id":"a-1","jsonrpc":"2.0","result":{}}"#.utf8)) == "\"a-1\"")
        #expect(
            LineTransport.responseID(Data(#"{"error":{"code":-32700,"message":"x"},"id":"X","jsonrpc":"2.0"}"#.utf8))
                == "\"X\"")
        #expect(
            LineTransport.responseID(Data(#"{"id":3,"jsonrpc":"2.0","method":"elicitation/create","params":{}}"#.utf8))
                == nil)
        #expect(
            LineTransport.responseID(Data(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#.utf8))
                == nil)
    }

    @Test("get_workflow's answer is decided in one place from include and fields")
    func getWorkflowShape() {
        func shape(_ include: WorkflowView, _ fields: String? = nil) -> GetWorkflowRequest.Shape {
            GetWorkflowRequest(name: "w", include: include, fields: fields).shape
        }
        #expect(shape(.summary) == .summary)
        #expect(shape(.nodes) == .nodes)
        #expect(shape(.spec) == .json(fields: "metadata.name,metadata.namespace,spec", section: "spec"))
        #expect(shape(.raw) == .json(fields: nil, section: "raw"))
        #expect(shape(.summary, "status.phase") == .json(fields: "status.phase", section: "fields=status.phase"))
        #expect(shape(.raw, "status.phase") == .json(fields: "status.phase", section: "fields=status.phase"))
        // fields with the node tree or the spec is refused, with the fix.
        #expect(
            GetWorkflowRequest(name: "w", include: .nodes, fields: "status").problems().map(\.field) == ["fields"])
    }
}
