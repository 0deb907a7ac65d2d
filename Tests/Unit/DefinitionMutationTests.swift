import ArgoSimulator
import Domain
import FileAudit
import Foundation
import Ports
import Testing

/// A gateway that lets someone else edit the object between the read and the write, to provoke a real conflict.
struct ConcurrentEditGateway: ArgoGateway {
    let base: SimulatedArgoGateway
    /// Runs after every read of a CronWorkflow or template.
    let afterRead: @Sendable () async throws -> Void

    func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow {
        let cron = try await base.getCronWorkflow(namespace: namespace, name: name)
        try await afterRead()
        return cron
    }
    func getWorkflowTemplate(namespace: String?, name: String, clusterScope: Bool) async throws -> WorkflowTemplate {
        let template = try await base.getWorkflowTemplate(namespace: namespace, name: name, clusterScope: clusterScope)
        try await afterRead()
        return template
    }

    // Everything else goes straight through.
    func listWorkflows(_ q: WorkflowListQuery) async throws -> WorkflowPage { try await base.listWorkflows(q) }
    func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow {
        try await base.getWorkflow(namespace: namespace, name: name, fields: fields)
    }
    func workflowLogs(_ q: LogQuery) -> AsyncThrowingStream<LogEntry, any Error> { base.workflowLogs(q) }
    func version() async throws -> ArgoVersion { try await base.version() }
    func listCronWorkflows(_ q: DefinitionListQuery) async throws -> DefinitionPage<CronWorkflow> {
        try await base.listCronWorkflows(q)
    }
    func listWorkflowTemplates(_ q: DefinitionListQuery, clusterScope: Bool) async throws -> DefinitionPage<
        WorkflowTemplate
    > { try await base.listWorkflowTemplates(q, clusterScope: clusterScope) }
    func info() async throws -> ArgoInfo { try await base.info() }
    func userInfo() async throws -> ArgoUserInfo { try await base.userInfo() }
    var connection: ConnectionDescription { base.connection }
    func getSyncLimit(_ q: SyncLimitQuery) async throws -> SyncLimit { try await base.getSyncLimit(q) }
    func updateSyncLimit(_ q: SyncLimitQuery, limit: Int) async throws -> SyncLimit {
        try await base.updateSyncLimit(q, limit: limit)
    }
    func listArchivedWorkflows(_ q: ArchiveListQuery) async throws -> WorkflowPage {
        try await base.listArchivedWorkflows(q)
    }
    func getArchivedWorkflow(uid: String) async throws -> Workflow { try await base.getArchivedWorkflow(uid: uid) }
    func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    > { base.watchWorkflow(namespace: namespace, name: name, resourceVersion: resourceVersion) }
    func terminateWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await base.terminateWorkflow(namespace: namespace, name: name)
    }
    func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    {
        try await base.stopWorkflow(
            namespace: namespace, name: name, nodeFieldSelector: nodeFieldSelector, message: message)
    }
    func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow {
        try await base.retryWorkflow(
            namespace: namespace, name: name, restartSuccessful: restartSuccessful,
            nodeFieldSelector: nodeFieldSelector, parameters: parameters)
    }
    func suspendWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await base.suspendWorkflow(namespace: namespace, name: name)
    }
    func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow {
        try await base.resumeWorkflow(namespace: namespace, name: name, nodeFieldSelector: nodeFieldSelector)
    }
    func setWorkflow(namespace: String, name: String, update: NodeUpdate) async throws -> Workflow {
        try await base.setWorkflow(namespace: namespace, name: name, update: update)
    }
    func artifact(_ request: ArtifactRequest) async throws -> ArtifactBytes { try await base.artifact(request) }
    func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow {
        try await base.setCronWorkflowSuspended(namespace: namespace, name: name, suspended: suspended)
    }
    func deleteWorkflow(namespace: String, name: String, uid: String?) async throws {
        try await base.deleteWorkflow(namespace: namespace, name: name, uid: uid)
    }
    func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        try await base.lint(kind: kind, namespace: namespace, manifest: manifest)
    }
    func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow {
        try await base.createWorkflow(namespace: namespace, manifest: manifest)
    }
    func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions) async throws
        -> Workflow
    { try await base.submitWorkflow(namespace: namespace, from: kind, name: name, options: options) }
    func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow
    {
        try await base.resubmitWorkflow(namespace: namespace, name: name, memoized: memoized, parameters: parameters)
    }
    func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        try await base.createObject(kind, namespace: namespace, manifest: manifest)
    }
    func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data {
        try await base.updateObject(kind, namespace: namespace, name: name, manifest: manifest)
    }
    func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws {
        try await base.deleteObject(kind, namespace: namespace, name: name, uid: uid)
    }
}

