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
        // Only a well-formed W3C traceparent is handed on (the tracer logs a malformed one whole).
        if case .string(let value)? = meta?["traceparent"], isTraceparent(value) {
            carrier["traceparent"] = value
            if case .string(let state)? = meta?["tracestate"], state.utf8.count <= 512,
                state.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
            {
                carrier["tracestate"] = state
            }
        }
        if !carrier.isEmpty {
            InstrumentationSystem.instrument.extract(carrier, into: &context, using: MetaCarrier())
        }
        return context
    }

    /// `00-<32 hex>-<16 hex>-<2 hex>`, as W3C Trace Context writes it.
    static func isTraceparent(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.utf8.count == 55, parts.count == 4 else { return false }
        return zip(parts, [2, 32, 16, 2]).allSatisfy { part, length in
            part.utf8.count == length
                && part.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
    }

    /// Runs `work` in the server span of one MCP request: `method`, the tool, prompt or resource it names
    /// (`target`), the caller, and the protocol revision.
    static func request<T>(
        _ method: String, target: String? = nil, meta: [String: Value]?, caller: String?, revision: String,
        _ work: (any Span) async throws -> T
    ) async throws -> T {
        // A resource's URI names objects (namespace, workflow, node): it stays out of the span. A tool's or
        // prompt's name is argo-mcp's own.
        let named = method == "tools/call" || method == "prompts/get" ? target.map { String($0.prefix(100)) } : nil
        let name = named.map { "\(method) \($0)" } ?? method
        let outcome: Result<T, any Error> = await withSpan(name, context: parent(meta), ofKind: .server) { span in
            span.attributes["mcp.method.name"] = method
            span.attributes["mcp.protocol.version"] = revision
            if let named { span.attributes[method == "tools/call" ? "gen_ai.tool.name" : "gen_ai.prompt.name"] = named }
            if let caller { span.attributes["argo_mcp.caller"] = caller }
            do {
                return .success(try await work(span))
            } catch {
                // The error's kind, not its words (which may quote what the client sent).
                span.attributes["error.type"] = "\(type(of: error))"
                span.setStatus(SpanStatus(code: .error))
                return .failure(error)
            }
        }
        return try outcome.get()
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
