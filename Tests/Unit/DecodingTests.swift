import ArgoSimulator
import ArgoWire
import Foundation
import Ports
import Testing

@Suite("Tolerant decoding and seeds")
struct DecodingTests {
    @Test("unknown fields, phases and node types are kept, numbers-as-strings are read")
    func tolerant() throws {
        let json = #"""
            {"metadata":{"name":"x","namespace":"n","futureField":{"a":1}},
             "spec":{"entrypoint":"main","activeDeadlineSeconds":"300","arguments":{"parameters":[{"name":"n","value":5},{"name":"b","value":true}]},
                     "templates":[{"name":"main","quantum":{}},{"name":"c","container":{"image":"x"}}]},
             "status":{"phase":"Zombie","nodes":{"x":{"id":"x","name":"x","type":"Quantum","phase":"Hibernating","outputs":{"exitCode":137}}}}}
            """#
        let wf = try Workflow.decode(from: Data(json.utf8))
        #expect(wf.status.phase?.rawValue == "Zombie")
        #expect(wf.status.nodes["x"]?.type.rawValue == "Quantum")
        #expect(wf.status.nodes["x"]?.phase?.rawValue == "Hibernating")
        #expect(wf.status.nodes["x"]?.exitCode == "137")
        #expect(wf.spec.activeDeadlineSeconds == 300)
        #expect(wf.spec.parameters.map(\.value) == ["5", "true"])
        #expect(wf.spec.templates.map(\.kind) == ["unknown", "container"])
        #expect(wf.raw?.text.contains("futureField") == true)
    }

    @Test("manifests: several documents and kind: List are split into objects")
    func manifests() async throws {
        let yaml = """
            apiVersion: v1
            kind: List
            items:
            - kind: Workflow
              metadata: {name: a}
            - kind: CronWorkflow
              metadata: {name: b, namespace: ops}
            ---
            kind: WorkflowTemplate
            metadata: {name: c}
            """
        let objects = try ArgoSimulator.objects(inManifest: yaml)
        #expect(objects.compactMap { $0["kind"]?.string } == ["Workflow", "CronWorkflow", "WorkflowTemplate"])
        let sim = ArgoSimulator()
        for o in objects { try await sim.load(o) }
        #expect(await sim.workflowCount == 1)
        #expect(await sim.otherObjectCount == 2)
    }

    @Test("seeding from the fixture directories keeps namespaces and status")
    func seeds() async throws {
        let sim = ArgoSimulator()
        let loaded = try await sim.loadSeeds(from: Fixtures.root.appendingPathComponent("workflows"))
        #expect(loaded.count == Fixtures.workflowFiles.count)
        #expect(loaded.contains("Workflow workflows/hello-world-9tql2"))
        let cron = try await sim.loadSeeds(from: Fixtures.root.appendingPathComponent("cronworkflows"))
        #expect(cron.allSatisfy { $0.hasPrefix("CronWorkflow ") })
        let gateway = SimulatedArgoGateway(simulator: sim)
        let wf = try await gateway.getWorkflow(namespace: "argo", name: "dag-nested-zxlc2", fields: nil)
        #expect(wf.status.nodes.count == 21)
        #expect(wf.status.progress == "16/16")
    }

    @Test("Argo's fields selector: include paths across lists, or exclude with '-'")
    func fields() async throws {
        let sim = ArgoSimulator()
        try await sim.load(try Fixtures.json("succeeded-dag-nested-21-nodes.yaml"))
        let trimmed = try await sim.workflowJSON(
            namespace: "argo", name: "dag-nested-zxlc2", fields: "metadata.name,status.phase")
        #expect(
            String(decoding: trimmed, as: UTF8.self)
                == #"{"metadata":{"name":"dag-nested-zxlc2"},"status":{"phase":"Succeeded"}}"#)
        let without = try Workflow.decode(
            from: await sim.workflowJSON(namespace: "argo", name: "dag-nested-zxlc2", fields: "-status.nodes,-spec"))
        #expect(without.status.nodes.isEmpty)
        #expect(without.status.phase == .succeeded)
        #expect(without.spec.templates.isEmpty)
        let list = try await sim.listWorkflowsJSON(.init(namespace: "argo", fields: "items.metadata.name"))
        // Archived when it completed, so listed from the archive only: Argo's live store leaves out what the
        // controller labelled Archived (`server/workflow/store/sqlite_store.go`).
        #expect(String(decoding: list, as: UTF8.self) == #"{"items":[{"metadata":{"name":"dag-nested-zxlc2"}}]}"#)
    }
}
