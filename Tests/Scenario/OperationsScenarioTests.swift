import AsyncHTTPClient
import Foundation
import MCP
import NIOCore
import Testing

/// Running argo-mcp for a team: toolsets chosen by the configuration and narrowed per request, confirmation rules by
/// namespace and label, fair-use limits.
@Suite("operating argo-mcp for a team", .serialized, .timeLimit(.minutes(3)))
struct OperationsScenarioTests {
    typealias Wire = HTTPTransportScenarioTests

    /// The tool names of a `tools/list` answer (JSON or one SSE event), with each tool's toolset.
    static func listed(_ body: String) throws -> [String: String] {
        // An SSE answer may begin with an empty priming event: the event that holds the answer.
        let json =
            body.split(separator: "\n").first { $0.hasPrefix("data: {") }.map { String($0.dropFirst(6)) } ?? body
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let tools = try #require((object["result"] as? [String: Any])?["tools"] as? [[String: Any]], "\(body)")
        var out: [String: String] = [:]
        for tool in tools {
            let name = try #require(tool["name"] as? String)
            out[name] = (tool["_meta"] as? [String: Any])?["argo-mcp/toolset"] as? String ?? "?"
        }
        return out
    }

    @Test(
        "toolsets: the configuration chooses them; X-MCP-Toolsets, X-MCP-Tools and X-MCP-Readonly narrow them over both eras and never widen them; unknown names are refused with the nearest"
    )
    func toolsets() async throws {
        let server = try await HTTPServerProcess(
            ["serve", "--simulator"],
            environment: [
                "ARGO_MCP_TOOLSETS": "workflows,logs,diagnostics", "ARGO_MCP_ENABLED_TOOLS": "list_cron_workflows",
                "ARGO_MCP_DISABLED_TOOLS": "delete_workflow",
            ])
        let auth = ("Authorization", "Bearer \(try #require(server.bearerToken))")
        _ = try await server.connect()

        // The configuration: three toolsets, one tool more, one tool less; each tool names its toolset.
        let all = try await server.client.listTools().tools
        let names = Set(all.map(\.name))
        #expect(names.isSuperset(of: ["get_workflow", "get_workflow_logs", "analyze_failure", "list_cron_workflows"]))
        #expect(names.isDisjoint(with: ["delete_workflow", "get_cron_workflow", "list_archived_workflows"]))
        #expect(all.first { $0.name == "get_workflow_logs" }?._meta?["argo-mcp/toolset"]?.stringValue == "logs")
        let outside = try await server.client.callTool(name: "get_cron_workflow", arguments: ["name": "x"])
        #expect(outside.isError == true)
        let outsideText = outside.content.description
        #expect(outsideText.contains("cron toolset") && outsideText.contains("tools.toolsets"), "\(outsideText)")

        // 2025-11-25: a session opened with X-MCP-Toolsets: logs sees that toolset only.
        let opened = try await Wire.post(
            server.url, Wire.initialize, headers: [auth, ("X-MCP-Toolsets", "logs")])
        #expect(opened.status == 200)
        let session = try #require(opened.headers["mcp-session-id"])
        let sessionHeaders = [auth, ("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")]
        let logsOnly = try await Wire.post(
            server.url, #"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}"#, headers: sessionHeaders)
        #expect(try Self.listed(logsOnly.body) == ["get_workflow_logs": "logs"], "\(logsOnly.body.prefix(300))")
        let refused = try await Wire.post(
            server.url,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_workflow","arguments":{"name":"nightly-etl-7x2kq"}}}"#,
            headers: sessionHeaders)
        #expect(refused.body.contains(#""isError":true"#) && refused.body.contains("X-MCP-Toolsets"))
        // The session keeps its narrowing: a later request that asks for another is refused, not half-served.
        let other = try await Wire.post(
            server.url, #"{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{}}"#,
            headers: sessionHeaders + [("X-MCP-Toolsets", "workflows")])
        #expect(other.status == 400 && other.body.contains("initialize a new session"), "\(other.body)")
        // A resource follows the tool that reads the same: no get_workflow in this session, no workflow resource.
        let resource = try await Wire.post(
            server.url,
            #"{"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"argo://workflows/argo/nightly-etl-7x2kq"}}"#,
            headers: sessionHeaders)
        #expect(resource.body.contains(#""error""#) && resource.body.contains("get_workflow"), "\(resource.body)")
        let prompts = try await Wire.post(
            server.url, #"{"jsonrpc":"2.0","id":6,"method":"prompts/list","params":{}}"#, headers: sessionHeaders)
        #expect(!prompts.body.contains("why_did_this_fail"), "its tool analyze_failure is not offered here")

        // 2026-07-28: per request. Narrowing never widens: the cron toolset is not offered, so asking for it
        // gives only the one cron tool the configuration enables.
        let list = #"{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{\#(ModernScenarioTests.meta)}}"#
        let cron = try await Wire.post(
            server.url, list,
            headers: [auth, ("X-MCP-Toolsets", "cron")] + ModernScenarioTests.headers("tools/list"))
        #expect(try Self.listed(cron.body) == ["list_cron_workflows": "cron"], "\(cron.body.prefix(300))")
        // Read-only and one tool by name, with a toolset: their union, reads only.
        let reads = try Self.listed(
            try await Wire.post(
                server.url, list,
                headers: [
                    auth, ("X-MCP-Readonly", "true"), ("X-MCP-Toolsets", "diagnostics"),
                    ("X-MCP-Tools", "get_workflow, retry_workflow"),
                ] + ModernScenarioTests.headers("tools/list")
            ).body)
        #expect(reads["get_workflow"] == "workflows" && reads["analyze_failure"] == "diagnostics")
        #expect(reads["retry_workflow"] == nil && reads["list_workflows"] == nil, "\(reads)")
        let retry = try await Wire.post(
            server.url,
            #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{\#(ModernScenarioTests.meta),"name":"retry_workflow","arguments":{"name":"x"}}}"#,
            headers: [auth, ("X-MCP-Readonly", "true")]
                + ModernScenarioTests.headers("tools/call", name: "retry_workflow"))
        #expect(retry.body.contains(#""isError":true"#) && retry.body.contains("X-MCP-Readonly"), "\(retry.body)")

        // Unknown names are refused before anything is served, with the nearest known name.
        let typo = try await Wire.post(
            server.url, list,
            headers: [auth, ("X-MCP-Toolsets", "workflow")] + ModernScenarioTests.headers("tools/list"))
        #expect(typo.status == 400 && typo.body.contains("did you mean 'workflows'"), "\(typo.body)")
        let badTool = try await Wire.post(
            server.url, Wire.initialize, headers: [auth, ("X-MCP-Tools", "get_worklfow")])
        #expect(badTool.status == 400 && badTool.body.contains("did you mean 'get_workflow'"), "\(badTool.body)")
        _ = await server.stop()
    }

    @Test("an unknown toolset or tool name in the configuration stops the server, naming the nearest")
    func strictToolNames() async throws {
        for (variable, value, expected) in [
            ("ARGO_MCP_TOOLSETS", "workflows,crons", "did you mean 'cron'"),
            ("ARGO_MCP_DISABLED_TOOLS", "delete_workflw", "did you mean 'delete_workflow'"),
            ("ARGO_MCP_ENABLED_TOOLS", "analyse_failure", "did you mean 'analyze_failure'"),
        ] {
            let run = try await ServerProcess.runToEnd(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["\(variable)=\(value)", ServerProcess.binary.path, "serve", "--simulator"], limit: .seconds(30))
            #expect(run.finished && run.status == 2, "\(variable): \(run.stderr)")
            #expect(run.stderr.contains(expected), "\(variable): \(run.stderr)")
        }
    }

    /// A config file with confirmation rules: every change in a `*-prod` namespace, and deletes of workflows
    /// labelled team=payments (denied to hosts without a dialog); `confirmation.require` keeps only destructive
    /// calls, so a submit elsewhere needs nothing.
    static func rulesConfig() throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-rules-\(UUID().uuidString).yaml")
        try """
        confirmation:
          require: [destructive]
          rules:
            - namespaces: ["*-prod"]
            - tools: [delete_workflow]
              labels: "team=payments"
              fallback: deny
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    static func manifest(namespace: String, labels: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: rules-, namespace: \(namespace), labels: {\(labels)}}
        spec:
          entrypoint: main
          templates:
            - name: main
              container: {image: alpine, command: [sleep, "600"]}
        """
    }

    /// The workflow a submit created (confirmed when the rules ask for it).
    static func submitted(_ server: any MCPHarness, namespace: String, labels: String) async throws -> String {
        let done = try await server.callConfirmed(
            "submit_workflow", ["manifest": .string(manifest(namespace: namespace, labels: labels))])
        #expect(done.isError == false, "\(done.content)")
        return try #require(
            done.structuredContent?.objectValue?["name"]?.stringValue, "\(done.structuredContent ?? .null)")
    }

