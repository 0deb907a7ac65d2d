import Domain
import Foundation
import MCP

/// With several Argo Servers (`contexts`): `list_contexts`, and the reads that span every context
/// (`list_workflows` with `all_contexts`, `health_check` when no context is named). With one server none of this
/// is offered, and the tools are as they were.
enum ContextTools {
    /// `tools` (one context's catalog) with the cross-context tool and arguments added.
    static func spanning(_ tools: [ToolDefinition], _ contexts: ArgoContexts) -> [ToolDefinition] {
        var out: [ToolDefinition] = []
        for tool in tools {
            switch tool.name {
            case "list_workflows": out.append(listWorkflows(tool, contexts))
            case "health_check": out.append(healthCheck(tool, contexts))
            case "compare_workflows": out.append(compareWorkflows(tool, contexts))
            case "create_template": out.append(promoteTemplate(tool, contexts))
            default: out.append(tool)
            }
            if tool.name == "get_cluster_info" { out.append(listContexts(contexts)) }
        }
        return out
    }

    static func listContexts(_ contexts: ArgoContexts) -> ToolDefinition {
        ToolDefinition(
            name: "list_contexts",
            toolset: .cluster,
            title: "List contexts (Argo Servers)",
            description: """
                The Argo Servers argo-mcp serves side by side, one context each: its address, whether it answers now \
                and its version, its default namespace and namespace rules, and what argo-mcp lets you do there \
                (the highest safety class and the confirmation settings). Name a context with any tool's context \
                argument; without one, the default context is used.
                """,
            safety: .readOnly,
            inputSchema: Schema.object([:]),
            describe: { _ in "list contexts" },
            run: { args, context in
                try args.finish()
                var list = await contexts.list()
                // What this request may do there: the policy, lowered by the request's narrowing.
                for index in list.contexts.indices {
                    let row = list.contexts[index]
                    if let ceiling = context.contextCeilings[row.name],
                        let allowed = SafetyClass(rawValue: row.policy.allowedUpTo), ceiling < allowed
                    {
                        list.contexts[index].policy.allowedUpTo = ceiling.rawValue
                    }
                }
                return try ToolOutput(list, text: Render.contexts(list))
            })
    }

    /// `health_check` checks every context unless the call names one.
    static func healthCheck(_ tool: ToolDefinition, _ contexts: ArgoContexts) -> ToolDefinition {
        var spanning = tool
        spanning.description +=
            " With several contexts it checks every one of them, unless the call names one (context)."
        let single = tool.run
        spanning.run = { args, context in
            guard !context.contextNamed else { return try await single(args, context) }
            try args.finish()
            let reports = await contexts.health()
            return try ToolOutput(
                ContextHealthReports(healthy: reports.allSatisfy(\.report.healthy), contexts: reports),
                text: reports.map { "[\($0.context)] " + Render.health($0.report) }.joined(separator: "\n"))
        }
        return spanning
    }

    /// `compare_workflows` with `base_context`: the base run (named, or the last success of the same origin) is
    /// read in another context, e.g. prod's failure against staging's last success.
    static func compareWorkflows(_ tool: ToolDefinition, _ contexts: ArgoContexts) -> ToolDefinition {
        var spanning = tool
        spanning.inputSchema = Schema.adding(
            [
                "base_context": Schema.string(
                    "The context of the base run (default: the call's context), e.g. staging's last success against prod's failure: context: prod, base_context: staging, baseline: last_success.",
                    enum: contexts.names)
            ], to: tool.inputSchema)
        spanning.description +=
            " With several contexts, base_context reads the base run in another one (the same template in staging and prod)."
        let single = tool.run
        spanning.run = { args, context in
            var rest = args.values
            let given = rest.removeValue(forKey: "base_context")
            let others = ToolArguments(rest, tool: args.tool)
            let here = context.argoContext ?? contexts.defaultName
            let baseName: String
            switch given {
            case nil, .null?: return try await single(others, context)
            case .string(let name)?: baseName = name
            default:
                throw InvalidArguments([ArgumentProblem(field: "base_context", message: "must be a context's name")])
            }
            guard baseName != here else { return try await single(others, context) }
            let base = try contexts.entry(named: baseName, field: "base_context")
            let current = try contexts.entry(named: here, field: "context")
            var a = others
            let request = DiagnosticTools.compareRequest(&a)
            try a.finish()
            var c = try await current.useCases.diagnostics.compare(request, baseFrom: base.useCases.diagnostics)
            c.base.context = base.name
            c.other.context = current.name
            for side in [base, current] where side.useCases.cluster.connection.isSimulator {
                c.notes.append(
                    "[SIMULATOR] context \(side.name) is argo-mcp's built-in simulator: its run is demo data, not a real Argo server's"
                )
            }
            return try ToolOutput(c, text: Render.comparison(c))
        }
        return spanning
    }

