import ArgoSimulator
import Domain
import Foundation
import Ports
import Testing

@Suite("Diagnostics: failure analysis, metrics, comparison, graphs on real fixtures and generated workflows")
struct DiagnosticsTests {
    static func rig() async throws -> (ArgoSimulator, Diagnostics) {
        let sim = ArgoSimulator(logLinesPerPod: 40)
        for file in Fixtures.workflowFiles { try await sim.load(try Fixtures.json(file)) }
        try await sim.loadDemoData()
        try await sim.load(
            fanOut(items: 1_000, failing: [17: "OOMKilled (exit code 137)", 640: "Error (exit code 1)"]))
        return (sim, Diagnostics(ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo")))
    }

    /// A DAG with `items` parallel pods of one template, some failing with the given messages.
    static func fanOut(items: Int, failing: [Int: String], name: String = "fan-out-x1") -> JSONValue {
        var nodes: [String: JSONValue] = [:]
        var children: [JSONValue] = []
        for i in 0..<items {
            let id = "\(name)-\(i)"
            children.append(.string(id))
            let failed = failing[i]
            var node: [String: JSONValue] = [
                "id": .string(id), "name": .string("\(name).process(\(i):item-\(i))"),
                "displayName": .string("process(\(i):item-\(i))"), "type": "Pod", "templateName": "process",
                "phase": failed == nil ? "Succeeded" : "Failed", "boundaryID": .string(name),
                "startedAt": .string("2026-11-25T01:00:\(String(format: "%02d", i % 60))Z"),
                "finishedAt": .string("2026-11-25T01:0\(1 + i % 5):00Z"),
                "resourcesDuration": .object(["cpu": .int(i % 7 + 1), "memory": .int(i % 11 + 1)]),
            ]
            if let failed {
                node["message"] = .string(failed)
                node["outputs"] = .object(["exitCode": .string(failed.contains("137") ? "137" : "1")])
            }
            nodes[id] = .object(node)
        }
        nodes[name] = .object([
            "id": .string(name), "name": .string(name), "displayName": .string(name), "type": "DAG",
            "templateName": "main", "phase": "Failed", "children": .array(children),
            "startedAt": "2026-11-25T01:00:00Z", "finishedAt": "2026-11-25T01:06:00Z",
        ])
        return .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": .object(["name": .string(name), "namespace": "argo", "uid": "fan-out-uid"]),
            "spec": .object(["entrypoint": "main"]),
            "status": .object([
                "resourcesDuration": .object([
                    "cpu": .int((0..<items).reduce(0) { $0 + $1 % 7 + 1 }),
                    "memory": .int((0..<items).reduce(0) { $0 + $1 % 11 + 1 }),
                ]),
                "phase": "Failed", "message": "child failed", "startedAt": "2026-11-25T01:00:00Z",
                "finishedAt": "2026-11-25T01:06:00Z", "nodes": .object(nodes),
            ]),
        ])
    }

    func target(_ file: String) throws -> Diagnostics.Target {
        let wf = try Fixtures.workflow(file)
        return .init(namespace: wf.metadata.namespace ?? "argo", name: wf.metadata.name)
    }

    @Test("a failure deep inside nested DAGs: the failing leaf, not the DAGs above it that failed because of it")
    func nestedDAG() async throws {
        let (_, diagnostics) = try await Self.rig()
        let a = try await diagnostics.analyzeFailure(
            .init(target: target("failed-nested-dag-with-suspend-17-nodes.yaml")))
        #expect(a.rootCauseCount == 1)
        let cause = try #require(a.rootCauses.first)
        #expect(cause.exitCode == "1")
        #expect(cause.category == "application_error")
        #expect(cause.podName != nil)
        #expect(a.failedNodeCount > 1)
        #expect(cause.logExcerpt?.contains { $0.contains("ERROR") } == true)
    }

    @Test("a retry node whose last attempt failed is one cause: attempts counted, retries exhausted")
    func exhaustedRetries() async throws {
        let (_, diagnostics) = try await Self.rig()
        let a = try await diagnostics.analyzeFailure(.init(target: target("failed-dag-retry-taskgroup.yaml")))
        let cause = try #require(a.rootCauses.first)
        #expect(cause.path.hasSuffix("launch(1:fail)(0)"))
        #expect(cause.attempts == 1 && cause.retriesExhausted == true)
        #expect(a.rootCauseCount == 1)

        let steps = try await diagnostics.analyzeFailure(
            .init(target: target("controller-testdata-steps-failed-retries.yaml")))
        let byPath = Dictionary(uniqueKeysWithValues: steps.rootCauses.map { ($0.path, $0) })
        // `fail` used both attempts and gave up; `delayed-fail` is still retrying, so its last attempt stands for it.
        #expect(byPath.count == 2)
        #expect(byPath["[0].fail(1)"]?.attempts == 2 && byPath["[0].fail(1)"]?.retriesExhausted == true)
        #expect(byPath["[0].delayed-fail(1)"]?.retriesExhausted == false)
        #expect(steps.notes.contains { $0.contains("still Running") })
    }

