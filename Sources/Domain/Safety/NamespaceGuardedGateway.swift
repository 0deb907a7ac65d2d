import Foundation
import Ports

/// The gateway as the namespace rules allow it to be seen: a denied namespace is never read, listed or shown in an
/// all-namespace listing. Every use case talks to Argo through this, so no read can forget the rules.
public struct NamespaceGuardedGateway: ArgoGateway {
    let base: any ArgoGateway
    let rules: NamespaceRules

    public init(_ base: any ArgoGateway, rules: NamespaceRules) {
        self.base = base
        self.rules = rules
    }

    func check(_ namespace: String?) throws {
        if let namespace, !namespace.isEmpty, !rules.permits(namespace) { throw PolicyDenied(rules.refusal(namespace)) }
    }

    func visible(_ namespace: String?) -> Bool {
        namespace.map(rules.permits) ?? true
    }

    public func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        try check(query.namespace)
        var page = try await base.listWorkflows(query)
        if !rules.isUnrestricted { page.items.removeAll { !visible($0.metadata.namespace) } }
        return page
    }

    public func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow {
        try check(namespace)
        return try await base.getWorkflow(namespace: namespace, name: name, fields: fields)
    }

    public func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error> {
        do {
            try check(query.namespace)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return base.workflowLogs(query)
    }

    public func version() async throws -> ArgoVersion { try await base.version() }

    public func listCronWorkflows(_ query: ResourceListQuery) async throws -> ResourcePage<CronWorkflow> {
        try check(query.namespace)
        var page = try await base.listCronWorkflows(query)
        if !rules.isUnrestricted { page.items.removeAll { !visible($0.metadata.namespace) } }
        return page
    }

    public func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow {
        try check(namespace)
        return try await base.getCronWorkflow(namespace: namespace, name: name)
    }

    public func listWorkflowTemplates(_ query: ResourceListQuery, clusterScope: Bool) async throws -> ResourcePage<
        WorkflowTemplate
    > {
        if !clusterScope { try check(query.namespace) }
        var page = try await base.listWorkflowTemplates(query, clusterScope: clusterScope)
        if !clusterScope && !rules.isUnrestricted { page.items.removeAll { !visible($0.metadata.namespace) } }
        return page
    }

    public func getWorkflowTemplate(namespace: String?, name: String, clusterScope: Bool) async throws
        -> WorkflowTemplate
    {
        if !clusterScope { try check(namespace) }
        return try await base.getWorkflowTemplate(namespace: namespace, name: name, clusterScope: clusterScope)
    }

    public func info() async throws -> ArgoInfo { try await base.info() }
    public func userInfo() async throws -> ArgoUserInfo { try await base.userInfo() }
    public var connection: ConnectionDescription { base.connection }

    public func listArchivedWorkflows(_ query: ArchiveListQuery) async throws -> WorkflowPage {
        try check(query.namespace)
        var page = try await base.listArchivedWorkflows(query)
        if !rules.isUnrestricted { page.items.removeAll { !visible($0.metadata.namespace) } }
        return page
    }

    public func getArchivedWorkflow(uid: String) async throws -> Workflow {
        let wf = try await base.getArchivedWorkflow(uid: uid)
        // Looked up by uid, so the namespace is known only now; a denied one is not shown.
        try check(wf.metadata.namespace)
        return wf
    }

    public func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    > {
        do {
            try check(namespace)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return base.watchWorkflow(namespace: namespace, name: name, resourceVersion: resourceVersion)
    }

    public func terminateWorkflow(namespace: String, name: String) async throws -> Workflow {
        try check(namespace)
        return try await base.terminateWorkflow(namespace: namespace, name: name)
    }

    public func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    {
        try check(namespace)
        return try await base.stopWorkflow(
            namespace: namespace, name: name, nodeFieldSelector: nodeFieldSelector, message: message)
    }

    public func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow {
        try check(namespace)
        return try await base.retryWorkflow(
            namespace: namespace, name: name, restartSuccessful: restartSuccessful,
            nodeFieldSelector: nodeFieldSelector,
            parameters: parameters)
    }

    public func suspendWorkflow(namespace: String, name: String) async throws -> Workflow {
        try check(namespace)
        return try await base.suspendWorkflow(namespace: namespace, name: name)
    }

    public func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow {
        try check(namespace)
        return try await base.resumeWorkflow(namespace: namespace, name: name, nodeFieldSelector: nodeFieldSelector)
    }

    public func setWorkflow(namespace: String, name: String, update: NodeUpdate) async throws -> Workflow {
        try check(namespace)
        return try await base.setWorkflow(namespace: namespace, name: name, update: update)
    }

    public func artifact(_ request: ArtifactRequest) async throws -> ArtifactBytes {
        try check(request.namespace)
        return try await base.artifact(request)
    }

    public func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow
    {
        try check(namespace)
        return try await base.setCronWorkflowSuspended(namespace: namespace, name: name, suspended: suspended)
    }

    public func deleteWorkflow(namespace: String, name: String, uid: String?) async throws {
        try check(namespace)
        try await base.deleteWorkflow(namespace: namespace, name: name, uid: uid)
    }

    public func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow
    {
        try check(namespace)
        return try await base.resubmitWorkflow(
            namespace: namespace, name: name, memoized: memoized, parameters: parameters)
    }

    public func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        if !kind.isClusterScoped { try check(namespace) }
        return try await base.lint(kind: kind, namespace: namespace, manifest: manifest)
    }

    public func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow {
        try check(namespace)
        return try await base.createWorkflow(namespace: namespace, manifest: manifest)
    }

    public func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions)
        async throws -> Workflow
    {
        try check(namespace)
        return try await base.submitWorkflow(namespace: namespace, from: kind, name: name, options: options)
    }

    public func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        if !kind.isClusterScoped { try check(namespace) }
        return try await base.createObject(kind, namespace: namespace, manifest: manifest)
    }

    public func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data {
        if !kind.isClusterScoped { try check(namespace) }
        return try await base.updateObject(kind, namespace: namespace, name: name, manifest: manifest)
    }

    public func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws {
        if !kind.isClusterScoped { try check(namespace) }
        try await base.deleteObject(kind, namespace: namespace, name: name, uid: uid)
    }
}
