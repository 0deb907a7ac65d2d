import ArgoHTTP
import ArgoSimulator
import Foundation
import Logging
import Ports
import Testing

/// The live adapter against the simulator's REST face over a real loopback socket.
@Suite("ArgoHTTP over loopback against the simulator", .timeLimit(.minutes(2)))
struct ArgoHTTPLoopbackTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Serves `sim`'s REST face on a free loopback port; cancel the task to stop it.
    static func serve(_ sim: ArgoSimulator, port: Int = 0, keepalive: Duration = .seconds(10)) async throws -> (
        Int, Task<Void, any Error>
    ) {
        let server = SimulatorHTTPServer(simulator: sim, port: port, keepaliveInterval: keepalive, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw SimulatorError("the simulator did not start") }
        return (port, task)
    }

    /// Starts a simulator with the real fixtures and a generated workflow, serves it, runs `body`, stops it.
    func withServer(
        token: String? = nil, preferSSE: Bool = false,
        _ body: (ArgoSimulator, ArgoHTTPGateway) async throws -> Void
    ) async throws {
        let sim = ArgoSimulator(logLinesPerPod: 30)
        for file in Fixtures.workflowFiles { try await sim.load(try Fixtures.json(file)) }
        try await sim.loadSeeds(from: Fixtures.root.appendingPathComponent("cronworkflows"))
        for object in try ArgoSimulator.objects(inManifest: ArgoSimulator.demoManifests) { try await sim.load(object) }
        await sim.add(
            generated: WorkflowGenerator(name: "gen-big", namespace: "argo", nodeCount: 3_000, failureRate: 0.01))
        let (port, task) = try await Self.serve(sim)
        defer { task.cancel() }
        // 60 s, not 10: these tests are not about deadlines ("a slow server is a timeout" has its own), and the
        // in-process simulator answers on the test process's cooperative pool, which the CPU-heavy suites running
        // beside it (50,000-node diagnostics, generators) can hold for more than 10 s on a 2-core machine.
        let connection = ArgoConnection(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, token: token, requestTimeoutSeconds: 60,
            preferSSE: preferSSE)
        try await ArgoHTTPGateway.with(connection, logger: Self.logger) { gateway in try await body(sim, gateway) }
    }

    @Test("artifacts of an archived workflow by uid: /artifact-files/…/archived-workflows/, else /artifacts-by-uid/")
    func archivedArtifacts() async throws {
        for filesRoute in [true, false] {
            let sim = ArgoSimulator()
            try await sim.loadDemoData()
            await sim.setArtifactFilesRoute(filesRoute)
            let live = try JSONValue.decode(
                try await sim.workflowJSON(namespace: "argo", name: "artifact-passing-x7k2p", fields: nil))
            await sim.archiveObject(live)
            try await sim.delete(namespace: "argo", name: "artifact-passing-x7k2p")
            let (port, task) = try await Self.serve(sim)
            defer { task.cancel() }
            let connection = ArgoConnection(
                baseURL: URL(string: "http://127.0.0.1:\(port)")!, token: nil, requestTimeoutSeconds: 10)
            try await ArgoHTTPGateway.with(connection, logger: Self.logger) { gateway in
                let request = ArtifactRequest(
                    namespace: "argo", workflowName: "artifact-passing-x7k2p",
                    archivedUID: "9d0e6a57-3c1b-4f7d-8e2a-6b5c4d3e2f10", nodeID: "artifact-passing-x7k2p-2171183425",
                    direction: .outputs, artifactName: "report", limit: 27)
                let bytes = try await gateway.artifact(request)
                #expect(String(decoding: bytes.data, as: UTF8.self) == "date,region,orders,revenue\n")
                #expect(!bytes.complete)
                #expect(bytes.fileName == "report.csv")
                #expect(
                    bytes.route.hasPrefix(
                        filesRoute ? "/artifact-files/argo/archived-workflows/" : "/artifacts-by-uid/"))
                // A wrong uid: both routes fail and the error names both.
                var wrong = request
                wrong.archivedUID = "nope"
                await #expect(throws: ArgoError.self) { try await gateway.artifact(wrong) }
            }
        }
    }

    @Test("list pages through every workflow with continue tokens, and filters by phase, label and name")
    func listPaged() async throws {
        try await withServer { _, gateway in
            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await gateway.listWorkflows(
                    .init(namespace: nil, limit: 4, continueToken: token, fields: WorkflowListQuery.compactListFields))
                names += page.items.map(\.metadata.name)
                #expect(page.items.allSatisfy { $0.status.nodes.isEmpty })
                token = page.continueToken
                pages += 1
            } while token != nil
            let demoWorkflows = try ArgoSimulator.objects(inManifest: ArgoSimulator.demoManifests).filter {
                $0["kind"]?.string == "Workflow"
            }.count
            #expect(names.count == Fixtures.workflowFiles.count + demoWorkflows + 1)
            #expect(Set(names).count == names.count)
            // Argo pages over live rows and then the archive's; the gateway leaves out the archive's copies of
            // live workflows and fills each page up from the next ones, so no page is short before the last.
            #expect(pages == (names.count + 3) / 4)

            let failed = try await gateway.listWorkflows(.init(namespace: "argo", phases: [.failed]))
            #expect(!failed.items.isEmpty)
            #expect(failed.items.allSatisfy { $0.status.phase == .failed })

            let labelled = try await gateway.listWorkflows(
                .init(namespace: nil, labelSelector: "workflows.argoproj.io/controller-instanceid=my-instanceid"))
            #expect(Set(labelled.items.map(\.metadata.name)) == ["hello-world-9tql2", "hello-world-9tql2-run"])
            let resubmitted = try await gateway.listWorkflows(
                .init(
                    namespace: "argo",
                    labelSelector: "workflows.argoproj.io/resubmitted-from-workflow in (dag-nested-52l5t)"))
            #expect(resubmitted.items.map(\.metadata.name) == ["dag-nested-zxlc2"])

            let named = try await gateway.listWorkflows(.init(namespace: nil, nameContains: "nested"))
            #expect(Set(named.items.map(\.metadata.name)) == ["dag-nested-zxlc2", "fail-two-nested-dag-suspend"])
        }
    }

    @Test("get returns the whole object and its raw bytes; fields trims it")
    func get() async throws {
        try await withServer { _, gateway in
            let wf = try await gateway.getWorkflow(namespace: "argo", name: "dag-nested-zxlc2", fields: nil)
            #expect(wf.status.nodes.count == 21)
            #expect(wf.raw.map { $0.data.count > 10_000 } == true)
            let trimmed = try await gateway.getWorkflow(
                namespace: "argo", name: "dag-nested-zxlc2", fields: "metadata.name,status.phase")
            #expect(trimmed.metadata.name == "dag-nested-zxlc2")
            #expect(trimmed.status.phase == .succeeded)
            #expect(trimmed.status.nodes.isEmpty)
            #expect(trimmed.spec.templates.isEmpty)
            let big = try await gateway.getWorkflow(namespace: "argo", name: "gen-big", fields: nil)
            #expect(big.status.nodes.count > 2_900 && big.status.nodes.count <= 3_000)
        }
    }

    @Test("logs stream as NDJSON and as SSE, with tail, grep and pod selection", arguments: [false, true])
    func logs(sse: Bool) async throws {
        try await withServer(preferSSE: sse) { _, gateway in
            var all: [LogEntry] = []
            for try await e in gateway.workflowLogs(
                LogQuery(namespace: "argo", workflowName: "dag-nested-zxlc2", tailLines: 5))
            { all.append(e) }
            #expect(all.count == 16 * 5)
            let pod = "dag-nested-zxlc2-echo-644277987"
            var one: [LogEntry] = []
            for try await e in gateway.workflowLogs(
                LogQuery(namespace: "argo", workflowName: "dag-nested-zxlc2", podName: pod, grep: "WARN"))
            { one.append(e) }
            #expect(!one.isEmpty)
            #expect(one.allSatisfy { $0.podName == pod && $0.content.contains("WARN") })
        }
    }

    @Test(
        "Argo error bodies keep their code and message",
        arguments: [
            (5, ArgoError.Kind.notFound, 404), (7, .permissionDenied, 403), (16, .unauthenticated, 401),
            (13, .server, 500), (14, .unavailable, 503),
        ])
    func errors(code: Int, kind: ArgoError.Kind, status: Int) async throws {
        try await withServer { sim, gateway in
            await sim.inject(Fault(grpcCode: code, message: "injected \(code)"), into: .getWorkflow)
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.getWorkflow(namespace: "argo", name: "dag-nested-zxlc2", fields: nil)
            }
            #expect(error?.kind == kind)
            #expect(error?.httpStatus == status)
            #expect(error?.grpcCode == code)
            #expect(error?.message == "injected \(code)")
            if kind == .unauthenticated { #expect(error?.hint?.contains("ARGO_TOKEN") == true) }
        }
    }

    @Test("an unknown workflow is Argo's 404 with its message")
    func notFound() async throws {
        try await withServer { _, gateway in
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.getWorkflow(namespace: "argo", name: "nope", fields: nil)
            }
            #expect(error?.kind == .notFound)
            #expect(error?.message == "workflows.argoproj.io \"nope\" not found")
        }
    }

    @Test("a log stream that breaks mid-way delivers what came, then the error", arguments: [false, true])
    func brokenStream(cut: Bool) async throws {
        try await withServer { sim, gateway in
            await sim.inject(Fault(breakAfterLines: 7, cutConnection: cut), into: .workflowLogs)
            var got = 0
            let error = await #expect(throws: ArgoError.self) {
                for try await _ in gateway.workflowLogs(LogQuery(namespace: "argo", workflowName: "dag-nested-zxlc2")) {
                    got += 1
                }
            }
            #expect(got == 7)
            #expect(error?.kind == .streamBroken)
        }
    }

    @Test("the token is sent verbatim and latency is survived")
    func latency() async throws {
        try await withServer(token: "Bearer abc") { sim, gateway in
            await sim.inject(Fault(latencyMilliseconds: 200, remaining: 1), into: .version)
            let start = ContinuousClock.now
            let v = try await gateway.version()
            #expect(v.version.contains("simulator"))
            #expect(ContinuousClock.now - start >= .milliseconds(200))
        }
    }

    @Test("an unreachable server says so and how to fix it")
    func unreachable() async throws {
        // Long limits: a refusal retried by the HTTP client would take the whole 60 s connect timeout.
        let connection = ArgoConnection(
            baseURL: URL(string: "http://127.0.0.1:1")!, requestTimeoutSeconds: 90, connectTimeoutSeconds: 60)
        try await ArgoHTTPGateway.with(connection, logger: Self.logger) { gateway in
            let started = ContinuousClock.now
            let error = await #expect(throws: ArgoError.self) { _ = try await gateway.version() }
            #expect(error?.kind == .unavailable)
            #expect(error?.message.contains("connection refused") == true)
            #expect(error?.hint?.contains("ARGO_SERVER") == true)
            // A refusal is final at once; it used to be retried until the connect timeout.
            #expect(ContinuousClock.now - started < .seconds(30))
            // Every call, streams included.
            let again = ContinuousClock.now
            let stream = await #expect(throws: ArgoError.self) {
                for try await _ in gateway.workflowLogs(LogQuery(namespace: "argo", workflowName: "x")) {}
            }
            #expect(stream?.kind == .unavailable)
            #expect(ContinuousClock.now - again < .seconds(30))
        }
    }
}

