import ArgoSimulator
import ArgoWire
import Foundation
import Ports
import Testing

enum ArgoSimulatorTestSupport {
    static func generated(nodes: Int, failures: Double = 0, shape: WorkflowGenerator.Shape = .dag) -> Data {
        WorkflowGenerator(name: "gen", nodeCount: nodes, shape: shape, failureRate: failures).generate().encoded()
    }
}

@Suite("Workflow generator")
struct GeneratorTests {
    @Test(
        "generates exactly N nodes in a connected tree", arguments: [1, 2, 17, 1_000, 20_000],
        [WorkflowGenerator.Shape.dag, .steps])
    func exactCount(n: Int, shape: WorkflowGenerator.Shape) throws {
        let wf = try Workflow.decode(from: ArgoSimulatorTestSupport.generated(nodes: n, shape: shape))
        #expect(wf.status.nodes.count == n)
        var reached = Set<String>()
        var stack = [wf.metadata.name]
        while let id = stack.popLast() {
            guard reached.insert(id).inserted else { continue }
            stack.append(contentsOf: wf.status.nodes[id]?.children ?? [])
        }
        #expect(reached.count == n)
    }

    @Test("failures roll up: failed pods make the workflow Failed; node ids are Argo's hash of the node name")
    func failuresRollUp() throws {
        let wf = try Workflow.decode(from: ArgoSimulatorTestSupport.generated(nodes: 500, failures: 0.05))
        #expect(wf.status.phase == .failed)
        let failedPods = wf.status.nodes.values.filter { $0.type == .pod && $0.phase == .failed }
        #expect(failedPods.count > 5)
        #expect(failedPods.allSatisfy { $0.exitCode != nil })
        for node in wf.status.nodes.values where node.id != wf.metadata.name {
            #expect(node.id == "gen-\(PodNames.fnv1a32(node.name))")
        }
    }
}
