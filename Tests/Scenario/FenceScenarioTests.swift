import Foundation
import MCP
import Testing

/// All-namespace listings under per-caller namespace rules, walked page by page by three callers: alice (every
/// namespace), bob (`data-*`) and carol (none). Nothing of a namespace a caller may not see can be read or inferred:
/// not its objects, not Argo's continue tokens (which name objects), not counts, `hasMore` or notes, and not the
/// difference between two filters that differ only in what is hidden.
@Suite("the namespace fence in listings", .serialized, .timeLimit(.minutes(3)))
struct FenceScenarioTests {
    typealias Caller = HTTPServerProcess.BearerCaller
    static let alice = Caller(name: "alice", token: "amt_alice-\(UUID().uuidString)")
    static let bob = Caller(name: "bob", token: "amt_bob-\(UUID().uuidString)")
    static let carol = Caller(name: "carol", token: "amt_carol-\(UUID().uuidString)")

    /// The listings that cross namespaces, with the argument that makes them do so.
    static let listings: [(tool: String, arguments: [String: Value])] = [
        ("list_workflows", ["all_namespaces": true]),
        ("list_cron_workflows", ["all_namespaces": true]),
        ("list_workflow_templates", ["all_namespaces": true]),
        ("list_archived_workflows", ["all_namespaces": true]),
    ]

    struct Walk {
        var rows: [String] = []
        var tokens: [String] = []
        var pages: [[String: Value]] = []
        var texts: [String] = []
    }

    /// Every page of `tool` with `limit` rows a page, following `continue` to the end (at most 200 pages).
    static func walk(_ client: Client, _ tool: String, _ arguments: [String: Value], limit: Int) async throws -> Walk {
        var walk = Walk()
        var arguments = arguments
        arguments["limit"] = .int(limit)
        for _ in 0..<200 {
            let page = try await client.send(CallTool.request(.init(name: tool, arguments: arguments))).value
            #expect(page.isError != true, "\(tool): \(page.content)")
            let structured = page.structuredContent?.objectValue ?? [:]
            walk.pages.append(structured)
            walk.texts.append(
                page.content.compactMap { if case .text(let t, _, _) = $0 { t } else { nil } }.joined())
            for item in structured["items"]?.arrayValue ?? [] {
                let object = item.objectValue ?? [:]
                walk.rows.append("\(object["namespace"]?.stringValue ?? "")/\(object["name"]?.stringValue ?? "")")
            }
            guard let next = structured["continue"]?.stringValue else { break }
            walk.tokens.append(next)
            arguments["continue"] = .string(next)
        }
        return walk
    }

