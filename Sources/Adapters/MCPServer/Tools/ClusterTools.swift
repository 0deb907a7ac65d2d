import Domain
import Foundation
import MCP

/// `list_namespaces`, `get_cluster_info`, `health_check`.
enum ClusterTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let cluster = useCases.cluster
        return [
            ToolDefinition(
                name: "list_namespaces",
                toolset: .cluster,
                title: "List namespaces",
                description: """
                    The namespaces you can work in, each with where it was learned: the server's managed namespace, the \
                    configured default, and namespaces seen in all-namespace listings of workflows, cron workflows and \
                    templates (listings the credentials may not read are noted).
                    """,
                safety: .readOnly,
                inputSchema: Schema.object([:]),
                describe: { _ in "list namespaces" },
                run: { args, _ in
                    try args.finish()
                    let result = try await cluster.namespaces()
                    return try ToolOutput(result, text: Render.namespaces(result))
                }
            ),
            ToolDefinition(
                name: "get_cluster_info",
                toolset: .cluster,
                title: "Argo server info",
                description: """
                    The Argo Server's version and build, managed namespace, configured links, the caller's identity \
                    (userinfo), and how argo-mcp is connected (URL, TLS mode, kind of credentials; never the token).
                    """,
                safety: .readOnly,
                inputSchema: Schema.object([:]),
                describe: { _ in "read the Argo Server's info" },
                run: { args, _ in
                    try args.finish()
                    let result = try await cluster.info()
                    return try ToolOutput(result, text: Render.clusterInfo(result))
                }
            ),
            ToolDefinition(
                name: "health_check",
                toolset: .cluster,
                title: "Health check",
                description: """
                    Checks the connection to Argo: reachability and latency, authentication, server version, listing \
                    workflows in the default namespace, the workflow archive and log streaming; each check passes or \
                    fails with its reason. When the server cannot be reached, that is the one answer, with the fix.
                    """,
                safety: .readOnly,
                inputSchema: Schema.object([:]),
                describe: { _ in "check health" },
                run: { args, _ in
                    try args.finish()
                    let report = await cluster.health()
                    return try ToolOutput(report, text: Render.health(report))
                }
            ),
        ]
    }
}
