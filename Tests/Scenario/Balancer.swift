import Foundation
import StreamableHTTPClient

/// What the balancer scenarios need besides nginx (`NginxBalancer`): the Python client and PostgreSQL.
enum Balancer {
    static let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/nginx/argo-mcp.conf")

    /// The official MCP Python SDK's interpreter (the venv scripts/test-components.sh makes).
    static var python: String? {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let candidates = [
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_PYTHON"], "\(home)/.cache/argo-mcp/venv/bin/python",
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the balancer scenarios run: nginx, the Python client and PostgreSQL are there, or CI requires them
    /// (then a missing one fails the run instead of skipping it).
    static var enabled: Bool {
        let env = ProcessInfo.processInfo.environment
        if env["ARGO_MCP_TEST_POSTGRES_REQUIRED"] == "1" { return true }
        return NginxBalancer.binary != nil && python != nil
            && env["ARGO_MCP_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true
    }

    static func start(upstreams: [String]) throws -> NginxBalancer {
        try NginxBalancer(upstreams: upstreams, template: template)
    }
}