extension ArgoHTTPLoopbackTests {
    @Test("speaking TLS to a plain-HTTP server is reported as a TLS problem with the fix")
    func tlsMismatch() async throws {
        try await withServer { _, plain in
            let port = plain.connectionSettings.baseURL.port!
            let tls = ArgoConnection(baseURL: URL(string: "https://127.0.0.1:\(port)")!, requestTimeoutSeconds: 5)
            try await ArgoHTTPGateway.with(tls, logger: Self.logger) { gateway in
                let error = await #expect(throws: ArgoError.self) { _ = try await gateway.version() }
                #expect(error?.kind == .tls)
                #expect(error?.hint?.contains("ARGO_SECURE=false") == true)
                // The reason in words, without the build paths of BoringSSL's description.
                #expect(
                    error?.message.hasSuffix("the server did not answer in TLS (does it speak plain HTTP?)") == true)
                #expect(error?.message.contains(".build") == false && error?.message.contains("/Sources/") == false)
            }
        }
    }

    @Test("a missing CA bundle file is a TLS configuration error, not a crash")
    func missingCAFile() async throws {
        let c = ArgoConnection(baseURL: URL(string: "https://127.0.0.1:1")!, caFile: "/nonexistent/ca.pem")
        let error = await #expect(throws: ArgoError.self) {
            try await ArgoHTTPGateway.with(c, logger: Self.logger) { _ in }
        }
        #expect(error?.kind == .tls)
        // The file and the setting are named, and why it failed.
        #expect(error?.message == "cannot load the CA bundle /nonexistent/ca.pem: the file does not exist")
        #expect(error?.hint?.contains("ARGO_CA_FILE (--ca-file, argo.caFile)") == true)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let notPEM = directory.appendingPathComponent("cert.pem")
        try Data("not a certificate".utf8).write(to: notPEM)
        let client = ArgoConnection(
            baseURL: URL(string: "https://127.0.0.1:1")!, clientCertFile: notPEM.path, clientKeyFile: notPEM.path)
        let bad = await #expect(throws: ArgoError.self) {
            try await ArgoHTTPGateway.with(client, logger: Self.logger) { _ in }
        }
        #expect(bad?.message.hasPrefix("cannot load the client certificate \(notPEM.path): it is not a PEM") == true)
        #expect(bad?.hint?.contains("ARGO_CLIENT_CERT") == true)
    }
}

