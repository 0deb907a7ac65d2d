import Domain
import Foundation
import Testing

@testable import ArgoMCP

/// Every setting is declared once (`SettingsRegistry.all`); the checker, the readers and the README come from it.
@Suite("Settings: one declaration per setting")
struct SettingsRegistryTests {
    static func readme() throws -> String {
        try String(
            contentsOf: Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "README.md"), encoding: .utf8)
    }

    @Test("the README's configuration table is what `argo-mcp tools --settings` prints")
    func readmeTable() throws {
        #expect(
            try Self.readme().contains(
                "<!-- settings:begin -->\n" + SettingsRegistry.markdown() + "\n<!-- settings:end -->"),
            "regenerate the README's configuration table with `swift run argo-mcp tools --settings`")
    }

    @Test("keys and variables are declared once; every flag the table names is a flag of the commands")
    func declaredOnce() {
        let keys = SettingsRegistry.all.compactMap(\.key)
        #expect(Set(keys).count == keys.count, "\(keys)")
        let variables = SettingsRegistry.all.flatMap(\.environment)
        #expect(Set(variables).count == variables.count, "\(variables)")
        #expect(SettingsRegistry.all.first?.meaning != nil, "the first setting opens a row")
        let help = Serve.helpMessage() + SimulatorCommand.helpMessage()
        for flag in SettingsRegistry.all.compactMap(\.flag) {
            let name = String(flag.split(separator: " ")[0])
            #expect(help.contains(name), "\(name) is not a flag of serve or simulator")
        }
    }

    func file(_ yaml: String) throws -> Settings {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        var settings = Settings()
        try settings.apply(file: path.path)
        return settings
    }

    func environment(_ values: [String: String]) throws -> Settings {
        var settings = Settings()
        try settings.apply(environment: values)
        return settings
    }

    @Test("the file and the environment set the same fields, with the same ranges and choices")
    func fileAndEnvironmentAgree() throws {
        let fromFile = try file(
            """
            argo: {server: "argo:2746", requestTimeoutSeconds: 45, streams: NDJSON}
            http: {sessions: stateless, allowedHosts: [a.example, "b.example:*"]}
            namespaces: {allow: [data-*], callers: {alice: {allow: [ops]}}}
            auth: {mode: bearer, oidc: {nameClaim: email}}
            """)
        let fromEnvironment = try environment([
            "ARGO_SERVER": "argo:2746", "ARGO_REQUEST_TIMEOUT": "45", "ARGO_MCP_STREAMS": "NDJSON",
            "ARGO_MCP_HTTP_SESSIONS": "stateless", "ARGO_MCP_HTTP_ALLOWED_HOSTS": "a.example, b.example:*",
            "ARGO_MCP_NAMESPACES_ALLOW": "data-*", "ARGO_MCP_AUTH_MODE": "bearer",
        ])
        for s in [fromFile, fromEnvironment] {
            #expect(s.server == "argo:2746")
            #expect(s.requestTimeoutSeconds == 45)
            #expect(s.streams == "ndjson", "a choice is compared and kept in lower case")
            #expect(s.httpSessions == "stateless")
            #expect(s.auth.allowedHosts == ["a.example", "b.example:*"])
            #expect(s.namespacesAllow == ["data-*"])
            #expect(s.auth.mode == "bearer")
        }
        #expect(fromFile.auth.namespacesByCaller == ["alice": CallerRules(allow: ["ops"], deny: nil)])
        #expect(fromFile.auth.oidcNameClaim == "email")

        let ranges: [(yaml: String, variable: (String, String), says: String)] = [
            (
                "argo: {requestTimeoutSeconds: 0}", ("ARGO_REQUEST_TIMEOUT", "0"),
                "out of range; give 1 to 86400 seconds"
            ),
            (
                "output: {maxResultBytes: 10}", ("ARGO_MCP_MAX_RESULT_BYTES", "10"),
                "too small; give at least 1024 bytes"
            ),
            ("http: {sessions: sticky}", ("ARGO_MCP_HTTP_SESSIONS", "sticky"), "stateful, stateless"),
        ]
        for (yaml, (name, value), says) in ranges {
            #expect(throws: ConfigError.self) { _ = try file(yaml) }
            do {
                _ = try file(yaml)
            } catch {
                #expect("\(error)".contains(says), "\(error)")
            }
            do {
                _ = try environment([name: value])
                Issue.record("\(name)=\(value) was taken")
            } catch {
                #expect("\(error)".contains("\(name)=\(value)") && "\(error)".contains(says), "\(error)")
            }
        }
        #expect(throws: ConfigError.self) { _ = try file("confirmation: {ttlSeconds: 999999}") }
    }

    @Test("confirmation rules: read from the file, checked strictly (keys, selector, tools, fallback), summarised")
    func confirmationRules() throws {
        let settings = try file(
            """
            confirmation:
              fallback: deny
              rules:
                - namespaces: ["*-prod"]
                - {tools: [delete_workflow, destructive], labels: "team in (payments, billing)", fallback: token}
            """)
        let policy = try settings.policy(simulator: true)
        try Settings.checkConfirmationRequire(policy, tools: ReadmeTests.tools.map(\.name))
        #expect(policy.confirmationFallback == .deny)
        #expect(
            policy.confirmationRules.map(\.summary) == [
                "confirmation.rules[0]: every change in *-prod",
                "confirmation.rules[1]: delete_workflow, destructive labelled team in (payments, billing) (fallback token)",
            ])
        let need = policy.confirmation(
            tool: "suspend_workflow", safety: .mutating, namespace: "data-prod", labels: [:])
        #expect(need == ConfirmationNeed(requiredBy: ["confirmation.rules[0]"], fallback: .deny))
        #expect(policy.confirmation(tool: "suspend_workflow", safety: .mutating, namespace: "argo", labels: [:]) == nil)
        #expect(
            policy.confirmation(
                tool: "stop_workflow", safety: .destructive, namespace: "argo", labels: ["team": "billing"])?
                .requiredBy == ["confirmation.require", "confirmation.rules[1]"])
        #expect(
            policy.confirmation(tool: "get_workflow", safety: .readOnly, namespace: "data-prod", labels: [:]) == nil,
            "a read is never confirmed")
        #expect(policy.summary.contains("confirmation.rules[0]: every change in *-prod"))

        for (yaml, says) in [
            ("confirmation: {rules: [{namespace: [a]}]}", "did you mean 'confirmation.rules[0].namespaces'"),
            ("confirmation: {rules: [{fallback: ask}]}", "'ask' is not one of token, deny"),
            ("confirmation: {rules: {tools: [a]}}", "confirmation.rules must be a list"),
        ] {
            do {
                _ = try file(yaml)
                Issue.record("\(yaml) was taken")
            } catch {
                #expect("\(error)".contains(says), "\(error)")
            }
        }
        let badSelector = try file("confirmation: {rules: [{labels: \"team in payments\"}]}")
        #expect(throws: ConfigError.self) { _ = try badSelector.policy(simulator: true) }
        let badTool = try file("confirmation: {rules: [{tools: [delete_workflows]}]}")
        do {
            try Settings.checkConfirmationRequire(
                try badTool.policy(simulator: true), tools: ReadmeTests.tools.map(\.name))
            Issue.record("an unknown tool in a rule was taken")
        } catch {
            #expect("\(error)".contains("confirmation.rules[0].tools: 'delete_workflows'"), "\(error)")
            #expect("\(error)".contains("did you mean 'delete_workflow'"), "\(error)")
        }
        let contradiction = try file("confirmation: {fallback: deny, mode: token}")
        #expect(throws: ConfigError.self) { _ = try contradiction.policy(simulator: true) }
    }
}
