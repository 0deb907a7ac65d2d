import Foundation
import Ports

/// Reads of the workflow archive (workflows kept in the server's database after their objects are gone).
public struct ArchiveReads: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }

    public init(_ context: ArgoContext) {
        self.context = context
    }

    /// Why archived workflows cannot be read, in the server's own words.
    static func noArchive(_ error: ArgoError) -> String {
        let said =
            error.kind == .unimplemented && error.grpcCode == 12
            ? "the Argo Server has no archive API (\(error.message))"
            : "the Argo Server answered \"\(error.message)\""
        return
            "\(said): it has no workflow archive (persistence with archive: true in the workflow-controller ConfigMap), so archived workflows cannot be read"
    }

    /// Argo's answer without an archive (`persist/sqldb/null_workflow_archive.go`, gRPC 13), or a server that has
    /// no archive routes at all (gRPC 12).
    static func isNoArchive(_ error: ArgoError) -> Bool {
        error.kind == .unimplemented || error.message == "getting archived workflows not supported"
            || error.message == "deleting archived workflows not supported"
    }

    public func list(
        namespace: String?, allNamespaces: Bool, labelSelector: String?, namePrefix: String?, limit: Int,
        continueToken: String?
    ) async throws -> WorkflowListResult {
        var problems: [ArgumentProblem] = []
        if let namespace, !allNamespaces, let p = Validation.namespace(namespace) { problems.append(p) }
        if let labelSelector, let p = Validation.labelSelector(labelSelector) { problems.append(p) }
        if let p = rangeProblem("limit", limit, 1...200) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = allNamespaces ? nil : (context.namespace(namespace))
        let page: WorkflowPage
        do {
            page = try await gateway.listArchivedWorkflows(
                ArchiveListQuery(
                    namespace: ns, labelSelector: labelSelector, namePrefix: namePrefix, limit: limit,
                    continueToken: continueToken))
        } catch let error as ArgoError where Self.isNoArchive(error) {
            throw ReadFailure(Self.noArchive(error))
        }
        let shaping = WorkflowShaping(now: now())
        let rows = page.items.map(shaping.row)
        return WorkflowListResult(
            namespace: ns ?? "*", items: rows, count: rows.count, continue: page.continueToken,
            hasMore: page.continueToken != nil, remainingItemCount: page.remainingItemCount,
            note: rows.isEmpty && continueToken == nil
                ? "nothing archived matches; if you expected runs here, the server may have no archive configured (Argo then answers every archive list with an empty one)"
                : nil
        )
    }

    /// An archived workflow by uid, or by namespace and name (the newest archived run of that name).
    public func summary(uid: String?, namespace: String?, name: String?) async throws -> WorkflowSummary {
        WorkflowShaping(now: now()).summary(try await workflow(uid: uid, namespace: namespace, name: name))
    }

    /// The archived workflow itself, found as `summary` finds it.
    public func workflow(uid: String?, namespace: String?, name: String?) async throws -> Workflow {
        var problems: [ArgumentProblem] = []
        if uid == nil && name == nil {
            problems.append(
                ArgumentProblem(field: "uid", message: "give the archived workflow's uid, or its name (and namespace)"))
        }
        if let namespace, let p = Validation.namespace(namespace) { problems.append(p) }
        if let name, let p = Validation.objectName(name) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        do {
            let resolvedUID: String
            if let uid {
                resolvedUID = uid
            } else {
                let ns = context.namespace(namespace)
                let page = try await gateway.listArchivedWorkflows(
                    ArchiveListQuery(namespace: ns, namePrefix: name, limit: 100))
                let exact = page.items.filter { $0.metadata.name == name }
                guard
                    let newest = exact.max(by: {
                        ($0.metadata.creationTimestamp ?? "") < ($1.metadata.creationTimestamp ?? "")
                    }),
                    let found = newest.metadata.uid
                else {
                    throw ReadFailure(
                        "no archived workflow named \(ns)/\(name ?? ""); list_archived_workflows shows what the archive holds"
                    )
                }
                resolvedUID = found
            }
            return try await gateway.getArchivedWorkflow(uid: resolvedUID)
        } catch let error as ArgoError where Self.isNoArchive(error) {
            throw ReadFailure(Self.noArchive(error))
        }
    }
}
