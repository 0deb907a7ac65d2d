import Domain
import Foundation
import MCPServer
import Ports

/// How the use cases are put together: the one place that knows which gateway, rules, audit sink, token store and
/// notifier each of them gets.
enum Wiring {
    /// A sealing key of this process, for when none is configured (`ARGO_MCP_STATE_KEY`).
    static let processSeal = CursorSeal()

    /// Every use case over `gateway` as the policy's namespace rules let it be seen; mutations record to `audit`
    /// and keep confirmations in `confirmations`. With a `caller` (an authenticated HTTP session), the namespace
    /// rules are narrowed to the caller's entries in `callerRules`, and its name goes into audit records and tokens.
    static func useCases(
        gateway: any ArgoGateway, defaultNamespace: String, policy: Policy = Policy(),
        audit: any AuditSink = NoAuditSink(),
        confirmations: any ConfirmationStore = InMemoryConfirmationStore(),
        notifier: (any CompletionNotifier)? = nil,
        now: @escaping @Sendable () -> Date = Date.init,
        caller: Caller? = nil, callerRules: CallerNamespaceRules = CallerNamespaceRules(),
        cursorSeal: CursorSeal = Wiring.processSeal
    ) -> UseCases {
        var policy = policy
        policy.namespaces = callerRules.rules(for: caller, within: policy.namespaces)
        let context = ArgoContext(
            gateway: NamespaceGuardedGateway(gateway, rules: policy.namespaces, seal: cursorSeal),
            defaultNamespace: defaultNamespace,
            now: now)
        let runner = MutationRunner(
            policy: policy, audit: audit,
            confirmations: Confirmations(store: confirmations, ttlSeconds: policy.confirmationTTLSeconds, now: now),
            now: now, caller: caller)
        return UseCases(
            defaultNamespace: defaultNamespace,
            workflows: WorkflowReads(context),
            watch: WatchWorkflow(context),
            crons: CronReads(context),
            templates: TemplateReads(context),
            cluster: ClusterReads(context, rules: policy.namespaces),
            archive: ArchiveReads(context),
            mutations: WorkflowMutations(context, runner: runner),
            submissions: SubmitWorkflows(context, runner: runner),
            diagnostics: Diagnostics(context),
            hooks: CompletionHooks(notifier: notifier, runner: runner),
            resources: ResourceMutations(context, runner: runner),
            triage: FailureTriage(context),
            approvals: StepApprovals(context, runner: runner),
            artifacts: ArtifactReads(context),
            synchronization: SynchronizationReads(context),
            syncLimits: SyncLimitMutations(context, runner: runner))
    }
}
