import Domain
import Foundation
import MCP
import Ports

/// Argo objects as MCP resources (`argo://…`): live objects behind URI templates, a bounded list of the ones worth
/// showing (recent and running workflows of the default namespace, cron workflows, templates) with a continue
/// cursor, and reads through the same use cases as the tools, so namespace rules apply to resources exactly as to
/// tools.
public struct ArgoResources: Sendable {
    /// What a URI without a context begins with (`argo://workflows/…`): no context may be called so.
    public static let uriKinds: Set<String> = [
        "workflows", "cron-workflows", "workflow-templates", "cluster-workflow-templates", "examples", "reference",
    ]

    let useCases: UseCases

    public init(_ useCases: UseCases) {
        self.useCases = useCases
    }

    static let json = "application/json"

    /// The URI templates, as `resources/templates/list` shows them.
    public static let templates: [Resource.Template] = [
        .init(
            uriTemplate: "argo://workflows/{namespace}/{name}", name: "workflow", title: "Argo workflow",
            description:
                "A workflow's compact summary (phase, progress, failed nodes with pods), as get_workflow gives it.",
            mimeType: json),
        .init(
            uriTemplate: "argo://workflows/{namespace}/{name}/logs/{node}", name: "workflow-logs",
            title: "Workflow node logs",
            description:
                "The last 100 lines of a node's main container log (node: its name, display name or pod name).",
            mimeType: "text/plain"),
        .init(
            uriTemplate: "argo://cron-workflows/{namespace}/{name}", name: "cron-workflow", title: "Argo CronWorkflow",
            description: "A CronWorkflow: schedules on its clock, next runs, last run, active runs.", mimeType: json),
        .init(
            uriTemplate: "argo://workflow-templates/{namespace}/{name}", name: "workflow-template",
            title: "Argo WorkflowTemplate",
            description: "A WorkflowTemplate: entrypoint, templates with their kind, parameters.", mimeType: json),
        .init(
            uriTemplate: "argo://cluster-workflow-templates/{name}", name: "cluster-workflow-template",
            title: "Argo ClusterWorkflowTemplate",
            description: "A ClusterWorkflowTemplate: entrypoint, templates with their kind, parameters.",
            mimeType: json),
        .init(
            uriTemplate: "argo://examples/{name}", name: "example", title: "Argo example",
            description:
                "An upstream Argo example manifest (hello-world, steps, dag-diamond, artifact-passing, loops, retry-backoff, exit-handlers, an approval, cron-workflow, workflow-template, …), with attribution.",
            mimeType: "application/yaml"),
    ]

    /// What a URI names.
    enum Target: Equatable {
        case workflow(namespace: String, name: String)
        case logs(namespace: String, name: String, node: String)
        case cronWorkflow(namespace: String, name: String)
        case workflowTemplate(namespace: String, name: String)
        case clusterWorkflowTemplate(name: String)

        init?(_ uri: String) {
            guard uri.hasPrefix("argo://"), uri.utf8.count <= 2048 else { return nil }
            let parts = uri.dropFirst("argo://".count).split(separator: "/", omittingEmptySubsequences: false).map {
                String($0).removingPercentEncoding ?? String($0)
            }
            guard !parts.contains(where: \.isEmpty) else { return nil }
            switch (parts.first, parts.count) {
            case ("workflows", 3): self = .workflow(namespace: parts[1], name: parts[2])
            case ("workflows", 5) where parts[3] == "logs":
                self = .logs(namespace: parts[1], name: parts[2], node: parts[4])
            case ("cron-workflows", 3): self = .cronWorkflow(namespace: parts[1], name: parts[2])
            case ("workflow-templates", 3): self = .workflowTemplate(namespace: parts[1], name: parts[2])
            case ("cluster-workflow-templates", 2): self = .clusterWorkflowTemplate(name: parts[1])
            default: return nil
            }
        }
    }

