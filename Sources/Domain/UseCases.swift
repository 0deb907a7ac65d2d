import Foundation
import Ports

/// Every use case the driving adapters call, assembled over the adapters the composition root chose: which gateway,
/// rules, audit sink, token store, notifier and artifact unpacker each of them gets. The MCP server only calls
/// them; `Sources/Main` only picks the adapters.
public struct UseCases: Sendable {
    public var defaultNamespace: String
    /// The namespace rules every use case here applies (the caller's, when it has its own).
    public var namespaceRules: NamespaceRules
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
    public var definitions: DefinitionMutations
    public var triage: FailureTriage
    public var approvals: StepApprovals
    public var artifacts: ArtifactReads
    public var synchronization: SynchronizationReads
    public var syncLimits: SyncLimitMutations

    /// A sealing key of this process, for when none is configured (`ARGO_MCP_STATE_KEY`).
    public static let processSeal = CursorSeal()

    /// Every use case over `gateway` as the policy's namespace rules let it be seen; mutations record to `audit`
    /// and keep confirmations in `confirmations`. With a `caller` (an authenticated HTTP session), the namespace
    /// rules are narrowed to the caller's entries in `callerRules`, and its name goes into audit records and tokens.
    public init(
        gateway: any ArgoGateway, defaultNamespace: String, unpacker: any ArtifactUnpacking,
        policy: Policy = Policy(), audit: any AuditSink = NoAuditSink(),
        confirmations: any ConfirmationStore = InMemoryConfirmationStore(),
        notifier: (any CompletionNotifier)? = nil,
        now: @escaping @Sendable () -> Date = Date.init,
        caller: Caller? = nil, callerRules: CallerNamespaceRules = CallerNamespaceRules(),
        cursorSeal: CursorSeal = UseCases.processSeal
    ) {
        var policy = policy
        policy.namespaces = callerRules.rules(for: caller, within: policy.namespaces)
        policy.namespaces.context = policy.context
        let context = ArgoContext(
            gateway: NamespaceGuardedGateway(gateway, rules: policy.namespaces, seal: cursorSeal),
            defaultNamespace: defaultNamespace,
            now: now)
        let runner = MutationRunner(
            policy: policy, audit: audit,
            confirmations: Confirmations(
                store: confirmations, ttlSeconds: policy.confirmationTTLSeconds, now: now, seal: cursorSeal),
            now: now, caller: caller)
        self.defaultNamespace = defaultNamespace
        namespaceRules = policy.namespaces
        workflows = WorkflowReads(context)
        watch = WatchWorkflow(context)
        crons = CronReads(context)
        templates = TemplateReads(context)
        cluster = ClusterReads(context, rules: policy.namespaces, policy: policy)
        archive = ArchiveReads(context)
        mutations = WorkflowMutations(context, runner: runner)
        submissions = SubmitWorkflows(context, runner: runner)
        diagnostics = Diagnostics(context)
        hooks = CompletionHooks(notifier: notifier, runner: runner)
        definitions = DefinitionMutations(context, runner: runner)
        triage = FailureTriage(context)
        approvals = StepApprovals(context, runner: runner)
        artifacts = ArtifactReads(context, unpacker: unpacker)
        synchronization = SynchronizationReads(context)
        syncLimits = SyncLimitMutations(context, runner: runner)
    }
}