    @Test(
        "three callers walk every all-namespace listing: each sees exactly its namespaces' objects, with sealed tokens and no counts, hasMore or notes about the rest"
    )
    func walks() async throws {
        let namespaces = ["argo", "data-a", "ops", "data-b", "kube-x"]
        let generated = (0..<20).flatMap {
            ["--generate", "name=fence-\($0),nodes=2,namespace=\(namespaces[$0 % namespaces.count])"]
        }
        let config = """
            namespaces:
              callers:
                alice: {allow: ["*"]}
                bob: {allow: ["data-*"]}
            """
        let (server, audit) = try await HTTPAuthScenarioTests.serve(
            config: config, callers: [Self.alice, Self.bob, Self.carol], extra: generated)
        defer { HTTPAuthScenarioTests.remove(audit) }
        let clients = try await withThrowingTaskGroup(of: (String, Client).self) { group in
            for caller in [Self.alice, Self.bob, Self.carol] {
                group.addTask { (caller.name, try await server.connectedClient(bearerToken: caller.token)) }
            }
            return try await group.reduce(into: [String: Client]()) { $0[$1.0] = $1.1 }
        }
        let (alice, bob, carol) = try (
            #require(clients["alice"]), #require(clients["bob"]), #require(clients["carol"])
        )

        for (tool, arguments) in Self.listings {
            let everything = try await Self.walk(alice, tool, arguments, limit: 3)
            let bobs = try await Self.walk(bob, tool, arguments, limit: 2)
            let carols = try await Self.walk(carol, tool, arguments, limit: 2)

            // bob: exactly the data-* objects alice sees, page after page, and nothing else.
            let expected = everything.rows.filter { $0.hasPrefix("data-") }
            if tool == "list_workflows" {
                #expect(expected.count >= 8 && everything.rows.count >= 20, "\(everything.rows)")
                #expect(bobs.tokens.count >= 3, "several of bob's pages")
            }
            #expect(bobs.rows.sorted() == expected.sorted(), "\(tool): \(bobs.rows) vs \(expected)")
            #expect(bobs.tokens.allSatisfy { $0.hasPrefix("amcur1.") }, "\(tool): Argo's tokens name objects")
            // A token is handed out only when another visible object follows: no page after a token is empty.
            for page in bobs.pages.dropFirst() {
                let items = page["items"]?.arrayValue ?? []
                #expect(items.count > 0, "\(tool): an empty page after a token")
            }
            for page in bobs.pages + carols.pages {
                #expect(page["remainingItemCount"] == nil, "\(tool): \(page)")
            }
            for text in bobs.texts + carols.texts {
                #expect(!text.contains("both live and archived"))
                #expect(!text.contains("kube-x") && !text.contains("argo/") && !text.contains("ops/"))
            }
            // carol: nothing at all, and nothing that says there is more.
            #expect(carols.rows.isEmpty, "\(tool): \(carols.rows)")
            #expect(carols.tokens.isEmpty)
            #expect(carols.pages.count == 1)
            #expect(carols.pages.first?["hasMore"]?.boolValue != true)

            // bob's token is his: carol cannot use it (it is sealed to its caller and rules).
            if let token = bobs.tokens.first {
                var stolen = arguments
                stolen["continue"] = .string(token)
                let refused = try await carol.send(CallTool.request(.init(name: tool, arguments: stolen))).value
                #expect(refused.isError == true)
            }
        }

        // Resources and completions list through the same fence.
        let carolsResources = try await carol.listResources()
        #expect(
            !carolsResources.resources.contains {
                $0.uri.hasPrefix("argo://workflows/") || $0.uri.hasPrefix("argo://cron-workflows/")
                    || $0.uri.hasPrefix("argo://workflow-templates/")
            }, "\(carolsResources.resources.map(\.uri))")
        #expect(carolsResources.nextCursor == nil)
        let bobsResources = try await bob.listResources()
        // (resources/list lists the default namespace, argo, which bob may not see.)
        #expect(!bobsResources.resources.contains { $0.uri.contains("/argo/") || $0.uri.contains("/ops/") })
        let carolsNamespaces = try await carol.complete(
            resourceURI: "argo://workflows/{namespace}/{name}", argumentName: "namespace", argumentValue: "")
        #expect(carolsNamespaces.values.isEmpty, "\(carolsNamespaces.values)")
        let bobsNamespaces = try await bob.complete(
            resourceURI: "argo://workflows/{namespace}/{name}", argumentName: "namespace", argumentValue: "")
        #expect(!bobsNamespaces.values.isEmpty)
        #expect(bobsNamespaces.values.allSatisfy { $0.hasPrefix("data-") }, "\(bobsNamespaces.values)")
        // A token made by hand (as Argo's look) is refused in a fenced listing.
        let forged = try await carol.send(
            CallTool.request(
                .init(
                    name: "list_workflows",
                    arguments: ["all_namespaces": true, "continue": "eyJzdGFydCI6ImFyZ28vbmlnaHRseSJ9"]))
        ).value
        #expect(forged.isError == true)

        // Two filters that differ only in what carol cannot see answer alike.
        let hidden = try await carol.send(
            CallTool.request(.init(name: "list_workflows", arguments: ["all_namespaces": true, "name": "fence"]))
        ).value
        let nothing = try await carol.send(
            CallTool.request(
                .init(name: "list_workflows", arguments: ["all_namespaces": true, "name": "no-such-workflow"]))
        ).value
        #expect(hidden.structuredContent == nothing.structuredContent)
        for client in [alice, bob, carol] { await client.disconnect() }
        _ = await server.stop()
    }
}
