import ArgoWire
import Foundation
import Ports
import Testing

@testable import ArgoSimulator
@testable import Domain

/// The simulator tells the story real Argo would (issue 25): DAGs run in dependency order, steps group after group,
/// a suspend holds, a retry finishes, an approval lets the workflow go on, and the demo agrees with itself.
@Suite("The simulator's story", .serialized)
struct SimulatorStoryTests {
    static func decode(_ value: JSONValue) throws -> Workflow { try Workflow.decode(from: value.encoded()) }

    static func date(_ text: String?) -> Date { ArgoTime.parse(text) ?? .distantPast }

    @Test(
        "a generated DAG runs in lanes: a task starts after the task it depends on, the DAG lists only tasks without dependencies"
    )
    func dagOrder() throws {
        let wf = try Self.decode(WorkflowGenerator(name: "lanes", nodeCount: 200, shape: .dag, depth: 2).generate())
        #expect(wf.status.nodes.count == 200)
        var edges = 0
        for node in wf.status.nodes.values where node.type == .pod {
            for child in node.children.compactMap({ wf.status.nodes[$0] })
            where child.type == .pod || child.type == .retry {
                edges += 1
                #expect(Self.date(child.startedAt) >= Self.date(node.finishedAt), "\(child.name) after \(node.name)")
            }
        }
        #expect(edges > 50, "most tasks depend on another")
        let metrics = Diagnostics.metrics(wf, source: "live", now: Date())
        #expect(metrics.criticalPathLength > 2, "a pipeline, not one parallel layer")
        // The DAG's own children are its tasks without dependencies and its groups, not every task.
        for dag in wf.status.nodes.values where dag.type == .dag {
            // Its members: tasks and groups inside it (a retried task's attempts are the task's, not the DAG's).
            let members = wf.status.nodes.values.filter { $0.boundaryID == dag.id && !$0.name.hasSuffix(")") }
            if members.count >= 4 { #expect(dag.children.count < members.count, "\(dag.name)") }
        }
    }

    @Test(
        "running and failing workflows with retries: every child a node lists exists",
        arguments: [
            (WorkflowGenerator.Shape.dag, 3_000, 3), (.dag, 500, 2), (.steps, 800, 3), (.steps, 200, 2),
        ])
    func noDanglingChildren(_ shape: WorkflowGenerator.Shape, _ nodes: Int, _ depth: Int) throws {
        for seed in UInt64(1)...4 {
            let wf = try Self.decode(
                WorkflowGenerator(
                    name: "cut", nodeCount: nodes, shape: shape, failureRate: 0.05, runningRate: 0.05, retryEvery: 7,
                    depth: depth, seed: seed
                ).generate())
            for node in wf.status.nodes.values {
                for child in node.children { #expect(wf.status.nodes[child] != nil, "\(node.name) lists \(child)") }
            }
        }
    }

    @Test("a failed DAG task omits its dependents, with Argo's message and no pod")
    func omitted() throws {
        let wf = try Self.decode(
            WorkflowGenerator(name: "omit", nodeCount: 300, shape: .dag, failureRate: 0.1, retryEvery: 0, depth: 2)
                .generate())
        let omitted = wf.status.nodes.values.filter { $0.phase == .omitted }
        #expect(!omitted.isEmpty)
        for node in omitted {
            #expect(node.type == .skipped)
            #expect(node.message == "omitted: depends condition not met")
            let parent = try #require(wf.status.nodes.values.first { $0.children.contains(node.id) })
            #expect(parent.phase == .failed || parent.phase == .omitted)
        }
        #expect(wf.status.phase == .failed)
    }

    @Test("steps run group after group; a failed group ends the steps")
    func stepsOrder() throws {
        let wf = try Self.decode(WorkflowGenerator(name: "seq", nodeCount: 60, shape: .steps, depth: 2).generate())
        let groups = wf.status.nodes.values.filter { $0.type == .stepGroup }.sorted { $0.name < $1.name }
        #expect(groups.count > 2)
        let ordered = groups.sorted { Self.date($0.startedAt) < Self.date($1.startedAt) }
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(Self.date(b.startedAt) >= Self.date(a.finishedAt), "\(b.name) starts after \(a.name) ends")
        }
        let failing = try Self.decode(
            WorkflowGenerator(name: "stop", nodeCount: 60, shape: .steps, failureRate: 0.3, retryEvery: 0, depth: 2)
                .generate())
        let failedGroups = failing.status.nodes.values.filter { $0.type == .stepGroup && $0.phase == .failed }
        #expect(failedGroups.count == 1, "the first failed group is the last one created")
        let last = failing.status.nodes.values.filter { $0.type == .stepGroup }.max {
            Self.date($0.startedAt) < Self.date($1.startedAt)
        }
        #expect(last?.phase == .failed)
        #expect(failing.status.phase == .failed)
    }

    @Test("an evolving workflow shows only the nodes started so far; Pending first, with a Pending label")
    func evolution() throws {
        let final = WorkflowGenerator(name: "evo", nodeCount: 40, shape: .dag, seed: 9).generate()
        let states = Evolution.states(toward: final, steps: 10)
        let first = try Self.decode(states[0])
        #expect(first.status.phase == .pending)
        #expect(first.status.nodes.isEmpty)
        #expect(first.metadata.labels[ArgoLabels.phase] == "Pending")
        let total = try Self.decode(final).status.nodes.count
        let counts = try states.map { try Self.decode($0).status.nodes.count }
        #expect(counts == counts.sorted(), "nodes appear, never disappear")
        #expect(counts[3] < total, "a running state does not hold nodes that have yet to start")
        for state in states.dropFirst().dropLast() {
            let wf = try Self.decode(state)
            for node in wf.status.nodes.values {
                for child in node.children { #expect(wf.status.nodes[child] != nil) }
            }
        }
    }

    @Test("a suspend holds the evolution, a resume lets it go on; the retried workflow finishes")
    func suspendAndRetry() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(
            generated: WorkflowGenerator(name: "hold", nodeCount: 30, seed: 3, startedAt: Date()), steps: 6)
        let gateway = SimulatedArgoGateway(simulator: sim)
        _ = try await gateway.getWorkflow(namespace: "argo", name: "hold", fields: nil)
        await sim.advanceEvolutions()
        _ = try await sim.perform(.suspend, namespace: "argo", name: "hold")
        let before = try await gateway.getWorkflow(namespace: "argo", name: "hold", fields: nil)
        for _ in 0..<3 { await sim.advanceEvolutions() }
        let held = try await gateway.getWorkflow(namespace: "argo", name: "hold", fields: nil)
        #expect(held.spec.suspend == true, "the evolution does not undo a suspend")
        #expect(held.status.progress == before.status.progress)
        _ = try await sim.perform(.resume(nodeFieldSelector: nil), namespace: "argo", name: "hold")
        for _ in 0..<8 { await sim.advanceEvolutions() }
        let done = try await gateway.getWorkflow(namespace: "argo", name: "hold", fields: nil)
        #expect(done.status.phase == .succeeded)
        #expect(done.spec.suspend != true)

        await sim.add(
            generated: WorkflowGenerator(name: "again", nodeCount: 80, failureRate: 0.2, retryEvery: 0, seed: 5))
        #expect(try await gateway.getWorkflow(namespace: "argo", name: "again", fields: nil).status.phase == .failed)
        _ = try await sim.perform(
            .retry(restartSuccessful: false, nodeFieldSelector: nil, parameters: []), namespace: "argo", name: "again")
        let running = try await gateway.getWorkflow(namespace: "argo", name: "again", fields: nil)
        #expect(running.status.phase == .running)
        for _ in 0..<3 { await sim.advanceEvolutions() }
        let retried = try await gateway.getWorkflow(namespace: "argo", name: "again", fields: nil)
        #expect(retried.status.phase == .succeeded, "a retried workflow runs to its end")
        #expect(!retried.status.nodes.values.contains { $0.phase == .omitted || $0.phase?.isFailure == true })
    }

    @Test("an approved step lets the workflow go on: YES runs deploy-prod, NO skips it by its when")
    func approval() async throws {
        for (answer, expected) in [("YES", NodePhase.succeeded), ("NO", NodePhase.skipped)] {
            let sim = ArgoSimulator()
            try await sim.loadDemoData()
            let gateway = SimulatedArgoGateway(simulator: sim)
            // Argo refuses a plain resume: the approval's output has no value and no default.
            let refused = await #expect(throws: ArgoError.self) {
                _ = try await sim.perform(
                    .resume(nodeFieldSelector: nil), namespace: "argo", name: "release-approval-r4t8w")
            }
            #expect(refused?.message.contains("raw output parameter 'approve' has not been set") == true)
            _ = try await sim.perform(
                .set(
                    NodeUpdate(
                        nodeFieldSelector: "displayName=approval", phase: "Succeeded",
                        outputParameters: ["approve": answer])), namespace: "argo", name: "release-approval-r4t8w")
            for _ in 0..<6 { await sim.advanceEvolutions() }
            let wf = try await gateway.getWorkflow(namespace: "argo", name: "release-approval-r4t8w", fields: nil)
            let deploy = try #require(wf.status.nodes.values.first { $0.displayName == "deploy-prod" })
            #expect(deploy.phase == expected)
            if answer == "NO" { #expect(deploy.message == "when 'NO == YES' evaluated false") }
            #expect(wf.status.phase == .succeeded)
            #expect(wf.status.progress == (answer == "YES" ? "2/2" : "1/1"))
        }
    }

    @Test("the demo agrees with itself and the clock: the cron's last schedule is its newest run, every phase is there")
    func demoConsistency() async throws {
        let sim = ArgoSimulator()
        try await sim.loadDemoData()
        let gateway = SimulatedArgoGateway(simulator: sim)
        let cron = try await gateway.getCronWorkflow(namespace: "argo", name: "nightly-etl")
        let runs = try await gateway.listWorkflows(
            WorkflowListQuery(namespace: "argo", labelSelector: "\(ArgoLabels.cronWorkflow)=nightly-etl"))
        let newest = runs.items.compactMap { $0.metadata.annotations[ArgoLabels.scheduledTime] }.max()
        #expect(cron.status.lastScheduledTime == newest)
        #expect(Self.date(cron.status.lastScheduledTime) <= Date())
        // The cron's runs are runs of its template: extract, transform, load; the failed one stopped at transform.
        let template = try await gateway.getWorkflowTemplate(
            namespace: "argo", name: "etl-pipeline", clusterScope: false)
        let failed = try await gateway.getWorkflow(namespace: "argo", name: "nightly-etl-1700000002", fields: nil)
        #expect(Set(failed.spec.templates.map(\.name)) == Set(template.spec.templates.map(\.name)))
        let phases = Dictionary(
            uniqueKeysWithValues: failed.status.nodes.values.map { ($0.displayName ?? "", $0.phase) })
        #expect(phases["extract"] == .succeeded && phases["transform"] == .failed && phases["load"] == .omitted)
        let all = try await gateway.listWorkflows(WorkflowListQuery(namespace: nil, limit: 500))
        let seen = Set(all.items.compactMap { $0.status.phase?.rawValue })
        for phase in ["Pending", "Running", "Succeeded", "Failed", "Error"] {
            #expect(seen.contains(phase), "the demo has a workflow in \(phase)")
        }
        for wf in all.items {
            #expect(
                Self.date(wf.metadata.creationTimestamp) <= Date(), "\(wf.metadata.name) is not created in the future")
            if let label = wf.metadata.labels[ArgoLabels.phase], let phase = wf.status.phase {
                #expect(label == phase.rawValue, "\(wf.metadata.name)'s phase label")
            }
        }
    }
}
