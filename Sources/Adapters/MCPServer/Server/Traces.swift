import Foundation
import MCP
import Tracing

/// OpenTelemetry spans of MCP requests and tool calls, after OpenTelemetry's MCP and GenAI conventions: a server
/// span per request (`tools/call get_workflow`; `mcp.method.name`, `gen_ai.tool.name`), an `execute_tool` span
/// per tool call below it, and below that whatever the call does (the Argo client's requests). A request whose
/// `_meta` carries W3C `traceparent`/`tracestate` continues that trace. Without a configured tracer every span is a
/// no-op. No argument value, token or secret becomes an attribute: only names, classes and outcomes.
enum Traces {
    /// Reads `traceparent` and `tracestate` from a request's `_meta`.
    struct MetaCarrier: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    /// The context a request continues: its `_meta`'s trace, else the one the task runs in.
    static func parent(_ meta: [String: Value]?) -> ServiceContext {
        var context = ServiceContext.current ?? .topLevel
        var carrier: [String: String] = [:]
        for key in ["traceparent", "tracestate"] {
            if case .string(let value)? = meta?[key], value.utf8.count <= 512 { carrier[key] = value }
        }
        if !carrier.isEmpty {
            InstrumentationSystem.instrument.extract(carrier, into: &context, using: MetaCarrier())
        }
        return context
    }

    /// Runs `work` in the server span of one MCP request: `method`, the tool, prompt or resource it names
    /// (`target`), the caller, and the protocol revision.
    static func request<T>(
        _ method: String, target: String? = nil, meta: [String: Value]?, caller: String?, revision: String,
        _ work: (any Span) async throws -> T
    ) async rethrows -> T {
        let name = target.map { "\(method) \($0.prefix(100))" } ?? method
        return try await withSpan(name, context: parent(meta), ofKind: .server) { span in
            span.attributes["mcp.method.name"] = method
            span.attributes["mcp.protocol.version"] = revision
            if let target {
                let key =
                    switch method {
                    case "tools/call": "gen_ai.tool.name"
                    case "prompts/get": "gen_ai.prompt.name"
                    default: "mcp.resource.uri"
                    }
                span.attributes[key] = String(target.prefix(200))
            }
            if let caller { span.attributes["argo_mcp.caller"] = caller }
            return try await work(span)
        }
    }

    /// Records what a tool call came to on `span`: `ok`, `preview` (a confirmation is asked for), `refused` (the
    /// policy, a rule or a state check said no) or `error`, the last two also as the span's error status.
    static func outcome(_ span: any Span, _ result: CallTool.Result) {
        outcome(span, structured: result.structuredContent, isError: result.isError == true)
    }

    static func outcome(_ span: any Span, structured: Value?, isError: Bool) {
        let object = structured?.objectValue
        let previewed = !isError && object?["confirmation_token"] != nil
        let refused = isError && (object?["error"]?.stringValue?.hasPrefix("refused") ?? false)
        let outcome = isError ? (refused ? "refused" : "error") : (previewed ? "preview" : "ok")
        span.attributes["argo_mcp.outcome"] = outcome
        if isError {
            span.attributes["error.type"] = refused ? "refused" : "tool_error"
            span.setStatus(SpanStatus(code: .error))
        }
    }
}
