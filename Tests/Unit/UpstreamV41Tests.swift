import ArgoHTTP
import ArgoWire
import FileAudit
import Foundation
import Ports
import Testing

@testable import ArgoSimulator
@testable import Domain

/// Argo v4.0/v4.1 behaviour users now meet, from upstream's own test data.
@Suite("Argo v4.0/v4.1: what users now meet")
struct UpstreamV41Tests {
    static let now = Date(timeIntervalSince1970: 1_795_600_800)

    /// Upstream's `TestDAGSkippedOutputRef` workflow (workflow/controller/dag_test.go, verbatim in
    /// Tests/Fixtures/absent-optional), carried to the end that test asserts: stage-c is created, in phase Error,
    /// with `ProcessArgs`'s message (workflow/common/util.go), and the workflow ends in Error.
    static func skippedOutputRefEnded() throws -> Workflow {
        var json = try Fixtures.json("../absent-optional/running-dag-skipped-output-ref.yaml")
        let stageC: JSONValue = .object([
            "id": "dag-skipped-output-ref-1347811788", "name": "dag-skipped-output-ref.stage-c",
            "displayName": "stage-c", "type": "Skipped", "templateName": "stage-c",
            "templateScope": "local/dag-skipped-output-ref", "boundaryID": "dag-skipped-output-ref", "phase": "Error",
            "startedAt": "2024-01-01T00:00:10Z", "finishedAt": "2024-01-01T00:00:10Z",
            "message":
                "inputs.parameters.message-from-b: argument references an absent optional (skipped/omitted node output with no default)",
        ])
        json.set(["status", "nodes", "dag-skipped-output-ref-1347811788"], stageC)
        json.set(["status", "nodes", "dag-skipped-output-ref", "phase"], "Error")
        json.set(["status", "phase"], "Error")
        json.set(["status", "finishedAt"], "2024-01-01T00:00:10Z")
        return try Workflow.decode(from: json.encoded())
    }

    @Test("v4.0.7: a reference to a skipped node's output is a parameter-resolution failure naming that node")
    func absentOptionalOutput() throws {
        let analysis = Diagnostics.analyze(
            try Self.skippedOutputRefEnded(), source: "live", maxCauses: 5, now: Self.now)
        let cause = try #require(analysis.rootCauses.first)
        #expect(analysis.rootCauseCount == 1)
        #expect(cause.node == "stage-c")
        #expect(cause.category == "parameter_resolution")
        #expect(cause.absentOutputOf == "stage-b")
        #expect(cause.explanation.contains("output of stage-b, which was skipped"))
        #expect(cause.explanation.contains("evaluated false"), "the reason it was skipped, from its message")
        #expect(!cause.explanation.contains("Optional("), "the message, not Swift's rendering of an optional")
    }

    @Test("the producer is read from the message when Argo names it; no producer is invented when none is absent")
    func producerFromMessage() throws {
        let wf = try Self.skippedOutputRefEnded()
        let graph = NodeGraph(wf)
        let stageC = try #require(graph.nodes["dag-skipped-output-ref-1347811788"])
        let named = Diagnostics.absentOptionalProducer(
            of: stageC,
            message:
                "unable to substitute {{tasks.stage-b.outputs.parameters.output-message}}: output is an absent optional (skipped/omitted node with no default)",
            graph: graph)
        #expect(named?.displayName == "stage-b")
        // stage-a succeeded: a message naming it points at no absent output.
        let succeeded = Diagnostics.absentOptionalProducer(
            of: stageC, message: "failed to evaluate expression \"tasks['stage-a'].outputs\" tasks.stage-a.outputs",
            graph: graph)
        #expect(succeeded == nil)
        #expect(Diagnostics.absentOptionalProducer(of: stageC, message: "exit code 1", graph: graph) == nil)
    }
}

/// Semaphores and mutexes: the workflows' `status.synchronization` (upstream's `SynchronizationStatus` shape), the
/// SyncService's limits, and a guarded change of a limit.
@Suite("Synchronization: locks, limits and a guarded limit change")
struct SynchronizationTests {
    static let lock = "argo/ConfigMap/semaphore-config/reports"

