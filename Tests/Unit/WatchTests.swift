import ArgoSimulator
import Domain
import Foundation
import Ports
import Testing

@Suite("watch_workflow's use case against the simulator", .timeLimit(.minutes(1)))
struct WatchTests {
    actor Updates {
        var all: [WatchUpdate] = []
        func add(_ u: WatchUpdate) { all.append(u) }
    }

    /// Advances the simulator's evolving workflows until `done`, a step at a time.
    static func drive(_ sim: ArgoSimulator) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                if await sim.advanceEvolutions() == 0 { break }
            }
        }
    }

    @Test("follows a workflow from Pending to Failed, reports progress and the nodes that failed, survives a break")
    func follows() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(
            generated: WorkflowGenerator(name: "live", nodeCount: 60, failureRate: 0.1, seed: 3), steps: 10)
        await sim.inject(Fault(breakAfterLines: 3, remaining: 1), into: .workflowEvents)
        let gateway = SimulatedArgoGateway(simulator: sim)
        let watch = WatchWorkflow(ArgoContext(gateway: gateway, defaultNamespace: "argo"), backoff: .milliseconds(1))
        let updates = Updates()
        _ = try await gateway.getWorkflow(namespace: "argo", name: "live", fields: nil)
        let driver = Self.drive(sim)
        defer { driver.cancel() }
        let result = try await watch.watch(namespace: nil, name: "live", timeoutSeconds: 30) { await updates.add($0) }
        #expect(result.endedBy == "completed")
        #expect(result.phase == "Failed")
        #expect(result.reconnects >= 1)
        #expect(result.timeline.first?.phase == "Pending")
        #expect(result.timeline.map(\.phase).contains("Running"))
        #expect(result.timeline.last?.phase == "Failed")
        #expect(!result.failedNodes.isEmpty)
        #expect(result.summary?.failedNodeCount ?? 0 > 0)
        let all = await updates.all
        #expect(all.count >= 3)
        #expect(all.contains { !$0.newlyFailed.isEmpty })
    }

    @Test("a finished workflow returns at once; an unknown one is Argo's 404")
    func finished() async throws {
        let sim = ArgoSimulator()
        try await sim.load(try Fixtures.json("succeeded-hello-world-api.json"))
        let watch = WatchWorkflow(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "workflows"))
        let result = try await watch.watch(namespace: nil, name: "hello-world-9tql2") { _ in }
        #expect(result.endedBy == "already-completed")
        let error = await #expect(throws: ArgoError.self) {
            _ = try await watch.watch(namespace: nil, name: "nope") { _ in }
        }
        #expect(error?.kind == .notFound)
    }

    @Test("times out, and gives up with the last error when the stream keeps failing")
    func timeoutAndGiveUp() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(generated: WorkflowGenerator(name: "slow", nodeCount: 10, seed: 1), steps: 100)
        let gateway = SimulatedArgoGateway(simulator: sim)
        let watch = WatchWorkflow(
            ArgoContext(gateway: gateway, defaultNamespace: "argo"), maxReconnectAttempts: 2, backoff: .milliseconds(1),
            outageTolerance: .zero)
        let timedOut = try await watch.watch(namespace: nil, name: "slow", timeoutSeconds: 1) { _ in }
        #expect(timedOut.endedBy == "timeout")
        #expect(timedOut.phase == "Pending")

        await sim.inject(Fault(grpcCode: 14, message: "connection refused"), into: .workflowEvents)
        let error = await #expect(throws: ReadFailure.self) {
            _ = try await watch.watch(namespace: nil, name: "slow", timeoutSeconds: 30) { _ in }
        }
        #expect(error?.message.contains("connection refused") == true)
    }

    @Test("an outage of many attempts is waited out within the outage tolerance; the end is the workflow's real one")
    func waitsOutAnOutage() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(generated: WorkflowGenerator(name: "restart", nodeCount: 8, seed: 2), steps: 6)
        let gateway = SimulatedArgoGateway(simulator: sim)
        // 25 refusals in a row: five times what the attempt count alone would allow.
        await sim.inject(Fault(grpcCode: 14, message: "connection refused", remaining: 25), into: .workflowEvents)
        let watch = WatchWorkflow(
            ArgoContext(gateway: gateway, defaultNamespace: "argo"), maxReconnectAttempts: 5, backoff: .milliseconds(1),
            maxBackoff: .milliseconds(20), outageTolerance: .seconds(20))
        let driver = Self.drive(sim)
        defer { driver.cancel() }
        let result = try await watch.watch(namespace: nil, name: "restart", timeoutSeconds: 50) { _ in }
        #expect(result.endedBy == "completed")
        #expect(result.phase == "Succeeded")
        #expect(result.reconnects >= 1)
    }

    /// Starts watching `name`, then — with Argo unreachable for the watch — lets the workflow finish and be
    /// deleted, and lets Argo come back.
    static func finishedAndDeletedWhileAway(_ sim: ArgoSimulator, _ name: String) async throws -> WatchResult {
        await sim.addEvolving(generated: WorkflowGenerator(name: name, nodeCount: 4, seed: 5), steps: 3)
        let gateway = SimulatedArgoGateway(simulator: sim)
        let watch = WatchWorkflow(
            ArgoContext(gateway: gateway, defaultNamespace: "argo"), backoff: .milliseconds(20),
            maxBackoff: .milliseconds(50), outageTolerance: .seconds(30))
        let (first, seen) = AsyncStream<Void>.makeStream()
        let watching = Task {
            try await watch.watch(namespace: nil, name: name, timeoutSeconds: 40) { _ in seen.yield() }
        }
        // The watch has read the workflow (its first update), and then opened its stream.
        for await _ in first { break }
        while await sim.openWatches(namespace: "argo", name: name) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await sim.inject(Fault(grpcCode: 14, message: "connection refused"), into: .workflowEvents)
        await sim.inject(Fault(grpcCode: 14, message: "connection refused"), into: .getWorkflow)
        // The open stream ends within the simulator's watch lifetime; from then on the watch is away.
        while await sim.openWatches(namespace: "argo", name: name) > 0 { try await Task.sleep(for: .milliseconds(5)) }
        while await sim.advanceEvolutions() > 0 {}
        try await sim.delete(namespace: "argo", name: name)
        try await Task.sleep(for: .milliseconds(300))
        await sim.clearFaults()
        return try await watching.value
    }

    @Test("a workflow that completed, was archived and was deleted while the watch was away ends as it ended")
    func deletedWhileAwayFromTheArchive() async throws {
        let sim = ArgoSimulator(watchLifetime: .milliseconds(100))
        let result = try await Self.finishedAndDeletedWhileAway(sim, "archived-away")
        #expect(result.endedBy == "completed")
        #expect(result.phase == "Succeeded", "the archived copy's phase, not the last one seen (Running)")
        #expect(result.timeline.last?.phase == "Succeeded")
        #expect(!result.timeline.map(\.phase).contains("Running"), "the run was never seen running: it was away")
    }

    @Test("without an archive, a workflow deleted while the watch was away is 'deleted', its end said to be unknown")
    func deletedWhileAwayWithoutArchive() async throws {
        let sim = ArgoSimulator(watchLifetime: .milliseconds(100))
        await sim.disableArchive()
        let result = try await Self.finishedAndDeletedWhileAway(sim, "gone-away")
        #expect(result.endedBy == "deleted")
        #expect(result.note?.contains("final phase is unknown") == true, "\(result.note ?? "no note")")
    }

    @Test("a deletion seen on the stream reports the object's last state, then the archive's")
    func deletionEventReadsTheArchive() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(generated: WorkflowGenerator(name: "dropped", nodeCount: 4, seed: 5), steps: 6)
        let gateway = SimulatedArgoGateway(simulator: sim)
        let watch = WatchWorkflow(ArgoContext(gateway: gateway, defaultNamespace: "argo"), backoff: .milliseconds(1))
        let watching = Task { try await watch.watch(namespace: nil, name: "dropped", timeoutSeconds: 30) { _ in } }
        try await Task.sleep(for: .milliseconds(200))
        try await sim.delete(namespace: "argo", name: "dropped")
        let result = try await watching.value
        // Deleted while Pending: the archive has no copy (only completed runs are archived).
        #expect(result.endedBy == "deleted")
        #expect(result.note?.contains("no archived copy") == true, "\(result.note ?? "no note")")
    }
}
