import ArgoHTTP
import ArgoSimulator
import Domain
import Foundation
import Logging
import Ports
import Testing

/// The live adapter against recorded Argo Server answers (`Tests/Fixtures/argo-contract/exchanges.json`), over a
/// real loopback socket: what Argo v3.5–v4.1 writes, not what our simulator writes.
@Suite("Argo contract: the HTTP adapter against recorded upstream answers", .timeLimit(.minutes(2)))
struct ArgoContractTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Serves `exchanges`, runs `body` with an adapter pointed at them, and returns what the server received.
    @discardableResult
    func replay(
        _ exchanges: [ArgoExchange], preferSSE: Bool = false, requestTimeout: Int = 10, streamTimeout: Int = 120,
        _ body: (ArgoHTTPGateway) async throws -> Void
    ) async throws -> [ArgoReplay.Received] {
        let server = ArgoReplay(exchanges: exchanges)
        let (port, task) = try await server.start()
        defer { task.cancel() }
        let connection = ArgoConnection(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, requestTimeoutSeconds: requestTimeout,
            streamTimeoutSeconds: streamTimeout, preferSSE: preferSSE)
        try await ArgoHTTPGateway.with(connection, logger: Self.logger) { try await body($0) }
        return server.log.all
    }

    static func lines(_ gateway: ArgoHTTPGateway, _ name: String, grep: String? = nil) async throws -> [LogEntry] {
        var out: [LogEntry] = []
        for try await entry in gateway.workflowLogs(LogQuery(namespace: "workflows", workflowName: name, grep: grep)) {
            out.append(entry)
        }
        return out
    }

    @Test("every recorded exchange names its upstream source and versions, and expands to JSON")
    func exchangesAreGrounded() throws {
        #expect(ArgoExchange.all.count >= 25)
        for exchange in ArgoExchange.all {
            #expect(!exchange.source.isEmpty && !exchange.versions.isEmpty, "\(exchange.id)")
            for chunk in exchange.response.chunks { _ = try ArgoExchange.expand(chunk.text) }
        }
    }

    @Test("a blank log line arrives without content and reads as an empty line, not a broken stream")
    func blankLogLine() async throws {
        try await replay(ArgoExchange.named("logs-blank-line")) { gateway in
            let lines = try await Self.lines(gateway, "hello-world-9tql2")
            #expect(lines.map(\.content) == ["Traceback (most recent call last):", "", "RuntimeError: boom"])
            #expect(lines.allSatisfy { $0.podName == "hello-world-9tql2" })
        }
    }

    @Test("SSE: data frames with Argo's trailing space, keepalive comments, a blank line")
    func sseLogs() async throws {
        try await replay(ArgoExchange.named("logs-sse"), preferSSE: true) { gateway in
            let lines = try await Self.lines(gateway, "hello-world-9tql2")
            #expect(lines.map(\.content) == ["first", "", "last"])
        }
    }

    @Test("an error before the stream starts, in grpc-gateway's stream shape: the missing workflow is named")
    func preStreamNotFound() async throws {
        for sse in [false, true] {
            try await replay(
                ArgoExchange.named(sse ? "logs-missing-workflow-sse" : "logs-missing-workflow"), preferSSE: sse
            ) { gateway in
                let error = await #expect(throws: ArgoError.self) { _ = try await Self.lines(gateway, "gone-away") }
                #expect(error?.kind == .notFound)
                #expect(error?.grpcCode == 5)
                #expect(error?.message == #"workflows.argoproj.io "gone-away" not found"#)
                #expect(error?.hint?.contains("workflow workflows/gone-away was not found") == true, "sse: \(sse)")
                #expect(error?.hint?.contains("no Argo API") != true)
            }
        }
    }

    @Test("a unary 404 in the gRPC status shape is a missing object, not a missing API")
    func unaryNotFound() async throws {
        try await replay(ArgoExchange.named("get-missing")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.getWorkflow(namespace: "workflows", name: "gone-away", fields: nil)
            }
            #expect(error?.kind == .notFound)
            #expect(error?.grpcCode == 5)
            #expect(error?.hint?.contains("no Argo API") != true)
        }
    }

    @Test("a proxy's HTML error page is named as the proxy's answer, with its title and a hint, not shown raw")
    func proxyPage() async throws {
        try await replay(ArgoExchange.named("proxy-502-html")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.listWorkflows(WorkflowListQuery(namespace: "workflows"))
            }
            #expect(error?.kind == .unavailable)
            #expect(
                error?.message
                    == "a proxy in front of the Argo Server answered 502 (502 Bad Gateway), with an HTML page instead of Argo's JSON"
            )
            #expect(error?.hint?.contains("kubectl -n argo get pods -l app=argo-server") == true)
        }
    }

    @Test("no archive: Argo's exact 'getting archived workflows not supported' (gRPC 13) and an empty list")
    func noArchive() async throws {
        try await replay(ArgoExchange.named("archive-get-unsupported", "archive-list-unsupported")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.getArchivedWorkflow(uid: "7b2f1451-9a9a-4f66-a0d9-0364f814d948")
            }
            #expect(error?.kind == .unimplemented)
            #expect(error?.grpcCode == 13)
            #expect(error?.message == "getting archived workflows not supported")
            let reads = ArchiveReads(ArgoContext(gateway: gateway, defaultNamespace: "workflows"))
            let failure = await #expect(throws: ReadFailure.self) {
                _ = try await reads.summary(uid: "7b2f1451-9a9a-4f66-a0d9-0364f814d948", namespace: nil, name: nil)
            }
            #expect(failure?.message.contains("answered \"getting archived workflows not supported\"") == true)
            let list = try await reads.list(
                namespace: nil, allNamespaces: true, labelSelector: nil, namePrefix: nil, limit: 20, continueToken: nil)
            #expect(list.items.isEmpty)
            #expect(list.note?.contains("answers every archive list with an empty one") == true)
        }
    }

    @Test("SyncService: limits kept in a ConfigMap or the database, in Argo's wire shape; a server without it says so")
    func syncService() async throws {
        let database = SyncLimitQuery(namespace: "argo", store: .database, configMap: nil, key: "my-sem")
        let received = try await replay(
            ArgoExchange.named("sync-get-configmap", "sync-get-database", "sync-update-database")
        ) { gateway in
            let cm = try await gateway.getSyncLimit(
                SyncLimitQuery(namespace: "argo", store: .configMap, configMap: "my-config", key: "workflow"))
            #expect(
                cm == SyncLimit(namespace: "argo", store: .configMap, configMap: "my-config", key: "workflow", limit: 3)
            )
            let db = try await gateway.getSyncLimit(database)
            #expect(db == SyncLimit(namespace: "argo", store: .database, configMap: nil, key: "my-sem", limit: 3))
            #expect(try await gateway.updateSyncLimit(database, limit: 5).limit == 5)
        }
        #expect(received.contains { $0.path == "/api/v1/sync/argo/my-sem" && $0.query.contains("type=1") })
        #expect(
            !received.contains { $0.path == "/api/v1/sync/argo/workflow" && $0.query.contains("type=") },
            "CONFIGMAP is the enum's zero value: not sent")
        try await replay(ArgoExchange.named("sync-database-off")) { gateway in
            let error = await #expect(throws: ArgoError.self) { _ = try await gateway.getSyncLimit(database) }
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message == "unsupported sync config type: DATABASE")
        }
        try await replay(ArgoExchange.named("sync-before-v4")) { gateway in
            let reads = SynchronizationReads(ArgoContext(gateway: gateway, defaultNamespace: "argo"))
            let error = await #expect(throws: ArgoError.self) {
                _ = try await reads.syncLimit(
                    namespace: nil, key: "workflow", store: .configMap, configMap: "my-config")
            }
            #expect(error?.kind == .unimplemented)
            #expect(error?.hint?.contains("Argo v4.0") == true)
        }
    }

    @Test("list filters on the wire: createdAfter and finishedBefore in RFC 3339 UTC, nameFilter beside metadata.name")
    func listFiltersOnTheWire() async throws {
        try await replay(ArgoExchange.named("version-v4.1", "list-created-after-prefix")) { gateway in
            var query = WorkflowListQuery(namespace: "workflows", nameContains: "hello-world")
            query.nameMatch = .prefix
            query.createdAfter = ArgoTime.parse("2019-12-01T00:00:00Z")
            query.finishedBefore = ArgoTime.parse("2020-01-01T01:00:00+01:00")
            let page = try await gateway.listWorkflows(query)
            #expect(page.items.map(\.metadata.name) == ["hello-world-9tql2"])
        }
    }

    @Test("a grep Go's regexp rejects: Argo's own message, as an Internal error")
    func badGrep() async throws {
        try await replay(ArgoExchange.named("logs-bad-grep")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                _ = try await Self.lines(gateway, "hello-world-9tql2", grep: "(")
            }
            #expect(error?.httpStatus == 500)
            #expect(error?.grpcCode == 13)
            #expect(error?.message == #"failed to compile "(": error parsing regexp: missing closing ): `(`"#)
        }
    }

    @Test("Argo's periodic end of a watch (gRPC 8, EOF) ends the stream cleanly after its events")
    func watchPeriodicEnd() async throws {
        try await replay(ArgoExchange.named("watch-periodic-end")) { gateway in
            var events: [WorkflowEvent] = []
            for try await event in gateway.watchWorkflow(
                namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: nil)
            {
                events.append(event)
            }
            #expect(events.map(\.type) == ["ADDED"])
            #expect(events.first?.workflow.metadata.name == "hello-world-9tql2-run")
        }
    }

    @Test("a compacted resourceVersion is 'expired' (relist), not a broken stream")
    func watchTooOld() async throws {
        try await replay(ArgoExchange.named("watch-too-old")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                for try await _ in gateway.watchWorkflow(
                    namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: "1")
                {}
            }
            #expect(error?.kind == .expired)
            #expect(error?.httpStatus == 400)
        }
    }

    @Test("a watch quiet for longer than the request timeout keeps going: NDJSON streams have no keepalives")
    func quietWatch() async throws {
        // Before: one client whose read timeout was max(request, stream) timeout, here 1 s.
        try await replay(ArgoExchange.named("watch-quiet"), requestTimeout: 1, streamTimeout: 1) { gateway in
            var phases: [WorkflowPhase?] = []
            for try await event in gateway.watchWorkflow(
                namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: nil)
            {
                phases.append(event.workflow.status.phase)
            }
            #expect(phases == [.running, .succeeded])
        }
    }

    @Test("a log read that does not follow and goes quiet past the stream timeout ends with 'timeout'")
    func quietLogReadTimesOut() async throws {
        let quiet = ArgoExchange(
            id: "quiet-log", versions: "v3.5-v4.1", source: "a pod whose log stream stalls",
            request: .init(method: "GET", path: "/api/v1/workflows/workflows/hello-world-9tql2/log"),
            response: .init(
                status: 200, contentType: "application/json",
                chunks: [
                    .init(text: #"{"result":{"content":"one","podName":"p"}}"# + "\n"),
                    .init(delayMs: 30_000, text: #"{"result":{"content":"late","podName":"p"}}"# + "\n"),
                ]))
        try await replay([quiet], streamTimeout: 3) { gateway in
            var seen: [String] = []
            let error = await #expect(throws: ArgoError.self) {
                for try await entry in gateway.workflowLogs(
                    LogQuery(namespace: "workflows", workflowName: "hello-world-9tql2"))
                {
                    seen.append(entry.content)
                }
            }
            #expect(seen == ["one"])
            #expect(error?.kind == .timeout)
        }
    }

    @Test("lists ask for the remaining count, so a v4 server pages; the archive's copy of a live row is shown once")
    func listPagingAndMerge() async throws {
        // The next-page exchange is listed first: the first page's matches any request with the count.
        let exchanges = ArgoExchange.named("list-with-count-next", "list-with-count", "list-without-count")
        let received = try await replay(exchanges) { gateway in
            let page = try await gateway.listWorkflows(WorkflowListQuery(namespace: "workflows", limit: 2))
            // The archive's copy of the live row is left out, and the row it took is filled from the next page.
            #expect(page.items.map(\.metadata.name) == ["hello-world-9tql2", "dag-nested-zxlc2"])
            #expect(page.duplicateItems == 1)
            #expect(page.continueToken == nil)
            #expect(page.remainingItemCount == 0)
            let reads = WorkflowReads(ArgoContext(gateway: gateway, defaultNamespace: "workflows"))
            let result = try await reads.list(ListWorkflowsRequest(namespace: "workflows", limit: 2))
            #expect(result.note?.contains("both live and archived") == true)
            #expect(!result.hasMore)
        }
        #expect(
            received.contains {
                $0.query.contains("listOptions.continue=2") && $0.query.contains("listOptions.limit=1")
            })
        #expect(received.allSatisfy { $0.query.contains("ext.showRemainingItemCount%3Dtrue") })
    }

    @Test("v3.5 has no server-side name filter: the name is matched here, over the server's pages and offsets")
    func nameFilterOnV35() async throws {
        // The page-2 exchange is listed first: it needs the continue item, page 1 matches any limit=200 request.
        let received = try await replay(ArgoExchange.named("version-v3.5", "list-v3.5-page2", "list-v3.5-page1")) {
            gateway in
            let all = try await gateway.listWorkflows(
                WorkflowListQuery(namespace: "workflows", nameContains: "9tql2-run", limit: 10))
            #expect(all.items.map(\.metadata.name) == ["hello-world-9tql2-run", "hello-world-9tql2-run-again"])
            #expect(all.continueToken == nil)
            #expect(all.notes.first?.contains("(v3.5) cannot filter by part of a name") == true)
            let first = try await gateway.listWorkflows(
                WorkflowListQuery(namespace: "workflows", nameContains: "9tql2-run", limit: 1))
            #expect(first.items.map(\.metadata.name) == ["hello-world-9tql2-run"])
            #expect(first.continueToken == "2", "the server offset just past the row returned")
            let rest = try await gateway.listWorkflows(
                WorkflowListQuery(namespace: "workflows", nameContains: "9tql2-run", limit: 1, continueToken: "2"))
            #expect(rest.items.map(\.metadata.name) == ["hello-world-9tql2-run-again"])
            #expect(rest.continueToken == nil)
        }
        let lists = received.filter { $0.path == "/api/v1/workflows/workflows" }
        #expect(!lists.isEmpty)
        #expect(lists.allSatisfy { !$0.query.contains("nameFilter") && !$0.query.contains("metadata.name") })
        #expect(received.filter { $0.path == "/api/v1/version" }.count == 1, "the version is asked once")
    }

    @Test("v3.6 and later filter names on the server (nameFilter=Contains)")
    func nameFilterOnV4() async throws {
        let received = try await replay(ArgoExchange.named("version-v4.1", "list-name-filtered")) { gateway in
            let page = try await gateway.listWorkflows(WorkflowListQuery(namespace: "workflows", nameContains: "9tql2"))
            #expect(page.items.count == 2)
            #expect(page.notes.isEmpty)
        }
        let list = try #require(received.first { $0.path == "/api/v1/workflows/workflows" })
        #expect(list.query.contains("nameFilter=Contains"))
        #expect(list.query.contains("metadata.name%3D9tql2"))
    }

    @Test("Argo's continue token for workflows is an offset; an opaque one is its 400")
    func badContinue() async throws {
        try await replay(ArgoExchange.named("list-bad-continue")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.listWorkflows(
                    WorkflowListQuery(namespace: "workflows", continueToken: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"))
            }
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message == "listOptions.continue must be int")
        }
    }

    @Test("terminate: Argo answers Running with spec.shutdown; a completed workflow is its 500")
    func terminate() async throws {
        try await replay(ArgoExchange.named("terminate-running", "terminate-completed")) { gateway in
            let running = try await gateway.terminateWorkflow(namespace: "workflows", name: "hello-world-9tql2-run")
            #expect(running.status.phase == .running)
            #expect(running.spec.shutdown == "Terminate")
            let error = await #expect(throws: ArgoError.self) {
                _ = try await gateway.terminateWorkflow(namespace: "workflows", name: "hello-world-9tql2")
            }
            #expect(error?.kind == .server)
            #expect(error?.message.hasPrefix("cannot shutdown a completed workflow") == true)
        }
    }

    @Test("a template delete re-reads the uid: a namesake created since the preview is not deleted")
    func templateDeleteChecksUID() async throws {
        let received = try await replay(ArgoExchange.named("template-get-replaced", "template-delete")) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                try await gateway.deleteObject(
                    .workflowTemplate, namespace: "argo", name: "greet", uid: "0c3a7e10-0000-4000-8000-00000000000a")
            }
            #expect(error?.kind == .conflict)
            #expect(error?.message.contains("no longer the object that was previewed") == true)
            try await gateway.deleteObject(
                .workflowTemplate, namespace: "argo", name: "greet", uid: "7b1c5f3e-0000-4000-8000-00000000000b")
        }
        #expect(received.map(\.method) == ["GET", "GET", "DELETE"], "the refused delete sent no DELETE")
    }

    @Test(
        "each error kind from Argo's own answers",
        arguments: [
            ("create-exists", ArgoError.Kind.conflict, 6, 409),
            ("list-forbidden", .permissionDenied, 7, 403),
            ("token-not-valid", .unauthenticated, 16, 401),
            ("unknown-uri", .unimplemented, 12, 501),
            ("get-missing", .notFound, 5, 404),
            ("list-bad-continue", .invalidArgument, 3, 400),
            ("terminate-completed", .server, 13, 500),
        ])
    func errorKinds(id: String, kind: ArgoError.Kind, code: Int, status: Int) async throws {
        try await replay(ArgoExchange.named(id)) { gateway in
            let error = await #expect(throws: ArgoError.self) {
                switch id {
                case "create-exists":
                    _ = try await gateway.createWorkflow(namespace: "workflows", manifest: Data("{}".utf8))
                case "list-forbidden": _ = try await gateway.listWorkflows(WorkflowListQuery(namespace: "secret-team"))
                case "token-not-valid": _ = try await gateway.version()
                case "unknown-uri": _ = try await gateway.listArchivedWorkflows(ArchiveListQuery(namespace: nil))
                case "get-missing":
                    _ = try await gateway.getWorkflow(namespace: "workflows", name: "gone-away", fields: nil)
                case "list-bad-continue":
                    _ = try await gateway.listWorkflows(
                        WorkflowListQuery(namespace: "workflows", continueToken: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"))
                default: _ = try await gateway.terminateWorkflow(namespace: "workflows", name: "hello-world-9tql2")
                }
            }
            #expect(error?.kind == kind, "\(id)")
            #expect(error?.grpcCode == code)
            #expect(error?.httpStatus == status)
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test("ten watches held open do not queue a terminate behind them")
    func streamsDoNotStarveUnaryCalls() async throws {
        try await replay(ArgoExchange.named("watch-held", "terminate-running")) { gateway in
            let (opened, openedContinuation) = AsyncStream<Void>.makeStream()
            let watches = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<10 {
                        group.addTask {
                            do {
                                for try await _ in gateway.watchWorkflow(
                                    namespace: "workflows", name: "hello-world-9tql2-run", resourceVersion: nil)
                                {
                                    openedContinuation.yield()
                                }
                            } catch {}
                        }
                    }
                }
            }
            defer { watches.cancel() }
            // Wait (a bounded time) for the ten streams to be open.
            let counting = Task {
                var count = 0
                for await _ in opened {
                    count += 1
                    if count == 10 { break }
                }
                return count
            }
            let deadline = Task {
                try? await Task.sleep(for: .seconds(15))
                counting.cancel()
            }
            let open = await counting.value
            deadline.cancel()
            #expect(open == 10, "all ten watches hold a connection")
            let started = ContinuousClock.now
            let answer = try await withThrowingTaskGroup(of: Workflow?.self) { group in
                group.addTask {
                    try await gateway.terminateWorkflow(namespace: "workflows", name: "hello-world-9tql2-run")
                }
                // Queued behind the watches, the terminate would wait as long as they last (the whole test).
                group.addTask {
                    try await Task.sleep(for: .seconds(15))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            #expect(answer?.spec.shutdown == "Terminate", "the terminate was still queued after 15 s")
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }
}
