import ArgoSimulator
import BoundedYAML
import Foundation
import Logging
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

    /// A graph request for a manifest (the namespace stands in for one the manifest does not give).
    static func request(_ namespace: String?, maxNodes: Int = 60) -> Diagnostics.GraphRequest {
        Diagnostics.GraphRequest(target: .init(namespace: namespace, name: "manifest"), maxNodes: maxNodes)
    }

    static let diagnostics = Diagnostics(
        ArgoContext(gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo"))

    @Test("dag-diamond: A's dependents B and C, D after both; drawn Not submitted, every box Pending")
    func diamond() async throws {
        let wf = try Self.plan(try Self.example("dag-diamond"))
        #expect(wf.status.nodes.count == 5)
        #expect(Self.children(wf, of: "A") == ["B", "C"] && Self.children(wf, of: "B") == ["D"])
        #expect(Self.children(wf, of: "C") == ["D"])
        let d = try await Self.diagnostics.drawing(
            Self.request(nil), manifest: try Self.example("dag-diamond"))
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
    func bounds() async throws {
        let many = Data(
            #"{"kind":"Workflow","metadata":{"name":"m"},"spec":{"entrypoint":"d","templates":[{"name":"d","dag":{"tasks":[{"name":"t","template":"c","withSequence":{"count":"5000"}},{"name":"u","template":"c","withSequence":{"count":"99999999"}}]}},{"name":"c","container":{"image":"x"}}]}}"#
                .utf8)
        let wf = try Self.plan(many)
        #expect(wf.status.nodes.values.filter { $0.displayName?.hasPrefix("t(") == true }.count == 5_000)
        let huge = try #require(wf.status.nodes.values.first { $0.displayName?.hasPrefix("u ") == true })
        #expect(huge.message?.contains("fans out over withSequence") == true)
        let d = try await Self.diagnostics.drawing(Self.request("team"), manifest: many)
        #expect(d.namespace == "team" && d.collapsedFanOuts >= 1 && d.boxes.count <= 60)
    }

    @Test("hostile fan-outs stay bounded: an overflowing sequence, a huge condition on many items, many large tasks")
    func hostile() throws {
        func workflow(_ tasks: String, templates: String = "") -> Data {
            Data(
                (#"{"kind":"Workflow","metadata":{"name":"h"},"spec":{"entrypoint":"d","templates":[{"name":"d","dag":{"tasks":["#
                    + tasks + #"]}},{"name":"c","container":{"image":"x"}}"# + templates + "]}}").utf8)
        }
        // start and end 10^19 apart: the span overflows; drawn as one box, not a crash.
        let overflow = try Self.plan(
            workflow(
                #"{"name":"t","template":"c","withSequence":{"start":"-5000000000000000000","end":"5000000000000000000"}}"#
            ))
        #expect(overflow.status.nodes.values.contains { $0.message?.contains("fans out over withSequence") == true })
        // A 200 KB condition on 100,000 items: cut, and the plan stops at its character budget (caps made small
        // here, so that the test stays light; the defaults are the same code with larger numbers).
        let small = ManifestPlan.Limits(nodes: 3_000, characters: 400_000)
        let when = String(repeating: "x", count: 200_000)
        let (wide, cut) = try ManifestPlan.workflow(
            workflow(#"{"name":"t","template":"c","when":"\#(when)","withSequence":{"count":"100000"}}"#),
            defaultNamespace: "argo", limits: small)
        #expect(wide.status.nodes.values.allSatisfy { ($0.message?.count ?? 0) < 400 })
        #expect(cut && wide.status.nodes.count < 3_000, "the character budget ends it first")
        // Hundreds of tasks of 100,000 items each: the node cap ends the plan; the tasks after it make nothing.
        let many = (0..<300).map { #"{"name":"t\#($0)","template":"c","withSequence":{"count":"100000"}}"# }
        let (capped, truncated) = try ManifestPlan.workflow(
            workflow(many.joined(separator: ",")), defaultNamespace: "argo", limits: small)
        #expect(truncated && capped.status.nodes.count == 3_000)
    }

    @Test("items are named as Argo names them: booleans, numbers, maps by sorted key, lists, no parentheses; sequences")
    func itemNames() throws {
        let manifest = Data(
            #"{"kind":"Workflow","metadata":{"name":"n"},"spec":{"entrypoint":"s","templates":[{"name":"s","steps":[[{"name":"t","template":"c","withItems":[true,1.5,{"b":2,"a":"x(y)"},[1,"a"]]}],[{"name":"u","template":"c","withSequence":{"start":"1","end":"3","count":"9","format":"w-%02d"}}],[{"name":"v","template":"c","withSequence":{"start":"2","end":"0"}}],[{"name":"e","template":"c","withItems":[]}],[{"name":"z","template":"c"}]]},{"name":"c","container":{"image":"x"}}]}}"#
                .utf8)
        let wf = try Self.plan(manifest)
        #expect(Self.children(wf, of: "[0]") == ["t(0:true)", "t(1:1.5)", "t(2:a:xy,b:2)", "t(3:[1 a])"])
        #expect(Self.children(wf, of: "[1]") == ["u(0:w-01)", "u(1:w-02)", "u(2:w-03)"])
        #expect(Self.children(wf, of: "[2]") == ["v(0:2)", "v(1:1)", "v(2:0)"])
        // A step over no items: the next group follows the empty group itself (steps.go).
        #expect(Self.children(wf, of: "[3]") == ["[4]"] && Self.children(wf, of: "[4]") == ["z"])
        #expect(ManifestPlan.NumberFormat("%s").text(7) == "7" && ManifestPlan.NumberFormat("%5d").text(-7) == "   -7")
    }

    @Test(
        "exit handlers and lifecycle hooks: children of their node (<node>.onExit, <node>.hooks.NAME), conditions said")
    func hooks() throws {
        let dag = try Self.plan(try Self.example("exit-handler-dag-level"))
        #expect(Self.children(dag, of: "A") == ["A.onExit", "B", "C"] && Self.children(dag, of: "D") == ["D.onExit"])
        let hooked = Data(
            #"{"kind":"Workflow","metadata":{"name":"w"},"spec":{"entrypoint":"d","hooks":{"exit":{"template":"c"},"running":{"expression":"workflow.status == \"Running\"","template":"c"}},"templates":[{"name":"d","dag":{"tasks":[{"name":"t","template":"c","hooks":{"ok":{"expression":"tasks.t.status == \"Succeeded\"","template":"c"}}}]}},{"name":"c","container":{"image":"x"}}]}}"#
                .utf8)
        let wf = try Self.plan(hooked)
        #expect(wf.status.nodes["w.onExit"] != nil && Self.children(wf, of: "w") == ["t", "w.hooks.running"])
        let ok = try #require(wf.status.nodes["w.t.hooks.ok"])
        #expect(ok.message == #"runs only when: tasks.t.status == "Succeeded""#)
        #expect(Self.children(wf, of: "t") == ["t.hooks.ok"])
    }

    @Test("dag.target: only the targets and what they need run; a target decided at run time is said")
    func targets() throws {
        let manifest = Data(
            #"{"kind":"Workflow","metadata":{"name":"t"},"spec":{"entrypoint":"d","templates":[{"name":"d","dag":{"target":"B","tasks":[{"name":"A","template":"c"},{"name":"B","template":"c","depends":"A"},{"name":"C","template":"c","depends":"A"}]}},{"name":"c","container":{"image":"x"}}]}}"#
                .utf8)
        let wf = try Self.plan(manifest)
        #expect(Set(wf.status.nodes.values.compactMap(\.displayName)) == ["t", "A", "B"])
        let parameterised = try Self.plan(try Self.example("dag-targets"))
        #expect(
            parameterised.status.nodes.values.contains {
                $0.message?.contains("is decided when the run starts") == true
            })
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
        // Offered only with render_workflow_graph (the view draws through it) and the resources.
        let all = ArgoMCPServer(
            tools: ReadmeTests.tools, maxSafety: .readOnly, version: "t", logger: Logger(label: "t"),
            resources: ArgoResources(ReadmeTests.useCases))
        #expect(all.offersView && all.listedWithView.filter { $0._meta?.fields["ui"] != nil }.count == 4)
        let workflowsOnly = ArgoMCPServer(
            tools: ReadmeTests.tools, maxSafety: .readOnly, version: "t", logger: Logger(label: "t"),
            resources: ArgoResources(ReadmeTests.useCases), selection: ToolSelection(toolsets: [.workflows]))
        #expect(!workflowsOnly.offersView && workflowsOnly.listedWithView == workflowsOnly.listed)
        let noResources = ArgoMCPServer(
            tools: ReadmeTests.tools, maxSafety: .readOnly, version: "t", logger: Logger(label: "t"))
        #expect(!noResources.offersView && noResources.listedWithView == noResources.listed)
        let read = AppsExtension.read(WorkflowAppView.uri)
        #expect(read.contents.first?.mimeType == "text/html;profile=mcp-app")
        // The view is static: no server-side templating, so nothing from a cluster can reach its markup.
        #expect(!WorkflowAppView.html.contains("innerHTML") && !WorkflowAppView.html.contains("eval("))
        #expect(
            !WorkflowAppView.html.contains("http://") || WorkflowAppView.html.contains("http://www.w3.org/2000/svg"))
        #expect(!WorkflowAppView.html.contains("https://"))
    }
}
