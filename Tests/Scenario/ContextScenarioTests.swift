import Foundation
import MCP
import Testing

/// Several Argo Servers from one argo-mcp: two REST simulators with different data stand in for two clusters
/// (staging: the fixtures and the demo data; prod: the demo data only), each reached with its own token; a third
/// context points where nothing listens.
@Suite("contexts: several Argo Servers side by side", .serialized, .timeLimit(.minutes(4)))
struct ContextScenarioTests {
    typealias Wire = HTTPTransportScenarioTests

    /// The two clusters, the config that serves them, and its audit file.
    final class Clusters: @unchecked Sendable {
        let staging: Process
        let prod: Process
        let config: String
        let audit: URL
        let environment: [String: String]

        init() async throws {
            // Each simulator refuses a request without its own token, as an Argo Server checking tokens does.
            let stagingURL: String
            let prodURL: String
            (staging, stagingURL) = try await Self.simulator(["--demo", "--require-authorization", "Bearer stg-token"])
            (prod, prodURL) = try await Self.simulator(["--require-authorization", "Bearer prd-token"], seeded: false)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "argo-mcp-contexts-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // prod's token is a mounted file holding the bare token; staging's is in the environment.
            let tokenFile = folder.appendingPathComponent("prod-token")
            try "prd-token\n".write(to: tokenFile, atomically: true, encoding: .utf8)
            audit = folder.appendingPathComponent("audit.jsonl")
            let file = folder.appendingPathComponent("config.yaml")
            try """
            defaultContext: staging
            logging: {auditFile: \(audit.path)}
            confirmation: {require: [mutating]}
            contexts:
              staging:
                description: staging cluster
                argo: {server: "\(stagingURL)", tokenEnv: STAGING_ARGO_TOKEN}
                permissions: {readOnly: false, allowMutations: true, allowDestructive: true}
              prod:
                description: production, read-only
                argo: {server: "\(prodURL)", tokenFile: \(tokenFile.path)}
              prod-ops:
                description: production, for operators
                argo: {server: "\(prodURL)", tokenFile: \(tokenFile.path)}
                permissions: {readOnly: false, allowMutations: true}
              dead:
                argo: {server: "http://127.0.0.1:1", requestTimeoutSeconds: 5}
              # prod again, with namespace rules per caller: the scenario's bearer caller may not see argo there.
              fenced:
                argo: {server: "\(prodURL)", tokenFile: \(tokenFile.path)}
                namespaces:
                  callers:
                    scenario: {allow: ["*"], deny: [argo]}
            """.write(to: file, atomically: true, encoding: .utf8)
            config = file.path
            environment = ["STAGING_ARGO_TOKEN": "Bearer stg-token"]
        }

