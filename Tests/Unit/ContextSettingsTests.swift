import Domain
import Foundation
import Testing

@testable import ArgoMCP

/// `contexts`: several Argo Servers in one config, each checked as strictly as the top level.
@Suite("Settings: contexts")
struct ContextSettingsTests {
    func file(_ yaml: String) throws -> Settings {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("contexts-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        var settings = Settings()
        try settings.apply(file: path.path)
        return settings
    }

    func failure(_ body: () throws -> Any?) -> String {
        do {
            _ = try body()
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("each context inherits the top level's rules, and sets its own server, credentials and permissions")
    func inheritance() throws {
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "eyJhbGciOi.bare.token\n".write(to: token, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: token) }
        let settings = try file(
            """
            defaultContext: dev
            namespaces: {deny: [kube-*]}
            confirmation: {require: [mutating]}
            contexts:
              dev:
                simulator: {enabled: true}
                permissions: {readOnly: false, allowMutations: true}
              prod:
                description: production
                argo: {server: "https://argo.prod.example:2746", tokenFile: \(token.path), namespace: data}
                namespaces: {allow: [data-*]}
            """)
        let plan = try #require(try settings.contextPlan(environment: [:]))
        #expect(plan.defaultName == "dev" && plan.names == ["dev", "prod"])
        let dev = plan.contexts[0]
        let prod = plan.contexts[1]
        #expect(dev.simulator && !prod.simulator)
        #expect(
            try dev.settings.policy(simulator: true).ceiling == .destructive,
            "a simulated context allows what the simulator does")
        // prod sets no permissions: a real server's default, read-only; its namespace rules replace the top level's
        // allow list and keep its deny list.
        let prodPolicy = try prod.settings.policy(simulator: false)
        #expect(prodPolicy.ceiling == .readOnly)
        #expect(prodPolicy.namespaces.allow == ["data-*"] && prodPolicy.namespaces.deny == ["kube-*"])
        #expect(prodPolicy.confirmationRequired == ["mutating"])
        #expect(prod.settings.namespace == "data" && prod.description == "production")
        let connection = try #require(try prod.settings.connection(environment: [:]))
        #expect(connection.token == "Bearer eyJhbGciOi.bare.token")
        #expect(connection.baseURL.absoluteString == "https://argo.prod.example:2746")
    }

    @Test("a context's permissions are its own; only a read-only top level holds for every context")
    func permissions() throws {
        let open = try #require(
            try file(
                """
                permissions: {readOnly: false, allowMutations: true, allowDestructive: true}
                contexts: {prod: {argo: {server: a:1}}}
                """
            ).contextPlan(environment: [:]))
        #expect(try open.contexts[0].settings.policy(simulator: false).ceiling == .readOnly)
        var capped = try file(
            "contexts: {dev: {argo: {server: a:1}, permissions: {readOnly: false, allowMutations: true}}}")
        #expect(
            try capped.contextPlan(environment: [:])?.contexts[0].settings.policy(simulator: false).ceiling == .mutating
        )
        capped.readOnly = true  // --read-only, ARGO_MCP_READ_ONLY=true or permissions.readOnly at the top level
        #expect(
            try capped.contextPlan(environment: [:])?.contexts[0].settings.policy(simulator: false).ceiling == .readOnly
        )
    }

    @Test("credentials are read from a regular file only, never from an address, and never reported by a reload")
    func credentials() throws {
        #expect(
            failure { try file("contexts: {}").contextPlan(environment: [:]) }.contains("names no context"))
        #expect(
            failure { try file("contexts:").contextPlan(environment: [:]) }.contains("names no context"))
        #expect(
            failure {
                try file("contexts: {prod: {argo: {server: \"https://admin:s3cret@argo.example\"}}}").contextPlan(
                    environment: [:])
            }.contains("contexts.prod.argo.server holds credentials"))
        let folder = FileManager.default.temporaryDirectory.path
        #expect(
            failure {
                try file("contexts: {prod: {argo: {server: a:1, tokenFile: \(folder)}}}").contextPlan(environment: [:])
            }.contains("is not a regular file"))
        let before = try file("contexts: {prod: {argo: {server: \"https://argo.example\"}}}")
        let after = try file(
            "contexts: {prod: {argo: {server: \"https://argo.example\"}, namespaces: {allow: [data-secret-team]}}}")
        let (_, changes, restart) = before.reloaded(from: after)
        #expect(changes.count == 1 && changes[0].hasPrefix("contexts: prod#"), "\(changes)")
        #expect(!changes[0].contains("argo.example") && !changes[0].contains("data-secret-team"))
        #expect(restart.isEmpty)
    }

    @Test("mistakes stop start-up, naming the key and the fix")
    func mistakes() throws {
        #expect(
            failure {
                try file("contexts: {prod: {argo: {server: a:1, tokn: x}}}")
            }.contains("unknown key 'contexts.prod.argo.tokn'"))
        #expect(
            failure {
                try file("contexts: {prod: {argo: {server: a:1, token: Bearer x}}}").contextPlan(environment: [:])
            }.contains("contexts.prod.argo.token: a context's token is not written in the config file"))
        #expect(
            failure {
                try file("contexts: {a: {simulator: {enabled: true}}, b: {simulator: {enabled: true}}}")
                    .contextPlan(environment: [:])
            }.contains("name the one a request without context goes to with defaultContext"))
        #expect(
            failure {
                try file("defaultContext: prdo\ncontexts: {prod: {simulator: {enabled: true}}}").contextPlan(
                    environment: [:])
            }.contains("did you mean 'prod'?"))
        #expect(
            failure {
                try file("contexts: {Prod_1: {simulator: {enabled: true}}}").contextPlan(environment: [:])
            }.contains("lower-case letters, digits and '-'"))
        #expect(
            failure {
                try file("contexts: {workflows: {simulator: {enabled: true}}}").contextPlan(environment: [:])
            }.contains("names a kind of resource"))
        #expect(
            failure {
                try file("argo: {server: a:1}\ncontexts: {prod: {simulator: {enabled: true}}}").contextPlan(
                    environment: [:])
            }.contains("argo.server (ARGO_SERVER, --argo-server) is set and so are contexts"))
        #expect(
            failure {
                try file("contexts: {prod: {argo: {server: a:1, tokenEnv: PROD_TOKEN}}}").contextPlan(environment: [:])
            }.contains("argo.tokenEnv names PROD_TOKEN, which is not set"))
        #expect(
            failure {
                try file("contexts: {prod: {description: x}}").contextPlan(environment: [:])
            }.contains("give its Argo Server (contexts.prod.argo.server), or simulator.enabled: true"))
        #expect(
            failure {
                try file("contexts: {prod: {argo: {server: a:1}, confirmation: {mode: token}}}")
            }.contains("unknown key 'contexts.prod.confirmation.mode'"))
        let fromEnvironment = try #require(
            try file("contexts: {prod: {argo: {server: a:1, tokenEnv: PROD_TOKEN}}}").contextPlan(
                environment: ["PROD_TOKEN": "Bearer abc"]))
        #expect(
            try fromEnvironment.contexts[0].settings.connection(environment: ["PROD_TOKEN": "Bearer abc"])?.token
                == "Bearer abc")
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the README's two-cluster example and deploy/kubernetes/overlays/two-clusters are configs argo-mcp takes")
    func examples() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Several Argo Servers"))
        let start = try #require(readme.range(of: "```yaml\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let fromReadme = try file(String(readme[start.upperBound..<end.lowerBound]))
        // Everything checks up to the credentials, which live in the cluster (a mounted Secret, the environment).
        #expect(
            failure { try fromReadme.contextPlan(environment: ["STAGING_ARGO_TOKEN": "Bearer x"]) }.contains(
                "contexts.prod: argo.tokenFile /etc/argo-mcp/clusters/prod/token cannot be read"))
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "abc".write(to: token, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: token) }
        var readable = fromReadme
        readable.contexts["prod"] = .object([
            "argo": .object(["server": .string("https://argo.prod.example.com"), "tokenFile": .string(token.path)])
        ])
        let plan = try #require(try readable.contextPlan(environment: ["STAGING_ARGO_TOKEN": "Bearer x"]))
        #expect(plan.names == ["demo", "prod", "staging"] && plan.defaultName == "staging")
        #expect(plan.contexts.first?.simulator == true)

        var deployed = Settings()
        try deployed.apply(
            file: Self.root.appendingPathComponent("deploy/kubernetes/overlays/two-clusters/config.yaml").path)
        #expect(deployed.contexts.keys.sorted() == ["prod", "staging"] && deployed.defaultContext == "staging")
        #expect(deployed.auth.authenticates && deployed.httpSessions == "stateless")
        #expect(
            failure { try deployed.contextPlan(environment: [:]) }.contains(
                "argo.tokenFile /etc/argo-mcp/clusters/prod/token cannot be read"))
        let kustomization = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/kubernetes/overlays/two-clusters/kustomization.yaml"),
            encoding: .utf8)
        #expect(kustomization.contains("mountPath: /etc/argo-mcp/clusters/prod"))
        #expect(kustomization.contains("mountPath: /etc/argo-mcp/clusters/staging"))
    }

    @Test("a reload may change what a context allows, not where its server is")
    func reload() throws {
        let running = try #require(
            try file("contexts: {prod: {argo: {server: a:1}}}").contextPlan(environment: [:]))
        let looser = try #require(
            try file("contexts: {prod: {argo: {server: a:1}, permissions: {readOnly: false}}}").contextPlan(
                environment: [:]))
        try Serve.checkSameServers(running, looser)
        let moved = try #require(try file("contexts: {prod: {argo: {server: b:1}}}").contextPlan(environment: [:]))
        #expect(
            failure { try Serve.checkSameServers(running, moved) }.contains(
                "contexts.prod.argo.server changed; where a context's Argo Server is needs a restart"))
        let added = try #require(
            try file("defaultContext: prod\ncontexts: {prod: {argo: {server: a:1}}, dev: {simulator: {enabled: true}}}")
                .contextPlan(environment: [:]))
        #expect(failure { try Serve.checkSameServers(running, added) }.contains("adding or removing a context"))
    }
}
