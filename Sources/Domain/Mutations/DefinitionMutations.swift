import Foundation
import Ports

/// A schedule and the runs it leads to.
public struct ScheduleView: Sendable, Codable, Equatable {
    public var schedules: [String]
    public var timezone: String
    public var nextRuns: [String]
}

/// What update_cron_schedule did, or would do.
public struct CronScheduleChange: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var dryRun: Bool
    /// The resourceVersion the change was made against (the one read before the update).
    public var resourceVersion: String?
    /// After a real update: the version Argo stored.
    public var newResourceVersion: String?
    public var before: ScheduleView
    public var after: ScheduleView
    public var suspended: Bool
    public var notes: [String]
}

/// What create_template or create_cron_workflow did, or would do.
public struct DefinitionApplyResult: Sendable, Codable, Equatable {
    public var kind: String
    public var namespace: String?
    public var name: String
    /// created, updated, or (dry run) would create / would update.
    public var action: String
    public var dryRun: Bool
    public var summary: ManifestSummary
    public var uid: String?
    public var resourceVersion: String?
    /// For an update: how the spec changes (at most 30 entries; `diffTotal` counts all).
    public var diff: [SpecChange]?
    public var diffTotal: Int?
    public var next: String
}

/// update_cron_schedule, create_template / create_cron_workflow, delete_cron_workflow and delete_workflow_template:
/// writes to CronWorkflows and templates, each through the same policy → namespace → confirmation → audit path.
public struct DefinitionMutations: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }
    let runner: MutationRunner

    public init(
        _ context: ArgoContext, runner: MutationRunner
    ) {
        self.context = context
        self.runner = runner
    }

    static let nextRunCount = 5

    // MARK: update_cron_schedule

    public struct ScheduleRequest: Sendable {
        public var namespace: String?
        public var name: String
        public var schedules: [String]
        /// nil keeps the current time zone; "" clears it (UTC).
        public var timezone: String?
        /// When given, the update applies only if the CronWorkflow is still at this version.
        public var expectedResourceVersion: String?
        public var dryRun: Bool
        public var client: String?
        public var token: String?
        public var confirmer: (any Confirmer)?

        public init(
            namespace: String?, name: String, schedules: [String], timezone: String?, expectedResourceVersion: String?,
            dryRun: Bool, client: String?, token: String? = nil, confirmer: (any Confirmer)? = nil
        ) {
            self.token = token
            self.confirmer = confirmer
            self.namespace = namespace
            self.name = name
            self.schedules = schedules
            self.timezone = timezone
            self.expectedResourceVersion = expectedResourceVersion
            self.dryRun = dryRun
            self.client = client
        }
    }

    /// Problems of the schedules and time zone, found before anything is sent: what update_cron_schedule,
    /// create_cron_workflow and lint_manifest check alike. `field` names the arguments (`schedules`, `timezone`)
    /// or, for a manifest, the fields (`spec.schedules`, `spec.timezone`).
    public static func scheduleProblems(
        _ schedules: [String], timezone: String?, now: Date,
        field: (schedules: String, timezone: String) = (
            "schedules", "timezone"
        )
    ) -> [ArgumentProblem] {
        var problems: [ArgumentProblem] = []
        if schedules.isEmpty {
            problems.append(
                ArgumentProblem(field: field.schedules, message: "give at least one schedule, e.g. [\"0 2 * * *\"]"))
        }
        if schedules.count > 20 {
            problems.append(
                ArgumentProblem(field: field.schedules, message: "at most 20 schedules; got \(schedules.count)"))
        }
        if let timezone, !timezone.isEmpty, TimeZone(identifier: timezone) == nil {
            problems.append(
                ArgumentProblem(
                    field: field.timezone,
                    message: "'\(timezone)' is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)"))
        }
        let zone = timezone.flatMap { $0.isEmpty || TimeZone(identifier: $0) == nil ? nil : $0 }
        for (i, text) in schedules.enumerated() {
            switch CronSchedule.parse(text, timezone: zone) {
            case .failure(let e):
                problems.append(ArgumentProblem(field: "\(field.schedules)[\(i)]", message: e.description))
            case .success(let schedule):
                // Argo takes such a schedule and never starts a run; say so before it is stored.
                if schedule.next(after: now) == nil {
                    problems.append(
                        ArgumentProblem(
                            field: "\(field.schedules)[\(i)]",
                            message:
                                "'\(text)' never fires (no matching time in the next five years, e.g. day 31 of a 30-day month or 30 February); check the day and month fields"
                        ))
                }
            }
        }
        if Set(schedules).count != schedules.count {
            problems.append(ArgumentProblem(field: field.schedules, message: "lists the same schedule twice"))
        }
        return problems
    }

    /// The schedule problems of a CronWorkflow manifest (nothing for another kind).
    public static func manifestScheduleProblems(_ manifest: Data, now: Date) -> [ArgumentProblem] {
        guard let cron = try? CronWorkflow.decode(from: manifest) else { return [] }
        let legacy = usesLegacyField(manifest)
        return scheduleProblems(
            cron.schedules, timezone: cron.timezone, now: now,
            field: (legacy ? "manifest.spec.schedule" : "manifest.spec.schedules", "manifest.spec.timezone"))
    }

    func view(_ schedules: [String], timezone: String?) -> ScheduleView {
        let parsed = schedules.compactMap { try? CronSchedule.parse($0, timezone: timezone).get() }
        return ScheduleView(
            schedules: schedules, timezone: timezone.flatMap { $0.isEmpty ? nil : $0 } ?? "UTC",
            nextRuns: CronReads.nextRuns(parsed, after: now(), count: Self.nextRunCount).map {
                CronReads.formatRun($0, timezone: timezone)
            })
    }

    /// The CronWorkflow's JSON with new schedules and time zone, at the version it was read. The field the object
    /// uses is kept: `schedules` (Argo ≥ 3.6) or the older single `schedule`.
    static func rescheduled(_ raw: Data, schedules: [String], timezone: String?, migrate: Bool = false) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: raw) as? [String: Any] else { return raw }
        var spec = object["spec"] as? [String: Any] ?? [:]
        let legacy = !migrate && spec["schedules"] == nil && spec["schedule"] != nil
        if legacy {
            spec["schedule"] = schedules[0]
        } else {
            spec["schedules"] = schedules
            spec["schedule"] = nil
        }
        if let timezone { spec["timezone"] = timezone.isEmpty ? nil : timezone }
        object["spec"] = spec
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    public func updateCronSchedule(_ r: ScheduleRequest) async throws -> ConfirmableAnswer<CronScheduleChange> {
        var problems = Validation.target(namespace: r.namespace, name: r.name)
        problems += Self.scheduleProblems(r.schedules, timezone: r.timezone, now: now())
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(r.namespace)
        var args = ["namespace": ns, "name": r.name, "schedules": r.schedules.joined(separator: " | ")]
        if let tz = r.timezone { args["timezone"] = tz }
        if let v = r.expectedResourceVersion { args["resource_version"] = v }

        var cron: CronWorkflow?
        // Whether the object moves from the older spec.schedule to spec.schedules.
        var migrate = false
        func inspect() async throws -> Inspection {
            let live = try await gateway.getCronWorkflow(namespace: ns, name: r.name)
            cron = live
            let check = await scheduleCheck(r, namespace: ns, live: live)
            if check.migrate { migrate = true }
            return scheduleInspection(r, namespace: ns, live: live, refusal: check.refusal, migrate: migrate)
        }

        if r.dryRun {
            let inspection = try await inspect()
            if let refusal = inspection.refusal { throw MutationRefused(reason: refusal, preview: nil) }
            guard let live = cron else { throw MutationRefused(reason: "the cron workflow was not read", preview: nil) }
            var result = scheduleChange(r, namespace: ns, live: live, dryRun: true)
            result.notes.append("dry run: nothing was changed; call again without dry_run to apply")
            return .result(result)
        }
        let call = MutationRunner.Call(
            .updateCronSchedule, kind: .cronWorkflow, namespace: ns, name: r.name,
            arguments: args, confirmationToken: r.token, client: r.client, confirmer: r.confirmer)
        let outcome = try await runner.run(call, inspect: inspect) {
            guard let live = cron else { throw MutationRefused(reason: "the cron workflow was not read", preview: nil) }
            return try await reschedule(r, namespace: ns, live: live, migrate: migrate)
        }
        return outcome.answer
    }

    /// Why the live CronWorkflow refuses the new schedule, and whether it moves to spec.schedules to take it.
    private func scheduleCheck(_ r: ScheduleRequest, namespace ns: String, live: CronWorkflow) async -> (
        refusal: String?, migrate: Bool
    ) {
        let version = live.metadata.resourceVersion ?? ""
        let zone = r.timezone ?? live.timezone
        var refusal: String?
        var migrate = false
        if let expected = r.expectedResourceVersion, !expected.isEmpty, expected != version {
            refusal =
                "conflict: \(ns)/\(r.name) changed since you read it (resourceVersion \(expected), now \(version)); it now runs on \(live.schedules.joined(separator: ", ")) — read it again and decide on the current state"
        } else if live.schedules == r.schedules && (zone ?? "") == (live.timezone ?? "") {
            refusal = "\(ns)/\(r.name) already runs on \(r.schedules.joined(separator: ", ")); nothing to change"
        } else if r.schedules.count > 1, let raw = live.raw?.data, Self.usesLegacyField(raw) {
            // spec.schedules came with Argo v3.6: a newer server takes the list, and the object moves to it.
            let version = (try? await gateway.version().version) ?? ""
            if let v = ArgoVersion.triple(version), v >= (3, 6, 0) {
                migrate = true
            } else {
                refusal =
                    ArgoVersion.triple(version) == nil
                    ? "\(ns)/\(r.name) uses the single spec.schedule field, and the Argo Server's version (\(version.isEmpty ? "not answered" : version)) does not say whether it takes spec.schedules (v3.6+); give one schedule"
                    : "\(ns)/\(r.name) uses the single spec.schedule field and this Argo Server (\(version)) is older than v3.6, which added spec.schedules; give one schedule"
            }
        }
        return (refusal, migrate)
    }

    /// The state check of update_cron_schedule: the live version it is bound to, and the schedule change it previews.
    private func scheduleInspection(
        _ r: ScheduleRequest, namespace ns: String, live: CronWorkflow, refusal: String?, migrate: Bool
    ) -> Inspection {
        let version = live.metadata.resourceVersion ?? ""
        let zone = r.timezone ?? live.timezone
        return Inspection(
            uid: live.metadata.uid, fingerprint: "resourceVersion \(version)", refusal: refusal,
            labels: live.metadata.labels,
            preview: MutationPreview(
                tool: Mutation.updateCronSchedule.tool, namespace: ns, name: r.name, uid: live.metadata.uid,
                phase: live.suspend ? "suspended" : "active", startedAt: nil, activeNodes: [],
                activeNodeCount: live.status.active.count, pods: [],
                effect:
                    "the schedule becomes \(r.schedules.joined(separator: ", "))\(zone.map { " (\($0))" } ?? ""); its next \(Self.nextRunCount) runs then: \(view(r.schedules, timezone: zone).nextRuns.joined(separator: ", ")) (now: \(view(live.schedules, timezone: live.timezone).nextRuns.joined(separator: ", ")))"
                    + (live.suspend ? "; it is suspended, so none of them happens until it is resumed" : "")
                    + (migrate
                        ? "; the object moves from spec.schedule to spec.schedules (Argo v3.6+), which holds several"
                        : ""),
                impact:
                    "replaces \(live.schedules.joined(separator: ", ")); future runs follow the new schedule, running workflows are not affected",
                confirmationToken: nil, expiresAt: nil))
    }

    /// The schedule before and after the change, as update_cron_schedule answers it.
    private func scheduleChange(_ r: ScheduleRequest, namespace ns: String, live: CronWorkflow, dryRun: Bool)
        -> CronScheduleChange
    {
        let zone = r.timezone ?? live.timezone
        var notes: [String] = []
        if live.suspend { notes.append("the cron workflow is suspended: no run starts until it is resumed") }
        return CronScheduleChange(
            namespace: ns, name: r.name, dryRun: dryRun, resourceVersion: live.metadata.resourceVersion,
            newResourceVersion: nil, before: view(live.schedules, timezone: live.timezone),
            after: view(r.schedules, timezone: zone), suspended: live.suspend, notes: notes)
    }

    /// Stores the new schedule on the CronWorkflow at the version it was read, and notes what Argo stored.
    private func reschedule(_ r: ScheduleRequest, namespace ns: String, live: CronWorkflow, migrate: Bool)
        async throws -> CronScheduleChange
    {
        let manifest = try Self.rescheduled(
            live.raw?.data ?? Data("{}".utf8), schedules: r.schedules, timezone: r.timezone, migrate: migrate)
        let stored: Data
        do {
            stored = try await gateway.updateObject(.cronWorkflow, namespace: ns, name: r.name, manifest: manifest)
        } catch let error as ArgoError where error.kind == .conflict {
            throw error.withHint(
                "\(ns)/\(r.name) was changed by someone else after it was read at resourceVersion \(live.metadata.resourceVersion ?? "?"); nothing was overwritten. Read it again (get_cron_workflow) and repeat the update if it still makes sense"
            )
        }
        var result = scheduleChange(r, namespace: ns, live: live, dryRun: false)
        if let after = try? CronWorkflow.decode(from: stored) {
            result.newResourceVersion = after.metadata.resourceVersion
            if after.schedules != r.schedules {
                result.notes.append(
                    "Argo stored the schedules as \(after.schedules.joined(separator: ", ")), not as sent; check the Argo version's CronWorkflow fields"
                )
            }
        }
        return result
    }

    /// True when a CronWorkflow (JSON) uses the single `spec.schedule` field of Argo before v3.6.
    public static func usesLegacyField(_ raw: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: raw) as? [String: Any],
            let spec = object["spec"] as? [String: Any]
        else { return false }
        return spec["schedules"] == nil && spec["schedule"] != nil
    }

    // MARK: create_template and create_cron_workflow

    public struct ApplyRequest: Sendable {
        /// `.workflowTemplate`, `.clusterWorkflowTemplate` or `.cronWorkflow`.
        public var kind: ArgoKind
        public var manifest: Data
        public var namespace: String?
        /// Replace an existing object (destructive, confirmed, previewed as a spec diff).
        public var update: Bool
        public var dryRun: Bool
        public var token: String?
        public var client: String?
        public var confirmer: (any Confirmer)?
        /// Where the manifest was taken from, when it is promoted from another Argo Server ("context staging:
        /// WorkflowTemplate argo/etl at resourceVersion 42"): said in the preview, bound into the confirmation and
        /// recorded in the audit trail.
        public var origin: String?

        public init(
            kind: ArgoKind, manifest: Data, namespace: String?, update: Bool, dryRun: Bool, token: String?,
            client: String?, confirmer: (any Confirmer)?, origin: String? = nil
        ) {
            self.origin = origin
            self.kind = kind
            self.manifest = manifest
            self.namespace = namespace
            self.update = update
            self.dryRun = dryRun
            self.token = token
            self.client = client
            self.confirmer = confirmer
        }

        /// create_template or create_cron_workflow, by kind.
        public var mutation: Mutation { .apply(kind) }
    }

    /// A template as a manifest to create elsewhere (promotion to another Argo Server): its kind, name, labels,
    /// annotations and spec, without what the cluster it comes from gave it (uid, resourceVersion, namespace,
    /// timestamps, managed fields, status), and where it came from.
    public func portable(_ kind: ArgoKind, namespace: String?, name: String, context source: String) async throws -> (
        manifest: Data, origin: String
    ) {
        let namespace = kind.isClusterScoped ? nil : context.namespace(namespace)
        guard let found = try await fetch(kind, namespace: namespace, name: name) else {
            let display = kind.isClusterScoped ? name : "\(context.namespace(namespace))/\(name)"
            throw ArgoError(
                .notFound, message: "\(kind.rawValue) \(display) does not exist in context \(source)",
                hint: "list_workflow_templates with context: \(source) shows what there is")
        }
        guard let object = try? JSONSerialization.jsonObject(with: found.raw) as? [String: Any] else {
            throw ReadFailure("\(kind.rawValue) \(name) in context \(source) is not a JSON object")
        }
        var metadata: [String: Any] = ["name": found.metadata.name]
        if !found.metadata.labels.isEmpty { metadata["labels"] = found.metadata.labels }
        var annotations = (object["metadata"] as? [String: Any])?["annotations"] as? [String: Any] ?? [:]
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
        if !annotations.isEmpty { metadata["annotations"] = annotations }
        var portable: [String: Any] = [
            "apiVersion": object["apiVersion"] as? String ?? "argoproj.io/v1alpha1", "kind": kind.rawValue,
            "metadata": metadata,
        ]
        portable["spec"] = object["spec"] ?? [String: Any]()
        let data = try JSONSerialization.data(withJSONObject: portable, options: [.sortedKeys])
        let display =
            kind.isClusterScoped ? name : "\(found.metadata.namespace ?? context.namespace(namespace))/\(name)"
        return (
            data,
            "context \(source): \(kind.rawValue) \(display) at resourceVersion \(found.metadata.resourceVersion ?? "?")"
        )
    }

    /// The live object, or nil when it does not exist.
    func fetch(_ kind: ArgoKind, namespace: String?, name: String) async throws -> (
        metadata: ObjectMeta, raw: Data, spec: WorkflowSpec
    )? {
        do {
            switch kind {
            case .cronWorkflow:
                let c = try await gateway.getCronWorkflow(namespace: context.namespace(namespace), name: name)
                return (c.metadata, c.raw?.data ?? Data(), c.workflowSpec)
            default:
                let t = try await gateway.getWorkflowTemplate(
                    namespace: namespace, name: name, clusterScope: kind.isClusterScoped)
                return (t.metadata, t.raw?.data ?? Data(), t.spec)
            }
        } catch let error as ArgoError where error.kind == .notFound {
            return nil
        }
    }

    /// The manifest with the namespace and (for an update) the resourceVersion it replaces.
    static func prepared(_ manifest: Data, namespace: String?, resourceVersion: String?) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: manifest) as? [String: Any] else { return manifest }
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        if let namespace { metadata["namespace"] = namespace } else { metadata["namespace"] = nil }
        metadata["resourceVersion"] = resourceVersion
        for key in ["uid", "creationTimestamp", "generation", "managedFields"] { metadata[key] = nil }
        object["metadata"] = metadata
        object["status"] = nil
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    public func apply(_ r: ApplyRequest) async throws -> ConfirmableAnswer<DefinitionApplyResult> {
        let target = try applyTarget(r)
        var state = ApplyState()

        func inspect() async throws -> Inspection {
            let (inspection, found) = try await inspectApply(r, target, state)
            state = found
            return inspection
        }

        if r.dryRun {
            let inspection = try await inspect()
            if let refusal = inspection.refusal { throw MutationRefused(reason: refusal, preview: nil) }
            return .result(
                Self.applyResult(
                    r, target, state, action: state.live == nil ? "would create" : "would update", dryRun: true,
                    stored: nil))
        }
        let ns = target.namespace
        let name = target.name
        let call = MutationRunner.Call(
            .apply(r.kind), escalated: r.update, kind: r.kind, namespace: ns ?? "", name: name,
            arguments: [
                "namespace": ns ?? "", "name": name, "update": String(r.update),
                "manifest_sha256": Confirmations.digest(["manifest": String(decoding: r.manifest, as: UTF8.self)]),
            ].merging(r.origin.map { ["from": $0] } ?? [:]) { a, _ in a }, confirmationToken: r.token, client: r.client,
            confirmer: r.confirmer)
        let outcome = try await runner.run(call, inspect: inspect) {
            try await store(r, target, state)
        }
        return outcome.answer
    }

    /// The object create_template or create_cron_workflow writes, as its manifest names it.
    private struct ApplyTarget {
        var name: String
        var namespace: String?
        /// `namespace/name`, or the name of a cluster-scoped object.
        var display: String
        var summary: ManifestSummary
        /// The labels the manifest gives the object.
        var labels: [String: String]
    }

    /// What the state check of an apply found: the live object (nil when it does not exist) and the spec diff.
    private struct ApplyState {
        var live: (metadata: ObjectMeta, raw: Data, spec: WorkflowSpec)?
        var diff: (changes: [SpecChange], total: Int)?
    }

    /// Checks the manifest against the request and answers the object it writes.
    private func applyTarget(_ r: ApplyRequest) throws -> ApplyTarget {
        let (kind, manifest) = try SubmitWorkflows.decode(r.manifest)
        var problems: [ArgumentProblem] = []
        if kind != r.kind {
            problems.append(
                ArgumentProblem(
                    field: "manifest",
                    message: "is a \(kind.rawValue); \(r.mutation.tool) here expects a \(r.kind.rawValue)"
                        + (r.kind == .cronWorkflow ? "" : " (set scope to match the manifest)")))
        }
        let name = manifest.metadata?.name ?? ""
        if name.isEmpty {
            problems.append(
                ArgumentProblem(
                    field: "manifest",
                    message: "metadata.name is required (generateName is not used for \(r.kind.phrase)s)"))
        } else if let p = Validation.objectName(name, field: "manifest.metadata.name") {
            problems.append(p)
        }
        let ns: String? =
            r.kind.isClusterScoped ? nil : context.namespace(r.namespace ?? manifest.metadata?.namespace)
        if let ns, let p = Validation.namespace(ns) { problems.append(p) }
        if kind == .cronWorkflow { problems += Self.manifestScheduleProblems(r.manifest, now: now()) }
        if !problems.isEmpty { throw InvalidArguments(problems) }

        let spec = (r.kind == .cronWorkflow ? manifest.workflowSpec : manifest.spec) ?? WorkflowSpec()
        let summary = SubmitWorkflows.summary(
            kind: r.kind.rawValue, namespace: ns, metadata: manifest.metadata, spec: spec)
        let display = ns.map { "\($0)/\(name)" } ?? name
        return ApplyTarget(
            name: name, namespace: ns, display: display, summary: summary, labels: manifest.metadata?.labels ?? [:])
    }

    /// The state check of an apply: Argo's lint, whether the object exists, and for an update the spec diff.
    private func inspectApply(_ r: ApplyRequest, _ target: ApplyTarget, _ previous: ApplyState) async throws
        -> (Inspection, ApplyState)
    {
        let ns = target.namespace
        let display = target.display
        var state = previous
        var refusal: String?
        do {
            _ = try await gateway.lint(kind: r.kind, namespace: ns, manifest: r.manifest)
        } catch let error as ArgoError where error.kind == .invalidArgument {
            refusal = "Argo rejected the manifest: \(error.message)"
        }
        state.live = try await fetch(r.kind, namespace: ns, name: target.name)
        if refusal == nil {
            if let existing = state.live, !r.update {
                refusal =
                    "\(r.kind.rawValue) \(display) already exists (resourceVersion \(existing.metadata.resourceVersion ?? "?")); pass update: true to replace it — a destructive change that is previewed as a spec diff and confirmed"
            } else if state.live == nil && r.update {
                refusal =
                    "\(r.kind.rawValue) \(display) does not exist, so there is nothing to update; call without update to create it"
            }
        }
        var effect = "\(r.kind.phrase) \(display) is created"
        var impact = "it can be submitted with submit_workflow"
        if let existing = state.live, r.update {
            let old = SpecDiff.member(existing.raw, ["spec"]) ?? Data("{}".utf8)
            let new = SpecDiff.member(r.manifest, ["spec"]) ?? Data("{}".utf8)
            let d = SpecDiff.changes(from: old, to: new, at: "spec")
            state.diff = d
            effect = "the stored spec of \(display) is replaced: \(d.total) change(s)"
            impact =
                r.kind == .cronWorkflow
                ? "runs scheduled from now on use the new spec; running workflows keep theirs"
                : "workflows submitted from now on use the new spec; running ones keep the copy they started with"
            if d.total == 0 {
                refusal = refusal ?? "\(display) already has exactly this spec; nothing to update"
            }
        }
        if let origin = r.origin { effect += " from \(origin)" }
        let preview = Self.applyPreview(r, target, state, effect: effect, impact: impact)
        let live = state.live
        return (
            Inspection(
                uid: live?.metadata.uid, fingerprint: "resourceVersion \(live?.metadata.resourceVersion ?? "none")",
                refusal: refusal,
                // The object's labels now, and those the manifest gives it: a rule on either applies.
                labels: (live?.metadata.labels ?? [:]).merging(target.labels) { _, new in new }, preview: preview),
            state
        )
    }

    /// The preview of an apply: the object as it is now, what is written and the spec diff of an update.
    private static func applyPreview(
        _ r: ApplyRequest, _ target: ApplyTarget, _ state: ApplyState, effect: String, impact: String
    ) -> MutationPreview {
        let live = state.live
        let diff = state.diff
        var preview = MutationPreview(
            tool: r.mutation.tool, namespace: target.namespace ?? "", name: target.name, uid: live?.metadata.uid,
            phase: live.map { "exists at resourceVersion \($0.metadata.resourceVersion ?? "?")" }
                ?? "does not exist",
            startedAt: nil, activeNodes: [], activeNodeCount: 0, pods: [], effect: effect, impact: impact,
            confirmationToken: nil, expiresAt: nil)
        preview.diff = diff?.changes
        preview.diffTotal = diff?.total
        return preview
    }

    /// The answer of an apply: what was done (or would be), the stored version and what to call next.
    private static func applyResult(
        _ r: ApplyRequest, _ target: ApplyTarget, _ state: ApplyState, action: String, dryRun: Bool,
        stored: ObjectMeta?
    ) -> DefinitionApplyResult {
        let ns = target.namespace
        let name = target.name
        let live = state.live
        let diff = state.diff
        let next =
            r.kind == .cronWorkflow
            ? "get_cron_workflow {\"namespace\": \"\(ns ?? "")\", \"name\": \"\(name)\"} shows its next runs"
            : "submit_workflow {\"resource_kind\": \"\(r.kind.rawValue)\", \"resource_name\": \"\(name)\"} runs it"
        return DefinitionApplyResult(
            kind: r.kind.rawValue, namespace: ns, name: name, action: action, dryRun: dryRun, summary: target.summary,
            uid: stored?.uid ?? live?.metadata.uid,
            resourceVersion: stored?.resourceVersion ?? live?.metadata.resourceVersion, diff: diff?.changes,
            diffTotal: diff?.total, next: dryRun ? "call again without dry_run to apply" : next)
    }

    /// Creates the object, or replaces it at the version it was read, and answers what Argo stored.
    private func store(_ r: ApplyRequest, _ target: ApplyTarget, _ state: ApplyState) async throws
        -> DefinitionApplyResult
    {
        let ns = target.namespace
        let name = target.name
        let display = target.display
        let live = state.live
        let stored: Data
        do {
            if let existing = live {
                stored = try await gateway.updateObject(
                    r.kind, namespace: ns, name: name,
                    manifest: try Self.prepared(
                        r.manifest, namespace: ns, resourceVersion: existing.metadata.resourceVersion))
            } else {
                stored = try await gateway.createObject(
                    r.kind, namespace: ns,
                    manifest: try Self.prepared(r.manifest, namespace: ns, resourceVersion: nil))
            }
        } catch let error as ArgoError where error.kind == .conflict {
            throw error.withHint(
                live == nil
                    ? "\(display) was created by someone else meanwhile; nothing was overwritten. Call again with update: true to replace it"
                    : "\(display) was changed by someone else after it was read; nothing was overwritten. Call again for a fresh preview"
            )
        }
        let meta = Self.metadata(stored)
        return Self.applyResult(
            r, target, state, action: live == nil ? "created" : "updated", dryRun: false, stored: meta)
    }

    static func metadata(_ data: Data) -> ObjectMeta? {
        struct Body: Decodable { var metadata: ObjectMeta? }
        return (try? JSONDecoder().decode(Body.self, from: data))?.metadata
    }

    // MARK: delete_cron_workflow and delete_workflow_template

    public struct DeleteRequest: Sendable {
        public var kind: ArgoKind
        public var namespace: String?
        public var name: String
        public var token: String?
        public var client: String?
        public var confirmer: (any Confirmer)?

        public init(
            kind: ArgoKind, namespace: String?, name: String, token: String?, client: String?,
            confirmer: (any Confirmer)?
        ) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.token = token
            self.client = client
            self.confirmer = confirmer
        }

        /// delete_cron_workflow or delete_workflow_template, by kind.
        public var mutation: Mutation { .delete(kind) }
    }

    public func delete(_ r: DeleteRequest) async throws -> MutationAnswer {
        let problems = Validation.target(namespace: r.kind.isClusterScoped ? nil : r.namespace, name: r.name)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns: String? = r.kind.isClusterScoped ? nil : (context.namespace(r.namespace))
        let display = ns.map { "\($0)/\(r.name)" } ?? r.name
        let call = MutationRunner.Call(
            .delete(r.kind), kind: r.kind, namespace: ns ?? "", name: r.name,
            arguments: ["namespace": ns ?? "", "name": r.name, "kind": r.kind.rawValue], confirmationToken: r.token,
            client: r.client, confirmer: r.confirmer)
        var uid: String?
        let outcome = try await runner.run(call) {
            guard let live = try await fetch(r.kind, namespace: ns, name: r.name) else {
                throw ArgoError(
                    .notFound, message: "\(r.kind.resource) \"\(r.name)\" not found",
                    hint:
                        "list them with \(r.kind == .cronWorkflow ? "list_cron_workflows" : "list_workflow_templates")"
                )
            }
            uid = live.metadata.uid
            var (effect, impact) = try await deletionImpact(r.kind, namespace: ns, name: r.name)
            effect += WorkflowMutations.replacementGuard(r.kind, uid: live.metadata.uid)
            return Inspection(
                uid: live.metadata.uid, fingerprint: "resourceVersion \(live.metadata.resourceVersion ?? "")",
                refusal: nil, labels: live.metadata.labels,
                preview: MutationPreview(
                    tool: r.mutation.tool, namespace: ns ?? "", name: r.name, uid: live.metadata.uid,
                    phase: "exists at resourceVersion \(live.metadata.resourceVersion ?? "?")", startedAt: nil,
                    activeNodes: [], activeNodeCount: 0, pods: [], effect: effect, impact: impact,
                    confirmationToken: nil, expiresAt: nil))
        } perform: {
            try await gateway.deleteObject(r.kind, namespace: ns, name: r.name, uid: uid)
            return MutationResult(
                tool: r.mutation.tool, namespace: ns ?? "", name: r.name, phaseBefore: "exists", phaseAfter: "Deleted",
                suspendedBefore: nil, suspendedAfter: nil, changes: ["\(r.kind.phrase) \(display) deleted"],
                tokenID: nil)
        }
        return outcome.answer
    }

    /// Archived runs of a CronWorkflow read one by one to tell whether their objects still exist.
    static let archivedChecks = 20

    /// What deleting the object takes with it, from live state.
    func deletionImpact(_ kind: ArgoKind, namespace: String?, name: String) async throws -> (String, String) {
        switch kind {
        case .cronWorkflow:
            let ns = context.namespace(namespace)
            let page = try await gateway.listWorkflows(
                WorkflowListQuery(
                    namespace: ns, labelSelector: "\(ArgoLabels.cronWorkflow)=\(name)", limit: 500,
                    fields: WorkflowListQuery.compactListFields))
            // Argo lists the workflows its controller has archived from the archive only (its live store leaves
            // out those labelled Archived), whether or not their objects still exist: each of those is read to
            // know (the newest `archivedChecks`).
            var owned = page.items.filter { !$0.isArchivedCopy }
            let fromArchive = page.items.filter(\.isArchivedCopy)
            var unchecked = max(0, fromArchive.count - Self.archivedChecks)
            for row in fromArchive.prefix(Self.archivedChecks) {
                do {
                    let live = try await gateway.getWorkflow(
                        namespace: ns, name: row.metadata.name, fields: "metadata,status.phase")
                    // The archive's copy (Argo's get falls back to it), or another run of the name: this one is gone.
                    if !live.isArchivedCopy, live.metadata.uid == row.metadata.uid { owned.append(live) }
                } catch let error as ArgoError where error.kind == .notFound {
                    continue
                } catch {
                    unchecked += 1
                }
            }
            var reasons: [String] = []
            if page.continueToken != nil { reasons.append("more than 500 runs are listed") }
            if unchecked > 0 { reasons.append("\(unchecked) archived run(s) could not be checked for a live object") }
            let running = owned.filter { $0.status.phase?.isCompleted != true }.count
            let archived = owned.filter { $0.archiving == .archived }.count
            let more = reasons.isEmpty ? "" : " (at least: \(reasons.joined(separator: "; ")))"
            let kept =
                archived == owned.count
                ? "the workflow archive keeps a copy of each"
                : "the workflow archive keeps a copy of \(archived) of them (the controller archives only completed "
                    + "workflows, when the server has an archive and its archiveLabelSelector takes them); the records "
                    + "of the other \(owned.count - archived) are lost"
            return (
                "the CronWorkflow is deleted and no further runs are scheduled; it owns the \(owned.count)\(more) workflow(s) it created, which Kubernetes deletes with it (\(running) still running)",
                "\(owned.count)\(more) workflow(s) of \(ns)/\(name) and their pods are deleted; " + kept
            )
        default:
            let label =
                kind == .clusterWorkflowTemplate
                ? "workflows.argoproj.io/cluster-workflow-template" : ArgoLabels.workflowTemplate
            let running = try await gateway.listWorkflows(
                WorkflowListQuery(
                    namespace: namespace, labelSelector: "\(label)=\(name)", phases: [.running, .pending], limit: 500,
                    fields: WorkflowListQuery.compactListFields))
            let crons = try await gateway.listCronWorkflows(DefinitionListQuery(namespace: namespace, limit: 500))
            let referencing = crons.items.filter { cron in
                guard let ref = cron.workflowSpec.workflowTemplateRef, ref.name == name else { return false }
                return (ref.clusterScope ?? false) == kind.isClusterScoped
            }.map { "\($0.metadata.namespace ?? "")/\($0.metadata.name)" }
            var impact =
                "\(running.items.count) running workflow(s) created from it keep running with the copy they started with; submitting it again fails"
            if !referencing.isEmpty {
                impact +=
                    "; \(referencing.count) CronWorkflow(s) reference it and their next runs will fail: \(referencing.prefix(10).joined(separator: ", "))"
            }
            return ("the \(kind.phrase) \(namespace.map { "\($0)/" } ?? "")\(name) is deleted", impact)
        }
    }
}
