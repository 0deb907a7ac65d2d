import ArgoSimulator
import ArgoWire
import Foundation
import Ports
import Testing

/// The fast workflow reader must read exactly what `JSONDecoder` reads.
@Suite("WorkflowReader: the fast path reads what JSONDecoder reads")
struct WorkflowReaderTests {
    static func slow(_ data: Data) throws -> Workflow { try JSONDecoder().decode(Workflow.self, from: data) }

    static func expectSame(_ fast: Workflow, _ slow: Workflow, _ what: String) {
        #expect(fast.metadata == slow.metadata, "\(what)")
        #expect(fast.spec.entrypoint == slow.spec.entrypoint && fast.spec.parameters == slow.spec.parameters, "\(what)")
        #expect(fast.spec.templates == slow.spec.templates, "\(what)")
        #expect(fast.status.phase == slow.status.phase && fast.status.message == slow.status.message, "\(what)")
        #expect(fast.status.startedAt == slow.status.startedAt && fast.status.finishedAt == slow.status.finishedAt)
        #expect(fast.status.progress == slow.status.progress, "\(what)")
        #expect(fast.status.resourcesDuration == slow.status.resourcesDuration, "\(what)")
        #expect(fast.status.conditions == slow.status.conditions, "\(what)")
        #expect(fast.status.nodes == slow.status.nodes, "\(what)")
    }

    @Test("every real fixture", arguments: Fixtures.workflowFiles)
    func fixtures(_ file: String) throws {
        let data = try Fixtures.json(file).encoded()
        let fast = try WorkflowReader.read(data)
        Self.expectSame(fast, try Self.slow(data), file)
        #expect(!fast.status.nodes.isEmpty)
    }

    @Test("generated workflows with retries, failures and OOM kills")
    func generated() throws {
        for shape in WorkflowGenerator.Shape.allCases {
            let data = WorkflowGenerator(
                name: "gen", nodeCount: 3_000, shape: shape, failureRate: 0.05, runningRate: 0.05, depth: 3
            ).generate().encoded()
            Self.expectSame(try WorkflowReader.read(data), try Self.slow(data), "\(shape)")
        }
    }

    @Test("escapes, unicode, numbers as exit codes, nulls, pretty-printed input and unknown fields")
    func edges() throws {
        let text = """
            {
              "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
              "metadata": {"name": "edge", "namespace": "argo", "labels": {"a": "b"}},
              "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "n", "value": 3}]}},
              "status": {
                "phase": "Failed", "message": "quote \\" backslash \\\\ tab \\t newline \\n snowman \\u2603 face \\ud83d\\ude00",
                "storedTemplates": {"x": {"container": {"args": ["{", "}", "[\\"]"]}}},
                "nodes": {
                  "edge": {"id": "edge", "name": "edge", "type": "DAG", "phase": "Failed", "children": ["edge-1"],
                           "templateRef": {"name": "wt", "template": "t", "clusterScope": true}, "extra": [1, {"b": null}]},
                  "edge-1": {"name": "edge.a", "type": "Pod", "phase": "", "outputs": {"exitCode": 137, "parameters": []},
                             "resourcesDuration": {"cpu": 12, "memory": 40}, "children": null, "message": null,
                             "hostNodeName": "node-\\/1", "progress": "1/1"},
                  "edge-2": {"id": "edge-2", "name": "edge.b", "type": "Pod", "outputs": {"exitCode": "2"}, "phase": "Failed"}
                },
                "resourcesDuration": {"cpu": 12}, "progress": "0/2", "estimatedDuration": "17"
              }
            }
            """
        let data = Data(text.utf8)
        let fast = try WorkflowReader.read(data)
        Self.expectSame(fast, try Self.slow(data), "edges")
        #expect(fast.status.message == "quote \" backslash \\ tab \t newline \n snowman ☃ face 😀")
        #expect(fast.status.nodes["edge-1"]?.id == "edge-1")
        #expect(fast.status.nodes["edge-1"]?.exitCode == "137")
        #expect(fast.status.nodes["edge-1"]?.phase == nil)
        #expect(fast.status.nodes["edge"]?.templateRef?.clusterScope == true)
        #expect(fast.status.nodes["edge-1"]?.hostNodeName == "node-/1")
        #expect(fast.status.estimatedDuration == 17)
    }

    @Test("malformed JSON is refused by the fast path and by Workflow.decode alike")
    func malformed() {
        for text in ["{\"status\": {\"nodes\": {\"a\": {\"name\": \"x\"}", "[1, 2]", ""] {
            let data = Data(text.utf8)
            #expect(throws: (any Error).self) { try WorkflowReader.read(data) }
            #expect(throws: (any Error).self) { try Workflow.decode(from: data) }
        }
    }

    @Test("a field of the wrong type reads as absent; a node or list item that is no object is left out")
    func wrongTypes() throws {
        let text = """
            {"metadata": {"name": 1, "labels": {"a": 5, "b": ["x"]}}, "status": {"phase": 5, "nodes":
             {"n1": {"name": "n1", "children": [1, null, "n2"], "resourcesDuration": {"cpu": 1e30, "memory": "7"}},
              "n2": "not a node", "n3": null}}}
            """
        let wf = try Workflow.decode(from: Data(text.utf8))
        #expect(wf.metadata.name == "")
        #expect(wf.metadata.labels == ["a": "5"])
        #expect(wf.status.phase == nil)
        #expect(wf.status.nodes.keys.sorted() == ["n1"])
        #expect(wf.status.nodes["n1"]?.children == ["n2"])
        #expect(wf.status.nodes["n1"]?.resourcesDuration == ["cpu": .max, "memory": 7])
        let page = try WorkflowPage.decode(from: Data(#"{"items": [{"metadata": {"name": "a"}}, 5, "x", null]}"#.utf8))
        #expect(page.items.map(\.metadata.name) == ["a"])
        #expect(page.unreadableItems == 3)
    }
}