extension ArgoHTTPLoopbackTests {
    @Test("cron workflows and templates of both scopes: list (paged, by label) and get, with 404s")
    func cronsAndTemplates() async throws {
        try await withServer { _, gateway in
            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await gateway.listCronWorkflows(
                    DefinitionListQuery(namespace: nil, limit: 2, continueToken: token))
                #expect(page.items.count <= 2)
                names += page.items.map(\.metadata.name)
                token = page.continueToken
                pages += 1
            } while token != nil
            #expect(pages == 3)
            #expect(Set(names) == ["hello-world", "wonderful-tiger", "nightly-etl", "hourly-sync", "report-weekly"])

            let cron = try await gateway.getCronWorkflow(namespace: "argo", name: "hello-world")
            #expect(cron.schedules == ["0-36/1 21-22 * * *"])
            #expect(cron.status.active.first?.name == "hello-world-1643952840")
            let legacy = try await gateway.getCronWorkflow(namespace: "argo", name: "hourly-sync")
            #expect(legacy.schedules == ["15 * * * *"])
            #expect(legacy.suspend)

            let labelled = try await gateway.listWorkflowTemplates(
                DefinitionListQuery(namespace: "argo", labelSelector: "team=data"), clusterScope: false)
            #expect(labelled.items.map(\.metadata.name) == ["etl-pipeline"])
            let cluster = try await gateway.listWorkflowTemplates(
                DefinitionListQuery(namespace: nil), clusterScope: true)
            #expect(cluster.items.map(\.metadata.name) == ["notify-slack"])
            let template = try await gateway.getWorkflowTemplate(
                namespace: nil, name: "notify-slack", clusterScope: true)
            #expect(template.spec.templates.map(\.kind) == ["http", "suspend"])
            #expect(template.raw != nil)

            let missing = await #expect(throws: ArgoError.self) {
                _ = try await gateway.getWorkflowTemplate(namespace: "argo", name: "nope", clusterScope: false)
            }
            #expect(missing?.kind == .notFound)
            #expect(missing?.message == "workflowtemplates.argoproj.io \"nope\" not found")
        }
    }
}

