import Domain
import Foundation
import MCP

/// `completion/complete` for the variables of the `argo://` resource templates and the prompts' arguments: from
/// live lists (bounded, prefix-matched), read through the same use cases, so the namespace rules apply.
public struct ArgoCompletions: Sendable {
    let useCases: UseCases

    public init(_ useCases: UseCases) {
        self.useCases = useCases
    }

    /// The most values one answer holds (the spec's limit).
    static let maxValues = 100

    public func complete(_ params: Complete.Parameters) async throws -> Complete.Result {
        let prefix = params.argument.value
        let context = params.context?.arguments ?? [:]
        let namespace = context["namespace"].flatMap { $0.isEmpty ? nil : $0 }
        let candidates: [String]
        switch (params.ref, params.argument.name) {
        case (_, "namespace"):
            candidates = await namespaces()
        case (.resource(let ref), "name"):
            candidates = await names(for: ref.uri, namespace: namespace)
        case (.resource(let ref), "node") where ref.uri.hasSuffix("/logs/{node}"):
            candidates = await podNodes(namespace: namespace, workflow: context["name"])
        case (.prompt(let ref), "name") where ref.name == "why_did_this_fail":
            candidates = await workflowNames(namespace: namespace, phases: ["Failed", "Error"])
        case (.prompt(let ref), "since") where ref.name == "triage_failures":
            candidates = ["1h", "6h", "24h", "3d", "7d", "30d"]
        default:
            candidates = []
        }
        let matching = candidates.filter { $0.hasPrefix(prefix) }
        return Complete.Result(
            completion: .init(
                values: Array(matching.prefix(Self.maxValues)), total: matching.count,
                hasMore: matching.count > Self.maxValues))
    }

    /// The pod nodes of a workflow (the nodes that have logs), by the names the logs accept.
    func podNodes(namespace: String?, workflow: String?) async -> [String] {
        guard let workflow, !workflow.isEmpty,
            case .nodes(let page)? = try? await useCases.workflows.get(
                GetWorkflowRequest(namespace: namespace, name: workflow, include: .nodes, limit: 500))
        else { return [] }
        var seen = Set<String>()
        return page.nodes.filter { $0.type == "Pod" && seen.insert($0.name).inserted }.map(\.name)
    }

    func namespaces() async -> [String] {
        ((try? await useCases.cluster.namespaces())?.namespaces ?? []).map(\.namespace)
    }

    func workflowNames(namespace: String?, phases: [String] = []) async -> [String] {
        let list = try? await useCases.workflows.list(
            ListWorkflowsRequest(namespace: namespace, phases: phases, limit: 200))
        return (list?.items ?? []).map(\.name)
    }

    /// The names a template's `name` can take, by the kind its URI template names.
    func names(for uriTemplate: String, namespace: String?) async -> [String] {
        if uriTemplate.hasPrefix("argo://workflows/") { return await workflowNames(namespace: namespace) }
        if uriTemplate.hasPrefix("argo://examples/") { return ArgoReference.exampleNames }
        if uriTemplate.hasPrefix("argo://cron-workflows/") {
            return
                ((try? await useCases.crons.list(ListCronWorkflowsRequest(namespace: namespace, limit: 200)))?
                .items ?? []).map(\.name)
        }
        let clusterScope = uriTemplate.hasPrefix("argo://cluster-workflow-templates/")
        guard clusterScope || uriTemplate.hasPrefix("argo://workflow-templates/") else { return [] }
        let list = try? await useCases.templates.list(
            namespace: namespace, clusterScope: clusterScope, labelSelector: nil, limit: 200, continueToken: nil)
        return (list?.items ?? []).map(\.name)
    }
}