    static func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? text
    }

    static func workflowURI(_ namespace: String, _ name: String) -> String {
        "argo://workflows/\(component(namespace))/\(component(name))"
    }

    /// How `resources/read` answers a URI.
    enum Reading {
        /// One of argo-mcp's own documents (the reference and the upstream examples), served as it is.
        case document(text: String, mimeType: String)
        /// An Argo object, read by a read-only tool over the same use cases as the tools and answered through the
        /// same path as a tool call (`ArgoMCPServer.readResource`): the output cap, the simulator notice, the words
        /// of an error and the namespace hint. `namespace` is the call's, for that hint.
        case argo(ToolDefinition, namespace: String?, mimeType: String)
    }

    /// What reading `uri` takes; throws "resource not found" for a URI argo-mcp does not serve.
    /// The tool that reads what `uri` names (a resource is offered with it); nil for argo-mcp's own documents.
    static func equivalentTool(_ uri: String) -> String? {
        switch Target(uri) {
        case .workflow: "get_workflow"
        case .logs: "get_workflow_logs"
        case .cronWorkflow: "get_cron_workflow"
        case .workflowTemplate: "get_workflow_template"
        case .clusterWorkflowTemplate: "get_cluster_workflow_template"
        case nil: nil
        }
    }

    func reading(_ uri: String) throws -> Reading {
        if let document = ArgoReference.document(uri) {
            return .document(text: document.text, mimeType: document.mimeType)
        }
        if uri.hasPrefix(ArgoReference.examplePrefix) {
            throw MCPError.serverError(
                code: Self.resourceNotFound,
                message:
                    "no example \(uri.dropFirst(ArgoReference.examplePrefix.count).prefix(100)); the examples are "
                    + ArgoReference.exampleNames.joined(separator: ", "))
        }
        guard let target = Target(uri) else {
            throw MCPError.serverError(
                code: Self.resourceNotFound,
                message:
                    "unknown resource \(uri.prefix(200)); argo-mcp serves argo://workflows/{namespace}/{name}[/logs/{node}], argo://cron-workflows/{namespace}/{name}, argo://workflow-templates/{namespace}/{name}, argo://cluster-workflow-templates/{name}, argo://examples/{name} and the argo://reference/… documents resources/list shows"
            )
        }
        let useCases = self.useCases
        let shown = String(uri.prefix(200))
        func read(_ namespace: String?, _ mimeType: String, _ run: @escaping @Sendable () async throws -> ToolOutput)
            -> Reading
        {
            let tool = ToolDefinition(
                name: "resources/read", toolset: .workflows, title: "Read \(shown)", description: "Reads \(shown).",
                safety: .readOnly,
                inputSchema: Schema.object([:]), describe: { _ in "read \(shown)" }, run: { _, _ in try await run() })
            return .argo(tool, namespace: namespace, mimeType: mimeType)
        }
        switch target {
        case .workflow(let namespace, let name):
            return read(namespace, Self.json) {
                switch try await useCases.workflows.get(GetWorkflowRequest(namespace: namespace, name: name)) {
                case .summary(let summary): try ToolOutput(summary, text: "")
                case .nodes(let page): try ToolOutput(page, text: "")
                case .json(let page): try ToolOutput(page, text: "")
                }
            }
        case .logs(let namespace, let name, let node):
            return read(namespace, "text/plain") {
                let logs = try await useCases.workflows.logs(
                    WorkflowLogsRequest(namespace: namespace, name: name, node: node, tailLines: 100))
                return ToolOutput(structured: .object([:]), text: Render.logs(logs))
            }
        case .cronWorkflow(let namespace, let name):
            return read(namespace, Self.json) {
                try ToolOutput(try await useCases.crons.get(namespace: namespace, name: name), text: "")
            }
        case .workflowTemplate(let namespace, let name):
            return read(namespace, Self.json) {
                try ToolOutput(
                    try await useCases.templates.get(namespace: namespace, name: name, clusterScope: false), text: "")
            }
        case .clusterWorkflowTemplate(let name):
            return read(nil, Self.json) {
                try ToolOutput(
                    try await useCases.templates.get(namespace: nil, name: name, clusterScope: true), text: "")
            }
        }
    }

    /// MCP's "resource not found".
    static let resourceNotFound = -32002

    /// Workflows per page of `resources/list`.
    static let pageSize = 25

    /// The first page: recent workflows of the default namespace (running ones first, as Argo lists them), then
    /// the reference documents, its cron workflows and workflow templates, and the cluster workflow templates; later
    /// pages continue the workflows. A section the namespace rules (or Argo) refuse is left out, not an error.
    public func list(cursor: String?) async throws -> ListResources.Result {
        var resources: [Resource] = []
        let firstPage = cursor == nil
        let workflows = try? await useCases.workflows.list(
            ListWorkflowsRequest(limit: Self.pageSize, continueToken: cursor))
        for row in workflows?.items ?? [] {
            var state = row.phase
            if let progress = row.progress { state += ", \(progress)" }
            if let started = row.startedAt { state += ", started \(started)" }
            if row.archived == true { state += ", archived" }
            resources.append(
                Resource(
                    name: "\(row.namespace)/\(row.name)", uri: Self.workflowURI(row.namespace, row.name),
                    title: "Workflow \(row.namespace)/\(row.name)", description: state, mimeType: Self.json))
        }
        if firstPage {
            // The reference documents first: what a model needs to write a manifest (the examples are reached
            // through their template).
            resources += ArgoReference.resources.filter { !$0.uri.hasPrefix(ArgoReference.examplePrefix) }
            if let crons = try? await useCases.crons.list(ListCronWorkflowsRequest(limit: 50)) {
                for row in crons.items {
                    resources.append(
                        Resource(
                            name: "\(row.namespace)/\(row.name)",
                            uri: "argo://cron-workflows/\(Self.component(row.namespace))/\(Self.component(row.name))",
                            title: "CronWorkflow \(row.namespace)/\(row.name)",
                            description: row.schedules.joined(separator: ", ") + (row.suspended ? " (suspended)" : ""),
                            mimeType: Self.json))
                }
            }
            for clusterScope in [false, true] {
                guard
                    let list = try? await useCases.templates.list(
                        namespace: nil, clusterScope: clusterScope, labelSelector: nil, limit: 50, continueToken: nil)
                else { continue }
                for row in list.items {
                    let uri =
                        clusterScope
                        ? "argo://cluster-workflow-templates/\(Self.component(row.name))"
                        : "argo://workflow-templates/\(Self.component(row.namespace ?? ""))/\(Self.component(row.name))"
                    resources.append(
                        Resource(
                            name: clusterScope ? row.name : "\(row.namespace ?? "")/\(row.name)", uri: uri,
                            title: "\(clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate") \(row.name)",
                            description: "entrypoint \(row.entrypoint ?? "-"), \(row.templateCount) template(s)",
                            mimeType: Self.json))
                }
            }
        }
        return ListResources.Result(resources: resources, nextCursor: workflows?.continue)
    }
}
