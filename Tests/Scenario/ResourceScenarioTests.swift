import Foundation
import MCP
import Testing

/// The `argo://` resources over every transport: templates, the bounded list with its cursor, reads of each
/// kind, and namespace rules applied as to tools.
@Suite("argo:// resources", .serialized, .timeLimit(.minutes(3)))
struct ResourceScenarioTests {
    static func text(_ contents: [Resource.Content]) -> String { contents.compactMap(\.text).joined() }

    @Test("templates, the list (paged by its cursor) and a read of every kind", arguments: TransportKind.allCases)
    func resources(_ transport: TransportKind) async throws {
        // 17 demo workflows in argo plus 20 generated ones: two pages of 25.
        var arguments = ["serve", "--simulator"]
        for i in 0..<20 { arguments += ["--generate", "name=extra-\(i),nodes=3"] }
        let server = try await transport.start(arguments)
        _ = try await server.connect()

        let (templates, _) = try await server.client.listResourceTemplates()
        #expect(
            templates.map(\.uriTemplate) == [
                "argo://workflows/{namespace}/{name}", "argo://workflows/{namespace}/{name}/logs/{node}",
                "argo://cron-workflows/{namespace}/{name}", "argo://workflow-templates/{namespace}/{name}",
                "argo://cluster-workflow-templates/{name}", "argo://examples/{name}",
            ])

        let first = try await server.client.listResources()
        let cursor = try #require(first.nextCursor, "37 workflows do not fit one page of 25")
        let firstWorkflows = first.resources.filter { $0.uri.hasPrefix("argo://workflows/") }
        #expect(firstWorkflows.count == 25)
        let uris = Set(first.resources.map(\.uri))
        for uri in [
            "argo://cron-workflows/argo/nightly-etl", "argo://workflow-templates/argo/etl-pipeline",
            "argo://cluster-workflow-templates/notify-slack",
        ] {
            #expect(uris.contains(uri), "\(uri)")
        }
        let second = try await server.client.listResources(cursor: cursor)
        #expect(second.nextCursor == nil)
        #expect(second.resources.count == 12, "the rest of the workflows, and nothing else again")
        #expect(Set(second.resources.map(\.uri)).isDisjoint(with: uris))

        let workflow = Self.text(try await server.client.readResource(uri: "argo://workflows/argo/nightly-etl-7x2kq"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(workflow.utf8)) as? [String: Any])
        #expect(summary["name"] as? String == "nightly-etl-7x2kq")
        #expect(summary["failedNodes"] != nil)
        // A read takes the tool path: the simulator's notice is in the JSON (under `simulator`) and is the last
        // line of a log, as in every tool result.
        #expect((summary["simulator"] as? String)?.contains("SIMULATOR") == true, "\(summary.keys.sorted())")
        let logs = Self.text(
            try await server.client.readResource(uri: "argo://workflows/argo/train-model-v3-8fj2d/logs/task-72"))
        #expect(logs.contains("task 72 failed"))
        #expect(logs.split(separator: "\n").last?.contains("SIMULATOR") == true)
        let cron = Self.text(try await server.client.readResource(uri: "argo://cron-workflows/argo/nightly-etl"))
        #expect(cron.contains(#""name":"nightly-etl""#))
        let template = Self.text(
            try await server.client.readResource(uri: "argo://workflow-templates/argo/etl-pipeline"))
        #expect(template.contains(#""entrypoint""#))
        let cluster = Self.text(
            try await server.client.readResource(uri: "argo://cluster-workflow-templates/notify-slack"))
        #expect(cluster.contains("notify-slack"))