    @Test("a fan-out where 2 of 1,000 items failed: both found and classified, OOM first; the graph collapses it")
    func fanOutFailures() async throws {
        let (_, diagnostics) = try await Self.rig()
        let a = try await diagnostics.analyzeFailure(.init(target: .init(namespace: "argo", name: "fan-out-x1")))
        #expect(a.rootCauseCount == 2)
        #expect(Set(a.rootCauses.map(\.category)) == ["oom_killed", "application_error"])
        let oom = try #require(a.rootCauses.first { $0.category == "oom_killed" })
        #expect(oom.path == "process(17:item-17)")
        #expect(a.nextSteps.contains { $0.contains("resources.limits.memory") })

        let g = try await diagnostics.graph(.init(target: .init(namespace: "argo", name: "fan-out-x1")))
        #expect(g.collapsedFanOuts == 1)
        #expect(g.mermaid.contains("998 Succeeded, 2 Failed"))
        #expect(g.mermaid.contains("process(17:item-17)") && g.mermaid.contains("process(640:item-640)"))
        #expect(g.shown <= 5)

        let m = try await diagnostics.metrics(.init(namespace: "argo", name: "fan-out-x1"))
        #expect(m.podCount == 1_000)
        #expect(m.templates.first?.template == "process" && m.templates.first?.failed == 2)
        #expect(m.resourcesDuration["cpu"] == (0..<1_000).reduce(0) { $0 + $1 % 7 + 1 })
        #expect(m.maxParallelPods > 100)
    }

    @Test("a running workflow with a pod pending for 20 minutes: the stuck pod is named, classified unschedulable")
    func pendingTooLong() async throws {
        let sim = ArgoSimulator()
        let started = ArgoTime.format(Date().addingTimeInterval(-1_200))
        try await sim.load(
            .object([
                "kind": "Workflow",
                "metadata": .object(["name": "stuck-1", "namespace": "argo"]),
                "spec": .object(["entrypoint": "main"]),
                "status": .object([
                    "phase": "Running", "startedAt": .string(started),
                    "nodes": .object([
                        "stuck-1": .object([
                            "id": "stuck-1", "name": "stuck-1", "type": "Steps", "phase": "Running",
                            "startedAt": .string(started), "children": .array(["stuck-1-1"]),
                        ]),
                        "stuck-1-1": .object([
                            "id": "stuck-1-1", "name": "stuck-1[0].train", "displayName": "train", "type": "Pod",
                            "templateName": "train", "phase": "Pending", "startedAt": .string(started),
                            // No message: a pod that never started counts as unschedulable.
                            "boundaryID": "stuck-1",
                        ]),
                    ]),
                ]),
            ]))
        let diagnostics = Diagnostics(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo"))
        let a = try await diagnostics.analyzeFailure(.init(target: .init(namespace: "argo", name: "stuck-1")))
        let cause = try #require(a.rootCauses.first)
        #expect(cause.category == "unschedulable")
        #expect(cause.explanation.hasPrefix("pending for 20m"))
        #expect(cause.logNote?.contains("kubectl describe pod") == true)
        #expect(a.nextSteps.contains { $0.contains("lower resources.requests") })
        #expect(!a.notes.contains { $0.hasPrefix("partial result") })
        #expect(a.notes.contains { $0.contains("pending for over 10 minutes") })
    }

    @Test("an archived failed workflow is analyzed from the archive when the object is gone")
    func archived() async throws {
        let (sim, diagnostics) = try await Self.rig()
        try await sim.delete(namespace: "argo", name: "train-model-v3-8fj2d")
        let a = try await diagnostics.analyzeFailure(
            .init(target: .init(namespace: "argo", name: "train-model-v3-8fj2d")))
        #expect(a.source == "archive")
        #expect(a.rootCauseCount >= 1)
        #expect(!a.nextSteps.contains { $0.hasPrefix("after fixing the cause: retry_workflow") })
    }

    @Test("injected Argo errors: unreadable logs give a partial result with a note; an unreadable workflow is an error")
    func injectedErrors() async throws {
        let (sim, diagnostics) = try await Self.rig()
        await sim.inject(Fault(grpcCode: 14, message: "logs unavailable"), into: .workflowLogs)
        let a = try await diagnostics.analyzeFailure(.init(target: .init(namespace: "argo", name: "fan-out-x1")))
        #expect(a.rootCauseCount == 2)
        #expect(a.rootCauses.allSatisfy { $0.logExcerpt == nil && $0.logNote?.contains("logs unavailable") == true })
        #expect(a.notes.contains { $0.hasPrefix("partial result") })
        await sim.inject(Fault(grpcCode: 7, message: "denied"), into: .getWorkflow)
        let error = await #expect(throws: ArgoError.self) {
            _ = try await diagnostics.analyzeFailure(.init(target: .init(namespace: "argo", name: "fan-out-x1")))
        }
        #expect(error?.kind == .permissionDenied)
    }

