import Domain
import Foundation
import MCP

/// `list_workflow_templates`, `get_workflow_template`, and their cluster-scoped twins.
enum TemplateTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (templates, defaultNamespace) = (useCases.templates, useCases.defaultNamespace)
        return [
            listWorkflowTemplates(templates, defaultNamespace), getWorkflowTemplate(templates, defaultNamespace),
            listClusterWorkflowTemplates(templates, defaultNamespace),
            getClusterWorkflowTemplate(templates, defaultNamespace),
        ]
    }

    static func listWorkflowTemplates(_ templates: TemplateReads, _ defaultNamespace: String) -> ToolDefinition {
        list(templates, defaultNamespace, scope: .namespaced)
    }

    static func getWorkflowTemplate(_ templates: TemplateReads, _ defaultNamespace: String) -> ToolDefinition {
        get(templates, defaultNamespace, scope: .namespaced)
    }

    static func listClusterWorkflowTemplates(_ templates: TemplateReads, _ defaultNamespace: String)
        -> ToolDefinition
    {
        list(templates, defaultNamespace, scope: .cluster)
    }

    static func getClusterWorkflowTemplate(_ templates: TemplateReads, _ defaultNamespace: String) -> ToolDefinition {
        get(templates, defaultNamespace, scope: .cluster)
    }

    /// Which kind of template a tool reads: a WorkflowTemplate of a namespace or a ClusterWorkflowTemplate.
    private enum Scope {
        case namespaced, cluster
    }

    private static func list(_ templates: TemplateReads, _ defaultNamespace: String, scope: Scope) -> ToolDefinition {
        let cluster = scope == .cluster
        var properties: [String: Value] = [
            "label_selector": Schema.string("Kubernetes label selector."),
            "limit": Schema.integer("Rows per page.", minimum: 1, maximum: 200, default: 50),
            "continue": Schema.string("The continue token of the previous page."),
        ]
        if !cluster {
            properties["namespace"] = CommonArguments.namespace
            properties["all_namespaces"] = Schema.boolean(
                "List every namespace the credentials can see.", default: false)
        }
        let name = cluster ? "list_cluster_workflow_templates" : "list_workflow_templates"
        return ToolDefinition(
            name: name,
            toolset: .templates,
            title: cluster ? "List cluster workflow templates" : "List workflow templates",
            description: cluster
                ? "List ClusterWorkflowTemplates (cluster-scoped): entrypoint, number of templates and parameter names."
                : "List WorkflowTemplates in a namespace: entrypoint, number of templates and parameter names.",
            safety: .readOnly,
            inputSchema: Schema.object(properties),
            describe: { args in
                var a = args
                return cluster
                    ? "list cluster workflow templates"
                    : "list workflow templates in \(a.string("namespace") ?? defaultNamespace)"
            },
            run: { args, _ in
                var a = args
                let namespace = cluster ? nil : a.string("namespace")
                let all = cluster ? false : (a.bool("all_namespaces") ?? false)
                let selector = a.string("label_selector")
                let limit = a.int("limit", default: 50)
                let token = a.string("continue").flatMap { $0.isEmpty ? nil : $0 }
                try a.finish()
                let result = try await templates.list(
                    namespace: namespace, allNamespaces: all, clusterScope: cluster, labelSelector: selector,
                    limit: limit,
                    continueToken: token)
                return try ToolOutput(result, text: Render.templateList(result))
            }
        )
    }

    private static func get(_ templates: TemplateReads, _ defaultNamespace: String, scope: Scope) -> ToolDefinition {
        let cluster = scope == .cluster
        var properties: [String: Value] = [
            "name": Schema.string("Template name."),
            "include": Schema.string(
                "summary, or spec for the full spec as JSON text in pages.", enum: ["summary", "spec"],
                default: "summary"),
            "continue": Schema.string("The continue token of the previous spec page."),
            "max_bytes": Schema.integer(
                "Bytes per page of spec text.", minimum: 256, maximum: 200_000, default: 6_000),
        ]
        if !cluster { properties["namespace"] = CommonArguments.namespace }
        let name = cluster ? "get_cluster_workflow_template" : "get_workflow_template"
        return ToolDefinition(
            name: name,
            toolset: .templates,
            title: cluster ? "Get a cluster workflow template" : "Get a workflow template",
            description: """
                One \(cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate"): entrypoint, its templates with their \
                kind (container, script, dag, steps, resource, suspend, http, …), parameters with defaults, enums and \
                descriptions; include='spec' returns the full spec as JSON text in pages.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(properties, required: ["name"]),
            describe: { args in
                var a = args
                return cluster
                    ? "get cluster workflow template \(a.string("name") ?? "?")"
                    : "get workflow template \(CommonArguments.qualifiedName(args, defaultNamespace))"
            },
            run: { args, _ in
                var a = args
                let namespace = cluster ? nil : a.string("namespace")
                let templateName = a.requiredString("name")
                let include = a.string("include") ?? "summary"
                let token = a.string("continue").flatMap { $0.isEmpty ? nil : $0 }
                let maxBytes = a.int("max_bytes", default: 6_000)
                var more: [ArgumentProblem] = []
                if !["summary", "spec"].contains(include) {
                    more.append(ArgumentProblem(field: "include", message: "'\(include)' is not one of summary, spec"))
                }
                try a.finish(more)
                if include == "spec" {
                    let page = try await templates.spec(
                        namespace: namespace, name: templateName, clusterScope: cluster, continueToken: token,
                        maxBytes: maxBytes)
                    return try ToolOutput(page, text: Render.jsonPage(page))
                }
                let detail = try await templates.get(namespace: namespace, name: templateName, clusterScope: cluster)
                return try ToolOutput(detail, text: Render.template(detail))
            }
        )
    }
}