        /// `argo-mcp simulator --port 0` and the URL it printed.
        static func simulator(_ extra: [String], seeded: Bool = true) async throws -> (Process, String) {
            let process = Process()
            process.executableURL = ServerProcess.binary
            process.arguments =
                ["simulator", "--port", "0"] + (seeded ? ["--seed", LiveChainScenarioTests.fixtures.path] : []) + extra
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = await ServerProcess.firstLine(of: out.fileHandleForReading)
            return (process, line.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        /// The audit records written so far.
        func records() throws -> [[String: Any]] {
            let text = (try? String(contentsOf: audit, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }

        func stop() {
            for process in [staging, prod] where process.isRunning { process.terminate() }
        }

        deinit { stop() }
    }

    /// A WorkflowTemplate `promo-tpl` whose one step runs `image`.
    static func template(image: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: promo-tpl, labels: {team: data}}
        spec:
          entrypoint: main
          templates:
            - name: main
              container: {image: "\(image)", command: [echo, promoted]}
        """
    }

    static func object(_ result: CallTool.Result) -> [String: Value] { result.structuredContent?.objectValue ?? [:] }

    @Test(
        "reads in each context, across contexts, a dead context noted, prod's ceiling, and no token crossing contexts, over stdio and HTTP",
        arguments: [TransportKind.stdio, .http])
    func contexts(_ transport: TransportKind) async throws {
        let clusters = try await Clusters()
        defer { clusters.stop() }
        let server = try await transport.start(
            ["serve", "--config", clusters.config], environment: clusters.environment)
        _ = try await server.connect()

        // The tool list: every tool takes context; terminate says where it changes things.
        let tools = try await server.client.listTools().tools
        let terminate = try #require(tools.first { $0.name == "terminate_workflow" })
        #expect(
            terminate.description?.contains(
                "Changes Argo only in context staging; refused in dead, fenced, prod, prod-ops")
                == true, "\(terminate.description ?? "")")
        let listSchema = tools.first { $0.name == "list_workflows" }?.inputSchema.objectValue?["properties"]?
            .objectValue
        #expect(listSchema?["context"]?.objectValue?["enum"] == ["dead", "fenced", "prod", "prod-ops", "staging"])
        #expect(listSchema?["all_contexts"] != nil)

        // list_contexts: each with its server, whether it answers, and what it allows.
        let contexts = Self.object(try await server.call("list_contexts"))
        #expect(contexts["default_context"] == "staging")
        let rows = Dictionary(
            uniqueKeysWithValues: (contexts["contexts"]?.arrayValue ?? []).compactMap { row in
                row.objectValue.flatMap { o in o["name"]?.stringValue.map { ($0, o) } }
            })
        #expect(rows.keys.sorted() == ["dead", "fenced", "prod", "prod-ops", "staging"])
        #expect(rows["staging"]?["reachable"] == true && rows["prod"]?["reachable"] == true)
        #expect(rows["dead"]?["reachable"] == false)
        #expect(rows["dead"]?["error"]?.stringValue?.contains("127.0.0.1:1") == true)
        #expect(rows["prod"]?["policy"]?.objectValue?["allowedUpTo"] == "read-only")
        #expect(rows["staging"]?["policy"]?.objectValue?["allowedUpTo"] == "destructive")
        #expect(rows["prod-ops"]?["policy"]?.objectValue?["allowedUpTo"] == "mutating")
        #expect(rows["staging"]?["default"] == true && rows["prod"]?["description"] == "production, read-only")

        // Different data: the fixtures are in staging only, the demo data in both.
        let inStaging = try await server.call("get_workflow", ["name": "fail-two-nested-dag-suspend"])
        #expect(inStaging.isError == false && Self.object(inStaging)["phase"] == "Failed", "\(inStaging.text)")
        let inProd = try await server.call(
            "get_workflow", ["name": "fail-two-nested-dag-suspend", "context": "prod"])
        #expect(inProd.isError == true && inProd.text.contains("notFound"), "\(inProd.text)")
        let stagingCount = Self.object(
            try await server.call("list_workflows", ["all_namespaces": true, "limit": 200]))["count"]?.intValue
        let prodCount = Self.object(
            try await server.call("list_workflows", ["all_namespaces": true, "limit": 200, "context": "prod"]))[
                "count"]?.intValue
        #expect(stagingCount != nil && prodCount != nil && stagingCount != prodCount)

        // Across contexts: every context's rows, the dead one noted, not fatal.
        let merged = try await server.call(
            "list_workflows", ["all_contexts": true, "all_namespaces": true, "limit": 200])
        #expect(merged.isError == false, "\(merged.text)")
        let lists = Self.object(merged)["contexts"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(lists.map { $0["context"]?.stringValue ?? "" } == ["dead", "fenced", "prod", "prod-ops", "staging"])
        #expect(lists.first?["error"]?.stringValue?.contains("127.0.0.1:1") == true)
        #expect(lists.last?["result"]?.objectValue?["count"]?.intValue == stagingCount)
        #expect(merged.text.contains("[dead] could not be listed"))
        #expect(merged.text.contains("- [prod] argo/"), "\(merged.text.prefix(600))")
        let health = Self.object(try await server.call("health_check"))
        #expect(health["healthy"] == false)
        #expect(health["contexts"]?.arrayValue?.count == 5)
        let dead = try await server.call("get_workflow", ["name": "x", "context": "dead"])
        #expect(dead.isError == true && dead.text.contains("unavailable"), "\(dead.text)")
        let unknown = try await server.call("list_workflows", ["context": "prdo"])
        #expect(unknown.isError == true && unknown.text.contains("did you mean 'prod'"), "\(unknown.text)")

        // Compare across contexts: prod's failure against staging's last success of the same cron workflow.
        let compared = try await server.call(
            "compare_workflows",
            [
                "context": "prod", "name": "nightly-etl-1700000002", "baseline": "last_success",
                "base_context": "staging",
            ])
        #expect(compared.isError == false, "\(compared.text)")
        let sides = Self.object(compared)
        #expect(
            sides["base"]?.objectValue?["context"] == "staging" && sides["other"]?.objectValue?["context"] == "prod")
        #expect(sides["base"]?.objectValue?["phase"] == "Succeeded")
        #expect(
            compared.text.hasPrefix("base [staging] argo/nightly-etl-") && compared.text.contains("vs [prod] argo/"))
        #expect(compared.text.contains("newly failed: transform"), "\(compared.text)")

        // Namespace rules per caller within a context: over HTTP the scenario's caller may not read argo in fenced
        // (prod's data), though it may in prod; over stdio there is no caller, and the server-wide rules apply.
        let fenced = try await server.call("get_workflow", ["name": "ingest-events-q9z4m", "context": "fenced"])
        if transport == .http {
            #expect(fenced.isError == true && fenced.text.contains("in context fenced"), "\(fenced.text)")
            #expect(fenced.text.contains("bearer:scenario"), "\(fenced.text)")
        } else {
            #expect(fenced.isError == false, "\(fenced.text)")
        }

        // prod is read-only: a change there is refused with the context's own setting.
        let refused = try await server.call("suspend_workflow", ["name": "ingest-events-q9z4m", "context": "prod"])
        #expect(refused.isError == true)
        #expect(refused.text.contains("refused in context prod"), "\(refused.text)")
        #expect(refused.text.contains("contexts.prod.permissions"))
        // prod-ops allows mutating calls, not destructive ones.
        let tooFar = try await server.call("delete_workflow", ["name": "ingest-events-q9z4m", "context": "prod-ops"])
        #expect(tooFar.isError == true && tooFar.text.contains("context prod-ops allows only mutating"))

        // A token a staging preview handed out never confirms in prod-ops, even for the same call.
        let stagingPreview = try await server.call(
            "suspend_workflow", ["name": "ingest-events-q9z4m", "context": "staging"])
        let stagingToken = try #require(
            Self.object(stagingPreview)["confirmation_token"]?.stringValue, "\(stagingPreview.text)")
        // The preview says where it acts, and how to confirm it there.
        #expect(Self.object(stagingPreview)["context"] == "staging")
        #expect(stagingPreview.text.contains("suspend_workflow argo/ingest-events-q9z4m in context staging"))
        #expect(stagingPreview.text.contains("again with context staging and confirmation_token"))
        let crossed = try await server.call(
            "suspend_workflow",
            ["name": "ingest-events-q9z4m", "context": "prod-ops", "confirmation_token": .string(stagingToken)])
        #expect(crossed.isError == true)
        #expect(crossed.text.contains("issued in context staging"), "\(crossed.text)")
        // In its own context a fresh preview's token does.
        let done = try await server.callConfirmed(
            "suspend_workflow", ["name": "ingest-events-q9z4m", "context": "prod-ops"])
        #expect(done.isError == false, "\(done.text)")
        let suspended = try await server.call("get_workflow", ["name": "ingest-events-q9z4m", "context": "prod"])
        #expect(Self.object(suspended)["suspended"] == true, "\(suspended.text.prefix(400))")

        // Promotion: a template made in staging is taken into prod-ops (previewed with where it comes from, confirmed
        // under prod-ops' rules), and is then in prod too (the same Argo Server).
        let made = try await server.callConfirmed(
            "create_template", ["manifest": .string(Self.template(image: "alpine:3.19"))])
        #expect(made.isError == false, "\(made.text)")
        let promotion: [String: Value] = ["context": "prod-ops", "from_context": "staging", "from_name": "promo-tpl"]
        let promotionPreview = try await server.call("create_template", promotion)
        #expect(
            promotionPreview.text.contains("from context staging: WorkflowTemplate argo/promo-tpl"),
            "\(promotionPreview.text)")
        #expect(Self.object(promotionPreview)["confirmation_token"]?.stringValue != nil)
        let promoted = try await server.callConfirmed("create_template", promotion)
        #expect(promoted.isError == false, "\(promoted.text)")
        let inProdNow = try await server.call("get_workflow_template", ["name": "promo-tpl", "context": "prod"])
        #expect(inProdNow.isError == false && inProdNow.text.contains("alpine:3.19"), "\(inProdNow.text)")
        // Staging moves on; replacing prod's copy is destructive, which prod-ops does not allow.
        let moved = try await server.callConfirmed(
            "create_template", ["manifest": .string(Self.template(image: "alpine:3.20")), "update": true])
        #expect(moved.isError == false, "\(moved.text)")
        var replace = promotion
        replace["update"] = true
        let refusedUpdate = try await server.call("create_template", replace)
        #expect(
            refusedUpdate.isError == true && refusedUpdate.text.contains("context prod-ops"), "\(refusedUpdate.text)")
        // Back the other way, into staging, where updates are allowed: the preview is the spec diff.
        let back: [String: Value] = [
            "from_context": "prod", "from_name": "promo-tpl", "update": true,
        ]
        let diffPreview = Self.object(try await server.call("create_template", back))
        let diff = diffPreview["diff"]?.arrayValue ?? []
        #expect(
            diff.contains {
                $0.objectValue?["before"]?.stringValue?.contains("alpine:3.20") == true
                    && $0.objectValue?["after"]?.stringValue?.contains("alpine:3.19") == true
            }, "\(diffPreview)")
        #expect(diffPreview["confirmation_token"]?.stringValue != nil)

        // Audit records name the context.
        let records = try clusters.records()
        #expect(
            records.contains {
                $0["context"] as? String == "prod-ops" && $0["decision"] as? String == "refused"
                    && ($0["reason"] as? String)?.contains("issued in context staging") == true
            })
        #expect(
            records.contains { $0["context"] as? String == "prod-ops" && $0["decision"] as? String == "succeeded" })
        #expect(records.contains { $0["context"] as? String == "staging" && $0["decision"] as? String == "preview" })

        // Resources name their context; completions offer the contexts.
        let read = try await server.client.readResource(uri: "argo://prod/workflows/argo/ingest-events-q9z4m")
        #expect(read.first?.uri == "argo://prod/workflows/argo/ingest-events-q9z4m")
        #expect(read.first?.text?.contains("ingest-events-q9z4m") == true)
        await #expect(throws: (any Error).self) {
            _ = try await server.client.readResource(uri: "argo://prod/workflows/argo/fail-two-nested-dag-suspend")
        }
        let templates = try await server.client.listResourceTemplates().templates
        #expect(templates.contains { $0.uriTemplate == "argo://{context}/workflows/{namespace}/{name}" })
        let template = "argo://{context}/workflows/{namespace}/{name}"
        let completed = try await server.client.complete(
            resourceURI: template, argumentName: "context", argumentValue: "pro")
        #expect(completed.values == ["prod", "prod-ops"])
        // A name completes in the context named: the fixtures' names are staging's only.
        let inProdNames = try await server.client.complete(
            resourceURI: template, argumentName: "name", argumentValue: "fail-two",
            context: ["context": "prod", "namespace": "argo"])
        #expect(inProdNames.values.isEmpty, "\(inProdNames.values)")
        let inStagingNames = try await server.client.complete(
            resourceURI: template, argumentName: "name", argumentValue: "fail-two",
            context: ["context": "staging", "namespace": "argo"])
        #expect(inStagingNames.values.contains("fail-two-nested-dag-suspend"), "\(inStagingNames.values)")
        let prompts = try await server.client.listPrompts().prompts
        #expect(prompts.first?.arguments?.contains { $0.name == "context" } == true)
        let prompt = try await server.client.getPrompt(
            name: "why_did_this_fail", arguments: ["name": "fail-two-nested-dag-suspend", "context": "staging"])
        #expect(!prompt.messages.isEmpty)

        let stderr = await server.stop()
        #expect(!stderr.contains("stg-token") && !stderr.contains("prd-token"), "a token was logged")
    }

    @Test("the official Python client (2026-07-28 and the handshake era) and raw 2026-07-28 requests see the contexts")
    func pythonAndModern() async throws {
        let clusters = try await Clusters()
        defer { clusters.stop() }
        let server = try await HTTPServerProcess(
            ["serve", "--config", clusters.config], environment: clusters.environment,
            callers: [HTTPServerProcess.scenarioCaller])
        let token = try #require(server.bearerToken)

        // 2026-07-28 on the wire: a read in prod, a refusal in prod.
        let auth = ("Authorization", "Bearer \(token)")
        let read =
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{\#(ModernScenarioTests.meta),"name":"list_workflows","arguments":{"context":"prod","limit":2}}}"#
        let listed = try await Wire.post(
            server.url, read, headers: [auth] + ModernScenarioTests.headers("tools/call", name: "list_workflows"))
        #expect(listed.body.contains(#""isError":false"#) && listed.body.contains("ingest-events"), "\(listed.body)")
        let change =
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{\#(ModernScenarioTests.meta),"name":"stop_workflow","arguments":{"context":"prod","name":"ingest-events-q9z4m"}}}"#
        let stopped = try await Wire.post(
            server.url, change, headers: [auth] + ModernScenarioTests.headers("tools/call", name: "stop_workflow"))
        #expect(stopped.body.contains("refused in context prod"), "\(stopped.body)")

        // A request narrowed to read-only is told so per context, not what the policy would allow.
        let contexts =
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{\#(ModernScenarioTests.meta),"name":"list_contexts","arguments":{}}}"#
        let readOnly = try await Wire.post(
            server.url, contexts,
            headers: [auth, ("X-MCP-Readonly", "true")]
                + ModernScenarioTests.headers("tools/call", name: "list_contexts"))
        #expect(readOnly.body.contains(#""allowedUpTo":"read-only""#), "\(readOnly.body.prefix(800))")
        #expect(
            !readOnly.body.contains(#""allowedUpTo":"destructive""#)
                && !readOnly.body.contains(#""allowedUpTo":"mutating""#))
        let full = try await Wire.post(
            server.url, contexts, headers: [auth] + ModernScenarioTests.headers("tools/call", name: "list_contexts"))
        #expect(full.body.contains(#""allowedUpTo":"destructive""#), "\(full.body.prefix(800))")

        let python = try #require(Balancer.python, "the MCP Python SDK venv is missing (scripts/test-components.sh)")
        for mode in ["auto", "legacy"] {
            let run = try await ServerProcess.runToEnd(
                URL(fileURLWithPath: python), [Self.script.path, server.url, "--token", token, "--mode", mode],
                limit: .seconds(120))
            #expect(run.finished, "the Python client did not finish")
            #expect(run.status == 0, "the Python client failed (\(mode)): \(run.stderr.suffix(2000))")
            let out = String(decoding: run.stdout, as: UTF8.self)
            #expect(out.contains(#""ok": true"#), "\(out)")
        }
        _ = await server.stop()
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop/contexts.py")
}
