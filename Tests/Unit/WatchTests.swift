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
            ArgoContext(gateway: gateway, defaultNamespace: "argo"), maxReconnectAttempts: 2, backoff: .milliseconds(1))
        let timedOut = try await watch.watch(namespace: nil, name: "slow", timeoutSeconds: 1) { _ in }
        #expect(timedOut.endedBy == "timeout")
        #expect(timedOut.phase == "Pending")

        await sim.inject(Fault(grpcCode: 14, message: "connection refused"), into: .workflowEvents)
        let error = await #expect(throws: ReadFailure.self) {
            _ = try await watch.watch(namespace: nil, name: "slow", timeoutSeconds: 30) { _ in }
        }
        #expect(error?.message.contains("connection refused") == true)
    }
}