    @Test(
        "confirmation rules by namespace and label, with their fallback for hosts without a dialog, over every transport",
        arguments: TransportKind.allCases)
    func confirmationRules(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--config", try Self.rulesConfig()])
        _ = try await server.connect()
        let info = try await server.call("get_cluster_info").text
        #expect(info.contains("confirmation rule confirmation.rules[0]: every change in *-prod"), "\(info)")
        #expect(info.contains("confirmation.rules[1]: delete_workflow labelled team=payments (fallback deny)"))

        // In a prod namespace every change asks, and the preview says which rule asks.
        let manifest = Self.manifest(namespace: "payments-prod", labels: "team: payments")
        let preview = try await server.call("submit_workflow", ["manifest": .string(manifest)])
        let shown = preview.structuredContent?.objectValue
        #expect(
            shown?["confirmation_required_by"] == ["confirmation.rules[0]"], "\(preview.structuredContent ?? .null)")
        #expect(preview.text.contains("confirmation asked by: confirmation.rules[0]"))
        let prod = try await Self.submitted(server, namespace: "payments-prod", labels: "team: payments")
        let suspend = try await server.call("suspend_workflow", ["name": .string(prod), "namespace": "payments-prod"])
        #expect(suspend.structuredContent?.objectValue?["confirmation_token"]?.stringValue != nil)