    /// `create_template` with `from_context`: the template is read in another context and created (or, with
    /// update, replaced) in this one, previewed with what it is and where it comes from (and the spec diff of an
    /// update), and confirmed under this context's rules.
    static func promoteTemplate(_ tool: ToolDefinition, _ contexts: ArgoContexts) -> ToolDefinition {
        var spanning = tool
        // A promotion takes no manifest: the schema cannot require one any more; the call still does.
        spanning.inputSchema = Schema.adding(
            [
                "from_context": Schema.string(
                    "Promote: take the template from this context (instead of manifest) into the call's context, e.g. from_context: staging with context: prod.",
                    enum: contexts.names),
                "from_name": Schema.string("With from_context: the template's name there."),
                "from_namespace": Schema.string(
                    "With from_context: its namespace there (default: namespace, else that context's default)."),
            ], to: tool.inputSchema, dropRequired: true)
        spanning.description +=
            " With several contexts, from_context and from_name promote a template from another context into this one (preview, spec diff on update, and this context's confirmation rules)."
        let single = tool.run
        spanning.run = { args, context in
            var rest = args.values
            let from = rest.removeValue(forKey: "from_context")
            let fromName = rest.removeValue(forKey: "from_name")
            let fromNamespace = rest.removeValue(forKey: "from_namespace")
            let others = ToolArguments(rest, tool: args.tool)
            guard let from, from != .null else {
                if fromName != nil || fromNamespace != nil {
                    throw InvalidArguments([
                        ArgumentProblem(
                            field: "from_name", message: "from_name and from_namespace go with from_context")
                    ])
                }
                return try await single(others, context)
            }
            let here = context.argoContext ?? contexts.defaultName
            var problems: [ArgumentProblem] = []
            guard case .string(let sourceName) = from else {
                throw InvalidArguments([ArgumentProblem(field: "from_context", message: "must be a context's name")])
            }
            if sourceName == here {
                problems.append(
                    ArgumentProblem(
                        field: "from_context",
                        message:
                            "is the context the call acts in (\(here)); promotion takes a template from another context (name the target with context)"
                    ))
            }
            guard case .string(let name)? = fromName, !name.isEmpty else {
                throw InvalidArguments(
                    problems + [ArgumentProblem(field: "from_name", message: "is required with from_context")])
            }
            var a = others
            if a.values["manifest"] != nil {
                problems.append(
                    ArgumentProblem(
                        field: "manifest",
                        message: "a promotion reads the manifest from from_context; give one or the other"))
            }
            let kind = DefinitionTools.templateKind(&a)
            let namespace = a.string("namespace")
            let update = a.bool("update") ?? false
            let dryRun = a.bool("dry_run") ?? false
            let token = a.confirmationToken()
            var sourceNamespace = namespace
            if case .string(let given)? = fromNamespace { sourceNamespace = given }
            try a.finish(problems)
            let source = try contexts.entry(named: sourceName, field: "from_context")
            let target = try contexts.entry(named: here, field: "context")
            let (manifest, origin) = try await source.useCases.definitions.portable(
                kind, namespace: kind.isClusterScoped ? nil : sourceNamespace, name: name, context: source.name)
            let answer = try await target.useCases.definitions.apply(
                DefinitionMutations.ApplyRequest(
                    kind: kind, manifest: manifest, namespace: kind.isClusterScoped ? nil : namespace, update: update,
                    dryRun: dryRun, token: token, client: context.client, confirmer: context.confirmer,
                    origin: origin))
            switch answer {
            case .preview(let p): return try ToolOutput(p, text: Render.preview(p))
            case .result(let r): return try ToolOutput(r, text: Render.applied(r))
            }
        }
        return spanning
    }