extension DefinitionMutations {
    /// An update under a policy that does not ask to confirm it: the result, never a preview.
    func updateNow(_ r: ScheduleRequest) async throws -> CronScheduleChange {
        guard case .result(let change) = try await updateCronSchedule(r) else {
            throw CancellationError()
        }
        return change
    }
}

@Suite("Cron schedules, templates and cron workflows: validation, conflicts, diffs, deletes", .serialized)
struct DefinitionMutationTests {
    struct Rig {
        let sim: ArgoSimulator
        let gateway: SimulatedArgoGateway
        let definitions: DefinitionMutations
        let clock: TestClock
        let audit: URL

        func auditLines() -> [[String: Any]] {
            let text = (try? String(contentsOf: audit, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        func cron(_ name: String) async throws -> CronWorkflow {
            try await gateway.getCronWorkflow(namespace: "argo", name: name)
        }
    }

    static func rig(
        policy: Policy = Policy(
            readOnly: false, allowMutations: true, allowDestructive: true, confirmationRequired: ["destructive"]),
        wrap: ((SimulatedArgoGateway) -> any ArgoGateway)? = nil
    ) async throws -> Rig {
        let sim = ArgoSimulator()
        try await sim.loadDemoData()
        let gateway = SimulatedArgoGateway(simulator: sim)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-res-\(UUID().uuidString)")
        let audit = directory.appendingPathComponent("audit.jsonl")
        // Wednesday 2026-11-25 10:00 UTC.
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_600_800))
        let runner = MutationRunner(
            policy: policy, audit: FileAuditSink(path: audit.path),
            confirmations: Confirmations(store: InMemoryConfirmationStore(), ttlSeconds: 300, now: { clock.now }),
            now: { clock.now })
        let definitions = DefinitionMutations(
            ArgoContext(gateway: wrap?(gateway) ?? gateway, defaultNamespace: "argo", now: { clock.now }),
            runner: runner)
        return Rig(sim: sim, gateway: gateway, definitions: definitions, clock: clock, audit: audit)
    }

    func schedule(
        _ name: String, _ schedules: [String], timezone: String? = nil, version: String? = nil, dryRun: Bool = false
    ) -> DefinitionMutations.ScheduleRequest {
        .init(
            namespace: nil, name: name, schedules: schedules, timezone: timezone, expectedResourceVersion: version,
            dryRun: dryRun, client: "test")
    }

    @Test("schedules and time zones are checked before anything is sent, every problem named")
    func scheduleValidation() {
        #expect(DefinitionMutations.scheduleProblems(["0 2 * * *"], timezone: nil, now: Date()).isEmpty)
        #expect(
            DefinitionMutations.scheduleProblems(
                ["*/15 9-17 * * MON-FRI", "@hourly", "@every 90m", "CRON_TZ=Asia/Tokyo 0 9 * * *", "0 0 1 jan,jul *"],
                timezone: "Europe/Berlin", now: Date()
            ).isEmpty)
        let problems = DefinitionMutations.scheduleProblems(
            ["0 2 * *", "61 * * * *", "@fortnightly", "0 2 * *", "0 0 31 2 *", "0 0 29 2 *"], timezone: "Mars/Olympus",
            now: Date())
        let fields = problems.map(\.field)
        #expect(fields.contains("timezone"))
        #expect(fields.contains("schedules[0]") && fields.contains("schedules[1]") && fields.contains("schedules[2]"))
        #expect(problems.contains { $0.field == "schedules" && $0.message.contains("twice") })
        #expect(problems.contains { $0.message.contains("61") })
        #expect(DefinitionMutations.scheduleProblems([], timezone: nil, now: Date()).first?.field == "schedules")
        // 31 February never comes; 29 February does, in a leap year.
        #expect(problems.contains { $0.field == "schedules[4]" && $0.message.contains("never fires") })
        #expect(!problems.contains { $0.field == "schedules[5]" })
    }

