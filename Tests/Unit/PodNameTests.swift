import Foundation
import Ports
import Testing

@Suite("Pod names for v1 and v2 naming")
struct PodNameTests {
    @Test("FNV-1a matches Go's hash/fnv (upstream UI test vectors)")
    func fnv() {
        #expect(PodNames.fnv1a32("hello") == 1_335_831_723)
        #expect(PodNames.fnv1a32("world") == 933_488_787)
        #expect(PodNames.fnv1a32("You cannot alter your fate. However, you can rise to meet it.") == 827_171_719)
    }

    @Test("real node ids are the workflow name plus the hash of the node name")
    func nodeIDs() throws {
        let wf = try Fixtures.workflow("succeeded-dag-nested-21-nodes.yaml")
        let node = try #require(wf.status.nodes["dag-nested-zxlc2-644277987"])
        #expect(node.name == "dag-nested-zxlc2.D.D")
        #expect(PodNames.fnv1a32(node.name) == 644_277_987)
        #expect(PodNames.podName(for: node, in: wf) == "dag-nested-zxlc2-echo-644277987")
    }

    @Test("v1 annotation: the pod is named after the node id")
    func v1() throws {
        let wf = try Fixtures.workflow("succeeded-dag-retry-loop-with-failed-attempts.yaml")
        let pod = try #require(wf.status.nodes.values.first { $0.type == .pod })
        #expect(PodNames.podName(for: pod, in: wf) == pod.id)
    }

    @Test("the root pod of a one-step workflow is named after the workflow")
    func rootPod() throws {
        let wf = try Fixtures.workflow("succeeded-hello-world-api.json")
        let node = try #require(wf.status.nodes["hello-world-9tql2"])
        #expect(PodNames.podName(for: node, in: wf) == "hello-world-9tql2")
    }

    @Test("containerSet containers share their bounding pod; templateRef names count; long names are cut to 253")
    func edges() {
        let container = NodeStatus(
            id: "wf-2", name: "wf.main.c1", type: .container, templateName: "c", boundaryID: "wf-1")
        #expect(PodNames.podName(workflowName: "wf", format: "v2", node: container) == "wf-c-1")
        let ref = NodeStatus(
            id: "wf-77", name: "wf.a", type: .pod,
            templateRef: TemplateReference(name: "lib", template: "say", clusterScope: nil))
        #expect(PodNames.podName(workflowName: "wf", format: nil, node: ref) == "wf-say-77")
        let long = String(repeating: "w", count: 250)
        let node = NodeStatus(
            id: "\(long)-1234567890", name: "\(long).x", type: .pod, templateName: String(repeating: "t", count: 40))
        let name = PodNames.podName(workflowName: long, format: "v2", node: node)
        #expect(name.count <= 253)
        #expect(name.hasSuffix("-1234567890"))
    }
}
