import Domain

/// The use cases the tools call. The composition root builds them (`Sources/Main/Wiring.swift`); the MCP server
/// only calls them.
public struct UseCases: Sendable {
    public var defaultNamespace: String
    public var workflows: WorkflowReads
    public var watch: WatchWorkflow
    public var crons: CronReads
    public var templates: TemplateReads
    public var cluster: ClusterReads
    public var archive: ArchiveReads
    public var mutations: WorkflowMutations
    public var submissions: SubmitWorkflows
    public var diagnostics: Diagnostics
    public var hooks: CompletionHooks
    public var resources: ResourceMutations
    public var triage: FailureTriage
    public var approvals: StepApprovals
    public var artifacts: ArtifactReads
    public var synchronization: SynchronizationReads
    public var syncLimits: SyncLimitMutations

    public init(
        defaultNamespace: String, workflows: WorkflowReads, watch: WatchWorkflow, crons: CronReads,
        templates: TemplateReads, cluster: ClusterReads, archive: ArchiveReads, mutations: WorkflowMutations,
        submissions: SubmitWorkflows, diagnostics: Diagnostics, hooks: CompletionHooks, resources: ResourceMutations,
        triage: FailureTriage, approvals: StepApprovals, artifacts: ArtifactReads,
        synchronization: SynchronizationReads, syncLimits: SyncLimitMutations
    ) {
        self.synchronization = synchronization
        self.syncLimits = syncLimits
        self.triage = triage
        self.approvals = approvals
        self.artifacts = artifacts
        self.defaultNamespace = defaultNamespace
        self.workflows = workflows
        self.watch = watch
        self.crons = crons
        self.templates = templates
        self.cluster = cluster
        self.archive = archive
        self.mutations = mutations
        self.submissions = submissions
        self.diagnostics = diagnostics
        self.hooks = hooks
        self.resources = resources
    }
}
