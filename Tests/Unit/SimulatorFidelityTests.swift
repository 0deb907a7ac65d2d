import ArgoHTTP
import Domain
import Foundation
import Logging
import Ports
import Testing

@testable import ArgoSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The simulator behaves as Argo's source says (each case names the upstream function in the simulator's comments),
/// in process and through its REST face with the live adapter.
@Suite("Simulator fidelity: behaviour read from Argo's source", .timeLimit(.minutes(2)))
struct SimulatorFidelityTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A running workflow with two started pods (the second starts 0.25 s after the first, so their lines
    /// interleave), one pending pod, and `podGC` as given.
    static func workflow(name: String = "logs-wf", phase: String = "Running", podGC: String? = nil) -> JSONValue {
        func pod(_ id: String, _ phase: String, _ started: String?) -> JSONValue {
            var node: [String: JSONValue] = [
                "id": .string("\(name)-\(id)"), "name": .string("\(name).\(id)"), "displayName": .string(id),
                "type": "Pod", "templateName": "work", "phase": .string(phase),
            ]
            if let started { node["startedAt"] = .string(started) }
            return .object(node)
        }
        var spec: [String: JSONValue] = ["entrypoint": "main"]
        if let podGC { spec["podGC"] = .object(["strategy": .string(podGC)]) }
        return .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": .object([
                "name": .string(name), "namespace": "argo", "uid": .string("uid-\(name)"),
                "annotations": .object([ArgoLabels.podNameFormat: "v2"]),
            ]),
            "spec": .object(spec),
            "status": .object([
                "phase": .string(phase), "startedAt": "2026-11-25T10:00:00Z",
                "nodes": .object([
                    "\(name)-a": pod("a", "Succeeded", "2026-11-25T10:00:00Z"),
                    "\(name)-b": pod("b", "Failed", "2026-11-25T10:00:00Z"),
                    "\(name)-c": pod("c", "Pending", nil),
                ]),
            ]),
        ])
    }

    static func simulator(_ objects: [JSONValue] = [], shutdownDelay: Duration = .milliseconds(300)) async throws
        -> ArgoSimulator
    {
        let sim = ArgoSimulator(logLinesPerPod: 6, shutdownDelay: shutdownDelay)
        for object in objects { try await sim.load(object) }
        return sim
    }

    func withHTTP(_ sim: ArgoSimulator, sse: Bool = false, _ body: (ArgoHTTPGateway) async throws -> Void)
        async throws
    {
        let (port, task) = try await ArgoHTTPLoopbackTests.serve(sim)
        defer { task.cancel() }
        let connection = ArgoConnection(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, requestTimeoutSeconds: 10, preferSSE: sse)
        try await ArgoHTTPGateway.with(connection, logger: Self.logger) { try await body($0) }
    }

    static func read(_ gateway: any ArgoGateway, _ query: LogQuery) async throws -> [LogEntry] {
        var out: [LogEntry] = []
        for try await entry in gateway.workflowLogs(query) { out.append(entry) }
        return out
    }

    // MARK: Logs (util/logs/workflow-logger.go WorkflowLogs)

    @Test("logs: unknown pod or container give no lines, pending pods none, lines ordered by time, blank lines kept")
    func logs() async throws {
        let sim = try await Self.simulator([Self.workflow()])
        for gateway in [SimulatedArgoGateway(simulator: sim) as any ArgoGateway] {
            let all = try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "logs-wf"))
            let pods = Set(all.map(\.podName))
            #expect(pods == ["logs-wf-work-a", "logs-wf-work-b"], "the pending pod has no log")
            // Interleaved by time, not pod after pod.
            #expect(all.prefix(4).map(\.podName) != Array(repeating: "logs-wf-work-a", count: 4))
            #expect(all.contains { $0.content.isEmpty }, "the failed pod's blank line")
            #expect(
                try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "logs-wf", podName: "nope"))
                    .isEmpty)
            let missing = await #expect(throws: ArgoError.self) {
                _ = try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "no-such-wf"))
            }
            #expect(missing?.hint?.contains("workflow argo/no-such-wf was not found") == true)
            #expect(
                try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "logs-wf", container: "sidecar"))
                    .isEmpty)
            let stamped = try await Self.read(
                gateway, LogQuery(namespace: "argo", workflowName: "logs-wf", timestamps: true))
            #expect(stamped.first?.content.hasPrefix("2026-11-25T10:00:00.000000000Z ") == true)
        }
        try await withHTTP(sim) { gateway in
            let lines = try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "logs-wf"))
            #expect(lines.contains { $0.content.isEmpty }, "a blank line crosses the REST face")
            let missing = await #expect(throws: ArgoError.self) {
                _ = try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "no-such-wf"))
            }
            #expect(missing?.kind == .notFound)
            #expect(missing?.hint?.contains("workflow argo/no-such-wf was not found") == true)
        }
    }

    @Test("logs: pods podGC has deleted have no lines")
    func podGC() async throws {
        let sim = try await Self.simulator([
            Self.workflow(name: "gc-success", podGC: "OnPodSuccess"),
            Self.workflow(name: "gc-done", phase: "Failed", podGC: "OnWorkflowCompletion"),
        ])
        let gateway = SimulatedArgoGateway(simulator: sim)
        let pods = Set(
            try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "gc-success")).map(\.podName))
        #expect(pods == ["gc-success-work-b"])
        #expect(try await Self.read(gateway, LogQuery(namespace: "argo", workflowName: "gc-done")).isEmpty)
    }

    @Test("grep: what Go's regexp rejects is Argo's Internal error with Go's words; RE2 syntax matches")
    func grep() async throws {
        let cases: [(String, String)] = [
            ("(", "error parsing regexp: missing closing ): `(`"),
            ("a)", "error parsing regexp: unexpected ): `a)`"),
            ("[a", "error parsing regexp: missing closing ]: `[a`"),
            ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
            ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
            (#"(a)\1"#, #"error parsing regexp: invalid escape sequence: `\1`"#),
            ("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
            ("(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"),
            ("(?P<1-x>a)", "error parsing regexp: invalid named capture: `(?P<1-x>`"),
            ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
            ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
            (#"a\"#, "error parsing regexp: trailing backslash at end of expression: ``"),
        ]
        for (pattern, message) in cases {
            #expect(throws: GoRegexp.ParseError.self, "\(pattern)") { _ = try GoRegexp(pattern) }
            do {
                _ = try GoRegexp(pattern)
            } catch {
                #expect("\(error)" == message)
            }
        }
        for valid in ["ERROR|WARN", #"batch \d+"#, "(?i)error", "(?P<n>a)", "a{2,3}", "[[:alpha:]]+", "x*?", #"\Q(\E"#]
        {
            #expect(throws: Never.self, "\(valid)") { _ = try GoRegexp(valid) }
        }
        #expect(try GoRegexp("(?P<n>err)or").matches("an error"))

        let sim = try await Self.simulator([Self.workflow()])
        let error = await #expect(throws: ArgoError.self) {
            _ = try await Self.read(
                SimulatedArgoGateway(simulator: sim), LogQuery(namespace: "argo", workflowName: "logs-wf", grep: "("))
        }
        #expect(error?.grpcCode == 13)
        #expect(error?.httpStatus == 500)
        #expect(error?.message == #"failed to compile "(": error parsing regexp: missing closing ): `(`"#)
    }

    // MARK: Shutdown and retry (workflow/util/util.go)

    @Test(
        "terminate answers Running with spec.shutdown and the workflow fails afterwards; retry follows upstream's rules"
    )
    func shutdownAndRetry() async throws {
        let sim = try await Self.simulator(
            [try Fixtures.json("running-hello-world-api.json"), try Fixtures.json("succeeded-hello-world-api.json")])
        let gateway = SimulatedArgoGateway(simulator: sim)
        let answer = try await gateway.terminateWorkflow(namespace: "workflows", name: "hello-world-9tql2-run")
        #expect(answer.status.phase == .running)
        #expect(answer.spec.shutdown == "Terminate")
        try await Task.sleep(for: .milliseconds(400))
        let after = try await gateway.getWorkflow(namespace: "workflows", name: "hello-world-9tql2-run", fields: nil)
        #expect(after.status.phase == .failed)
        #expect(after.status.nodes.values.allSatisfy { $0.phase?.isActive != true })

        let plain = await #expect(throws: ArgoError.self) {
            _ = try await gateway.retryWorkflow(
                namespace: "workflows", name: "hello-world-9tql2", restartSuccessful: false, nodeFieldSelector: nil,
                parameters: [])
        }
        #expect(plain?.grpcCode == 3)
        #expect(
            plain?.message == "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector")
        let suspend = await #expect(throws: ArgoError.self) {
            _ = try await gateway.suspendWorkflow(namespace: "workflows", name: "hello-world-9tql2")
        }
        #expect(suspend?.grpcCode == 3)
        #expect(suspend?.message == "cannot suspend completed workflows")
        let retried = try await gateway.retryWorkflow(
            namespace: "workflows", name: "hello-world-9tql2", restartSuccessful: true,
            nodeFieldSelector: "templateName=whalesay", parameters: [])
        #expect(retried.status.phase == .running)
        // The retried run is no longer the archived one (createNewRetryWorkflow drops the archiving status).
        #expect(retried.archiving == .unlabelled)
    }

    // MARK: Get and lists (server/workflow/workflow_server.go getWorkflow, ListWorkflows)

    @Test("get falls back to the archive; lists merge archived rows after live ones with offset tokens")
    func archiveFallbackAndMergedLists() async throws {
        let sim = try await Self.simulator()
        for i in 0..<3 {
            await sim.add(
                generated: WorkflowGenerator(name: "live-\(i)", namespace: "argo", nodeCount: 5, seed: UInt64(i + 1)))
            await sim.addArchived(
                generated: WorkflowGenerator(
                    name: "old-\(i)", namespace: "argo", nodeCount: 5, seed: UInt64(i + 11),
                    startedAt: Date(timeIntervalSince1970: 1_767_000_000)))
        }
        let gateway = SimulatedArgoGateway(simulator: sim)
        let copy = try await gateway.getWorkflow(namespace: "argo", name: "old-1", fields: nil)
        #expect(copy.isArchivedCopy)
        #expect(!copy.status.nodes.isEmpty, "a get answers the whole archived object")

        var names: [String] = []
        var tokens: [String] = []
        var token: String?
        repeat {
            let page = try await gateway.listWorkflows(
                WorkflowListQuery(namespace: "argo", limit: 4, continueToken: token))
            names += page.items.map(\.metadata.name)
            token = page.continueToken
            if let token { tokens.append(token) }
        } while token != nil
        // The three live workflows completed and were archived, so Argo's live store leaves them out
        // (`sqlite_store.go`): six rows, all from the archive, none twice; page two starts at offset 4.
        #expect(tokens == ["4"])
        #expect(names.count == 6)
        #expect(names.prefix(3).allSatisfy { $0.hasPrefix("live-") })
        #expect(names.suffix(3).allSatisfy { $0.hasPrefix("old-") })

        // A list row from the archive has only the archive's columns.
        let rows = try await gateway.listWorkflows(WorkflowListQuery(namespace: "argo", nameContains: "old-"))
        #expect(rows.items.count == 3)
        #expect(rows.items.allSatisfy { $0.status.nodes.isEmpty && $0.isArchivedCopy })

        // v4 without ext.showRemainingItemCount: `continue` only when the archive alone has more.
        // Three live and three archived rows, limit 2: the archive has a row at offset 0 + 2, so "more".
        let meta = try JSONValue.decode(try await sim.listWorkflowsJSON(.init(namespace: "argo", limit: 2)))["metadata"]
        #expect(meta?["continue"] == "2")
        #expect(meta?["remainingItemCount"] == nil)
        let noArchive = try await Self.simulator()
        for i in 0..<5 {
            await noArchive.add(
                generated: WorkflowGenerator(name: "w-\(i)", namespace: "argo", nodeCount: 3, seed: UInt64(i + 1)))
        }
        await noArchive.disableArchive()
        let v4 = try JSONValue.decode(try await noArchive.listWorkflowsJSON(.init(namespace: "argo", limit: 2)))
        #expect(v4[path: "metadata.continue"] == nil, "no archive: a v4 server never pages without the count")
        let counted = try JSONValue.decode(
            try await noArchive.listWorkflowsJSON(.init(namespace: "argo", limit: 2, showRemainingItemCount: true)))
        #expect(counted[path: "metadata.continue"] == "2")
        #expect(counted[path: "metadata.remainingItemCount"] == .int(3))

        // An empty list is Go's nil slice: `"items":null`.
        let empty = try await sim.listWorkflowsJSON(.init(namespace: "nobody", fields: "metadata,items.metadata.name"))
        #expect(String(decoding: empty, as: UTF8.self).contains(#""items":null"#))
        #expect(try await gateway.listWorkflows(WorkflowListQuery(namespace: "nobody")).items.isEmpty)
        let bad = await #expect(throws: ArgoError.self) {
            _ = try await gateway.listWorkflows(WorkflowListQuery(namespace: "argo", continueToken: "abc"))
        }
        #expect(bad?.message == "listOptions.continue must be int")
    }

    @Test("CronWorkflow and template lists page with Kubernetes' opaque continue token")
    func kubernetesContinue() async throws {
        let sim = try await Self.simulator()
        try await sim.loadDemoData()
        let gateway = SimulatedArgoGateway(simulator: sim)
        let first = try await gateway.listCronWorkflows(DefinitionListQuery(namespace: "argo", limit: 1))
        let token = try #require(first.continueToken)
        #expect(Int(token) == nil, "not an offset")
        let second = try await gateway.listCronWorkflows(
            DefinitionListQuery(namespace: "argo", limit: 1, continueToken: token))
        #expect(second.items.first?.metadata.name != first.items.first?.metadata.name)
        let bad = await #expect(throws: ArgoError.self) {
            _ = try await gateway.listCronWorkflows(
                DefinitionListQuery(namespace: "argo", limit: 1, continueToken: "5"))
        }
        #expect(bad?.kind == .invalidArgument)
    }

    // MARK: Watch (WatchWorkflows)

    @Test("watch: unknown is 404, DELETED carries the object, a compacted version is expired, Argo ends watches")
    func watch() async throws {
        let sim = ArgoSimulator(watchLifetime: .milliseconds(300))
        try await sim.load(try Fixtures.json("running-hello-world-api.json"))
        try await withHTTP(sim) { gateway in
            let missing = await #expect(throws: ArgoError.self) {
                for try await _ in gateway.watchWorkflow(namespace: "workflows", name: "nope", resourceVersion: nil) {}
            }
            #expect(missing?.kind == .notFound)

            // Argo ends the watch after a while: a clean end, with the current state first.
            var types: [String] = []
            for try await event in gateway.watchWorkflow(
                namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: nil)
            {
                types.append(event.type)
            }
            #expect(types == ["ADDED"])

            await sim.compactHistory()
            let expired = await #expect(throws: ArgoError.self) {
                for try await _ in gateway.watchWorkflow(
                    namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: "1")
                {}
            }
            #expect(expired?.kind == .expired)
            #expect(expired?.message.hasPrefix("too old resource version: 1 (") == true)
        }
        let deleting = try await Self.simulator([try Fixtures.json("running-hello-world-api.json")])
        let gateway = SimulatedArgoGateway(simulator: deleting)
        let (subscribed, signal) = AsyncStream<Void>.makeStream()
        let events = Task {
            var out: [WorkflowEvent] = []
            for try await event in gateway.watchWorkflow(
                namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: nil)
            {
                out.append(event)
                signal.yield()
                if event.type == "DELETED" { break }
            }
            return out
        }
        // Delete once the watch has its first event (it is subscribed by then).
        var waiting = subscribed.makeAsyncIterator()
        _ = await waiting.next()
        try await deleting.delete(namespace: "workflows", name: "hello-world-9tql2-run")
        let seen = try await events.value
        #expect(seen.last?.type == "DELETED")
        #expect(seen.last?.workflow.metadata.name == "hello-world-9tql2-run")
    }

    @Test("watch_workflow relists after an expired version and does not count Argo's periodic ends as failures")
    func watchRelists() async throws {
        let sim = ArgoSimulator(watchLifetime: .milliseconds(100))
        await sim.addEvolving(generated: WorkflowGenerator(name: "evolving", namespace: "argo", nodeCount: 6), steps: 8)
        let gateway = SimulatedArgoGateway(simulator: sim)
        let ticking = Task { await sim.runEvolutions(tick: .milliseconds(300)) }
        defer { ticking.cancel() }
        // Compactions keep coming, so some reconnection resumes from a version the cluster has forgotten.
        let compacting = Task {
            for _ in 0..<20 {
                try? await Task.sleep(for: .milliseconds(50))
                await sim.compactHistory()
            }
        }
        defer { compacting.cancel() }
        let watch = WatchWorkflow(ArgoContext(gateway: gateway, defaultNamespace: "argo"), backoff: .milliseconds(10))
        // The bound is generous: with the test process busy with other suites, ticks can be late; what is asserted is
        // how the watch ends, not how fast.
        let result = try await watch.watch(namespace: "argo", name: "evolving", timeoutSeconds: 90, onUpdate: { _ in })
        // Five failures in a row would have ended the watch with an error; the periodic ends are not failures,
        // and the expired version was dropped rather than retried.
        #expect(result.endedBy == "completed")
        #expect(result.reconnects >= 2, "Argo ended the stream at least twice")
        #expect(await sim.expiredWatches >= 1, "the watch resumed from a compacted version")
    }

    // MARK: Submit (SubmitWorkflow, NewWorkflowFromWorkflowTemplate, ApplySubmitOpts)

    @Test("submit from a template refers to it, takes undeclared parameters, and refuses an unknown kind")
    func submit() async throws {
        let sim = try await Self.simulator()
        try await sim.loadDemoData()
        let created = try JSONValue.decode(
            try await sim.submit(
                namespace: "argo", from: .workflowTemplate, name: "etl-pipeline",
                options: SubmitOptions(parameters: ["target=lake", "undeclared=yes"])))
        #expect(created[path: "spec.workflowTemplateRef.name"] == "etl-pipeline")
        #expect(created[path: "spec.templates"] == nil, "nothing is inlined")
        let params = created[path: "spec.arguments.parameters"]?.array ?? []
        #expect(params.contains { $0["name"] == "target" && $0["value"] == "lake" })
        #expect(params.contains { $0["name"] == "undeclared" && $0["value"] == "yes" })
        #expect(created[path: "metadata.labels"]?[ArgoLabels.workflowTemplate] == "etl-pipeline")
        let bad = await #expect(throws: ArgoError.self) { _ = try ArgoSimulator.submitKind("Workflow") }
        #expect(bad?.httpStatus == 400)
        #expect(bad?.message == "Resource kind 'Workflow' is not supported for submitting")
        #expect(try ArgoSimulator.submitKind("wftmpl") == .workflowTemplate)
        #expect(try ArgoSimulator.submitKind("cwftmpl") == .clusterWorkflowTemplate)
    }

    // MARK: The REST face's bytes (argoproj/pkg forwarders.go, grpc-gateway v1.16)

    @Test(
        "the REST face writes Argo's bytes: SSE frames and keepalives, stream and unary error bodies, 408 for Canceled")
    func restFaceBytes() async throws {
        #expect(Fault.httpStatus(forGRPC: 1) == 408)
        #expect(Fault.httpStatus(forGRPC: 9) == 400)
        let sim = ArgoSimulator(logLinesPerPod: 6, watchLifetime: .milliseconds(300))
        try await sim.load(Self.workflow())
        let server = SimulatorHTTPServer(
            simulator: sim, port: 0, keepaliveInterval: .milliseconds(50), logger: Self.logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { continuation.yield($0) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        func fetch(_ path: String, accept: String) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.setValue(accept, forHTTPHeaderField: "Accept")
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        let (status, sse) = try await fetch("/api/v1/workflows/argo/logs-wf/log", accept: "text/event-stream")
        #expect(status == 200)
        #expect(sse.hasPrefix(#"data: {"result":{"#))
        #expect(sse.contains("}} \n\n\n"))
        #expect(sse.contains(#"data: {"result":{"podName":"logs-wf-work-b"}} "#), "a blank line has no content")
        let (missingStatus, missing) = try await fetch("/api/v1/workflows/argo/nope/log", accept: "text/event-stream")
        #expect(missingStatus == 404)
        #expect(missing.hasPrefix(#"data: {"error":{"grpc_code":5,"http_code":404,"#))
        #expect(missing.hasSuffix(#""http_status":"Not Found"}} "# + "\n\n"))
        // grpc-gateway's matching: the empty namespace lists everything; a path no pattern matches is 501.
        #expect(try await fetch("/api/v1/workflows/", accept: "application/json").0 == 200)
        for path in ["/api/v1/workflows", "/api/v1/no-such-api"] {
            let (status, body) = try await fetch(path, accept: "application/json")
            #expect(status == 501, "\(path)")
            #expect(body == #"{"code":12,"message":"Not Implemented"}"#)
        }
        let (unaryStatus, unary) = try await fetch("/api/v1/workflows/argo/nope", accept: "application/json")
        #expect(unaryStatus == 404)
        #expect(unary == #"{"code":5,"message":"workflows.argoproj.io \"nope\" not found"}"#)
        // A quiet watch: keepalive comments, then Argo's end of the watch (gRPC 8, EOF) as an SSE error frame.
        let (_, quiet) = try await fetch(
            "/api/v1/workflow-events/argo?listOptions.fieldSelector=metadata.name%3Dlogs-wf&listOptions.resourceVersion=999999",
            accept: "text/event-stream")
        #expect(quiet.hasPrefix(":\n"))
        #expect(
            quiet.hasSuffix(
                #"data: {"error":{"grpc_code":8,"http_code":429,"message":"EOF","http_status":"Too Many Requests"}} "#
                    + "\n\n"))
    }
}