    /// A live workflow in `phase` with this `status.synchronization`.
    static func workflow(_ name: String, phase: String, sync: JSONValue, nodes: JSONValue = .object([:])) -> JSONValue {
        .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": .object([
                "name": .string(name), "namespace": "argo", "uid": .string("uid-\(name)"),
                "creationTimestamp": "2026-12-03T10:00:00Z",
                "labels": .object(["workflows.argoproj.io/phase": .string(phase)]),
            ]),
            "spec": .object([
                "entrypoint": "main",
                "templates": .array([
                    .object(["name": "main", "container": .object(["image": "alpine:3.19"])])
                ]),
            ]),
            "status": .object([
                "phase": .string(phase), "startedAt": "2026-12-03T10:00:00Z", "synchronization": sync,
                "nodes": nodes,
            ]),
        ])
    }

    static func holding(_ holders: [String]) -> JSONValue {
        .object([
            "semaphore": .object([
                "holding": .array([
                    .object(["semaphore": .string(lock), "holders": .array(holders.map { .string($0) })])
                ])
            ]),
            "mutex": .object([
                "holding": .array([.object(["mutex": "argo/Mutex/deploy-prod", "holder": .string(holders[0])])])
            ]),
        ])
    }

    static func rig() async throws -> (ArgoSimulator, SynchronizationReads, SyncLimitMutations, URL) {
        let sim = ArgoSimulator()
        await sim.setConfigMap(namespace: "argo", name: "semaphore-config", data: ["reports": "2"])
        try await sim.load(Self.workflow("report-a", phase: "Running", sync: holding(["argo/report-a"])))
        try await sim.load(
            Self.workflow(
                "report-b", phase: "Running",
                sync: .object([
                    "semaphore": .object([
                        "holding": .array([.object(["semaphore": .string(lock), "holders": .array(["argo/report-b"])])])
                    ])
                ])))
        // Waiting: its entry lists the lock's current holders.
        try await sim.load(
            Self.workflow(
                "report-c", phase: "Pending",
                sync: .object([
                    "semaphore": .object([
                        "waiting": .array([
                            .object([
                                "semaphore": .string(lock), "holders": .array(["argo/report-a", "argo/report-b"]),
                            ])
                        ])
                    ])
                ]),
                nodes: .object([
                    "report-c": .object([
                        "id": "report-c", "name": "report-c", "displayName": "report-c", "type": "Pod",
                        "phase": "Pending", "synchronizationStatus": .object(["waiting": .string(lock)]),
                    ])
                ])))
        let gateway = SimulatedArgoGateway(simulator: sim)
        let context = ArgoContext(gateway: gateway, defaultNamespace: "argo", now: { UpstreamV41Tests.now })
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-sync-\(UUID().uuidString).jsonl")
        let runner = MutationRunner(
            policy: Policy(
                readOnly: false, allowMutations: true, allowDestructive: false, confirmationRequired: ["mutating"]),
            audit: FileAuditSink(path: audit.path),
            confirmations: Confirmations(
                store: InMemoryConfirmationStore(), ttlSeconds: 300, now: { UpstreamV41Tests.now }),
            now: { UpstreamV41Tests.now })
        return (sim, SynchronizationReads(context), SyncLimitMutations(context, runner: runner), audit)
    }

    @Test("a waiting workflow: the full semaphore, its limit and both holders; a holder sees the other holder")
    func locks() async throws {
        let (_, reads, _, _) = try await Self.rig()
        let waiting = try await reads.locks(namespace: nil, name: "report-c")
        #expect(waiting.phase == "Pending")
        #expect(waiting.holding.isEmpty)
        let lock = try #require(waiting.waitingFor.first)
        #expect(waiting.waitingFor.count == 1)
        #expect(lock.lock == Self.lock)
        #expect(lock.type == "semaphore" && lock.store == "configmap")
        #expect(lock.limit == 2)
        #expect(lock.holders == ["argo/report-a", "argo/report-b"])
        #expect(lock.waiting == ["argo/report-c"])
        #expect(waiting.nodesWaiting == [NodeLockWait(node: "report-c", lock: Self.lock)])
        #expect(waiting.notes.contains { $0.contains("is full: 2 holder(s) for a limit of 2") })
        #expect(waiting.scanned == 3)

        let holder = try await reads.locks(namespace: nil, name: "report-a")
        let semaphore = try #require(holder.holding.first { $0.type == "semaphore" })
        #expect(semaphore.holders == ["argo/report-a", "argo/report-b"], "who else holds it")
        #expect(semaphore.waiting == ["argo/report-c"])
        let mutex = try #require(holder.holding.first { $0.type == "mutex" })
        #expect(mutex.lock == "argo/Mutex/deploy-prod" && mutex.limit == 1 && mutex.store == "memory")
    }

    @Test("set_sync_limit: a preview with holders and waiters, a confirmation, the audit record, the new limit")
    func setLimit() async throws {
        let (sim, reads, mutations, audit) = try await Self.rig()
        let before = try await reads.syncLimit(
            namespace: nil, key: "reports", store: .configMap, configMap: "semaphore-config")
        #expect(before.limit == 2 && before.holders.count == 2 && before.waiting == ["argo/report-c"])
        var request = SyncLimitMutations.Request(
            namespace: nil, key: "reports", store: .configMap, configMap: "semaphore-config", limit: 3, token: nil,
            client: "test", confirmer: nil)
        guard case .preview(let preview) = try await mutations.set(request) else {
            Issue.record("a limit change is previewed first")
            return
        }
        #expect(preview.effect.contains("becomes 3 (now 2)"))
        #expect(preview.effect.contains("waiting: argo/report-c"))
        #expect(
            preview.impact.contains("in argo, 2 workflow(s) hold it and 1 wait: up to 1 of the waiting can take it"))
        request.token = preview.confirmationToken
        guard case .result(let change) = try await mutations.set(request) else {
            Issue.record("the confirmed change is carried out")
            return
        }
        #expect(change.before == 2 && change.after == 3)
        let stored = try await sim.getSyncLimit(namespace: "argo", key: "reports", type: 0, cmName: "semaphore-config")
        #expect(stored.limit == 3)
        let records = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n")
        let decisions = records.compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["tool"] as? String == "set_sync_limit"
            else { return nil }
            return object["decision"] as? String
        }
        // The preview, the allowed call (written before the change) and its outcome.
        #expect(decisions.suffix(2) == ["allowed", "succeeded"])
        #expect(records.allSatisfy { !$0.contains("set_sync_limit") || $0.contains("\"SyncLimit\"") })

        // Lowering takes nothing back from the holders, and the preview says so.
        request.limit = 1
        request.token = nil
        guard case .preview(let lower) = try await mutations.set(request) else {
            Issue.record("previewed")
            return
        }
        #expect(lower.impact.contains("Argo does not take a held lock back"))
        // The same limit is refused, naming it.
        request.limit = 3
        let refused = await #expect(throws: MutationRefused.self) { _ = try await mutations.set(request) }
        #expect(refused?.reason.contains("already 3") == true)
    }

    @Test("Argo's words for a missing key, a missing ConfigMap, a database without the API; checks before any call")
    func errors() async throws {
        let (sim, reads, mutations, _) = try await Self.rig()
        let missingKey = await #expect(throws: ArgoError.self) {
            _ = try await reads.syncLimit(namespace: nil, key: "nope", store: .configMap, configMap: "semaphore-config")
        }
        #expect(missingKey?.message == "key nope not found in configmap argo/semaphore-config")
        let missingMap = await #expect(throws: ArgoError.self) {
            _ = try await reads.syncLimit(namespace: nil, key: "reports", store: .configMap, configMap: "other")
        }
        #expect(missingMap?.message == "configmaps \"other\" not found")
        await sim.setDatabaseSyncAPI(false)
        let off = await #expect(throws: ArgoError.self) {
            _ = try await reads.syncLimit(namespace: nil, key: "my-sem", store: .database, configMap: nil)
        }
        #expect(off?.message == "unsupported sync config type: DATABASE")
        let invalid = await #expect(throws: InvalidArguments.self) {
            _ = try await mutations.set(
                .init(
                    namespace: nil, key: "a/b", store: .configMap, configMap: nil, limit: 0, token: nil, client: nil,
                    confirmer: nil))
        }
        #expect(Set(invalid?.problems.map(\.field) ?? []) == ["key", "config_map", "limit"])
        let update = await #expect(throws: ArgoError.self) {
            _ = try await sim.updateSyncLimit(
                namespace: "argo", key: "nope", type: 0, cmName: "semaphore-config", limit: 2)
        }
        #expect(update?.message == "key nope not found in configmap argo/semaphore-config - please create it first")
    }
}