    @Test("comparing a cron run with its last success names the newly failed steps first")
    func cronComparison() async throws {
        let (sim, diagnostics) = try await Self.rig()
        let c = try await diagnostics.compare(
            .init(base: nil, other: .init(namespace: "argo", name: "nightly-etl-1700000002"), baseline: "last_success"))
        #expect(c.base.phase == "Succeeded")
        #expect(c.other.phase == "Failed")
        #expect(c.steps.first?.change == "newly failed")
        #expect(c.headline.first?.contains("newly failed") == true)
        let none = await #expect(throws: ReadFailure.self) {
            _ = try await diagnostics.compare(
                .init(base: nil, other: .init(namespace: "argo", name: "fan-out-x1"), baseline: "last_success"))
        }
        #expect(none?.message.contains("give base_name") == true)

        // Two fan-outs of different size: the resource change is a headline, the extra items are "only in other".
        let small = Self.fanOut(items: 100, failing: [:], name: "fan-out-s1")
        try await sim.load(small)
        let sized = try await diagnostics.compare(
            .init(
                base: .init(namespace: "argo", name: "fan-out-s1"), other: .init(namespace: "argo", name: "fan-out-x1"),
                baseline: nil))
        #expect(sized.headline.contains { $0.hasPrefix("cpu resourcesDuration 395 → ") })
        #expect(sized.steps.first?.change == "newly failed")
        #expect(sized.stepChangeTotal >= 900)
    }

    @Test("critical path: the longest of parallel steps; every stage of nested diamonds in order")
    func criticalPath() async throws {
        let (_, diagnostics) = try await Self.rig()
        let parallel = try await diagnostics.metrics(try target("succeeded-steps-many-items-15-nodes.yaml"))
        // Thirteen parallel sleeps: the longest one is the whole path.
        #expect(parallel.criticalPathLength == 1 && parallel.criticalPath.first?.path == "[0].sleep(12:twelve)")
        #expect(parallel.maxParallelPods == 13)
        let m = try await diagnostics.metrics(try target("succeeded-dag-nested-21-nodes.yaml"))
        // Three nested diamonds run one after the other: A, then B or C, then D, three times over.
        #expect(m.criticalPathLength == 9)
        let starts = m.criticalPath.compactMap(\.startedAt)
        #expect(starts == starts.sorted())
        #expect((m.criticalPathSeconds ?? 0) <= (m.wallSeconds ?? 0))
    }

    @Test("classification from Argo and Kubernetes signals")
    func classification() {
        func id(_ message: String?, _ code: String? = nil) -> String {
            FailureClassifier.classify(message: message, exitCode: code).id
        }
        #expect(id("OOMKilled (exit code 137)", "137") == "oom_killed")
        #expect(id("Back-off pulling image \"busybox:nope\": ImagePullBackOff") == "image_pull")
        #expect(id("Pod was active on the node longer than the specified deadline") == "deadline_exceeded")
        #expect(id("pod deleted") == "pod_deleted_or_evicted")
        #expect(id("The node was low on resource: memory. Container main was using 2Gi") == "pod_deleted_or_evicted")
        #expect(id("0/3 nodes are available: 3 Insufficient cpu. Unschedulable") == "unschedulable")
        #expect(id("failed to resolve {{inputs.parameters.x}}") == "parameter_resolution")
        #expect(id("failed to load artifacts: key does not exist") == "missing_artifact")
        #expect(id("Error (exit code 127)") == "command_not_found")
        #expect(id("Error (exit code 126)") == "not_executable")
        #expect(id("failed with exit code 2") == "usage_error")
        #expect(id("Error (exit code 1)", "1") == "application_error")
        #expect(id(nil, "137") == "killed")
        #expect(id("Error (exit code 3)") == "exit_code_3")
        #expect(
            FailureClassifier.excerpt(
                ["a", "b", "c", "d", "Traceback (most recent call last):", "e"], before: 2, after: 1)
                == ["c", "d", "Traceback (most recent call last):", "e"])
    }

    @Test("a 50,000-node workflow: every diagnostic stays within its budget")
    func huge() async throws {
        let sim = ArgoSimulator()
        await sim.add(
            generated: WorkflowGenerator(
                name: "huge-50k", namespace: "argo", nodeCount: 50_000, failureRate: 0.001, depth: 3))
        let diagnostics = Diagnostics(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo"))
        let target = Diagnostics.Target(namespace: "argo", name: "huge-50k")
        let a = try await diagnostics.analyzeFailure(.init(target: target))
        #expect(a.nodeCount > 49_000 && a.nodeCount <= 50_000)
        #expect(a.rootCauses.count == 5 && a.truncated)
        #expect(try JSONEncoder().encode(a).count < 16_000)
        let m = try await diagnostics.metrics(target)
        #expect(m.podCount > 40_000)
        #expect(m.criticalPath.count <= 30 && m.templates.count <= 20)
        let g = try await diagnostics.graph(.init(target: target))
        #expect(g.shown <= 60)
        #expect(g.mermaid.utf8.count < 8_000)
    }
}
