import Foundation
import Ports

/// The gateway as the namespace rules allow it to be seen: a denied namespace is never read, listed or shown in an
/// all-namespace listing. Every use case talks to Argo through this, so no read can forget the rules.
///
/// An all-namespace listing under rules that hide some namespaces tells nothing about them either: a page is
/// filled from as many of Argo's pages as it takes (at most `maxFencePages`), `hasMore` means that another visible
/// object exists (the next pages are read ahead until one is found), the continue token is sealed (Argo's names the
/// object it starts at), and counts that include hidden objects (remaining items, archive repeats, unreadable
/// rows, the adapter's scan notes) are left out.
public struct NamespaceGuardedGateway: ArgoGateway {
    let base: any ArgoGateway
    let rules: NamespaceRules
    let seal: CursorSeal

    /// The most of Argo's pages one filtered listing reads (filling its page and looking ahead); past it, the
    /// listing hands out a token to go on from there.
    public static let maxFencePages = 40

    public init(_ base: any ArgoGateway, rules: NamespaceRules, seal: CursorSeal = CursorSeal()) {
        self.base = base
        self.rules = rules
        self.seal = seal
    }

    /// What a sealed token is bound to: this caller under these rules.
    var binding: String {
        let entries = (rules.callerEntries ?? []).map { "\($0.source):\($0.allow)/\($0.deny)" }
        // With several Argo Servers, one context's token never pages another's listing.
        return
            "\(rules.context.map { "context:\($0)|" } ?? "")\(rules.caller ?? "-")|\(rules.allow)|\(rules.deny)|\(rules.callerEntries == nil ? "none" : "\(entries)")"
    }

    /// Whether a listing of `namespace` (nil or empty: every namespace) may contain objects the caller must not see.
    func filtered(_ namespace: String?) -> Bool {
        !rules.isUnrestricted && (namespace ?? "").isEmpty
    }

    /// Argo's token inside a caller's continue token (sealed ones are opened and checked; a fenced listing takes
    /// only its own sealed tokens, never one made by hand).
    func opened(_ token: String?, kind: String? = nil) throws -> String? {
        try token.map {
            try seal.open($0, binding: kind.map { binding + "|" + $0 } ?? binding, requireSealed: kind != nil)
        }
    }

    /// A listing as the rules let it be seen: one namespace passes through (after the namespace check); every
    /// namespace, under rules that hide some, is fenced.
    func listing<Query: PagedQuery, Page: ListedPage>(
        _ kind: String, _ query: Query, _ list: (Query) async throws -> Page
    ) async throws -> Page {
        try check(query.namespace)
        var query = query
        guard filtered(query.namespace) else {
            query.continueToken = try opened(query.continueToken)
            return try await list(query)
        }
        let (items, next) = try await fenced(
            kind, limit: query.limit, token: query.continueToken, namespace: { $0.metadata.namespace },
            fetch: { limit, token in
                var page = query
                page.limit = limit
                page.continueToken = token
                let read = try await list(page)
                return (read.items, read.continueToken)
            })
        return Page.fenced(items, next)
    }

    /// The visible items of one filtered listing and the sealed token to go on with (nil: nothing visible is left).
    /// `fetch` reads one of Argo's pages (at most `limit` rows) from a token.
    func fenced<Item: Sendable>(
        _ kind: String, limit: Int?, token: String?, namespace: (Item) -> String?,
        fetch: (_ limit: Int?, _ token: String?) async throws -> (items: [Item], next: String?)
    ) async throws -> (items: [Item], next: String?) {
        let bound = binding + "|" + kind
        let wanted = limit.map { max(1, $0) }
        var cursor = try opened(token, kind: kind)
        var collected: [Item] = []
        var pages = 0
        while true {
            let page = try await fetch(wanted.map { $0 - collected.count }, cursor)
            pages += 1
            collected += page.items.filter { visible(namespace($0)) }
            // An empty page may still have a token (rows the adapter left out): go on while the token moves.
            guard let next = page.next, next != cursor else { return (collected, nil) }
            cursor = next
            if let wanted, collected.count >= wanted { break }
            if pages >= Self.maxFencePages { return (collected, try seal.seal(next, binding: bound)) }
        }
        // Read ahead: the token is handed out only if a visible object follows, and then from the page it is on.
        var probe = cursor
        while pages < Self.maxFencePages, let from = probe {
            let page = try await fetch(wanted, from)
            pages += 1
            if page.items.contains(where: { visible(namespace($0)) }) {
                return (collected, try seal.seal(from, binding: bound))
            }
            guard let next = page.next, next != from else { return (collected, nil) }
            probe = next
        }
        return (collected, try probe.map { try seal.seal($0, binding: bound) })
    }

