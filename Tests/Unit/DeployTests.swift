import Foundation
import Logging
import Testing

@testable import ArgoMCP

/// The Kubernetes manifests carry argo-mcp config files: they must be what this argo-mcp accepts (the manifests
/// themselves are rendered and validated against the Kubernetes schemas by scripts/validate-manifests.sh in CI).
@Suite("deploy/kubernetes")
struct DeployTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        "the base and the example overlay configure an authenticated HTTP server that starts",
        arguments: [
            "deploy/kubernetes/base/config.yaml", "deploy/kubernetes/overlays/example/config.yaml",
        ])
    func configs(_ path: String) throws {
        var settings = Settings()
        try settings.apply(file: Self.root.appendingPathComponent(path).path)
        let listen = try #require(settings.httpListen)
        #expect(try Serve.listenAddress(listen, authenticated: settings.auth.authenticates) == ("0.0.0.0", 8080))
        #expect(settings.auth.authenticates, "listening on every address needs authentication")
        #expect(try settings.connection() != nil)
        _ = try settings.policy(simulator: false)
        if settings.auth.mode == "oidc" {
            #expect(
                try settings.auth.authentication(logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }) != nil)
        } else {
            #expect(settings.auth.tokensFile == "/etc/argo-mcp/tokens/tokens.yaml", "where the Secret is mounted")
            #expect(settings.auth.hostRules.allowedHosts.contains("argo-mcp.argo-mcp.svc:*"))
        }
    }

    @Test(
        "more than one replica runs stateless, with the shared store: any replica answers any request",
        arguments: [
            ("deploy/kubernetes/base/config.yaml", "deploy/kubernetes/base/deployment.yaml", "replicas: "),
            (
                "deploy/kubernetes/overlays/example/config.yaml",
                "deploy/kubernetes/overlays/example/kustomization.yaml",
                "count: "
            ),
        ])
    func replicasRunStateless(_ config: String, _ manifest: String, _ key: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(manifest), encoding: .utf8)
        let line = try #require(
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key) })
        let replicas = try #require(Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? ""))
        #expect(replicas > 1)
        var settings = Settings()
        try settings.apply(file: Self.root.appendingPathComponent(config).path)
        #expect(settings.httpSessions == "stateless", "\(config): \(replicas) replicas need http.sessions: stateless")
        let deployment = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/kubernetes/base/deployment.yaml"), encoding: .utf8)
        #expect(deployment.contains("ARGO_MCP_POSTGRES_URL"), "tokens and audit shared by the replicas")
        #expect(deployment.contains("ARGO_MCP_STATE_KEY"), "sealed state readable by every replica")
    }
}
