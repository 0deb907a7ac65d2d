import Foundation
import Ports

/// analyze_failure, get_workflow_metrics, compare_workflows and render_workflow_graph.
public struct Diagnostics: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }
    let archive: ArchiveReads

    public init(
        _ context: ArgoContext
    ) {
        self.context = context
        self.archive = ArchiveReads(context)
    }

    /// Which workflow to look at.
    public struct Target: Sendable, Equatable {
        public var namespace: String?
        public var name: String?
        /// A workflow's uid, live or archived (with `name`: that incarnation).
        public var uid: String?

        public init(namespace: String?, name: String?, uid: String? = nil) {
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }

        func problems(field: String = "name") -> [ArgumentProblem] {
            var problems: [ArgumentProblem] = []
            if name == nil && uid == nil {
                problems.append(ArgumentProblem(field: field, message: "give the workflow's name (or an archived uid)"))
            }
            if let namespace, let p = Validation.namespace(namespace) { problems.append(p) }
            if let name, let p = Validation.objectName(name, field: field) { problems.append(p) }
            return problems
        }
    }

    /// The workflow the target names, live first, then from the archive; `source` says which was used.
    ///
    /// By name, Argo v3.5+ itself answers with the archived copy when the live object is gone (told apart by
    /// `isArchivedCopy`); with a uid as well, the live object counts only if it is that incarnation. By uid alone,
    /// the namespace's workflows are searched for it before the archive is asked.
    func load(_ target: Target) async throws -> (Workflow, source: String) {
        let ns = context.namespace(target.namespace)
        if let name = target.name {
            do {
                let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
                if target.uid == nil || wf.metadata.uid == target.uid {
                    return (wf, wf.isArchivedCopy ? "archive" : "live")
                }
            } catch let error as ArgoError where error.kind == .notFound {
                if target.uid == nil {
                    if let archived = try? await archive.workflow(uid: nil, namespace: ns, name: name) {
                        return (archived, "archive")
                    }
                    throw error.withHint(
                        "no live or archived workflow \(ns)/\(name); list_workflows or list_archived_workflows shows what exists"
                    )
                }
            }
        } else if let uid = target.uid, let found = await liveWorkflow(uid: uid, namespace: ns) {
            return found
        }
        do {
            return (
                try await archive.workflow(uid: target.uid, namespace: target.namespace, name: target.name), "archive"
            )
        } catch let error as ArgoError where error.kind == .notFound {
            throw ReadFailure(
                "no workflow has uid \(target.uid ?? "?"): none of \(ns)'s workflows\(target.name.map { " (\($0) is another incarnation)" } ?? "") and none in the archive; list_workflows and list_archived_workflows show uids"
            )
        }
    }

    /// A workflow of `namespace` with this uid, read whole, and whether Argo served the archive's copy; nil when
    /// none of the first 5,000 rows has it or the list cannot be read.
    func liveWorkflow(uid: String, namespace: String) async -> (Workflow, source: String)? {
        var token: String?
        var seen = 0
        repeat {
            guard
                let page = try? await gateway.listWorkflows(
                    WorkflowListQuery(
                        namespace: namespace, limit: 500, continueToken: token,
                        fields: "metadata,items.metadata.uid,items.metadata.name,items.metadata.namespace"))
            else { return nil }
            if let hit = page.items.first(where: { $0.metadata.uid == uid }) {
                guard
                    let wf = try? await gateway.getWorkflow(
                        namespace: hit.metadata.namespace ?? namespace, name: hit.metadata.name, fields: nil),
                    wf.metadata.uid == uid
                else { return nil }
                return (wf, wf.isArchivedCopy ? "archive" : "live")
            }
            seen += page.items.count
            token = page.continueToken
        } while token != nil && seen < 5_000
        return nil
    }
}