extension ArgoHTTPLoopbackTests {
    @Test("info, userinfo and the archive over HTTP; a server without an archive")
    func infoAndArchive() async throws {
        try await withServer(token: "Bearer t") { sim, gateway in
            await sim.setManagedNamespace("argo")
            #expect(try await gateway.info().managedNamespace == "argo")
            #expect(try await gateway.userInfo().subject == "simulator")
            #expect(gateway.connection.backend == "Argo Server")
            #expect(gateway.connection.auth == "bearer token")
            #expect(gateway.connection.tls == "plain HTTP")

            await sim.archiveObject(try Fixtures.json("failed-dag-retry-taskgroup.yaml"))
            await sim.archiveObject(try Fixtures.json("succeeded-hello-world-api.json"))
            let page = try await gateway.listArchivedWorkflows(
                ArchiveListQuery(namespace: nil, namePrefix: "workflow-"))
            #expect(page.items.map(\.metadata.name) == ["workflow-retry"])
            let uid = try #require(page.items.first?.metadata.uid)
            let wf = try await gateway.getArchivedWorkflow(uid: uid)
            #expect(wf.status.phase == .failed)
            #expect(wf.status.nodes.count == 6)

            await sim.disableArchive()
            #expect(try await gateway.listArchivedWorkflows(ArchiveListQuery(namespace: nil)).items.isEmpty)
            let error = await #expect(throws: ArgoError.self) { _ = try await gateway.getArchivedWorkflow(uid: uid) }
            #expect(error?.message.contains("not supported") == true)
        }
    }
}