        // Elsewhere a mutating call needs nothing; a labelled one's delete is denied to a host without a dialog,
        // with no token handed out; an unlabelled one's delete gets the usual preview and token.
        let labelled = try await Self.submitted(server, namespace: "argo", labels: "team: payments")
        let plain = try await Self.submitted(server, namespace: "argo", labels: "team: data")
        let suspended = try await server.call("suspend_workflow", ["name": .string(plain)])
        #expect(suspended.isError == false && suspended.structuredContent?.objectValue?["confirmation_token"] == nil)
        for (name, namespace) in [(prod, "payments-prod"), (labelled, "argo")] {
            let denied = try await server.call(
                "delete_workflow", ["name": .string(name), "namespace": .string(namespace)])
            #expect(denied.isError == true)
            #expect(denied.text.contains("confirmation.rules[1]") && denied.text.contains("deny"), "\(denied.text)")
            #expect(denied.structuredContent?.objectValue?["confirmation_token"] == nil)
        }
        let ordinary = try await server.call("delete_workflow", ["name": .string(plain)])
        let ordinaryPreview = ordinary.structuredContent?.objectValue
        #expect(ordinaryPreview?["confirmation_token"]?.stringValue != nil, "\(ordinary.text)")
        #expect(ordinaryPreview?["confirmation_required_by"] == ["confirmation.require"])

