import Foundation

/// Everything the domain asks of an Argo server. Implemented by the live REST adapter and by the simulator.
public protocol ArgoGateway: Sendable {
    /// One page of workflows. `namespace == nil` lists every namespace the caller can see.
    func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage

    /// One workflow. With `fields` the server trims the object (Argo's `fields=` syntax); the typed view then holds
    /// only what survived, and `raw` is the trimmed object.
    func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow

    /// Log lines of a workflow, or of one pod of it, as the server streams them.
    func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error>

    /// The server's version; a cheap call that proves reachability and authentication.
    func version() async throws -> ArgoVersion

    func listCronWorkflows(_ query: DefinitionListQuery) async throws -> DefinitionPage<CronWorkflow>
    func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow

    /// Namespaced templates, or cluster-scoped ones when `clusterScope` is true (then `namespace` is ignored).
    func listWorkflowTemplates(_ query: DefinitionListQuery, clusterScope: Bool) async throws -> DefinitionPage<
        WorkflowTemplate
    >
    func getWorkflowTemplate(namespace: String?, name: String, clusterScope: Bool) async throws -> WorkflowTemplate

    /// `/api/v1/info`.
    func info() async throws -> ArgoInfo
    /// `/api/v1/userinfo`.
    func userInfo() async throws -> ArgoUserInfo
    /// How this gateway is connected (URL, TLS mode, auth kind — never the token).
    var connection: ConnectionDescription { get }

    /// One page of the workflow archive (empty, not an error, on a server without an archive).
    func listArchivedWorkflows(_ query: ArchiveListQuery) async throws -> WorkflowPage
    /// One archived workflow by uid.
    func getArchivedWorkflow(uid: String) async throws -> Workflow

    /// One semaphore limit from the SyncService (`GET /api/v1/sync/{namespace}/{key}`, Argo v4.0+; older servers
    /// answer `unimplemented`).
    func getSyncLimit(_ query: SyncLimitQuery) async throws -> SyncLimit
    /// Sets a semaphore limit that exists (`PUT /api/v1/sync/{namespace}/{key}`); returns it as stored.
    func updateSyncLimit(_ query: SyncLimitQuery, limit: Int) async throws -> SyncLimit

    /// Changes to one workflow from Argo's `workflow-events` stream, starting after `resourceVersion` (nil: the
    /// current state first). The stream ends when the server closes it; callers reconnect from the last version.
    func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    >

    // Mutations: each returns the object as Argo left it.
    func terminateWorkflow(namespace: String, name: String) async throws -> Workflow
    func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow
    func suspendWorkflow(namespace: String, name: String) async throws -> Workflow
    func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow
    /// Argo's `set`: the phase, message and supplied output parameters of the active suspend nodes the selector
    /// matches (`workflow/util/util.go` `SetWorkflow`).
    func setWorkflow(namespace: String, name: String, update: NodeUpdate) async throws -> Workflow
    /// The bytes of one artifact as the Argo Server's artifact service serves them, at most `limit` of them.
    func artifact(_ request: ArtifactRequest) async throws -> ArtifactBytes
    func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow
    /// Deletes a workflow; with `uid`, only that incarnation (`deleteOptions.preconditions.uid`: a workflow deleted
    /// and re-created under the same name since the preview is refused with 409).
    func deleteWorkflow(namespace: String, name: String, uid: String?) async throws

    /// Argo's lint of a manifest (JSON) of the given kind; returns the object as the server normalized it.
    func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data
    /// Creates a workflow from a manifest (JSON); `generateName` is honoured.
    func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow
    /// Argo's `/submit`: a workflow from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow.
    func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions) async throws
        -> Workflow
    /// Creates a new workflow from this one's spec; returns the new workflow.
    func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow

    // CronWorkflows, WorkflowTemplates and ClusterWorkflowTemplates (`kind` is never `.workflow`; `namespace` is
    // ignored for cluster-scoped kinds). Each returns the object as the server stored it, as JSON.

    /// Creates the object; Argo answers conflict (409) when one of that name exists.
    func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data
    /// Replaces the object. The manifest carries the `metadata.resourceVersion` it was read at; when the stored
    /// object has changed since, Argo answers conflict (409) and nothing is written.
    func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data
    /// Deletes the object; with `uid`, only while it is still that object (a Kubernetes precondition).
    func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws
}