extension ArgoHTTPLoopbackTests {
    @Test("workflow-events over HTTP: current state, then every change, NDJSON and SSE", arguments: [false, true])
    func events(sse: Bool) async throws {
        try await withServer(preferSSE: sse) { sim, gateway in
            await sim.addEvolving(generated: WorkflowGenerator(name: "live", nodeCount: 20, seed: 9), steps: 4)
            var phases: [String] = []
            var versions: [Int] = []
            let driver = WatchTests.drive(sim)
            defer { driver.cancel() }
            for try await event in gateway.watchWorkflow(namespace: "argo", name: "live", resourceVersion: nil) {
                phases.append(event.workflow.status.phase?.rawValue ?? "")
                versions.append(Int(event.workflow.metadata.resourceVersion ?? "") ?? 0)
                if event.workflow.status.phase?.isCompleted == true { break }
            }
            #expect(phases.last == "Succeeded")
            #expect(phases.contains("Running"))
            #expect(versions == versions.sorted())
        }
    }
}

extension ArgoHTTPLoopbackTests {
    /// Every read of issue 3 through the live adapter, each failing the way Argo fails.
    static let reads: [(Fault.Operation, @Sendable (ArgoHTTPGateway) async throws -> Void)] = [
        (.listCronWorkflows, { _ = try await $0.listCronWorkflows(DefinitionListQuery(namespace: "argo")) }),
        (.getCronWorkflow, { _ = try await $0.getCronWorkflow(namespace: "argo", name: "hello-world") }),
        (
            .listWorkflowTemplates,
            { _ = try await $0.listWorkflowTemplates(DefinitionListQuery(namespace: "argo"), clusterScope: false) }
        ),
        (
            .getWorkflowTemplate,
            { _ = try await $0.getWorkflowTemplate(namespace: nil, name: "notify-slack", clusterScope: true) }
        ),
        (.info, { _ = try await $0.info() }),
        (.userInfo, { _ = try await $0.userInfo() }),
        (.listArchivedWorkflows, { _ = try await $0.listArchivedWorkflows(ArchiveListQuery(namespace: nil)) }),
        (.getArchivedWorkflow, { _ = try await $0.getArchivedWorkflow(uid: "x") }),
        (.version, { _ = try await $0.version() }),
    ]

    @Test("every read maps 404, 403, 500, a malformed body and a timeout", arguments: 0..<9)
    func readErrors(index: Int) async throws {
        let (operation, read) = Self.reads[index]
        try await withServer { sim, gateway in
            for (code, kind) in [(5, ArgoError.Kind.notFound), (7, .permissionDenied), (13, .server)] {
                await sim.inject(Fault(grpcCode: code, message: "injected"), into: operation)
                let error = await #expect(throws: ArgoError.self) { try await read(gateway) }
                #expect(error?.kind == kind, "\(operation) code \(code)")
                #expect(error?.message == "injected")
            }
            var malformed = Fault()
            malformed.malformedBody = true
            await sim.inject(malformed, into: operation)
            let error = await #expect(throws: ArgoError.self) { try await read(gateway) }
            #expect(error?.kind == .malformedResponse, "\(operation)")
            await sim.clearFaults()
        }
    }

    @Test("a slow server is a timeout with a hint")
    func timeout() async throws {
        let sim = ArgoSimulator()
        await sim.inject(Fault(latencyMilliseconds: 3_000), into: .version)
        let (port, task) = try await Self.serve(sim)
        defer { task.cancel() }
        let c = ArgoConnection(baseURL: URL(string: "http://127.0.0.1:\(port)")!, requestTimeoutSeconds: 1)
        try await ArgoHTTPGateway.with(c, logger: Self.logger) { gateway in
            let error = await #expect(throws: ArgoError.self) { _ = try await gateway.version() }
            #expect(error?.kind == .timeout)
            #expect(error?.hint != nil)
        }
    }