        // MCP 2026-07-28 over HTTP: the same rules, a client without forms gets the same refusal.
        if let http = server as? HTTPServerProcess {
            let auth = ("Authorization", "Bearer \(try #require(http.bearerToken))")
            let call =
                #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{\#(ModernScenarioTests.meta),"name":"delete_workflow","arguments":{"name":"\#(prod)","namespace":"payments-prod"}}}"#
            let modern = try await Wire.post(
                http.url, call, headers: [auth] + ModernScenarioTests.headers("tools/call", name: "delete_workflow"))
            #expect(modern.body.contains(#""isError":true"#) && modern.body.contains("confirmation.rules[1]"))
        }
        _ = await server.stop()
    }

    @Test(
        "a host with a dialog is asked for a rule's call, whatever the rule's fallback",
        arguments: [TransportKind.stdio, .http])
    func rulesAskTheHost(_ transport: TransportKind) async throws {
        let asked = ElicitationScenarioTests.Asked()
        let server = try await transport.start(
            ["serve", "--simulator", "--config", try Self.rulesConfig()],
            elicitation: ElicitationScenarioTests.answering(true, asked))
        _ = try await server.connect()
        let labelled = try await Self.submitted(server, namespace: "argo", labels: "team: payments")
        // Once it runs: a workflow that starts while the dialog is open is refused (its state changed).
        #expect(try await server.phase(of: labelled, becomes: "Running") == "Running")
        let deleted = try await server.call("delete_workflow", ["name": .string(labelled)])
        #expect(deleted.isError == false, "\(deleted.text)")
        let messages = await asked.messages
        #expect(messages.count == 1 && messages.first?.contains("delete_workflow argo/\(labelled)") == true)
        _ = await server.stop()
    }

    /// A config file giving alice her own limits, and everyone else `limits.*`.
    static func fairUseConfig(_ yaml: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-limits-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// A stateless JSON-RPC request of `caller` (2025-11-25, each POST on its own).
    static func call(
        _ url: String, _ caller: HTTPServerProcess.BearerCaller, _ id: Int, _ tool: String, _ arguments: String
    ) async throws -> (status: Int, headers: [String: String], body: String) {
        try await Wire.post(
            url,
            #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#,
            headers: [("Authorization", "Bearer \(caller.token)"), ("MCP-Protocol-Version", "2025-11-25")],
            timeout: .seconds(60))
    }

    @Test(
        "fair use: a caller over its calls, mutations or concurrent calls gets 429 with Retry-After and an MCP error before any work; other callers are served; listings are free; /metrics counts it"
    )
    func fairUse() async throws {
        let alice = HTTPServerProcess.BearerCaller(name: "alice", token: "amt_alice-\(UUID().uuidString)")
        let bob = HTTPServerProcess.BearerCaller(name: "bob", token: "amt_bob-\(UUID().uuidString)", groups: ["ops"])
        let carol = HTTPServerProcess.BearerCaller(name: "carol", token: "amt_carol-\(UUID().uuidString)")
        let config = try Self.fairUseConfig(
            """
            limits:
              callsPerMinute: 4
              concurrentCalls: 1
              callers: {alice: {mutationsPerMinute: 1}}
              groups: {ops: {callsPerMinute: 100, concurrentCalls: 4}}
            confirmation: {require: [destructive]}
            """)
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--config", config], environment: ["ARGO_MCP_HTTP_SESSIONS": "stateless"],
            callers: [alice, bob, carol])

        // Alice: one suspend is her minute's mutation; the second is refused before it reaches the workflow.
        let first = try await Self.call(server.url, alice, 1, "suspend_workflow", #"{"name":"ingest-events-q9z4m"}"#)
        #expect(first.status == 200 && !first.body.contains(#""isError":true"#), "\(first.body.prefix(300))")
        let second = try await Self.call(server.url, alice, 2, "resume_workflow", #"{"name":"ingest-events-q9z4m"}"#)
        #expect(second.status == 429, "\(second.body)")
        #expect(second.headers["retry-after"].flatMap(Int.init).map { $0 >= 1 && $0 <= 60 } == true)
        #expect(second.body.contains("-32029") && second.body.contains("limits.callers.alice.mutationsPerMinute"))
        #expect(second.body.contains(#""id":2"#), "the error answers the request")

        // Her four calls of the minute (the refused one took none): three more reads pass, the next is refused; a
        // listing never counts.
        for id in 3...5 {
            let read = try await Self.call(server.url, alice, id, "get_workflow", #"{"name":"nightly-etl-7x2kq"}"#)
            #expect(read.status == 200, "\(read.body.prefix(200))")
        }
        let over = try await Self.call(server.url, alice, 6, "get_workflow", #"{"name":"nightly-etl-7x2kq"}"#)
        #expect(over.status == 429 && over.body.contains("limits.callsPerMinute"), "\(over.body)")
        let modern = try await Wire.post(
            server.url,
            #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{\#(ModernScenarioTests.meta),"name":"get_workflow","arguments":{"name":"nightly-etl-7x2kq"}}}"#,
            headers: [("Authorization", "Bearer \(alice.token)")]
                + ModernScenarioTests.headers("tools/call", name: "get_workflow"))
        #expect(modern.status == 429 && modern.body.contains("-32029"), "the same limits over 2026-07-28")
        let list = try await Wire.post(
            server.url, #"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{}}"#,
            headers: [("Authorization", "Bearer \(alice.token)"), ("MCP-Protocol-Version", "2025-11-25")])
        #expect(list.status == 200)
        // The workflow is as her one suspend left it.
        let state = try await Self.call(server.url, bob, 8, "get_workflow", #"{"name":"ingest-events-q9z4m"}"#)
        #expect(state.body.contains("suspended"), "\(state.body.prefix(400))")

        // Bob (group ops: 100 a minute, 4 at once) is served throughout, also while alice is refused.
        for id in 10..<20 {
            let read = try await Self.call(server.url, bob, id, "get_workflow", #"{"name":"nightly-etl-7x2kq"}"#)
            #expect(read.status == 200)
        }

        // Concurrent calls: the default allows one at once. Carol's watch holds her place; her second call is
        // refused until it ends.
        let url = server.url
        let watch = Task {
            try await Self.call(
                url, carol, 30, "watch_workflow", #"{"name":"release-approval-r4t8w","timeout_seconds":4}"#)
        }
        try await Task.sleep(for: .milliseconds(800))
        let busy = try await Self.call(server.url, carol, 31, "get_workflow", #"{"name":"nightly-etl-7x2kq"}"#)
        #expect(busy.status == 429 && busy.body.contains("limits.concurrentCalls"), "\(busy.body)")
        #expect(busy.headers["retry-after"] == "1")
        let watched = try await watch.value
        #expect(watched.status == 200, "\(watched.body.prefix(300))")
        let after = try await Self.call(server.url, carol, 32, "get_workflow", #"{"name":"nightly-etl-7x2kq"}"#)
        #expect(after.status == 200, "the watch gave its place back: \(after.body.prefix(300))")
        let metrics = try await HTTPTransportScenarioTests.get(
            server.url.replacingOccurrences(of: "/mcp", with: "/metrics"))
        #expect(HTTPHardeningScenarioTests.sample(metrics.body, #"argo_mcp_rate_limited_total{limit="calls"}"#) >= 1)
        #expect(
            HTTPHardeningScenarioTests.sample(metrics.body, #"argo_mcp_rate_limited_total{limit="mutations"}"#) >= 1)
        _ = await server.stop()
    }

    @Test(
        "live reload: SIGHUP or a changed file re-reads toolsets, namespace rules, confirmation rules and callers; an open session and a call under way go on; a broken file is refused and audited, the old settings stay"
    )
    func reload() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("config.yaml")
        let tokens = directory.appendingPathComponent("tokens.yaml")
        let audit = directory.appendingPathComponent("audit.jsonl")
        let alice = HTTPServerProcess.BearerCaller(name: "alice", token: "amt_alice-\(UUID().uuidString)")
        let bob = HTTPServerProcess.BearerCaller(name: "bob", token: "amt_bob-\(UUID().uuidString)")
        try "tools: {toolsets: [workflows, logs]}\n".write(to: config, atomically: true, encoding: .utf8)
        try alice.entry.write(to: tokens, atomically: true, encoding: .utf8)
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--config", config.path],
            environment: [
                "ARGO_MCP_BEARER_TOKENS_FILE": tokens.path, "ARGO_MCP_BEARER_TOKENS": "",
                "ARGO_MCP_AUDIT_FILE": audit.path,
            ],
            callers: [alice])
        _ = try await server.connect()
        let before = Set(try await server.client.listTools().tools.map(\.name))
        #expect(before.contains("get_workflow_logs") && !before.contains("list_cron_workflows"))
        let bobBefore = try await Wire.post(
            server.url, Wire.initialize, headers: [("Authorization", "Bearer \(bob.token)")])
        #expect(bobBefore.status == 401)

        // A watch under way while the configuration changes under it.
        let client = server.client
        let watch = Task {
            try await client.send(
                CallTool.request(
                    .init(name: "watch_workflow", arguments: ["name": "release-approval-r4t8w", "timeout_seconds": 3]))
            ).value
        }
        try await Task.sleep(for: .milliseconds(300))

        // SIGHUP: other toolsets, a namespace denied, a confirmation rule, and bob.
        try """
        tools: {toolsets: [workflows, cron]}
        namespaces: {deny: [data-team]}
        confirmation: {require: [destructive], rules: [{tools: [suspend_workflow], namespaces: [argo]}]}
        """.write(to: config, atomically: true, encoding: .utf8)
        try (alice.entry + bob.entry).write(to: tokens, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        let after = try await Self.eventually {
            Set(try await server.client.listTools().tools.map(\.name)).contains("list_cron_workflows")
        }
        #expect(after, "the open session sees the new toolsets")
        let now = Set(try await server.client.listTools().tools.map(\.name))
        #expect(!now.contains("get_workflow_logs"))
        let denied = try await server.call("list_workflows", ["namespace": "data-team"])
        #expect(denied.isError == true && denied.text.contains("data-team"), "\(denied.text)")
        let suspend = try await server.call("suspend_workflow", ["name": "ingest-events-q9z4m"])
        #expect(suspend.structuredContent?.objectValue?["confirmation_token"]?.stringValue != nil, "\(suspend.text)")
        let bobAfter = try await Wire.post(
            server.url, Wire.initialize, headers: [("Authorization", "Bearer \(bob.token)")])
        #expect(bobAfter.status == 200, "bob's token is read from the reloaded tokens file")
        let watched = try await watch.value
        #expect(watched.isError != true, "the call under way finished: \(watched.content)")

        // A broken file (a misspelt key) is refused; what is in force stays. No signal: the file's change is seen.
        try "tools: {toolset: [logs]}\n".write(to: config, atomically: true, encoding: .utf8)
        let refused = try await Self.eventually {
            ((try? String(contentsOf: audit, encoding: .utf8)) ?? "").contains(#""decision":"refused""#)
        }
        #expect(refused, "the broken file's reload is audited as refused")
        #expect(Set(try await server.client.listTools().tools.map(\.name)).contains("list_cron_workflows"))

        let records = ((try? String(contentsOf: audit, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.contains(#""tool":"reload""#) }
        // The signal, or the files' change seen first (then the signal finds the rest): one or two reloads.
        #expect(records.filter { $0.contains(#""decision":"refused""#) }.count == 1, "\(records)")
        let reloaded = records.filter { $0.contains(#""decision":"reloaded""#) }.joined(separator: "\n")
        #expect(!reloaded.isEmpty)
        #expect(reloaded.contains("tools.toolsets") && reloaded.contains("namespaces.deny"), "\(reloaded)")
        #expect(reloaded.contains("+bob") && !reloaded.contains(bob.token), "\(reloaded)")
        let log = await server.stop()
        #expect(log.contains("configuration reload refused") && log.contains("did you mean"), "\(log.suffix(2000))")
    }

    /// Whether `check` holds within `seconds`, polled.
    static func eventually(within seconds: Double = 10, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        return false
    }
}