/// The v4.1 reads through the live adapter against the simulator's REST face: time and name filters, one run by
/// uid, one output stream of the logs.
@Suite("Argo v4.1 reads through the live adapter", .timeLimit(.minutes(2)))
struct V41ReadsOverHTTPTests {
    static func withReads(
        _ sim: ArgoSimulator, _ body: (WorkflowReads, ArgoSimulator) async throws -> Void
    ) async throws {
        let (port, task) = try await ArgoHTTPLoopbackTests.serve(sim)
        defer { task.cancel() }
        let connection = ArgoConnection(baseURL: URL(string: "http://127.0.0.1:\(port)")!, requestTimeoutSeconds: 20)
        try await ArgoHTTPGateway.with(connection, logger: ArgoHTTPLoopbackTests.logger) { gateway in
            try await body(WorkflowReads(ArgoContext(gateway: gateway, defaultNamespace: "argo")), sim)
        }
    }

    /// Upstream workflows of namespace argo with known creation and finish times, and one still running.
    static func timedSimulator() async throws -> ArgoSimulator {
        let sim = ArgoSimulator()
        for file in [
            "failed-steps-exit-handler-skipped.yaml",  // created 2025-02-11, finished 2025-02-11T05:31:30Z
            "succeeded-dag-nested-21-nodes.yaml",  // created 2024-10-16, finished 2024-10-16T04:13:49Z
            "failed-nested-dag-with-suspend-17-nodes.yaml",  // created 2022-09-02, finished 2022-09-02T14:56:56Z
            "succeeded-dag-retry-loop-with-failed-attempts.yaml",  // created 2022-01-06, finished 2022-01-06T00:10:17Z
            "succeeded-steps-many-items-15-nodes.yaml",  // created 2020-06-02, finished 2020-06-02T16:05:01Z
        ] {
            try await sim.load(try Fixtures.json(file))
        }
        // The last one again, still running: created 2021, not finished.
        var running = try Fixtures.json("succeeded-steps-many-items-15-nodes.yaml")
        running.set(["metadata", "name"], "still-running")
        running.set(["metadata", "uid"], "0c6f4f4e-0000-4000-8000-000000000001")
        running.set(["metadata", "creationTimestamp"], "2021-01-01T00:00:00Z")
        running.set(["metadata", "labels", "workflows.argoproj.io/phase"], "Running")
        running.set(["metadata", "labels", "workflows.argoproj.io/completed"], "false")
        running.set(["status", "phase"], "Running")
        running.set(["status", "finishedAt"], .null)
        try await sim.load(running)
        return sim
    }

