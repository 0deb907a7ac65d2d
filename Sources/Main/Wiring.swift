import Domain
import Foundation
import MCPServer
import Ports

/// How the use cases are put together: the one place that knows which gateway, rules, audit sink, token store and
/// notifier each of them gets.
enum Wiring {
    /// Every use case over `gateway` as the policy's namespace rules let it be seen; mutations record to `audit`
    /// and keep confirmations in `confirmations`.
    static func useCases(
        gateway: any ArgoGateway, defaultNamespace: String, policy: Policy = Policy(),
        audit: any AuditSink = NoAuditSink(),
        confirmations: any ConfirmationStore = InMemoryConfirmationStore(),
        notifier: (any CompletionNotifier)? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) -> UseCases {
        let gateway = NamespaceGuardedGateway(gateway, rules: policy.namespaces)
        let runner = MutationRunner(
            policy: policy, audit: audit,
            confirmations: Confirmations(store: confirmations, ttlSeconds: policy.confirmationTTLSeconds, now: now),
            now: now)
        return UseCases(
            defaultNamespace: defaultNamespace,
            workflows: WorkflowReads(gateway: gateway, defaultNamespace: defaultNamespace, now: now),
            watch: WatchWorkflow(gateway: gateway, defaultNamespace: defaultNamespace, now: now),
            crons: CronReads(gateway: gateway, defaultNamespace: defaultNamespace, now: now),
            templates: TemplateReads(gateway: gateway, defaultNamespace: defaultNamespace),
            cluster: ClusterReads(gateway: gateway, defaultNamespace: defaultNamespace, rules: policy.namespaces),
            archive: ArchiveReads(gateway: gateway, defaultNamespace: defaultNamespace, now: now),
            mutations: WorkflowMutations(gateway: gateway, runner: runner, defaultNamespace: defaultNamespace, now: now),
            submissions: SubmitWorkflows(gateway: gateway, runner: runner, defaultNamespace: defaultNamespace),
            diagnostics: Diagnostics(gateway: gateway, defaultNamespace: defaultNamespace, now: now),
            hooks: CompletionHooks(notifier: notifier, runner: runner),
            resources: ResourceMutations(gateway: gateway, runner: runner, defaultNamespace: defaultNamespace, now: now))
    }
}
