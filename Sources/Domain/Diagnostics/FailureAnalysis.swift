import Foundation
import Ports

/// One place where the failure started.
public struct FailureCause: Sendable, Codable, Equatable {
    public var node: String
    public var nodeId: String
    /// Where in the workflow, without the workflow's name: `main.process(3:item-3)`.
    public var path: String
    public var template: String?
    public var phase: String
    public var exitCode: String?
    public var message: String?
    public var category: String
    public var explanation: String
    /// Attempts made when the step runs under a retry strategy.
    public var attempts: Int?
    public var retriesExhausted: Bool?
    public var inExitHandler: Bool?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Int?
    public var podName: String?
    /// Lines around the first error-looking line of the pod's log (bounded).
    public var logExcerpt: [String]?
    /// Why there is no excerpt, when there is none.
    public var logNote: String?
    /// For a reference to the output of a skipped or omitted node (Argo v4.0.7 and v3.7.16: such outputs resolve
    /// to nothing and fail the node that needs them): that node.
    public var absentOutputOf: String? = nil
}

/// Failures that are consequences or repeats, counted by template and category.
public struct FailureGroup: Sendable, Codable, Equatable {
    public var template: String
    public var category: String
    public var count: Int
    public var example: String
}

public struct FailureAnalysis: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var uid: String?
    /// live, or archive when the workflow object is gone.
    public var source: String
    public var phase: String
    public var message: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Int?
    public var nodeCount: Int
    public var failedNodeCount: Int
    /// The failures everything else followed from, earliest first (at most `maxCauses`).
    public var rootCauses: [FailureCause]
    public var rootCauseCount: Int
    /// Root causes beyond those shown, grouped.
    public var moreCauses: [FailureGroup]
    /// How many root causes fall in each category.
    public var categories: [String: Int]
    public var nextSteps: [String]
    public var notes: [String]
    public var truncated: Bool
    /// The host model's narrative, when `explain` was asked for and the host offers sampling.
    public var explanation: String?
}

/// analyze_failure.
extension Diagnostics {
    public struct AnalyzeRequest: Sendable {
        public var target: Target
        public var maxCauses: Int
        public var logLines: Int

        public init(target: Target, maxCauses: Int = 5, logLines: Int = 300) {
            self.target = target
            self.maxCauses = maxCauses
            self.logLines = logLines
        }
    }

    public func analyzeFailure(_ r: AnalyzeRequest) async throws -> FailureAnalysis {
        var problems = r.target.problems()
        if let p = rangeProblem("max_causes", r.maxCauses, 1...20) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let (wf, source) = try await load(r.target)
        var analysis = Self.analyze(wf, source: source, maxCauses: r.maxCauses, now: now())
        await attachLogs(&analysis, wf, lines: r.logLines)
        return analysis
    }

    /// The skipped or omitted node whose output a failed node needed, from Argo's message (v4.0.7, v3.7.16):
    /// - `unable to substitute {{tasks.B.outputs…}}: output is an absent optional…`, `output parameter "p":
    ///   "steps.B.outputs…" is an absent optional…`, `failed to evaluate expression "…tasks.B.outputs…"`: the node
    ///   it names (`util/template/simple_template.go`, `workflow/controller/operator.go`, `scope.go`);
    /// - `inputs.parameters.p: argument references an absent optional…` (`workflow/common/util.go` `ProcessArgs`)
    ///   names no node: the skipped or omitted node beside it (same boundary), when there is exactly one.
    static func absentOptionalProducer(of node: NodeStatus, message: String, graph: NodeGraph) -> NodeStatus? {
        let lower = message.lowercased()
        guard lower.contains("absent optional") || lower.contains("failed to evaluate expression") else { return nil }
        func absent(_ n: NodeStatus) -> Bool { n.phase == .skipped || n.phase == .omitted }
        let siblings = graph.nodes.values.filter { $0.id != node.id && $0.boundaryID == node.boundaryID }
        let referenced = Set(
            message.matches(of: /(?:tasks|steps)\.([A-Za-z0-9_-]+)\.outputs/).map { String($0.output.1) })
        if !referenced.isEmpty {
            let byName = { (a: NodeStatus, b: NodeStatus) in (a.displayName ?? "", a.id) < (b.displayName ?? "", b.id) }
            let named =
                siblings.filter { absent($0) && referenced.contains($0.displayName ?? "") }.sorted(by: byName)
                + graph.nodes.values.filter { absent($0) && referenced.contains($0.displayName ?? "") }.sorted(
                    by: byName)
            return named.first
        }
        guard lower.contains("absent optional") else { return nil }
        let candidates = siblings.filter(absent)
        return candidates.count == 1 ? candidates.first : nil
    }

