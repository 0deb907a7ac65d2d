import Domain
import Foundation
import MCP

/// `list_archived_workflows`, `get_archived_workflow`.
enum ArchiveTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let archive = useCases.archive
        let defaultNamespace = useCases.defaultNamespace
        return [
            ToolDefinition(
                name: "list_archived_workflows",
                toolset: .archive,
                title: "List archived workflows",
                description: """
                    Completed workflows kept in the server's workflow archive (archived as they complete; the copy \
                    outlives the object), newest first, one compact row each with its uid; filter by namespace, label \
                    selector or name prefix; paged.
                    """,
                safety: .readOnly,
                inputSchema: Schema.object([
                    "namespace": CommonArguments.namespace,
                    "all_namespaces": Schema.boolean("Search every namespace.", default: false),
                    "label_selector": Schema.string(
                        "Kubernetes label selector, e.g. 'workflows.argoproj.io/cron-workflow=nightly'."),
                    "name_prefix": Schema.string("Only workflows whose name starts with this."),
                    "limit": Schema.integer("Rows per page.", minimum: 1, maximum: 200, default: 20),
                    "continue": Schema.string("The continue token of the previous page."),
                ]),
                describe: { args in
                    var a = args
                    return "list archived workflows in \(a.string("namespace") ?? defaultNamespace)"
                },
                run: { args, _ in
                    var a = args
                    let namespace = a.string("namespace")
                    let all = a.bool("all_namespaces") ?? false
                    let selector = a.string("label_selector")
                    let prefix = a.string("name_prefix").flatMap { $0.isEmpty ? nil : $0 }
                    let limit = a.int("limit", default: 20)
                    let token = a.string("continue").flatMap { $0.isEmpty ? nil : $0 }
                    try a.finish()
                    let result = try await archive.list(
                        namespace: namespace, allNamespaces: all, labelSelector: selector, namePrefix: prefix,
                        limit: limit,
                        continueToken: token)
                    var text = Render.list(result)
                    if let note = result.note { text += "\n(\(note))" }
                    return try ToolOutput(result, text: text)
                }
            ),
            ToolDefinition(
                name: "get_archived_workflow",
                toolset: .archive,
                title: "Get an archived workflow",
                description: """
                    One archived workflow, by uid or by namespace and name (the newest archived run of that name), as \
                    the same compact summary get_workflow gives: phase, times, message, parameters, node counts and the \
                    failed nodes.
                    """,
                safety: .readOnly,
                inputSchema: Schema.object([
                    "uid": Schema.string("The archived workflow's uid (from list_archived_workflows)."),
                    "namespace": CommonArguments.namespace,
                    "name": Schema.string("Workflow name, when the uid is not known."),
                ]),
                describe: { args in
                    var a = args
                    if let uid = a.string("uid") { return "get archived workflow \(uid)" }
                    return "get archived workflow \(CommonArguments.qualifiedName(args, defaultNamespace))"
                },
                run: { args, _ in
                    var a = args
                    let uid = a.string("uid").flatMap { $0.isEmpty ? nil : $0 }
                    let namespace = a.string("namespace")
                    let name = a.string("name").flatMap { $0.isEmpty ? nil : $0 }
                    try a.finish()
                    let summary = try await archive.summary(uid: uid, namespace: namespace, name: name)
                    return try ToolOutput(summary, text: "(archived) " + Render.summary(summary))
                }
            ),
        ]
    }
}
