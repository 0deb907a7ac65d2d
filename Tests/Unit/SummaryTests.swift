import ArgoWire
import Domain
import Foundation
import Ports
import Testing

@Suite("Summaries of real Argo workflows")
struct SummaryTests {
    let shaping = WorkflowShaping(now: Date(timeIntervalSince1970: 1_800_000_000))

    @Test("every fixture decodes and summarizes consistently", arguments: Fixtures.workflowFiles)
    func everyFixture(file: String) throws {
        let raw = try Fixtures.json(file)
        let wf = try Fixtures.workflow(file)
        let summary = shaping.summary(wf)
        let nodes = raw[path: "status.nodes"]?.object ?? [:]
        #expect(summary.name == raw[path: "metadata.name"]?.string)
        #expect(summary.phase == raw[path: "status.phase"]?.string)
        #expect(summary.nodeCount == nodes.count)
        #expect(summary.nodesByPhase.values.reduce(0, +) == nodes.count)
        let failed = nodes.values.filter { ["Failed", "Error"].contains($0["phase"]?.string ?? "") }.count
        #expect(summary.failedNodeCount == failed)
        #expect(summary.failedNodes.count == min(failed, 20))
        for node in summary.failedNodes { #expect(node.phase == "Failed" || node.phase == "Error") }
        let tree = shaping.tree(wf)
        #expect(tree.count == nodes.count)
        #expect(Set(tree.map(\.id)).count == nodes.count)
    }

    @Test("a failed DAG lists its failing pods first, with exit messages and pod names")
    func failedDAG() throws {
        let wf = try Fixtures.workflow("controller-testdata-dag-disable-fail-fast.yaml")
        let s = shaping.summary(wf)
        #expect(s.phase == "Failed")
        let first = try #require(s.failedNodes.first)
        #expect(first.type == "Pod")
        #expect(first.message?.contains("exit code") == true)
        #expect(first.podName != nil)
        #expect(s.entrypoint != nil)
    }

    @Test("failed attempts that a retry recovered from are marked and listed after the failures that stuck")
    func recoveredAttempts() throws {
        let ok = shaping.summary(try Fixtures.workflow("succeeded-dag-retry-loop-with-failed-attempts.yaml"))
        #expect(ok.failedNodeCount == 2)
        #expect(ok.failedNodes.allSatisfy { $0.recovered == true })

        let wf = try Workflow.decode(from: ArgoSimulatorTestSupport.generated(nodes: 400, failures: 0.05))
        let s = WorkflowShaping(now: Date(), maxListedNodes: 1000).summary(wf)
        let flags = s.failedNodes.filter { $0.type == "Pod" }.map { $0.recovered == true }
        #expect(flags.contains(true) && flags.contains(false))
        #expect(flags == flags.sorted { !$0 && $1 }, "failures that stuck come first")
    }

    @Test("durations come from start and finish; running ones from the clock")
    func durations() throws {
        let done = shaping.summary(try Fixtures.workflow("succeeded-hello-world-api.json"))
        #expect(done.durationSeconds == 8)
        #expect(done.duration == "8s")
        let running = try Fixtures.workflow("running-hello-world-api.json")
        let s = shaping.summary(running)
        let started = try #require(ArgoTime.parse(running.status.startedAt))
        #expect(s.durationSeconds == Int(Date(timeIntervalSince1970: 1_800_000_000).timeIntervalSince(started)))
        #expect(s.runningNodeCount == 1)
    }

    @Test("a 20,000-node generated workflow stays compact")
    func largeWorkflow() throws {
        let json = ArgoSimulatorTestSupport.generated(nodes: 20_000, failures: 0.02)
        let wf = try Workflow.decode(from: json)
        // Failures omit dependents, as Argo does, so a little under the 20,000 asked for.
        #expect(wf.status.nodes.count > 19_000 && wf.status.nodes.count <= 20_000)
        let s = shaping.summary(wf)
        #expect(s.failedNodes.count == 20)
        #expect(s.failedNodeCount > 20)
        #expect(s.truncated)
        let encoded = try JSONEncoder().encode(s)
        #expect(encoded.count < 8_000)
    }
}