    /// How long a pod may stay Pending before it counts as stuck.
    static let pendingTooLong = 600

    /// The analysis of one workflow's state, without logs.
    static func analyze(_ wf: Workflow, source: String, maxCauses: Int, now: Date) -> FailureAnalysis {
        let graph = NodeGraph(wf)
        let shaping = WorkflowShaping(now: now)
        let failed = graph.nodes.values.filter { $0.phase?.isFailure == true }
        let recovered = recoveredAttempts(graph)
        let origins = failureOrigins(failed, recovered: recovered, graph: graph)

        // The next steps of each cause's category, kept where the category is decided (a trimmed message, or an
        // overridden category, would classify differently if done again).
        var stepsByNode: [String: [String]] = [:]
        var causes: [FailureCause] = []
        for node in origins {
            let (c, next) = failureCause(node, wf: wf, graph: graph, now: now)
            stepsByNode[node.id] = next
            causes.append(c)
        }
        for i in causes.indices where causes[i].category == "parameter_resolution" {
            guard let node = graph.nodes[causes[i].nodeId],
                let producer = absentOptionalProducer(of: node, message: node.message ?? "", graph: graph)
            else { continue }
            let (restated, next) = absentOutputCause(causes[i], producer: producer, graph: graph)
            causes[i] = restated
            stepsByNode[node.id] = next
        }
        var notes: [String] = []
        // Pods stuck in Pending are what keeps a running workflow from progressing (usually unschedulable).
        let stuck = graph.nodes.values.filter { n in
            WorkflowShaping.runsInPod(n) && n.phase == .pending && (graph.seconds(n, now: now) ?? 0) >= pendingTooLong
        }
        for n in stuck.sorted(by: { ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name) }).prefix(maxCauses) {
            let (c, next) = stuckCause(n, wf: wf, graph: graph, now: now)
            stepsByNode[n.id] = next
            causes.append(c)
        }
        if !stuck.isEmpty { notes.append("\(stuck.count) pod(s) pending for over \(pendingTooLong / 60) minutes") }
        if causes.isEmpty, wf.status.phase == .failed || wf.status.phase == .error {
            // The workflow failed before or outside any node (a spec error, a deadline, a failed parameter).
            let (c, next) = workflowCause(wf, graph: graph, shaping: shaping)
            stepsByNode[graph.root?.id ?? wf.metadata.name] = next
            causes.append(c)
        }
        if let note = phaseNote(wf, recovered: recovered, failed: failed, shaping: shaping) { notes.append(note) }

        var categories: [String: Int] = [:]
        for c in causes { categories[c.category, default: 0] += 1 }
        let shown = Array(causes.prefix(maxCauses))
        let groups = moreCauseGroups(causes.dropFirst(maxCauses))
        let steps = nextSteps(shown, stepsByNode: stepsByNode, wf: wf, source: source)
        let ns = wf.metadata.namespace ?? ""
        if shown.contains(where: { $0.inExitHandler == true }) {
            notes.append("a failure is in the exit handler or a lifecycle hook: the main work may have finished")
        }

