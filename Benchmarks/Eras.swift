import ArgoHTTP
import AsyncHTTPClient
import Domain
import Foundation
import Logging
import StreamableHTTPClient

extension Bench {
    /// One small `get_workflow` over Streamable HTTP in each MCP revision, beside a direct GET of the same object
    /// from the same REST face (the Argo request inside every call), in one run and with one plain client (one
    /// POST per message), so the figures compare the two server paths: 2025-11-25 through swift-sdk's `Server`
    /// in a session, 2026-07-28 through argo-mcp's own layer (`serveModern`).
    static func eras(_ figures: inout Figures) async throws {
        let (sim, base) = try startSimulator()
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let server = try HTTPServe.start(environment: argoEnvironment(base), token: benchToken)
        defer { server.stop() }
        let poster = RetryingPoster(url: server.url, bearerToken: benchToken)
        let client = HTTPClient.shared
        let runs = 300

        progress("eras: \(runs) GETs, then \(runs) get_workflow calls in each revision…")
        let get = try await timed(runs) {
            let response = try await client.execute(
                HTTPClientRequest(url: "\(base)/api/v1/workflows/argo/nightly-etl-7x2kq"), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 24)
        }
        // What every call does besides MCP and HTTP: the same fetch through argo-mcp's Argo adapter, the decode
        // and the summary.
        let adapter = ArgoConnection(baseURL: URL(string: base) ?? URL(fileURLWithPath: "/"), token: "Bearer bench")
        let useCase = try await ArgoHTTPGateway.with(
            adapter, logger: Logger(label: "b") { _ in SwiftLogNoOpLogHandler() }
        ) { gateway in
            let reads = WorkflowReads(ArgoContext(gateway: gateway, defaultNamespace: "argo"))
            return try await timed(runs) { _ = try await reads.get(GetWorkflowRequest(name: "nightly-etl-7x2kq")) }
        }
        let arguments: [String: Any] = ["name": "get_workflow", "arguments": ["name": "nightly-etl-7x2kq"]]

        let session = try await openSession(poster)
        let legacyCall = try JSONSerialization.data(withJSONObject: [
            "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": arguments,
        ])
        _ = try await poster.post(legacyCall, sessionID: session)
        let legacy = try await timed(runs) {
            guard try await poster.post(legacyCall, sessionID: session).message != nil else {
                throw ValidationFailure("2025-11-25: no answer")
            }
        }

        var modernParams = arguments
        modernParams["_meta"] = [
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": [String: Any](),
        ]
        let modernCall = try JSONSerialization.data(withJSONObject: [
            "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": modernParams,
        ])
        let headers = [
            ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "get_workflow"),
        ]
        _ = try await poster.post(modernCall, headers: headers)
        let modern = try await timed(runs) {
            guard let answer = try await poster.post(modernCall, headers: headers).message,
                String(decoding: answer, as: UTF8.self).contains(#""resultType":"complete""#)
            else { throw ValidationFailure("2026-07-28: no answer") }
        }

        func ratio(_ d: Duration) -> String { String(format: "%.1f×", seconds(d) / seconds(get)) }
        figures.add("direct GET of the workflow from the REST face, median of \(runs)", ms(get))
        figures.add(
            "… through argo-mcp's Argo adapter, decode and summary, no MCP and no HTTP server, median of \(runs) / × the GET",
            "\(ms(useCase)) / \(ratio(useCase))")
        figures.add(
            "`get_workflow` over HTTP, 2025-11-25 (a session, swift-sdk's server), median of \(runs) / × the GET",
            "\(ms(legacy)) / \(ratio(legacy))")
        figures.add(
            "`get_workflow` over HTTP, 2026-07-28 (argo-mcp's own layer), median of \(runs) / × the GET",
            "\(ms(modern)) / \(ratio(modern))")
    }
}