    @Test("SSE event streams with periodic keepalives parse cleanly")
    func keepalives() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(generated: WorkflowGenerator(name: "live", nodeCount: 10, seed: 2), steps: 3)
        let (port, task) = try await Self.serve(sim, keepalive: .milliseconds(10))
        defer { task.cancel() }
        let c = ArgoConnection(baseURL: URL(string: "http://127.0.0.1:\(port)")!, preferSSE: true)
        try await ArgoHTTPGateway.with(c, logger: Self.logger) { gateway in
            let driver = WatchTests.drive(sim)
            defer { driver.cancel() }
            var phases: [String] = []
            for try await event in gateway.watchWorkflow(namespace: "argo", name: "live", resourceVersion: nil) {
                phases.append(event.workflow.status.phase?.rawValue ?? "")
                if event.workflow.status.phase?.isCompleted == true { break }
            }
            #expect(phases == ["Pending", "Running", "Running", "Succeeded"])
        }
    }
}

extension ArgoHTTPLoopbackTests {
    @Test(
        "mutations over HTTP: terminate, suspend/resume, retry, cron suspension, resubmit, delete, lint, create, submit"
    )
    func mutations() async throws {
        try await withServer { _, gateway in
            let suspended = try await gateway.suspendWorkflow(namespace: "workflows", name: "hello-world-9tql2-run")
            #expect(suspended.spec.suspend == true)
            #expect(
                try await gateway.resumeWorkflow(
                    namespace: "workflows", name: "hello-world-9tql2-run", nodeFieldSelector: nil
                ).spec.suspend != true)
            // `patchShutdownStrategy`: the answer is the workflow still running, with spec.shutdown set.
            let terminated = try await gateway.terminateWorkflow(namespace: "workflows", name: "hello-world-9tql2-run")
            #expect(terminated.status.phase == .running)
            #expect(terminated.spec.shutdown == "Terminate")
            try await Task.sleep(for: .milliseconds(400))
            let failed = try await gateway.getWorkflow(
                namespace: "workflows", name: "hello-world-9tql2-run", fields: nil)
            #expect(failed.status.phase == .failed)
            // A completed workflow: `AlreadyShutdownError`, a plain error, so gRPC 13 and HTTP 500.
            let again = await #expect(throws: ArgoError.self) {
                _ = try await gateway.stopWorkflow(
                    namespace: "workflows", name: "hello-world-9tql2-run", nodeFieldSelector: nil, message: "x")
            }
            #expect(again?.kind == .server)
            #expect(again?.httpStatus == 500)
            #expect(again?.grpcCode == 13)
            #expect(
                again?.message
                    == #"cannot shutdown a completed workflow: workflow: "hello-world-9tql2-run", namespace: "workflows""#
            )
            let retried = try await gateway.retryWorkflow(
                namespace: "workflows", name: "hello-world-9tql2-run", restartSuccessful: false, nodeFieldSelector: nil,
                parameters: ["a=1"])
            #expect(retried.status.phase == .running)
            #expect(
                try await gateway.setCronWorkflowSuspended(namespace: "argo", name: "hello-world", suspended: true)
                    .suspend)

            let copy = try await gateway.resubmitWorkflow(
                namespace: "argo", name: "dag-nested-zxlc2", memoized: false, parameters: [])
            #expect(copy.metadata.name.hasPrefix("dag-nested-zxlc2-"))
            // The uid precondition: another incarnation's uid is Kubernetes' 409, and the workflow stays.
            let mismatch = await #expect(throws: ArgoError.self) {
                try await gateway.deleteWorkflow(namespace: "argo", name: copy.metadata.name, uid: "another-uid")
            }
            #expect(mismatch?.kind == .conflict)
            #expect(
                try await gateway.getWorkflow(namespace: "argo", name: copy.metadata.name, fields: nil).metadata.uid
                    == copy.metadata.uid)
            try await gateway.deleteWorkflow(namespace: "argo", name: copy.metadata.name, uid: copy.metadata.uid)
            let gone = await #expect(throws: ArgoError.self) {
                _ = try await gateway.getWorkflow(namespace: "argo", name: copy.metadata.name, fields: nil)
            }
            #expect(gone?.kind == .notFound)

            let manifest = Data(
                #"{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"generateName":"hello-"},"spec":{"entrypoint":"main","templates":[{"name":"main","container":{"image":"busybox"}}]}}"#
                    .utf8)
            _ = try await gateway.lint(kind: .workflow, namespace: "argo", manifest: manifest)
            let badManifest = Data(
                String(decoding: manifest, as: UTF8.self).replacingOccurrences(
                    of: "\"entrypoint\":\"main\"", with: "\"entrypoint\":\"nope\""
                ).utf8)
            let lint = await #expect(throws: ArgoError.self) {
                _ = try await gateway.lint(kind: .workflow, namespace: "argo", manifest: badManifest)
            }
            #expect(lint?.kind == .invalidArgument)
            #expect(lint?.message.contains("'nope' undefined") == true)
            let created = try await gateway.createWorkflow(namespace: "argo", manifest: manifest)
            #expect(created.metadata.name.hasPrefix("hello-"))
            let submitted = try await gateway.submitWorkflow(
                namespace: "argo", from: .workflowTemplate, name: "etl-pipeline",
                options: SubmitOptions(parameters: ["target=lake"]))
            #expect(submitted.metadata.labels[ArgoLabels.workflowTemplate] == "etl-pipeline")
            #expect(submitted.spec.parameters.first { $0.name == "target" }?.value == "lake")
        }
    }
}