    @Test("an update previews old and new next runs, keeps the object's schedule field, and bumps its version")
    func updateSchedule() async throws {
        let rig = try await Self.rig()
        let before = try await rig.cron("nightly-etl")
        let dry = try await rig.definitions.updateNow(
            schedule("nightly-etl", ["0 3 * * 1-5"], timezone: "Europe/Berlin", dryRun: true))
        #expect(dry.dryRun)
        #expect(dry.before.nextRuns.first == "2026-11-26T02:00:00Z")
        // 03:00 on Berlin's clock (02:00 UTC in winter); Thursday and Friday, then Monday.
        #expect(
            dry.after.nextRuns.prefix(3) == [
                "2026-11-26T03:00:00+01:00", "2026-11-27T03:00:00+01:00", "2026-11-30T03:00:00+01:00",
            ])
        #expect(try await rig.cron("nightly-etl").metadata.resourceVersion == before.metadata.resourceVersion)

        let done = try await rig.definitions.updateNow(
            schedule("nightly-etl", ["0 3 * * 1-5", "30 12 * * *"], timezone: "Europe/Berlin"))
        let after = try await rig.cron("nightly-etl")
        #expect(after.schedules == ["0 3 * * 1-5", "30 12 * * *"])
        #expect(after.timezone == "Europe/Berlin")
        #expect(after.workflowSpec.workflowTemplateRef?.name == before.workflowSpec.workflowTemplateRef?.name)
        #expect(done.newResourceVersion == after.metadata.resourceVersion)
        #expect(done.newResourceVersion != before.metadata.resourceVersion)
        #expect(rig.auditLines().map { $0["decision"] as? String } == ["allowed", "succeeded"])