    /// `list_workflows` with `all_contexts: true` lists the same page in every context, each row under its context.
    static func listWorkflows(_ tool: ToolDefinition, _ contexts: ArgoContexts) -> ToolDefinition {
        var spanning = tool
        spanning.inputSchema = Schema.adding(
            [
                "all_contexts": Schema.boolean(
                    "List in every context (\(contexts.names.joined(separator: ", "))), each row labelled with its context; a context that cannot be listed is noted and the others are answered. Pages with continue are per context: follow one with context and its continue token.",
                    default: false)
            ], to: tool.inputSchema)
        let single = tool.run
        spanning.run = { args, context in
            var rest = args.values
            let all = rest.removeValue(forKey: "all_contexts")
            let others = ToolArguments(rest, tool: args.tool)
            switch all {
            case nil, .null?, .bool(false)?:
                return try await single(others, context)
            case .bool(true)?:
                break
            default:
                throw InvalidArguments([ArgumentProblem(field: "all_contexts", message: "must be true or false")])
            }
            var a = others
            let request = WorkflowTools.listRequest(&a)
            var problems = request.problems()
            if context.contextNamed {
                problems.append(
                    ArgumentProblem(
                        field: "all_contexts", message: "lists every context; leave out context, or all_contexts"))
            }
            if request.continueToken != nil {
                problems.append(
                    ArgumentProblem(
                        field: "continue",
                        message:
                            "a continue token belongs to one context's listing: give it with that context (and without all_contexts)"
                    ))
            }
            try a.finish(problems)
            let lists = await contexts.listWorkflows(request)
            return try ToolOutput(lists, text: Render.contextLists(lists))
        }
        return spanning
    }
}

/// `health_check` across contexts.
struct ContextHealthReports: Codable {
    var healthy: Bool
    var contexts: [ContextHealth]
}

extension Render {
    static func contexts(_ list: ContextList) -> String {
        var lines = ["\(list.contexts.count) context(s); default \(list.defaultContext):"]
        for c in list.contexts {
            var line = "- \(c.name)\(c.isDefault ? " (default)" : ""): "
            line += "\(c.connection.backend)\(c.connection.url.map { " at \($0)" } ?? ""), "
            line +=
                c.reachable
                ? "answers (Argo \(c.version ?? "?")\(c.latencyMilliseconds.map { ", \($0) ms" } ?? ""))"
                : "DOES NOT ANSWER: \(c.error ?? "unknown error")"
            line += "; tools up to \(c.policy.allowedUpTo); default namespace \(c.defaultNamespace)"
            if let namespaces = c.namespaces { line += "; namespaces \(namespaces)" }
            if !c.policy.confirmationRules.isEmpty {
                line += "; confirmation rules: \(c.policy.confirmationRules.joined(separator: "; "))"
            }
            if let description = c.description { line += " — \(description)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    static func contextLists(_ lists: ContextWorkflowLists) -> String {
        lists.contexts.map { entry in
            if let result = entry.result {
                let demo = entry.simulator == true ? " (demo data: argo-mcp's built-in simulator)" : ""
                return "[\(entry.context)]\(demo) "
                    + list(result).replacingOccurrences(of: "\n- ", with: "\n- [\(entry.context)] ")
            }
            return "[\(entry.context)] could not be listed: \(entry.error ?? "unknown error")"
        }.joined(separator: "\n")
    }
}
