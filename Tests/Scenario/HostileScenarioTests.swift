import Foundation
import MCP
import Testing

@testable import Fuzz

/// The whole binary against hostile objects, hostile arguments and hostile configuration.
@Suite("argo-mcp against hostile input: no crash, no hang, no stdout pollution", .serialized, .timeLimit(.minutes(6)))
struct HostileScenarioTests {
    static func seeded(chainSteps: Int = 30_000) async throws -> ServerProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-hostile-\(UUID().uuidString)")
        try HostileObjects.write(to: dir, chainSteps: chainSteps)
        let server = try await ServerProcess(
            ["serve", "--simulator", "--seed", dir.path, "--demo"],
            environment: ["ARGO_MCP_AUDIT_FILE": dir.appendingPathComponent("audit.jsonl").path])
        _ = try await server.connect()
        return server
    }

    @Test("a 1,000-call slice of the fuzzer: every tool, hostile arguments and objects, malformed JSON-RPC")
    func fuzzSlice() async throws {
        var campaign = FuzzCampaign(
            binary: ServerProcess.binary, calls: 1_000, seed: 20_261_125, chainSteps: 3_000, log: { _ in })
        // A hang is no answer at all. Call 970 carries ~1 MB of schedules, which swift-sdk's `Value` decoding
        // takes seconds to read (16 s measured with both cores saturated), so the bar is a minute.
        campaign.callTimeout = 60
        let report = try await campaign.runDetached()
        #expect(report.calls == 1_000)
        #expect(report.crashes == [])
        #expect(report.hangs == [])
        #expect(report.pollution == [])
        #expect(report.malformed >= 30)
        #expect(report.byTool.count >= 30, "the slice reaches (nearly) every tool")
    }

    @Test(
        "every read and diagnostic answers about hostile workflows: a 30,000-step chain, cycles, missing children, backwards and extreme dates, wrong types, Int64.max resources, empty and null status"
    )
    func hostileWorkflows() async throws {
        let server = try await Self.seeded()
        for name in HostileObjects.workflowNames {
            for (tool, extra) in [
                ("get_workflow", [:]), ("get_workflow", ["include": ["nodes"]]),
                ("get_workflow", ["include": ["json"]]),
                ("analyze_failure", [:]), ("get_workflow_metrics", [:]), ("render_workflow_graph", [:]),
                ("render_workflow_graph", ["format": "mermaid"]), ("compare_workflows", ["base": "hostile-chain"]),
                ("get_workflow_logs", [:]), ("delete_workflow", [:]),
            ] as [(String, [String: Value])] {
                var args: [String: Value] =
                    tool == "compare_workflows" ? ["other": .string(name)] : ["name": .string(name)]
                for (k, v) in extra { args[k] = v }
                let result = try await server.call(tool, args)
                // A tool error is an answer; only a crash (the call throws: the process is gone) is not.
                #expect(!result.text.isEmpty, "\(tool) \(name)")
            }
        }
        // The answers that must be successes, not errors.
        let chain = try await server.call("get_workflow", ["name": "hostile-chain"])
        #expect(chain.isError == false)
        #expect(chain.structuredContent?.objectValue?["nodeCount"] == .int(60_001))
        let metrics = try await server.call("get_workflow_metrics", ["name": "hostile-chain"])
        #expect(metrics.isError == false)
        let resources = try await server.call("get_workflow_metrics", ["name": "hostile-resources"])
        #expect(resources.isError == false)
        let backwards = try await server.call("get_workflow_metrics", ["name": "hostile-backwards"])
        #expect(backwards.text.contains("finishedAt before startedAt"))
        let list = try await server.call("list_workflows", ["limit": 100])
        #expect(list.isError == false)
        let stderr = await server.stop()
        #expect(!stderr.contains("Fatal error"))
    }

    @Test(
        "an error that quotes a huge argument is cut like any answer: each problem short, at most a dozen shown",
        arguments: TransportKind.allCases)
    func hugeArgumentErrors(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator"])
        _ = try await server.connect()
        let huge = String(repeating: "x", count: 300_000)
        let schedules = Value.array((0..<500).map { .string($0 % 10 == 0 ? huge : "bad \($0)") })
        let start = ContinuousClock.now
        let result = try await server.call("update_cron_schedule", ["name": "nightly-etl", "schedules": schedules])
        #expect(result.isError == true)
        #expect(result.rawText.utf8.count < 8_000)
        #expect(result.text.contains("more problem(s)"))
        let named = try await server.call("get_workflow", ["name": .string(huge)])
        #expect(named.isError == true)
        #expect(named.rawText.utf8.count < 2_000)
        #expect(ContinuousClock.now - start < .seconds(30))
        _ = await server.stop()
    }

    @Test(
        "the demo's own running workflow: get_workflow_metrics and every diagnostic answer while it runs",
        arguments: TransportKind.allCases)
    func runningDemo(_ transport: TransportKind) async throws {
        let server = try await transport.start(["serve", "--simulator", "--tick-ms", "20"])
        _ = try await server.connect()
        for _ in 0..<5 {
            for tool in ["get_workflow_metrics", "analyze_failure", "render_workflow_graph", "get_workflow"] {
                let result = try await server.call(tool, ["name": "deploy-canary-k2m9x"])
                #expect(result.isError == false, "\(tool): \(result.text)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = await server.stop()
    }

    @Test("hostile crons: a step near Int.max, @every past Go's limit, wrong types, an unknown zone")
    func hostileCrons() async throws {
        let server = try await Self.seeded(chainSteps: 10)
        let list = try await server.call("list_cron_workflows", ["limit": 50])
        #expect(list.isError == false)
        for name in HostileObjects.cronNames {
            #expect(list.text.contains(name))
            let get = try await server.call("get_cron_workflow", ["name": .string(name)])
            #expect(!get.text.isEmpty)
            let history = try await server.call("get_cron_history", ["name": .string(name)])
            #expect(!history.text.isEmpty)
        }
        let step = try await server.call("get_cron_workflow", ["name": "hostile-cron-step"])
        #expect(step.isError == false)
        _ = await server.stop()
    }

    @Test(
        "manifests: an unquoted Argo expression, an alias bomb and an oversized text are argument errors",
        arguments: TransportKind.allCases)
    func hostileManifests(_ transport: TransportKind) async throws {
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_MAX_MANIFEST_BYTES": "4096"])
        _ = try await server.connect()
        let unquoted = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: x-}
            spec:
              entrypoint: main
              templates:
              - name: main
                container: {image: alpine, args: [{{inputs.parameters.x}}]}
            """
        for tool in ["lint_manifest", "submit_workflow", "create_template", "create_cron_workflow"] {
            let result = try await server.call(tool, ["manifest": .string(unquoted)])
            #expect(result.isError == true)
            #expect(result.text.contains("line 8"), "\(tool): \(result.text)")
            #expect(result.text.contains("quote it"))
        }
        let start = ContinuousClock.now
        let bombed = try await server.call("lint_manifest", ["manifest": .string(HostileArguments.aliasBomb())])
        #expect(bombed.isError == true)
        #expect(bombed.text.contains("alias"))
        // Refused by its cost, not after expanding it (which would not end at all).
        #expect(ContinuousClock.now - start < .seconds(30))
        let big = try await server.call(
            "lint_manifest", ["manifest": .string(String(repeating: "a: b\n", count: 2_000))])
        #expect(big.isError == true)
        #expect(big.text.contains("ARGO_MCP_MAX_MANIFEST_BYTES"))
        _ = await server.stop()
    }

    @Test(
        "config typos, wrong types and unknown choices stop the server, naming the file, the key and the nearest key",
        arguments: [
            ("permisions:\n  readOnly: true\n", "unknown key 'permisions'; did you mean 'permissions'?"),
            ("namespaces:\n  alow: [team-a]\n", "unknown key 'namespaces.alow'; did you mean 'namespaces.allow'?"),
            ("permissions:\n  readOnly: yes please\n", "permissions.readOnly must be true or false"),
            ("confirmation:\n  mode: elicit\n", "confirmation.mode: 'elicit' is not one of token, elicitation, auto"),
            ("argo:\n  requestTimeoutSeconds: 1.5\n", "argo.requestTimeoutSeconds must be a whole number"),
            ("argo: {server: [a, b]}\n", "argo.server must be a string"),
            ("a: &a [*a]\n", "not valid YAML"),
            ("argo:\n  requestTimeoutSeconds: 99999999999999\n", "out of range"),
        ])
    func configTypos(_ text: String, _ message: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (status, stderr) = try ServerProcess.runToExit(["serve", "--config", file.path])
        #expect(status == 2)
        #expect(stderr.contains(message), "\(stderr)")
        #expect(stderr.contains(file.path))
    }
}

@Suite("The stdio transport against oversized and malformed input", .serialized, .timeLimit(.minutes(3)))
struct TransportLimitScenarioTests {
    @Test("a line over the 16 MiB limit is dropped with a parse error; the next request is answered")
    func oversizedLine() async throws {
        // On a thread of its own: the peer blocks while it waits, and must not hold a thread of the shared pool.
        try await Self.onThread {
            let peer = try StdioPeer(
                binary: ServerProcess.binary, arguments: ["serve", "--simulator"],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ARGO_") })
            defer { peer.stop() }
            _ = try FuzzCampaign(binary: ServerProcess.binary, calls: 0, seed: 1, log: { _ in }).handshake(peer)
            let huge =
                Array(#"{"jsonrpc":"2.0","id":77,"method":"ping","params":{"x":""#.utf8)
                + [UInt8](repeating: UInt8(ascii: "x"), count: 17 << 20) + Array("\"}}".utf8)
            #expect(peer.send(huge))
            #expect(peer.response(77, timeout: 2) == nil, "the oversized request itself is not answered")
            #expect(peer.send(["jsonrpc": "2.0", "id": 78, "method": "ping"]))
            #expect(peer.response(78, timeout: 20) != nil)
            #expect(peer.isRunning)
            #expect(peer.pollutionCount == 0)
        }
    }

    static func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}