    @Test("created_after and finished_before: exactly the hand-counted runs; a running one has not finished")
    func timeFilters() async throws {
        try await Self.withReads(try await Self.timedSimulator()) { reads, _ in
            let recent = try await reads.list(
                {
                    var r = ListWorkflowsRequest(limit: 50)
                    r.createdAfter = "2022-06-01T00:00:00Z"
                    return r
                }())
            #expect(
                Set(recent.items.map(\.name))
                    == ["exit-handlers-n7s4n", "dag-nested-zxlc2", "fail-two-nested-dag-suspend"])
            let old = try await reads.list(
                {
                    var r = ListWorkflowsRequest(limit: 50)
                    r.finishedBefore = "2022-12-31T00:00:00Z"
                    return r
                }())
            #expect(
                Set(old.items.map(\.name))
                    == ["fail-two-nested-dag-suspend", "hr-retry-replication", "many-items-z26lj"])
            #expect(!old.items.contains { $0.name == "still-running" }, "a running workflow has not finished")
            let bad = await #expect(throws: InvalidArguments.self) {
                _ = try await reads.list(
                    {
                        var r = ListWorkflowsRequest()
                        r.createdAfter = "2022-06-01"
                        return r
                    }())
            }
            #expect(bad?.problems.first?.field == "created_after")
        }
    }

    @Test("name_match prefix and exact, as Argo's nameFilter")
    func nameFilters() async throws {
        try await Self.withReads(try await Self.timedSimulator()) { reads, _ in
            var prefix = ListWorkflowsRequest(nameContains: "dag", limit: 50)
            prefix.nameMatch = .prefix
            let prefixed = try await reads.list(prefix).items.map(\.name)
            #expect(Set(prefixed) == ["dag-nested-zxlc2"])
            var contains = ListWorkflowsRequest(nameContains: "dag", limit: 50)
            contains.nameMatch = .contains
            let containing = try await reads.list(contains).items.map(\.name)
            #expect(Set(containing) == ["dag-nested-zxlc2", "fail-two-nested-dag-suspend"])
            var exact = ListWorkflowsRequest(nameContains: "dag-nested", limit: 50)
            exact.nameMatch = .exact
            let exactly = try await reads.list(exact).items
            #expect(exactly.isEmpty)
            exact.nameContains = "dag-nested-zxlc2"
            let named = try await reads.list(exact).items.map(\.name)
            #expect(named == ["dag-nested-zxlc2"])
        }
    }

    @Test("get_workflow by uid: the live run, an archived run of the same name, and a plain miss")
    func byUID() async throws {
        let sim = try await Self.timedSimulator()
        var earlier = try Fixtures.json("succeeded-dag-nested-21-nodes.yaml")
        let liveUID = earlier[path: "metadata.uid"]?.string ?? ""
        earlier.set(["metadata", "uid"], "0c6f4f4e-0000-4000-8000-0000000000aa")
        earlier.set(["status", "phase"], "Failed")
        await sim.archiveObject(earlier)
        try await Self.withReads(sim) { reads, _ in
            func summary(_ uid: String) async throws -> WorkflowSummary {
                var request = GetWorkflowRequest(namespace: "argo", name: "dag-nested-zxlc2")
                request.uid = uid
                guard case .summary(let s) = try await reads.get(request) else { throw ReadFailure("not a summary") }
                return s
            }
            let live = try await summary(liveUID)
            let archived = try await summary("0c6f4f4e-0000-4000-8000-0000000000aa")
            #expect(live.phase == "Succeeded")
            #expect(archived.phase == "Failed")
            let miss = await #expect(throws: ReadFailure.self) { _ = try await summary("not-a-run") }
            #expect(miss?.message.contains("the live workflow of that name has uid \(liveUID)") == true)
        }
    }

    @Test("logs by stream: stderr has the warnings, stdout has none; without the gate Argo answers nothing, said so")
    func logStreams() async throws {
        let sim = ArgoSimulator(logLinesPerPod: 60)
        try await sim.load(try Fixtures.json("succeeded-hello-world-api.json"))
        try await Self.withReads(sim) { reads, sim in
            func logs(_ stream: LogStream?, tail: Int = 200) async throws -> WorkflowLogs {
                try await reads.logs(
                    WorkflowLogsRequest(
                        namespace: "workflows", name: "hello-world-9tql2", tailLines: tail, maxBytes: 200_000,
                        stream: stream))
            }
            let all = try await logs(nil).pods.flatMap(\.lines)
            let warnings = all.filter { $0.contains(" WARN [") }
            #expect(warnings.count == 4, "batches 13, 26, 39 and 52 of 59")
            let stderr = try await logs(.stderr)
            #expect(stderr.pods.flatMap(\.lines) == warnings)
            #expect(stderr.stream == "stderr")
            let stdout = try await logs(.stdout).pods.flatMap(\.lines)
            #expect(stdout.count == all.count - warnings.count)
            #expect(!stdout.contains { $0.contains(" WARN [") })
            // Kubernetes cannot combine a tail with a stream: the tail is kept here.
            let last = try await logs(.stderr, tail: 1).pods.flatMap(\.lines)
            #expect(last == [warnings[3]])
            await sim.setPodLogsSplitStreams(false)
            let gated = try await logs(.stderr)
            #expect(gated.lineCount == 0)
            #expect(gated.note?.contains("PodLogsQuerySplitStreams") == true)
        }
    }

    @Test("the SyncService through the live adapter: the simulator reads the numeric type and cmName it is sent")
    func syncOverHTTP() async throws {
        let sim = ArgoSimulator()
        await sim.setConfigMap(namespace: "argo", name: "semaphore-config", data: ["reports": "2"])
        await sim.setDatabaseLimit(namespace: "argo", key: "etl-db", limit: 4)
        let (port, task) = try await ArgoHTTPLoopbackTests.serve(sim)
        defer { task.cancel() }
        let connection = ArgoConnection(baseURL: URL(string: "http://127.0.0.1:\(port)")!, requestTimeoutSeconds: 20)
        try await ArgoHTTPGateway.with(connection, logger: ArgoHTTPLoopbackTests.logger) { gateway in
            let cm = SyncLimitQuery(namespace: "argo", store: .configMap, configMap: "semaphore-config", key: "reports")
            let db = SyncLimitQuery(namespace: "argo", store: .database, configMap: nil, key: "etl-db")
            #expect(try await gateway.getSyncLimit(cm).limit == 2)
            #expect(try await gateway.getSyncLimit(db).limit == 4)
            let cmSet = try await gateway.updateSyncLimit(cm, limit: 5)
            let dbSet = try await gateway.updateSyncLimit(db, limit: 6)
            #expect(
                cmSet
                    == SyncLimit(
                        namespace: "argo", store: .configMap, configMap: "semaphore-config", key: "reports", limit: 5))
            #expect(dbSet == SyncLimit(namespace: "argo", store: .database, configMap: nil, key: "etl-db", limit: 6))
            let stored = try await sim.getSyncLimit(namespace: "argo", key: "etl-db", type: 1, cmName: nil)
            #expect(stored.limit == 6)
            let zero = await #expect(throws: ArgoError.self) { _ = try await gateway.updateSyncLimit(cm, limit: 0) }
            #expect(zero?.message == "limit must be greater than zero")
        }
    }
}
