import Foundation
import Ports

public struct ListCronWorkflowsRequest: Sendable, Equatable {
    public var namespace: String?
    public var allNamespaces: Bool
    public var suspended: Bool?
    public var labelSelector: String?
    public var limit: Int
    public var continueToken: String?

    public init(
        namespace: String? = nil, allNamespaces: Bool = false, suspended: Bool? = nil, labelSelector: String? = nil,
        limit: Int = 50, continueToken: String? = nil
    ) {
        self.namespace = namespace
        self.allNamespaces = allNamespaces
        self.suspended = suspended
        self.labelSelector = labelSelector
        self.limit = limit
        self.continueToken = continueToken
    }

    public func problems() -> [ArgumentProblem] {
        var problems: [ArgumentProblem] = []
        if let namespace, !allNamespaces, let p = Validation.namespace(namespace) { problems.append(p) }
        if let labelSelector, let p = Validation.labelSelector(labelSelector) { problems.append(p) }
        if let p = rangeProblem("limit", limit, 1...200) { problems.append(p) }
        return problems
    }
}

/// Read use cases for CronWorkflows and the runs they created.
public struct CronReads: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }

    public init(_ context: ArgoContext) {
        self.context = context
    }

    static func schedules(_ cron: CronWorkflow) -> (parsed: [CronSchedule], errors: [String]) {
        var parsed: [CronSchedule] = []
        var errors: [String] = []
        for text in cron.schedules {
            switch CronSchedule.parse(text, timezone: cron.timezone) {
            case .success(let s): parsed.append(s)
            case .failure(let e): errors.append(e.description)
            }
        }
        if cron.schedules.isEmpty { errors.append("no schedule (spec.schedules and spec.schedule are both empty)") }
        return (parsed, errors)
    }

    /// The schedules that parse but never fire (e.g. `0 0 31 2 *`): Argo keeps them and starts no run.
    static func neverFires(_ parsed: [CronSchedule], now: Date) -> [String] {
        parsed.filter { $0.next(after: now) == nil }.map {
            "'\($0.text)' never fires (no matching time in the next five years); Argo keeps it and starts no run"
        }
    }

    /// A run time as the cron's own clock shows it: RFC 3339 with the zone's offset (`Z` for UTC), so that
    /// `0 3 * * *` in Europe/Berlin reads `…T03:00:00+01:00`, not `…T02:00:00Z` beside the zone's name.
    public static func formatRun(_ date: Date, timezone: String?) -> String {
        guard let name = timezone, !name.isEmpty, let zone = TimeZone(identifier: name),
            zone.secondsFromGMT(for: date) != 0 || zone.identifier != "UTC"
        else { return ArgoTime.format(date) }
        var style = Date.ISO8601FormatStyle(timeZone: zone)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        return date.formatted(style)
    }

    /// A time Argo wrote (UTC) on the cron's clock, like its next runs; kept as written when it does not parse.
    static func onCronClock(_ time: String?, timezone: String?) -> String? {
        guard let time else { return nil }
        return ArgoTime.parse(time).map { formatRun($0, timezone: timezone) } ?? time
    }

    /// The soonest `count` runs over all schedules, without duplicates.
    static func nextRuns(_ schedules: [CronSchedule], after date: Date, count: Int) -> [Date] {
        let all = schedules.flatMap { $0.nextRuns(after: date, count: count) }
        return Array(Set(all).sorted().prefix(count))
    }

    public func list(_ request: ListCronWorkflowsRequest) async throws -> CronWorkflowList {
        if !request.problems().isEmpty { throw InvalidArguments(request.problems()) }
        let namespace = request.allNamespaces ? nil : (context.namespace(request.namespace))
        let page = try await gateway.listCronWorkflows(
            DefinitionListQuery(
                namespace: namespace, labelSelector: request.labelSelector, limit: request.limit,
                continueToken: request.continueToken))
        let at = now()
        let rows = page.items.filter { request.suspended == nil || $0.suspend == request.suspended }.map { cron in
            let (parsed, errors) = Self.schedules(cron)
            let submissionError = cron.status.conditions.first { $0.type == "SubmissionError" && $0.status != "False" }
            return CronWorkflowRow(
                namespace: cron.metadata.namespace ?? namespace ?? "",
                name: cron.metadata.name,
                schedules: cron.schedules,
                timezone: cron.timezone,
                suspended: cron.suspend,
                lastScheduledTime: Self.onCronClock(cron.status.lastScheduledTime, timezone: cron.timezone),
                activeRuns: cron.status.active.count,
                succeeded: cron.status.succeeded,
                failed: cron.status.failed,
                nextRun: cron.suspend
                    ? nil
                    : Self.nextRuns(parsed, after: at, count: 1).first.map {
                        Self.formatRun($0, timezone: cron.timezone)
                    },
                problem: errors.first ?? Self.neverFires(parsed, now: at).first
                    ?? submissionError.map { "SubmissionError: \($0.message ?? "")" }
            )
        }
        return CronWorkflowList(
            namespace: namespace ?? "*", items: rows, count: rows.count, continue: page.continueToken,
            hasMore: page.continueToken != nil, note: Text.unreadable(page.unreadableItems, "CronWorkflow"))
    }

    public func get(namespace: String?, name: String, nextRunCount: Int = 5) async throws -> CronWorkflowDetail {
        var problems: [ArgumentProblem] = []
        problems += Validation.target(namespace: namespace, name: name)
        if let p = rangeProblem("next_runs", nextRunCount, 0...50) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        let cron = try await gateway.getCronWorkflow(namespace: ns, name: name)
        let (parsed, errors) = Self.schedules(cron)
        let upcoming = Self.nextRuns(parsed, after: now(), count: nextRunCount).map {
            Self.formatRun($0, timezone: cron.timezone)
        }
        return CronWorkflowDetail(
            namespace: cron.metadata.namespace ?? ns,
            name: cron.metadata.name,
            createdAt: cron.metadata.creationTimestamp,
            resourceVersion: cron.metadata.resourceVersion,
            schedules: cron.schedules,
            timezone: cron.timezone.flatMap { $0.isEmpty ? nil : $0 } ?? "UTC",
            timezoneAssumed: cron.timezone?.isEmpty ?? true,
            suspended: cron.suspend,
            concurrencyPolicy: cron.concurrencyPolicy ?? "Allow",
            startingDeadlineSeconds: cron.startingDeadlineSeconds,
            successfulJobsHistoryLimit: cron.successfulJobsHistoryLimit,
            failedJobsHistoryLimit: cron.failedJobsHistoryLimit,
            when: cron.when,
            lastScheduledTime: Self.onCronClock(cron.status.lastScheduledTime, timezone: cron.timezone),
            activeRuns: cron.status.active.compactMap(\.name),
            succeeded: cron.status.succeeded,
            failed: cron.status.failed,
            phase: cron.status.phase,
            conditions: cron.status.conditions.map {
                ConditionView(type: $0.type ?? "", status: $0.status, message: Text.trim($0.message, to: 300).0)
            },
            nextRuns: cron.suspend ? [] : upcoming,
            nextRunsIfResumed: cron.suspend ? upcoming : nil,
            scheduleErrors: errors + Self.neverFires(parsed, now: now()),
            entrypoint: cron.workflowSpec.entrypoint,
            workflowTemplate: cron.workflowSpec.workflowTemplateRef?.name,
            parameters: cron.workflowSpec.parameters.prefix(30).map {
                ParameterValue(name: $0.name, value: Text.trim($0.value ?? $0.default, to: 200).0)
            }
        )
    }

    /// The workflows a CronWorkflow created (label `workflows.argoproj.io/cron-workflow`), in Argo's order:
    /// running first, then the most recently finished.
    public func history(namespace: String?, name: String, limit: Int, continueToken: String?) async throws
        -> CronHistory
    {
        var problems: [ArgumentProblem] = []
        problems += Validation.target(namespace: namespace, name: name)
        if let p = rangeProblem("limit", limit, 1...200) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        if continueToken == nil {
            // A cron that does not exist is Argo's 404, not an empty history.
            _ = try await gateway.getCronWorkflow(namespace: ns, name: name)
        }
        let page = try await gateway.listWorkflows(
            WorkflowListQuery(
                namespace: ns, labelSelector: "\(ArgoLabels.cronWorkflow)=\(name)", limit: limit,
                continueToken: continueToken, fields: WorkflowListQuery.compactListFields))
        let shaping = WorkflowShaping(now: now())
        var phases: [String: Int] = [:]
        func run(_ wf: Workflow, archived: Bool) -> CronRun {
            let row = shaping.row(wf)
            phases[row.phase, default: 0] += 1
            return CronRun(
                name: row.name, phase: row.phase, scheduledTime: wf.metadata.annotations[ArgoLabels.scheduledTime],
                startedAt: row.startedAt, finishedAt: row.finishedAt, durationSeconds: row.durationSeconds,
                duration: row.duration, message: row.message, archived: archived ? true : nil)
        }
        // Argo (v3.5+) lists the archive's rows after the live ones, so runs whose objects were garbage-collected
        // come on the later pages of the same listing.
        let runs = page.items.map { run($0, archived: $0.isArchivedCopy) }
        var notes: [String] = []
        let archivedCount = runs.filter { $0.archived == true }.count
        if archivedCount > 0 {
            notes.append(
                "\(archivedCount) run(s) are listed from the workflow archive: Argo lists every workflow its controller has archived from there, whether its object still exists or is gone"
            )
        }
        if let pageNote = Text.pageNotes(page) { notes.append(pageNote) }
        let note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return CronHistory(
            namespace: ns, cronWorkflow: name, runs: runs, count: runs.count, continue: page.continueToken,
            hasMore: page.continueToken != nil, phases: phases, note: note)
    }
}