        return FailureAnalysis(
            namespace: ns, name: wf.metadata.name, uid: wf.metadata.uid, source: source,
            phase: shaping.phaseText(wf), message: Text.trim(wf.status.message, to: 300).0,
            startedAt: wf.status.startedAt, finishedAt: wf.status.finishedAt,
            durationSeconds: shaping.workflowSeconds(wf), nodeCount: graph.nodes.count, failedNodeCount: failed.count,
            rootCauses: shown, rootCauseCount: causes.count, moreCauses: groups,
            categories: categories, nextSteps: steps, notes: notes, truncated: causes.count > shown.count,
            explanation: nil)
    }

    /// The attempts of the retry nodes that succeeded.
    private static func recoveredAttempts(_ graph: NodeGraph) -> Set<String> {
        // Attempts a succeeded retry recovered from are not causes of anything.
        var recovered = Set<String>()
        for node in graph.nodes.values where node.type == .retry && node.phase == .succeeded {
            recovered.formUnion(node.children)
        }
        return recovered
    }

    /// The failures everything else followed from, one per retry node, collateral ones last, then earliest first.
    private static func failureOrigins(_ failed: [NodeStatus], recovered: Set<String>, graph: NodeGraph)
        -> [NodeStatus]
    {
        // An origin is a failed node that contains no other failure: the DAGs, step groups and retries around a
        // failure failed because of it. (A task's children in a DAG are the tasks that depend on it, not parts of
        // it, so containment follows boundaries and grouping nodes only.)
        var explained = Set<String>()
        for node in failed where !recovered.contains(node.id) {
            var queue = graph.containers(of: node)
            while let c = queue.popLast() {
                if explained.insert(c.id).inserted { queue += graph.containers(of: c) }
            }
        }
        var origins = failed.filter { !recovered.contains($0.id) && !explained.contains($0.id) }
        // Attempts of one retry node are one cause: the last attempt stands for it.
        var byRetry: [String: [NodeStatus]] = [:]
        var single: [NodeStatus] = []
        for node in origins {
            if let p = graph.parent[node.id], graph.nodes[p]?.type == .retry {
                byRetry[p, default: []].append(node)
            } else {
                single.append(node)
            }
        }
        // The retry node lists its attempts in the order Argo made them (`name(0)`, `name(1)`, …), which start
        // times cannot tell apart when attempts start within one second.
        origins =
            single
            + byRetry.compactMap { retryID, attempts in
                let order = graph.nodes[retryID]?.children ?? []
                func rank(_ n: NodeStatus) -> (Int, String) { (order.firstIndex(of: n.id) ?? -1, n.startedAt ?? "") }
                return attempts.max { rank($0) < rank($1) }
            }

        // Failures caused by the shutdown of the workflow come after the ones that caused it; then earliest first.
        func collateral(_ n: NodeStatus) -> Bool {
            let m = (n.message ?? "").lowercased()
            return m.contains("stopped with strategy") || m.contains("terminated") || m.contains("workflow shutdown")
        }
        origins.sort {
            let ca = collateral($0)
            let cb = collateral($1)
            if ca != cb { return cb }
            let ta = $0.finishedAt ?? $0.startedAt ?? ""
            let tb = $1.finishedAt ?? $1.startedAt ?? ""
            return ta != tb ? ta < tb : $0.name < $1.name
        }
        return origins
    }

    /// The cause a node stands for, and the next steps of its category.
    private static func failureCause(_ node: NodeStatus, wf: Workflow, graph: NodeGraph, now: Date)
        -> (cause: FailureCause, nextSteps: [String])
    {
        let retry = graph.parent[node.id].flatMap { graph.nodes[$0] }.flatMap { $0.type == .retry ? $0 : nil }
        let message = retry?.phase?.isFailure == true && node.message == nil ? retry?.message : node.message
        let category = FailureClassifier.classify(message: message, exitCode: node.exitCode)
        let cause = FailureCause(
            node: node.displayName ?? node.name, nodeId: node.id, path: graph.path(node),
            template: node.templateName ?? node.templateRef?.template, phase: node.phase?.rawValue ?? "Failed",
            exitCode: node.exitCode, message: Text.trim(message, to: 300).0, category: category.id,
            explanation: category.explanation, attempts: retry.map { $0.children.count },
            retriesExhausted: retry.map {
                $0.phase?.isFailure == true
                    && ($0.children.count > 1 || $0.message?.contains("No more retries") == true)
            },
            inExitHandler: graph.inExitHandler(node) ? true : nil, startedAt: node.startedAt,
            finishedAt: node.finishedAt, durationSeconds: graph.seconds(node, now: now),
            podName: WorkflowShaping.runsInPod(node) ? PodNames.podName(for: node, in: wf) : nil, logExcerpt: nil,
            logNote: nil)
        return (cause, category.nextSteps)
    }

    /// The cause restated as a reference to the output of a skipped or omitted node, and the steps that fix it.
    private static func absentOutputCause(_ cause: FailureCause, producer: NodeStatus, graph: NodeGraph)
        -> (cause: FailureCause, nextSteps: [String])
    {
        var cause = cause
        cause.absentOutputOf = producer.displayName ?? producer.name
        let how = producer.phase == .omitted ? "omitted" : "skipped"
        cause.explanation =
            "it refers to an output of \(producer.displayName ?? producer.name), which was \(how)\(producer.message.map { " (\(Text.trim($0, to: 120).0 ?? ""))" } ?? ""); since Argo v4.0.7 (and v3.7.16) such an output resolves to nothing, and a reference to it without a default fails the node"
        // expr reads `stage-b` as a subtraction: a name is indexed, in a DAG's `tasks` or a steps' `steps`.
        let scope =
            producer.boundaryID.flatMap { graph.nodes[$0] }.map { $0.type == .steps ? "steps" : "tasks" }
            ?? "tasks"
        return (
            cause,
            [
                "give the output a default (outputs.parameters[].valueFrom.default in \(producer.templateName ?? "the producer's template")) or the consuming input a default",
                "or guard the reference in an expression: {{=\(scope)['\(producer.displayName ?? "producer")'].outputs.parameters['NAME'] ?? 'fallback'}}",
            ]
        )
    }

    /// A pod pending too long as a cause, with the next steps of what keeps it from being scheduled.
    private static func stuckCause(_ n: NodeStatus, wf: Workflow, graph: NodeGraph, now: Date)
        -> (cause: FailureCause, nextSteps: [String])
    {
        var c = failureCause(n, wf: wf, graph: graph, now: now).cause
        let signal = FailureClassifier.classify(message: n.message, exitCode: nil)
        let category =
            signal.id == "error" ? FailureClassifier.classify(message: "unschedulable", exitCode: nil) : signal
        c.category = category.id
        c.explanation =
            "pending for \(Text.duration(c.durationSeconds) ?? "?"), the pod has not started: \(category.explanation)"
        c.logNote = c.podName.map { "no logs yet; kubectl describe pod \($0) shows the scheduler's reason" }
        return (c, category.nextSteps)
    }

    /// The workflow itself as the cause, when it failed before or outside any node, and the next steps.
    private static func workflowCause(_ wf: Workflow, graph: NodeGraph, shaping: WorkflowShaping)
        -> (cause: FailureCause, nextSteps: [String])
    {
        let category = FailureClassifier.classify(message: wf.status.message, exitCode: nil)
        let cause = FailureCause(
            node: wf.metadata.name, nodeId: graph.root?.id ?? wf.metadata.name, path: "(workflow)",
            template: wf.spec.entrypoint, phase: wf.status.phase?.rawValue ?? "Failed", exitCode: nil,
            message: Text.trim(wf.status.message, to: 300).0, category: category.id,
            explanation: category.explanation, attempts: nil, retriesExhausted: nil, inExitHandler: nil,
            startedAt: wf.status.startedAt, finishedAt: wf.status.finishedAt,
            durationSeconds: shaping.workflowSeconds(wf), podName: nil, logExcerpt: nil, logNote: nil)
        return (cause, category.nextSteps)
    }

    /// What the workflow's phase means for the analysis: nothing failed, the phase is unknown, or it still runs.
    private static func phaseNote(
        _ wf: Workflow, recovered: Set<String>, failed: [NodeStatus], shaping: WorkflowShaping
    ) -> String? {
        switch wf.status.phase {
        case .succeeded?:
            return recovered.isEmpty
                ? "\(wf.metadata.name) succeeded; there is no failure to analyze"
                : "\(wf.metadata.name) succeeded; \(recovered.intersection(failed.map(\.id)).count) failed attempt(s) were recovered by retries"
        case nil where shaping.phaseText(wf) == WorkflowShaping.unknownPhase:
            let recoveredCount = recovered.intersection(failed.map(\.id)).count
            return "Argo's status of \(wf.metadata.name) carries no phase, so whether it succeeded is unknown"
                + (recoveredCount > 0 ? "; \(recoveredCount) failed attempt(s) were recovered by retries" : "")
        case .running?, .pending?, nil:
            return "\(wf.metadata.name) is still \(shaping.phaseText(wf)); these are the failures so far"
        default: return nil
        }
    }

    /// The causes beyond those shown, grouped by template and category, the largest groups first.
    private static func moreCauseGroups(_ hidden: ArraySlice<FailureCause>) -> [FailureGroup] {
        var groups: [String: FailureGroup] = [:]
        for c in hidden {
            let key = "\(c.template ?? "?")|\(c.category)"
            groups[
                key, default: FailureGroup(template: c.template ?? "?", category: c.category, count: 0, example: c.path)
            ]
            .count += 1
        }
        return groups.values.sorted { ($0.count, $0.template) > ($1.count, $1.template) }
    }

    /// The next steps of the shown causes, without repeats, then the tools that look further.
    private static func nextSteps(
        _ shown: [FailureCause], stepsByNode: [String: [String]], wf: Workflow, source: String
    ) -> [String] {
        var steps: [String] = []
        for c in shown {
            for s in stepsByNode[c.nodeId] ?? [] where !steps.contains(s) {
                steps.append(s)
            }
        }
        let ns = wf.metadata.namespace ?? ""
        if let first = shown.first(where: { $0.podName != nil }) {
            steps.append(
                "get_workflow_logs {\"namespace\": \"\(ns)\", \"name\": \"\(wf.metadata.name)\", \"node\": \"\(first.nodeId)\", \"grep\": \"error|Error|ERROR\"} for more of the log"
            )
        }
        if wf.status.phase == .failed || wf.status.phase == .error {
            if source == "live" {
                steps.append(
                    "after fixing the cause: retry_workflow {\"namespace\": \"\(ns)\", \"name\": \"\(wf.metadata.name)\"} re-runs only the failed steps"
                )
            }
            if wf.metadata.labels[ArgoLabels.cronWorkflow] != nil
                || wf.metadata.labels[ArgoLabels.workflowTemplate] != nil
            {
                steps.append(
                    "compare_workflows {\"namespace\": \"\(ns)\", \"name\": \"\(wf.metadata.name)\", \"baseline\": \"last_success\"} shows what changed since it last worked"
                )
            }
        }
        return steps
    }

    /// Reads the pods' logs of the shown causes at once; a log that cannot be read becomes a note, not a failure.
    func attachLogs(_ analysis: inout FailureAnalysis, _ wf: Workflow, lines: Int) async {
        let ns = analysis.namespace
        let pods = analysis.rootCauses.enumerated().compactMap { i, c in
            c.logNote == nil ? c.podName.map { (i, $0) } : nil
        }
        let results = await withTaskGroup(of: (Int, [String]?, String?).self) { group in
            for (i, pod) in pods {
                group.addTask {
                    do {
                        var collected: [String] = []
                        let query = LogQuery(
                            namespace: ns, workflowName: wf.metadata.name, podName: pod, tailLines: lines)
                        for try await entry in gateway.workflowLogs(query) { collected.append(entry.content) }
                        return (i, collected, nil)
                    } catch {
                        return (i, nil, "logs could not be read: \(error)")
                    }
                }
            }
            var out: [(Int, [String]?, String?)] = []
            for await r in group { out.append(r) }
            return out
        }
        var failedReads = 0
        for (i, logLines, note) in results {
            if let logLines {
                if logLines.isEmpty {
                    analysis.rootCauses[i].logNote =
                        analysis.source == "archive"
                        ? "no log lines (the pod is gone with the workflow)" : "no log lines"
                } else {
                    analysis.rootCauses[i].logExcerpt = FailureClassifier.excerpt(logLines)
                }
            } else {
                analysis.rootCauses[i].logNote = note
                failedReads += 1
            }
        }
        if failedReads > 0 {
            analysis.notes.append(
                "partial result: \(failedReads) pod log(s) could not be read; the findings above stand without them")
        }
    }
}