        // The generated reference: listed on the first page, read as Markdown; the examples through their template.
        for uri in [
            "argo://reference/workflow", "argo://reference/template", "argo://reference/steps-and-dag",
            "argo://reference/cron-workflow", "argo://reference/variables",
        ] {
            #expect(uris.contains(uri), "\(uri) listed")
            let contents = try await server.client.readResource(uri: uri)
            #expect(contents.first?.mimeType == "text/markdown")
            #expect(Self.text(contents).contains("Apache-2.0"), "\(uri) attributed")
        }
        #expect(
            Self.text(try await server.client.readResource(uri: "argo://reference/template")).contains(
                "| `suspend` | SuspendTemplate |"))
        let example = try await server.client.readResource(uri: "argo://examples/dag-diamond")
        #expect(example.first?.mimeType == "application/yaml")
        #expect(Self.text(example).contains("depends: \"B && C\""))
        do {
            _ = try await server.client.readResource(uri: "argo://examples/nope")
            Issue.record("an unknown example was read")
        } catch {
            #expect("\(error)".contains("hello-world, steps, dag-diamond"))
        }

        // A missing object is "resource not found" in a tool's words, with the namespace hint a tool gives.
        do {
            _ = try await server.client.readResource(uri: "argo://workflows/argoo/nightly-etl-7x2kq")
            Issue.record("a workflow in a namespace that holds nothing was read")
        } catch let error as MCPError {
            #expect(error.code == -32002, "\(error)")
            #expect("\(error)".contains("failed to read argo://workflows/argoo/nightly-etl-7x2kq"), "\(error)")
            #expect("\(error)".contains("did you mean argo?"), "\(error)")
        }
        for bad in ["argo://workflows/argo/nope", "argo://nothing/here", "https://example.com/x"] {
            await #expect(throws: (any Error).self, "\(bad)") { _ = try await server.client.readResource(uri: bad) }
        }
        _ = await server.stop()
    }

    @Test("namespace rules apply to resources as to tools", arguments: TransportKind.allCases)
    func namespaceRules(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--deny-namespace", "data-team"])
        _ = try await server.connect()
        do {
            _ = try await server.client.readResource(uri: "argo://workflows/data-team/report-weekly-h3k8s")
            Issue.record("a denied namespace was read")
        } catch {
            #expect("\(error)".contains("denied by the namespace rules"))
        }
        let listed = try await server.client.listResources()
        #expect(!listed.resources.contains { $0.uri.contains("/data-team/") })
        _ = await server.stop()
    }

    @Test(
        "completion: namespaces, names by template kind, failed runs for the prompt, within the namespace rules",
        arguments: TransportKind.allCases)
    func completion(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--deny-namespace", "data-team"])
        _ = try await server.connect()
        let client = server.client
        let namespaces = try await client.complete(
            resourceURI: "argo://workflows/{namespace}/{name}", argumentName: "namespace", argumentValue: "")
        #expect(namespaces.values.contains("argo"))
        #expect(!namespaces.values.contains("data-team"), "a denied namespace is not offered")
        let denied = try await client.complete(
            resourceURI: "argo://workflows/{namespace}/{name}", argumentName: "name", argumentValue: "",
            context: ["namespace": "data-team"])
        #expect(denied.values.isEmpty)
        let workflows = try await client.complete(
            resourceURI: "argo://workflows/{namespace}/{name}", argumentName: "name", argumentValue: "nightly-etl-",
            context: ["namespace": "argo"])
        #expect(workflows.values.contains("nightly-etl-7x2kq"))
        #expect(workflows.values.allSatisfy { $0.hasPrefix("nightly-etl-") })
        let crons = try await client.complete(
            resourceURI: "argo://cron-workflows/{namespace}/{name}", argumentName: "name", argumentValue: "h")
        #expect(crons.values == ["hourly-sync"])
        let cluster = try await client.complete(
            resourceURI: "argo://cluster-workflow-templates/{name}", argumentName: "name", argumentValue: "")
        #expect(cluster.values == ["notify-slack"])
        let examples = try await client.complete(
            resourceURI: "argo://examples/{name}", argumentName: "name", argumentValue: "dag-")
        #expect(examples.values == ["dag-diamond", "dag-enhanced-depends"])
        let failed = try await client.complete(
            promptName: "why_did_this_fail", argumentName: "name", argumentValue: "", context: ["namespace": "argo"])
        #expect(failed.values.contains("train-model-v3-8fj2d"))
        #expect(!failed.values.contains("nightly-etl-7x2kq"), "a run that succeeded is not offered")
        let nodes = try await client.complete(
            resourceURI: "argo://workflows/{namespace}/{name}/logs/{node}", argumentName: "node",
            argumentValue: "task-2", context: ["namespace": "argo", "name": "train-model-v3-8fj2d"])
        #expect(nodes.values.contains("task-21"))
        #expect(nodes.values.allSatisfy { $0.hasPrefix("task-2") })
        let since = try await client.complete(promptName: "triage_failures", argumentName: "since", argumentValue: "2")
        #expect(since.values == ["24h"])
        _ = await server.stop()
    }

    @Test(
        "a subscription announces the workflow's changes until it completes; unsubscribe is accepted",
        arguments: TransportKind.allCases)
    func subscription(_ transport: TransportKind) async throws {
        // The demo deploy runs Pending → Succeeded in 120 steps once first read; 20 ms a step here.
        let server = try await transport.start(["serve", "--simulator", "--tick-ms", "20"])
        _ = try await server.connect()
        let uri = "argo://workflows/argo/deploy-canary-k2m9x"
        let updates = Counter()
        let others = Counter()
        await server.client.onNotification(ResourceUpdatedNotification.self) { message in
            if message.params.uri == uri { await updates.add() } else { await others.add() }
        }
        try await server.client.subscribeToResource(uri: uri)
        #expect(try await server.phase(of: "deploy-canary-k2m9x", becomes: "Succeeded", within: 30) == "Succeeded")
        let deadline = ContinuousClock.now + .seconds(10)
        while await updates.value < 3 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await updates.value >= 3, "Pending → Running, progress, Succeeded")
        #expect(await others.value == 0)

        let unsubscribe = try JSONDecoder().decode(
            ResourceUnsubscribe.Parameters.self, from: Data(#"{"uri":"\#(uri)"}"#.utf8))
        _ = try await server.client.send(ResourceUnsubscribe.request(unsubscribe)).value

        await #expect(throws: (any Error).self, "only workflows") {
            try await server.client.subscribeToResource(uri: "argo://cron-workflows/argo/nightly-etl")
        }
        await #expect(throws: (any Error).self, "a missing workflow") {
            try await server.client.subscribeToResource(uri: "argo://workflows/argo/nope")
        }
        _ = await server.stop()
    }
}