    func check(_ namespace: String?) throws {
        if let namespace, !namespace.isEmpty, !rules.permits(namespace) { throw PolicyDenied(rules.refusal(namespace)) }
    }

    func visible(_ namespace: String?) -> Bool {
        namespace.map(rules.permits) ?? true
    }

    public func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        try await listing("workflows", query) { try await base.listWorkflows($0) }
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

    public func listCronWorkflows(_ query: DefinitionListQuery) async throws -> DefinitionPage<CronWorkflow> {
        try await listing("cron-workflows", query) { try await base.listCronWorkflows($0) }
    }

    public func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow {
        try check(namespace)
        return try await base.getCronWorkflow(namespace: namespace, name: name)
    }

    public func listWorkflowTemplates(_ query: DefinitionListQuery, clusterScope: Bool) async throws -> DefinitionPage<
        WorkflowTemplate
    > {
        if clusterScope { return try await base.listWorkflowTemplates(query, clusterScope: true) }
        return try await listing("workflow-templates", query) {
            try await base.listWorkflowTemplates($0, clusterScope: false)
        }
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
        try await listing("archived-workflows", query) { try await base.listArchivedWorkflows($0) }
    }

    public func getArchivedWorkflow(uid: String) async throws -> Workflow {
        let wf = try await base.getArchivedWorkflow(uid: uid)
        // Looked up by uid, so the namespace is known only now; a denied one is not shown.
        try check(wf.metadata.namespace)
        return wf
    }

    public func getSyncLimit(_ query: SyncLimitQuery) async throws -> SyncLimit {
        try check(query.namespace)
        return try await base.getSyncLimit(query)
    }

    public func updateSyncLimit(_ query: SyncLimitQuery, limit: Int) async throws -> SyncLimit {
        try check(query.namespace)
        return try await base.updateSyncLimit(query, limit: limit)
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

/// An object listed by namespace.
protocol NamespacedObject {
    var metadata: ObjectMeta { get }
}

extension Workflow: NamespacedObject {}
extension CronWorkflow: NamespacedObject {}
extension WorkflowTemplate: NamespacedObject {}

/// A listing's query: where, how many, and from which token.
protocol PagedQuery: Sendable {
    var namespace: String? { get }
    var limit: Int? { get set }
    var continueToken: String? { get set }
}

extension WorkflowListQuery: PagedQuery {}
extension ArchiveListQuery: PagedQuery {}
extension DefinitionListQuery: PagedQuery {}

/// A page of a listing, and the page a fenced listing answers with (its items and token only: counts that include
/// hidden objects are left out).
protocol ListedPage {
    associatedtype Item: Sendable & NamespacedObject
    var items: [Item] { get }
    var continueToken: String? { get }
    static func fenced(_ items: [Item], _ next: String?) -> Self
}

extension WorkflowPage: ListedPage {
    static func fenced(_ items: [Workflow], _ next: String?) -> WorkflowPage {
        WorkflowPage(items: items, continueToken: next)
    }
}

extension DefinitionPage: ListedPage where Item: NamespacedObject {
    static func fenced(_ items: [Item], _ next: String?) -> DefinitionPage<Item> {
        DefinitionPage(items: items, continueToken: next)
    }
}