extension ArgoHTTPLoopbackTests {
    @Test(
        "cron workflows and templates of both scopes over HTTP: create, 409 on a duplicate, update at the read version, 409 when stale, delete with a uid precondition"
    )
    func objectWrites() async throws {
        try await withServer { _, gateway in
            for kind in [ArgoKind.cronWorkflow, .workflowTemplate, .clusterWorkflowTemplate] {
                let spec =
                    #"{"entrypoint":"main","templates":[{"name":"main","container":{"image":"busybox:1"}}]}"#
                let body =
                    kind == .cronWorkflow ? #"{"schedules":["0 1 * * *"],"workflowSpec":\#(spec)}"# : spec
                let manifest = Data(
                    #"{"apiVersion":"argoproj.io/v1alpha1","kind":"\#(kind.rawValue)","metadata":{"name":"made-here"},"spec":\#(body)}"#
                        .utf8)
                let ns: String? = kind.isClusterScoped ? nil : "argo"
                let created = try await gateway.createObject(kind, namespace: ns, manifest: manifest)
                let meta = try JSONDecoder().decode(Meta.self, from: created).metadata
                #expect(meta.name == "made-here" && meta.uid != nil && meta.resourceVersion != nil, "\(kind)")
                let duplicate = await #expect(throws: ArgoError.self) {
                    _ = try await gateway.createObject(kind, namespace: ns, manifest: manifest)
                }
                #expect(duplicate?.kind == .conflict && duplicate?.httpStatus == 409, "\(kind)")

                func versioned(_ version: String?, image: String) -> Data {
                    Data(
                        String(decoding: manifest, as: UTF8.self)
                            .replacingOccurrences(
                                of: #""name":"made-here""#,
                                with: #""name":"made-here","resourceVersion":"\#(version ?? "")""#
                            )
                            .replacingOccurrences(of: "busybox:1", with: image).utf8)
                }
                let updated = try await gateway.updateObject(
                    kind, namespace: ns, name: "made-here",
                    manifest: versioned(meta.resourceVersion, image: "busybox:2"))
                #expect(String(decoding: updated, as: UTF8.self).contains("busybox:2"), "\(kind)")
                let stale = await #expect(throws: ArgoError.self) {
                    _ = try await gateway.updateObject(
                        kind, namespace: ns, name: "made-here",
                        manifest: versioned(meta.resourceVersion, image: "busybox:3"))
                }
                #expect(stale?.kind == .conflict, "\(kind)")
                #expect(stale?.message.contains("the object has been modified") == true, "\(kind)")

                let wrongUID = await #expect(throws: ArgoError.self) {
                    try await gateway.deleteObject(kind, namespace: ns, name: "made-here", uid: "someone-else")
                }
                #expect(wrongUID?.kind == .conflict, "\(kind)")
                try await gateway.deleteObject(kind, namespace: ns, name: "made-here", uid: meta.uid)
                let gone = await #expect(throws: ArgoError.self) {
                    try await gateway.deleteObject(kind, namespace: ns, name: "made-here", uid: nil)
                }
                #expect(gone?.kind == .notFound, "\(kind)")
            }
        }
    }

    struct Meta: Decodable { var metadata: ObjectMeta }
}
