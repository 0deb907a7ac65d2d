import ArgoSimulator
import BoundedYAML
import Foundation
import MCP
import Ports
import Testing

@testable import Domain
@testable import MCPServer

/// A manifest drawn before it runs: the nodes Argo's controller would make (DAG dependencies on outbound nodes,
/// TaskGroups for items, step groups one after another), what only the run knows said rather than guessed, and
/// the MCP Apps extension offered only to clients that declare it.
@Suite("Manifest plans and the MCP Apps extension")
struct ManifestPlanTests {
    static func example(_ name: String) throws -> Data {
        let text = try String(
            contentsOf: Fixtures.root.appendingPathComponent("examples").appendingPathComponent(name + ".yaml"),
            encoding: .utf8)
        return try #require(YAMLToJSON.documents(text).first)
    }

    static func plan(_ manifest: Data) throws -> Workflow {
        try ManifestPlan.workflow(manifest, defaultNamespace: "argo").0
    }

    /// Children by display name, for a node named by display name.
    static func children(_ wf: Workflow, of display: String) -> [String] {
        let node = wf.status.nodes.values.first { $0.displayName == display }
        return (node?.children ?? []).compactMap { wf.status.nodes[$0]?.displayName }.sorted()
    }

    static let diagnostics = Diagnostics(
        ArgoContext(gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo"))

    @Test("dag-diamond: A's dependents B and C, D after both; drawn Not submitted, every box Pending")
    func diamond() throws {
        let wf = try Self.plan(try Self.example("dag-diamond"))
        #expect(wf.status.nodes.count == 5)
        #expect(Self.children(wf, of: "A") == ["B", "C"] && Self.children(wf, of: "B") == ["D"])
        #expect(Self.children(wf, of: "C") == ["D"])
        let d = try Self.diagnostics.plannedDrawing(
            manifest: try Self.example("dag-diamond"), namespace: nil, maxNodes: 60, collapseAbove: 5)
        #expect(d.phase == "Not submitted" && d.boxes.count == 5 && d.edges.count == 5)
        #expect(d.boxes.allSatisfy { $0.phase == "Pending" && !$0.critical && !$0.rootCause })
    }

    @Test("loops-dag: withItems is a TaskGroup of one node per item, named as Argo names them; C waits for every item")
    func items() throws {
        let wf = try Self.plan(try Self.example("loops-dag"))
        let group = try #require(wf.status.nodes.values.first { $0.displayName == "B" })
        #expect(group.type == .taskGroup)
        #expect(Self.children(wf, of: "B") == ["B(0:foo)", "B(1:bar)", "B(2:baz)"])
        for item in ["B(0:foo)", "B(1:bar)", "B(2:baz)"] { #expect(Self.children(wf, of: item) == ["C"]) }
    }

    @Test("steps: group [1] follows group [0]'s steps; a nested DAG's dependents hang on its last tasks")
    func stepsAndNesting() throws {
        let steps = try Self.plan(try Self.example("steps"))
        #expect(Self.children(steps, of: "[0]") == ["hello1"] && Self.children(steps, of: "hello1") == ["[1]"])
        #expect(Self.children(steps, of: "[1]") == ["hello2a", "hello2b"])
        let nested = try Self.plan(try Self.example("dag-nested"))
        // Outer A runs the nested diamond: outer B and C hang on its inner D, not on A itself.
        let outerA = try #require(nested.status.nodes.values.first { $0.name.hasSuffix(".A") && $0.type == .dag })
        let innerD = try #require(nested.status.nodes[outerA.id + ".D"])
        #expect(innerD.children.compactMap { nested.status.nodes[$0]?.displayName }.sorted() == ["B", "C"])
    }

    @Test("what only the run knows is said: withParam, a when condition, another template's steps; recursion stops")
    func runtime() throws {
        let aggregation = try Self.plan(try Self.example("parameter-aggregation-dag"))
        let param = try #require(
            aggregation.status.nodes.values.first { $0.displayName?.hasPrefix("divide-by-2") == true })
        #expect(param.message?.contains("fans out over withParam") == true, "\(param.message ?? "")")
        let coinflip = try Self.plan(try Self.example("coinflip"))
        #expect(coinflip.status.nodes.values.contains { $0.message?.contains("runs only when:") == true })
        let reference = try Self.plan(try Self.example("workflow-template_dag"))
        #expect(
            reference.status.nodes.values.contains {
                $0.templateRef != nil && $0.message?.contains("WorkflowTemplate") == true
            })
        // A template that calls itself is drawn once, not followed forever.
        let recursive = Data(
            #"{"kind":"Workflow","metadata":{"name":"r"},"spec":{"entrypoint":"loop","templates":[{"name":"loop","steps":[[{"name":"again","template":"loop"}]]}]}}"#
                .utf8)
        let wf = try Self.plan(recursive)
        #expect(wf.status.nodes.values.contains { $0.message?.contains("calls its own template again") == true })
        #expect(wf.status.nodes.count < 10)
    }

    @Test("a large literal fan-out is expanded up to the cap; a huge withSequence is one box that says so")
    func bounds() throws {
        let many = Data(
            #"{"kind":"Workflow","metadata":{"name":"m"},"spec":{"entrypoint":"d","templates":[{"name":"d","dag":{"tasks":[{"name":"t","template":"c","withSequence":{"count":"5000"}},{"name":"u","template":"c","withSequence":{"count":"99999999"}}]}},{"name":"c","container":{"image":"x"}}]}}"#
                .utf8)
        let wf = try Self.plan(many)
        #expect(wf.status.nodes.values.filter { $0.displayName?.hasPrefix("t(") == true }.count == 5_000)
        let huge = try #require(wf.status.nodes.values.first { $0.displayName?.hasPrefix("u ") == true })
        #expect(huge.message?.contains("fans out over withSequence") == true)
        let d = try Self.diagnostics.plannedDrawing(manifest: many, namespace: "team", maxNodes: 60, collapseAbove: 5)
        #expect(d.namespace == "team" && d.collapsedFanOuts >= 1 && d.boxes.count <= 60)
    }

    @Test("what cannot be drawn is refused naming the manifest field and what to give instead")
    func refusals() throws {
        let cases: [(String, String)] = [
            (#"{"kind":"Pod","metadata":{"name":"p"}}"#, "kind 'Pod' is not drawn"),
            (#"{"kind":"Workflow","metadata":{"name":"w"},"spec":{"templates":[]}}"#, "spec.entrypoint is not set"),
            (
                #"{"kind":"Workflow","metadata":{"name":"w"},"spec":{"workflowTemplateRef":{"name":"etl"}}}"#,
                "runs workflowTemplateRef 'etl'"
            ),
            (
                #"{"kind":"Workflow","metadata":{"name":"w"},"spec":{"entrypoint":"x","templates":[{"name":"y","container":{}}]}}"#,
                "spec.entrypoint 'x' is not one of spec.templates (y)"
            ),
        ]
        for (manifest, said) in cases {
            let error = #expect(throws: InvalidArguments.self) { try Self.plan(Data(manifest.utf8)) }
            #expect(error?.problems.first?.field == "manifest", "\(manifest)")
            #expect(error?.problems.first?.message.contains(said) == true, "\(error?.problems.first?.message ?? "")")
        }
        #expect(
            ManifestPlan.dependencies(
                ["depends": "A && (B.Succeeded || !C.Failed) && notatask"], among: ["A", "B", "C"]) == ["A", "B", "C"])
    }

    @Test("the extension is declared only with the view's MIME type; linking touches only the four workflow tools")
    func extensionGate() throws {
        func caps(_ json: String) throws -> [String: Value] {
            try JSONDecoder().decode([String: Value].self, from: Data(json.utf8))
        }
        #expect(
            AppsExtension.declared(
                try caps(#"{"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html;profile=mcp-app"]}}}"#))
        )
        #expect(
            !AppsExtension.declared(
                try caps(#"{"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html+skybridge"]}}}"#)))
        #expect(!AppsExtension.declared(try caps(#"{"extensions":{"io.modelcontextprotocol/ui":{}}}"#)))
        #expect(!AppsExtension.declared(try caps(#"{"experimental":{"io.modelcontextprotocol/ui":{}}}"#)))
        let tools = ["list_workflows", "get_workflow", "watch_workflow", "render_workflow_graph", "analyze_failure"].map
        {
            Tool(name: $0, description: "d", inputSchema: .object([:]), _meta: Metadata(additionalFields: ["k": "v"]))
        }
        let linked = AppsExtension.linked(tools)
        #expect(linked[0] == tools[0])
        for tool in linked.dropFirst() {
            #expect(tool._meta?.fields["ui"] == .object(["resourceUri": .string(WorkflowAppView.uri)]))
            #expect(tool._meta?.fields["ui/resourceUri"] == .string(WorkflowAppView.uri))
            #expect(tool._meta?.fields["k"] == "v")
        }
        let read = AppsExtension.read(WorkflowAppView.uri)
        #expect(read.contents.first?.mimeType == "text/html;profile=mcp-app")
        // The view is static: no server-side templating, so nothing from a cluster can reach its markup.
        #expect(!WorkflowAppView.html.contains("innerHTML") && !WorkflowAppView.html.contains("eval("))
        #expect(
            !WorkflowAppView.html.contains("http://") || WorkflowAppView.html.contains("http://www.w3.org/2000/svg"))
        #expect(!WorkflowAppView.html.contains("https://"))
    }
}
