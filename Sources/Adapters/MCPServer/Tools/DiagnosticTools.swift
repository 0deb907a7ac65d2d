import Domain
import Foundation
import MCP

/// analyze_failure, get_workflow_metrics, compare_workflows, render_workflow_graph.
enum DiagnosticTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (diagnostics, defaultNamespace) = (useCases.diagnostics, useCases.defaultNamespace)
        return [
            analyze(diagnostics, defaultNamespace), metrics(diagnostics, defaultNamespace),
            compare(diagnostics, defaultNamespace), graph(diagnostics, defaultNamespace),
        ]
    }

    static let uidProperty = Schema.string(
        "A workflow's uid, live or archived (instead of name, or with it to pick that incarnation).")

    static func readTarget(_ a: inout ToolArguments) -> Diagnostics.Target {
        Diagnostics.Target(namespace: a.string("namespace"), name: a.string("name"), uid: a.string("uid"))
    }

    static func describeTarget(_ args: ToolArguments, _ defaultNamespace: String) -> String {
        var a = args
        if let uid = a.string("uid") { return "workflow with uid \(uid)" }
        return "workflow \(CommonArguments.qualifiedName(args, defaultNamespace))"
    }

    static let explainSystemPrompt = """
        You explain Argo Workflows failures to an on-call engineer. You get structured findings from argo-mcp. \
        Write at most 6 sentences: what failed first and why, what followed from it, and the one or two things to do \
        now. Use only the findings; say so when they are not enough.
        """

    static func analyze(_ diagnostics: Diagnostics, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "analyze_failure",
            toolset: .diagnostics,
            title: "Analyze a failed workflow",
            description: """
                Why a workflow failed (live, or archived when the object is gone): the root causes — the first failing \
                steps in dependency order, not every parent that failed because of them — each with template, exit \
                code, message, retries used, duration, a classification (OOMKilled, image pull, exit 1/2/126/127, \
                deadline, eviction, unschedulable, missing artifact, parameter resolution, exit handler) and a short log \
                excerpt around the first error line; plus concrete next steps. explain: true also asks the host's model \
                (MCP sampling, when offered) for a short narrative over the findings.
                """,
            safety: .readOnly,
            inputSchema: Schema.object([
                "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName, "uid": uidProperty,
                "max_causes": Schema.integer("Root causes to detail (1-20).", minimum: 1, maximum: 20, default: 5),
                "explain": Schema.boolean(
                    "Also ask the host's model for a short narrative (needs the host's sampling support).",
                    default: false),
            ]),
            describe: { "analyze \(describeTarget($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let request = Diagnostics.AnalyzeRequest(
                    target: readTarget(&a), maxCauses: a.int("max_causes", default: 5))
                let explain = a.bool("explain") ?? false
                try a.finish()
                var analysis = try await diagnostics.analyzeFailure(request)
                if explain {
                    if let sampler = context.sampler {
                        do {
                            // Keys sorted: the same findings are the same prompt (a question asked in a later
                            // round is matched to its answer by its digest).
                            let encoder = JSONEncoder()
                            encoder.outputFormatting = [.sortedKeys]
                            let findings = String(decoding: try encoder.encode(analysis), as: UTF8.self)
                            analysis.explanation = try await sampler(explainSystemPrompt, findings, 400)
                        } catch {
                            analysis.notes.append("explain: the host's model did not answer (\(error))")
                        }
                    } else {
                        analysis.notes.append(
                            "explain: this host does not offer MCP sampling; the findings above stand on their own")
                    }
                }
                return try ToolOutput(analysis, text: Render.failure(analysis))
            }
        )
    }

    static func metrics(_ diagnostics: Diagnostics, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_workflow_metrics",
            toolset: .diagnostics,
            title: "Workflow metrics",
            description: """
                Where a workflow's time and resources went: wall time, queue time, the critical path (the chain of steps \
                that determined the total duration), per-template counts and p50/p95/max durations, retries, \
                resourcesDuration totals (cpu, memory, gpu) and top consumers, and parallelism over the run.
                """,
            safety: .readOnly,
            inputSchema: Schema.object([
                "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName, "uid": uidProperty,
            ]),
            describe: { "measure \(describeTarget($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let t = readTarget(&a)
                try a.finish()
                let m = try await diagnostics.metrics(t)
                return try ToolOutput(m, text: Render.metrics(m))
            }
        )
    }

    static func compare(_ diagnostics: Diagnostics, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "compare_workflows",
            toolset: .diagnostics,
            title: "Compare two workflow runs",
            description: """
                What differs between two runs (e.g. the last success and this failure, or two cron runs): parameters, \
                spec and images, steps that newly failed or became much slower, total duration and resources — the \
                biggest changes first. Give base_name, or baseline: last_success to compare with the newest succeeded \
                run of the same CronWorkflow or WorkflowTemplate.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace,
                    "name": Schema.string("The run to explain (e.g. the failure)."), "uid": uidProperty,
                    "base_name": Schema.string("The run to compare against."),
                    "base_namespace": Schema.string("Namespace of base_name; defaults to namespace."),
                    "base_uid": Schema.string("The base run's uid, live or archived."),
                    "baseline": Schema.string(
                        "Pick the base automatically: the newest earlier success of the same origin.",
                        enum: ["last_success"]),
                ]),
            describe: { "compare \(describeTarget($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let request = compareRequest(&a)
                try a.finish()
                let c = try await diagnostics.compare(request)
                return try ToolOutput(c, text: Render.comparison(c))
            }
        )
    }

    /// `compare_workflows`' arguments as a request (`base_context` reads the base run in another context).
    static func compareRequest(_ a: inout ToolArguments) -> Diagnostics.CompareRequest {
        let other = readTarget(&a)
        let baseName = a.string("base_name")
        let baseUID = a.string("base_uid")
        let baseNamespace = a.string("base_namespace") ?? other.namespace
        let baseline = a.string("baseline")
        let base =
            baseName == nil && baseUID == nil
            ? nil : Diagnostics.Target(namespace: baseNamespace, name: baseName, uid: baseUID)
        return .init(base: base, other: other, baseline: baseline)
    }

    enum GraphFormat: String, CaseIterable { case mermaid, tree, both, layout, dot, svg }

    /// The drawing as DOT or SVG text, with what it shows.
    struct GraphExport: Codable {
        var namespace: String
        var name: String
        var phase: String
        var format: String
        var dot: String?
        var svg: String?
        var shown: Int
        var nodeCount: Int
        var collapsedFanOuts: Int
        var truncated: Bool
    }

    static func graph(_ diagnostics: Diagnostics, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "render_workflow_graph",
            toolset: .diagnostics,
            title: "Draw a workflow's graph",
            description: """
                A workflow's DAG/steps structure as a Mermaid flowchart and a text tree, nodes marked by phase; large \
                fan-outs collapse into one box ("process(0) … process(999): 998 Succeeded, 2 Failed", the failed ones \
                drawn) so the picture stays readable. format dot or svg gives the same picture as Graphviz DOT or a \
                standalone SVG (critical path and root causes marked), to paste anywhere; layout gives the laid-out \
                boxes and edges as data. Given a manifest instead of a name (a Workflow, WorkflowTemplate, \
                ClusterWorkflowTemplate or CronWorkflow, YAML or JSON), it draws what the entrypoint would run, before \
                it is submitted.
                """,
            safety: .readOnly,
            inputSchema: Schema.object([
                "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName, "uid": uidProperty,
                "manifest": Schema.string(
                    "Instead of name: a manifest (YAML or JSON) to draw before it is submitted; its DAG tasks and steps, from the entrypoint."
                ),
                "format": Schema.string(
                    "What to return: mermaid, tree or both (text); dot or svg (a picture to paste); layout (positions, as data).",
                    enum: GraphFormat.allCases.map(\.rawValue), default: "both"),
                "max_nodes": Schema.integer("Boxes to draw at most (5-500).", minimum: 5, maximum: 500, default: 60),
                "collapse_above": Schema.integer(
                    "Siblings of one template beyond this many become one box.", minimum: 2, maximum: 1000, default: 5),
            ]),
            describe: {
                $0.values["manifest"] != nil ? "draw a manifest" : "draw \(describeTarget($0, defaultNamespace))"
            },
            run: { args, context in
                var a = args
                let manifestText = a.string("manifest")
                if manifestText != nil, a.values["name"] != nil || a.values["uid"] != nil {
                    throw InvalidArguments([
                        ArgumentProblem(
                            field: "manifest", message: "give a manifest or a workflow's name/uid, not both")
                    ])
                }
                let t =
                    manifestText == nil
                    ? readTarget(&a) : Diagnostics.Target(namespace: a.string("namespace"), name: "manifest")
                let format = a.choice("format", default: GraphFormat.both)
                let request = Diagnostics.GraphRequest(
                    target: t, maxNodes: a.int("max_nodes", default: 60),
                    collapseAbove: a.int("collapse_above", default: 5))
                try a.finish()
                let manifest = try manifestText.map { try ManifestText.json($0, limits: context.manifestLimits) }
                if [.layout, .dot, .svg].contains(format) {
                    let d = try await diagnostics.drawing(request, manifest: manifest)
                    let summary =
                        "\(d.namespace)/\(d.name) (\(d.phase)): \(d.boxes.count) box(es) for \(d.nodeCount) node(s), \(d.collapsedFanOuts) fan-out(s) collapsed, \(d.boxes.filter(\.critical).count) on the critical path, \(d.boxes.filter(\.rootCause).count) root cause(s)\(d.truncated ? "; truncated (raise max_nodes)" : "")"
                    switch format {
                    case .dot, .svg:
                        let text = format == .dot ? Render.dot(d) : Render.svg(d)
                        let export = GraphExport(
                            namespace: d.namespace, name: d.name, phase: d.phase, format: format.rawValue,
                            dot: format == .dot ? text : nil, svg: format == .svg ? text : nil, shown: d.boxes.count,
                            nodeCount: d.nodeCount, collapsedFanOuts: d.collapsedFanOuts, truncated: d.truncated)
                        return try ToolOutput(export, text: text)
                    default:
                        return try ToolOutput(d, text: "layout of " + summary)
                    }
                }
                var g = try await diagnostics.graph(request, manifest: manifest)
                if format == .tree { g.mermaid = "" }
                if format == .mermaid { g.tree = "" }
                return try ToolOutput(g, text: Render.graph(g))
            }
        )
    }
}