        // The legacy single field stays the single field for one schedule.
        _ = try await rig.definitions.updateNow(schedule("hourly-sync", ["45 * * * *"]))
        let legacy = try await rig.cron("hourly-sync")
        #expect(legacy.schedules == ["45 * * * *"])
        #expect(DefinitionMutations.usesLegacyField(legacy.raw!.data))
        await #expect(throws: MutationRefused.self) {
            _ = try await rig.definitions.updateNow(schedule("hourly-sync", ["45 * * * *"]))
        }
        // Before v3.6 two schedules cannot go there: refused, naming the version.
        await rig.sim.setVersion("v3.5.10")
        let old = await #expect(throws: MutationRefused.self) {
            _ = try await rig.definitions.updateNow(schedule("hourly-sync", ["0 * * * *", "30 * * * *"]))
        }
        #expect(old?.reason.contains("v3.5.10") == true)
        // From v3.6 the object moves to spec.schedules.
        await rig.sim.setVersion("v4.1.2")
        _ = try await rig.definitions.updateNow(schedule("hourly-sync", ["0 * * * *", "30 * * * *"]))
        let moved = try await rig.cron("hourly-sync")
        #expect(moved.schedules == ["0 * * * *", "30 * * * *"])
        #expect(!DefinitionMutations.usesLegacyField(moved.raw!.data))
    }

    @Test("a stale resource_version is refused and audited; the CronWorkflow keeps the other edit")
    func staleVersion() async throws {
        let rig = try await Self.rig()
        let seen = try await rig.cron("nightly-etl").metadata.resourceVersion
        _ = try await rig.gateway.setCronWorkflowSuspended(namespace: "argo", name: "nightly-etl", suspended: true)
        let error = await #expect(throws: MutationRefused.self) {
            _ = try await rig.definitions.updateNow(schedule("nightly-etl", ["0 4 * * *"], version: seen))
        }
        #expect(error?.reason.contains("conflict") == true)
        let live = try await rig.cron("nightly-etl")
        #expect(live.schedules == ["0 2 * * *"])
        #expect(live.suspend)
        #expect(rig.auditLines().last?["decision"] as? String == "refused")
    }

    @Test("an edit between the read and the write is a conflict from Argo: reported with a hint, not overwritten")
    func concurrentEdit() async throws {
        let edited = Flag()
        let rig = try await Self.rig { base in
            ConcurrentEditGateway(base: base) {
                // The first time anyone reads, someone else suspends the cron workflow.
                if edited.setOnce() {
                    _ = try await base.setCronWorkflowSuspended(namespace: "argo", name: "nightly-etl", suspended: true)
                }
            }
        }
        let error = await #expect(throws: ArgoError.self) {
            _ = try await rig.definitions.updateNow(schedule("nightly-etl", ["0 4 * * *"]))
        }
        #expect(error?.kind == .conflict)
        #expect(error?.httpStatus == 409)
        #expect(error?.hint?.contains("nothing was overwritten") == true)
        let live = try await rig.cron("nightly-etl")
        #expect(live.schedules == ["0 2 * * *"])
        #expect(live.suspend)
        #expect(rig.auditLines().map { $0["decision"] as? String } == ["allowed", "failed"])
    }

    static let template = """
        {"apiVersion":"argoproj.io/v1alpha1","kind":"WorkflowTemplate","metadata":{"name":"hello-tpl"},
         "spec":{"entrypoint":"main","templates":[{"name":"main","container":{"image":"alpine:3.19"}}]}}
        """

    func apply(_ manifest: String, update: Bool = false, token: String? = nil, kind: ArgoKind = .workflowTemplate)
        -> DefinitionMutations.ApplyRequest
    {
        .init(
            kind: kind, manifest: Data(manifest.utf8), namespace: nil, update: update,
            dryRun: false, token: token, client: "test", confirmer: nil)
    }

    @Test("create, refuse to overwrite, then update with a diff and a token; a change after the preview voids it")
    func templates() async throws {
        let rig = try await Self.rig()
        guard case .result(let created) = try await rig.definitions.apply(apply(Self.template)) else {
            Issue.record("a create needs no confirmation")
            return
        }
        #expect(created.action == "created")
        #expect(created.uid != nil)
        let again = await #expect(throws: MutationRefused.self) {
            _ = try await rig.definitions.apply(apply(Self.template))
        }
        #expect(again?.reason.contains("already exists") == true)

        let changed = Self.template.replacingOccurrences(of: "alpine:3.19", with: "alpine:3.20")
        guard case .preview(let preview) = try await rig.definitions.apply(apply(changed, update: true)) else {
            Issue.record("an update is previewed first")
            return
        }
        #expect(
            preview.diff == [
                SpecChange(
                    path: "spec.templates[main].container.image", before: "\"alpine:3.19\"", after: "\"alpine:3.20\"")
            ])
        let token = try #require(preview.confirmationToken)

        // Someone else edits the template after the preview: the token no longer matches what was shown.
        let other = Self.template.replacingOccurrences(of: "alpine:3.19", with: "alpine:3.18")
        let live = try await rig.gateway.getWorkflowTemplate(namespace: "argo", name: "hello-tpl", clusterScope: false)
        var edited = try JSONSerialization.jsonObject(with: Data(other.utf8)) as! [String: Any]
        var meta = edited["metadata"] as! [String: Any]
        meta["resourceVersion"] = live.metadata.resourceVersion
        edited["metadata"] = meta
        _ = try await rig.gateway.updateObject(
            .workflowTemplate, namespace: "argo", name: "hello-tpl",
            manifest: try JSONSerialization.data(withJSONObject: edited))
        await #expect(throws: MutationRefused.self) {
            _ = try await rig.definitions.apply(apply(changed, update: true, token: token))
        }
        #expect(
            try await rig.gateway.getWorkflowTemplate(namespace: "argo", name: "hello-tpl", clusterScope: false).spec
                .templates.first?.image == "alpine:3.18")

        guard case .preview(let fresh) = try await rig.definitions.apply(apply(changed, update: true)) else {
            Issue.record("expected a fresh preview")
            return
        }
        #expect(fresh.diff?.first?.before == "\"alpine:3.18\"")
        guard
            case .result(let updated) = try await rig.definitions.apply(
                apply(changed, update: true, token: fresh.confirmationToken))
        else {
            Issue.record("a confirmed update is carried out")
            return
        }
        #expect(updated.action == "updated")
        #expect(
            try await rig.gateway.getWorkflowTemplate(namespace: "argo", name: "hello-tpl", clusterScope: false).spec
                .templates.first?.image == "alpine:3.20")
    }

    @Test("update is destructive: a server that allows only mutations refuses it, and creates still work")
    func updateNeedsDestructive() async throws {
        let rig = try await Self.rig(policy: Policy(readOnly: false, allowMutations: true, allowDestructive: false))
        _ = try await rig.definitions.apply(apply(Self.template))
        await #expect(throws: PolicyDenied.self) {
            _ = try await rig.definitions.apply(apply(Self.template, update: true))
        }
    }

    @Test("cluster-scoped writes are refused when namespace rules restrict the server")
    func clusterScopeNeedsUnrestrictedNamespaces() async throws {
        let rig = try await Self.rig(
            policy: Policy(
                readOnly: false, allowMutations: true, allowDestructive: true,
                namespaces: NamespaceRules(allow: ["argo"])))
        let cluster = Self.template.replacingOccurrences(
            of: "\"WorkflowTemplate\"", with: "\"ClusterWorkflowTemplate\"")
        let error = await #expect(throws: PolicyDenied.self) {
            _ = try await rig.definitions.apply(apply(cluster, kind: .clusterWorkflowTemplate))
        }
        #expect(error?.reason.contains("cluster-scoped") == true)
        #expect(rig.auditLines().last?["decision"] as? String == "refused")
    }

    @Test("deleting a cron workflow takes the workflows it owns; a template delete names the crons that use it")
    func deletes() async throws {
        let rig = try await Self.rig()
        // The demo's nightly-etl: six runs whose objects exist (today and the five days before), all completed and
        // archived, and four older runs only the archive keeps. Argo lists all ten from the archive (its live store
        // leaves out what the controller labelled Archived), so only reading each tells which still exist.
        let liveNames = ["nightly-etl-7x2kq"] + (1...5).map { "nightly-etl-\(1_700_000_000 + $0)" }
        let listed = try await rig.gateway.listWorkflows(
            WorkflowListQuery(namespace: "argo", labelSelector: "\(ArgoLabels.cronWorkflow)=nightly-etl"))
        #expect(listed.items.count == 10)
        #expect(listed.items.allSatisfy { $0.isArchivedCopy })
        for name in liveNames {
            let live = try await rig.gateway.getWorkflow(namespace: "argo", name: name, fields: nil)
            #expect(!live.isArchivedCopy && live.archiving == .archived, "\(name)")
        }
        let request = DefinitionMutations.DeleteRequest(
            kind: .workflowTemplate, namespace: nil, name: "etl-pipeline",
            token: nil, client: "test", confirmer: nil)
        guard case .preview(let templatePreview) = try await rig.definitions.delete(request) else {
            Issue.record("a delete is previewed first")
            return
        }
        #expect(templatePreview.impact.contains("argo/nightly-etl"))

        let cronDelete = DefinitionMutations.DeleteRequest(
            kind: .cronWorkflow, namespace: nil, name: "nightly-etl", token: nil,
            client: "test", confirmer: nil)
        guard case .preview(let preview) = try await rig.definitions.delete(cronDelete) else {
            Issue.record("a delete is previewed first")
            return
        }
        // The six runs whose objects exist are what Kubernetes deletes with it; the archive keeps a copy of each.
        #expect(
            preview.effect.contains(
                "it owns the 6 workflow(s) it created, which Kubernetes deletes with it (0 still running)"))
        #expect(preview.impact.contains("the workflow archive keeps a copy of each"))
        var confirmed = cronDelete
        confirmed.token = preview.confirmationToken
        guard case .result = try await rig.definitions.delete(confirmed) else {
            Issue.record("a confirmed delete is carried out")
            return
        }
        await #expect(throws: ArgoError.self) { _ = try await rig.cron("nightly-etl") }
        // The six objects are gone (a get now answers the archive's copy); the list still shows all ten runs.
        for name in liveNames {
            let after = try await rig.gateway.getWorkflow(namespace: "argo", name: name, fields: nil)
            #expect(after.isArchivedCopy, "\(name)")
        }
        let left = try await rig.gateway.listWorkflows(
            WorkflowListQuery(namespace: "argo", labelSelector: "\(ArgoLabels.cronWorkflow)=nightly-etl"))
        #expect(left.items.count == 10)
    }

    @Test(
        "a template replaced between preview and confirmation: the informer's lag lets the replacement go, as the preview warned; a cron workflow's precondition holds"
    )
    func replacedBetweenPreviewAndConfirmation() async throws {
        let rig = try await Self.rig()
        let data = Data(Self.template.utf8)
        _ = try await rig.sim.createObject(.workflowTemplate, namespace: "argo", manifest: data)
        // Argo v3.7+: template reads come from the server's informer, here three seconds behind the cluster.
        await rig.sim.setTemplateInformerLag(.seconds(3))
        let request = DefinitionMutations.DeleteRequest(
            kind: .workflowTemplate, namespace: nil, name: "hello-tpl", token: nil, client: "test", confirmer: nil)
        guard case .preview(let preview) = try await rig.definitions.delete(request) else {
            Issue.record("a delete is previewed first")
            return
        }
        #expect(preview.effect.contains("deletes workflow templates by name"))
        #expect(preview.effect.contains("cache that can lag the cluster"))
        #expect(!preview.effect.contains("deleted only if"), "no promise Argo cannot keep")
        // Someone replaces the template under the same name.
        try await rig.sim.deleteObject(.workflowTemplate, namespace: "argo", name: "hello-tpl", uid: nil)
        let replacement = try JSONValue.decode(
            try await rig.sim.createObject(.workflowTemplate, namespace: "argo", manifest: data))
        #expect(replacement[path: "metadata.uid"]?.string != preview.uid)
        var confirmed = request
        confirmed.token = preview.confirmationToken
        guard case .result = try await rig.definitions.delete(confirmed) else {
            Issue.record("the confirmed delete went ahead: the re-read came from the lagging cache")
            return
        }
        // The cluster itself (the informer caught up): the replacement is gone, the risk the preview named.
        await rig.sim.setTemplateInformerLag(nil)
        await #expect(throws: ArgoError.self) {
            _ = try await rig.sim.objectJSON(.workflowTemplate, namespace: "argo", name: "hello-tpl")
        }

        // A cron workflow's delete carries a precondition Argo passes on: the replacement survives.
        let cron = DefinitionMutations.DeleteRequest(
            kind: .cronWorkflow, namespace: nil, name: "nightly-etl", token: nil, client: "test", confirmer: nil)
        guard case .preview(let cronPreview) = try await rig.definitions.delete(cron) else {
            Issue.record("a delete is previewed first")
            return
        }
        #expect(cronPreview.effect.contains("uid precondition"))
        var manifest = try JSONValue.decode(
            try await rig.sim.objectJSON(.cronWorkflow, namespace: "argo", name: "nightly-etl"))
        manifest.set(["metadata", "uid"], .null)
        manifest.set(["metadata", "resourceVersion"], .null)
        try await rig.sim.deleteObject(.cronWorkflow, namespace: "argo", name: "nightly-etl", uid: nil)
        _ = try await rig.sim.createObject(.cronWorkflow, namespace: "argo", manifest: manifest.encoded())
        var cronConfirmed = cron
        cronConfirmed.token = cronPreview.confirmationToken
        // The confirmation's own re-read (not cached for cron workflows) already sees another object; Argo's
        // precondition would refuse it too.
        let refused = await #expect(throws: MutationRefused.self) {
            _ = try await rig.definitions.delete(cronConfirmed)
        }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("deleted and re-created"))
        let survivor = try JSONValue.decode(
            try await rig.sim.objectJSON(.cronWorkflow, namespace: "argo", name: "nightly-etl"))
        #expect(survivor[path: "metadata.uid"]?.string != cronPreview.uid)
    }

    @Test("the simulator enforces Kubernetes' rules: unique names, resourceVersion on update, uid preconditions")
    func simulatorRules() async throws {
        let rig = try await Self.rig()
        let data = Data(Self.template.utf8)
        _ = try await rig.sim.createObject(.workflowTemplate, namespace: "argo", manifest: data)
        await #expect(throws: ArgoError.self) {
            _ = try await rig.sim.createObject(.workflowTemplate, namespace: "argo", manifest: data)
        }
        let missingVersion = await #expect(throws: ArgoError.self) {
            _ = try await rig.sim.updateObject(.workflowTemplate, namespace: "argo", name: "hello-tpl", manifest: data)
        }
        #expect(missingVersion?.kind == .invalidArgument)
        // The template server deletes with empty options, so the uid precondition is ignored; only the gateway's
        // own re-read stops a delete of another incarnation.
        let wrongUID = await #expect(throws: ArgoError.self) {
            try await rig.gateway.deleteObject(.workflowTemplate, namespace: "argo", name: "hello-tpl", uid: "not-it")
        }
        #expect(wrongUID?.kind == .conflict)
        #expect(wrongUID?.message.contains("no longer the object that was previewed") == true)
        try await rig.sim.deleteObject(.workflowTemplate, namespace: "argo", name: "hello-tpl", uid: "ignored")
        let gone = await #expect(throws: ArgoError.self) {
            try await rig.sim.deleteObject(.workflowTemplate, namespace: "argo", name: "hello-tpl", uid: nil)
        }
        #expect(gone?.kind == .notFound)
    }

    @Test("spec diff: named list items matched by name, additions and removals, bounded with a total")
    func specDiff() throws {
        func data(_ s: String) -> Data { Data(s.utf8) }
        let old = data(
            #"{"entrypoint":"main","templates":[{"name":"a","image":"x:1"},{"name":"b","image":"y:1"}],"x":[1,2]}"#)
        let new = data(
            #"{"entrypoint":"main","templates":[{"name":"new","image":"z:1"},{"name":"a","image":"x:2"}],"x":[1,3]}"#
        )
        let (changes, total) = SpecDiff.changes(from: old, to: new, at: "spec")
        #expect(total == 4)
        #expect(changes.contains(SpecChange(path: "spec.templates[a].image", before: "\"x:1\"", after: "\"x:2\"")))
        #expect(changes.contains { $0.path == "spec.templates[b]" && $0.after == nil })
        #expect(changes.contains { $0.path == "spec.templates[new]" && $0.before == nil })
        #expect(changes.contains(SpecChange(path: "spec.x[1]", before: "2", after: "3")))
        let bounded = SpecDiff.changes(from: old, to: new, at: "spec", limit: 2)
        #expect(bounded.changes.count == 2 && bounded.total == 4)
        #expect(SpecDiff.changes(from: old, to: old, at: "spec").total == 0)
    }
}

/// A flag that is set once, safely from any task.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    /// True the first time only.
    func setOnce() -> Bool {
        lock.withLock {
            defer { set = true }
            return !set
        }
    }
}
