import Foundation
import Ports

public struct RunSide: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var source: String
    public var phase: String
    public var startedAt: String?
    public var durationSeconds: Int?
    public var resourcesDuration: [String: Int]
    /// The context (`contexts.NAME`) the run is in, when the two runs are in different Argo Servers.
    public var context: String?
}

public struct StepChange: Sendable, Codable, Equatable {
    public var path: String
    public var template: String?
    /// newly failed, fixed, slower, faster, phase changed, not run in other / not run in base (Skipped or
    /// Omitted there), only in base, only in other.
    public var change: String
    public var phaseBefore: String?
    public var phaseAfter: String?
    public var secondsBefore: Int?
    public var secondsAfter: Int?
    public var messageAfter: String?
}

public struct WorkflowComparison: Sendable, Codable, Equatable {
    /// The reference run (e.g. the last success).
    public var base: RunSide
    /// The run being explained (e.g. this failure).
    public var other: RunSide
    /// The biggest differences in one line each, most important first.
    public var headline: [String]
    public var durationChangeSeconds: Int?
    public var parameters: [SpecChange]
    public var imagesAdded: [String]
    public var imagesRemoved: [String]
    public var specChanges: [SpecChange]
    public var specChangeTotal: Int
    /// Newly failed steps first, then the largest slowdowns (at most 20).
    public var steps: [StepChange]
    public var stepChangeTotal: Int
    public var notes: [String]
}

extension Diagnostics {
    public struct CompareRequest: Sendable {
        public var base: Target?
        public var other: Target
        /// `last_success`: the newest succeeded run of the same CronWorkflow or WorkflowTemplate before `other`.
        public var baseline: String?

        public init(base: Target?, other: Target, baseline: String?) {
            self.base = base
            self.other = other
            self.baseline = baseline
        }
    }

    /// Compares two runs; with `baseFrom`, the base run (named, or the last success of the same origin) is read
    /// there: another context's Argo Server (staging's last success against prod's failure).
    public func compare(_ r: CompareRequest, baseFrom: Diagnostics? = nil) async throws -> WorkflowComparison {
        let baseSide = baseFrom ?? self
        var problems = r.other.problems()
        if let base = r.base { problems += base.problems(field: "base_name") }
        if r.base == nil && r.baseline == nil {
            problems.append(
                ArgumentProblem(
                    field: "base_name", message: "give base_name (the run to compare against) or baseline: last_success"
                ))
        }
        if let b = r.baseline, b != "last_success" {
            problems.append(ArgumentProblem(field: "baseline", message: "'\(b)' is not last_success"))
        }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        var notes: [String] = []
        let other: Workflow
        let otherSource: String
        let base: Workflow
        let baseSource: String
        if let target = r.base {
            // Both runs at once: each is a fetch and a decode of a possibly large object.
            async let b = baseSide.load(target)
            async let o = load(r.other)
            (base, baseSource) = try await b
            (other, otherSource) = try await o
        } else {
            (other, otherSource) = try await load(r.other)
            // In another Argo Server the runs have their own history: its newest success, whenever it ran.
            (base, baseSource) = (try await baseSide.lastSuccess(before: other, earlierOnly: baseFrom == nil), "live")
            notes.append(
                baseFrom == nil
                    ? "base is \(base.metadata.name), the newest succeeded run of the same origin before it"
                    : "base is \(base.metadata.name), the newest succeeded run of the same origin there")
        }
        var result = Self.compare(base, baseSource, other, otherSource, now: now())
        result.notes = notes + result.notes
        return result
    }

    /// The newest succeeded run of the same CronWorkflow or WorkflowTemplate that started before `wf`.
    func lastSuccess(before wf: Workflow, earlierOnly: Bool = true) async throws -> Workflow {
        let ns = context.namespace(wf.metadata.namespace)
        let origin =
            [ArgoLabels.cronWorkflow, ArgoLabels.workflowTemplate, "workflows.argoproj.io/cluster-workflow-template"]
            .lazy.compactMap { label in wf.metadata.labels[label].map { (label, $0) } }.first
        guard let (label, value) = origin else {
            throw ReadFailure(
                "\(ns)/\(wf.metadata.name) was not created by a CronWorkflow or template, so there is no run history to take a last success from; give base_name"
            )
        }
        let page = try await gateway.listWorkflows(
            WorkflowListQuery(
                namespace: ns, labelSelector: "\(label)=\(value)", phases: [.succeeded], limit: 200,
                fields: WorkflowListQuery.compactListFields))
        let started = wf.status.startedAt ?? "~"
        guard
            let best = page.items.filter({
                $0.metadata.name != wf.metadata.name && (!earlierOnly || ($0.status.startedAt ?? "") < started)
            }).max(by: { ($0.status.startedAt ?? "") < ($1.status.startedAt ?? "") })
        else {
            throw ReadFailure(
                "no succeeded run of \(label.split(separator: "/").last ?? "") \(value) \(earlierOnly ? "before \(wf.metadata.name) " : "")among the live workflows; give base_name (list_archived_workflows may hold older runs)"
            )
        }
        return try await gateway.getWorkflow(namespace: ns, name: best.metadata.name, fields: nil)
    }

    static func side(_ wf: Workflow, _ source: String, _ shaping: WorkflowShaping) -> RunSide {
        RunSide(
            namespace: wf.metadata.namespace ?? "", name: wf.metadata.name, source: source,
            phase: shaping.phaseText(wf), startedAt: wf.status.startedAt, durationSeconds: shaping.workflowSeconds(wf),
            resourcesDuration: wf.status.resourcesDuration)
    }

    /// A node compared step by step: one that ran a pod, or one that failed.
    static func isStep(_ n: NodeStatus) -> Bool { WorkflowShaping.runsInPod(n) || n.phase?.isFailure == true }

    /// A node Argo decided not to run: `when` false (Skipped) or a `depends` that did not hold (Omitted).
    static func notRun(_ n: NodeStatus) -> Bool { n.phase == .skipped || n.phase == .omitted }

    /// A spec's JSON without `arguments`.
    static func withoutArguments(_ spec: Data) -> Data {
        guard var object = try? JSONSerialization.jsonObject(with: spec) as? [String: Any] else { return spec }
        object["arguments"] = nil
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? spec
    }

    static func compare(_ a: Workflow, _ aSource: String, _ b: Workflow, _ bSource: String, now: Date)
        -> WorkflowComparison
    {
        let shaping = WorkflowShaping(now: now)
        let ga = NodeGraph(a)
        let gb = NodeGraph(b)
        var headline: [String] = []

        // Parameters, by name.
        let parameters = parameterChanges(a, b)
        if !parameters.isEmpty {
            headline.append(
                "parameters changed: "
                    + parameters.prefix(5).map { "\($0.path) \($0.before ?? "–") → \($0.after ?? "–")" }.joined(
                        separator: ", "))
        }

        // Images and spec.
        let ia = Set(a.spec.templates.compactMap(\.image))
        let ib = Set(b.spec.templates.compactMap(\.image))
        let added = ib.subtracting(ia).sorted()
        let removed = ia.subtracting(ib).sorted()
        if !added.isEmpty { headline.append("new images: \(added.joined(separator: ", "))") }
        let spec = specChanges(from: a, to: b)

        let steps = stepChanges(ga, gb, now: now)
        let newlyFailed = steps.filter { $0.change == "newly failed" }
        if !newlyFailed.isEmpty {
            headline.insert(
                "\(newlyFailed.count) step(s) newly failed, first \(newlyFailed[0].path)"
                    + (newlyFailed[0].messageAfter.map { ": \($0)" } ?? ""), at: 0)
        }
        let slower = steps.filter { $0.change == "slower" }
        if let s = slower.first {
            headline.append(
                "\(slower.count) step(s) much slower, most \(s.path) \(Text.duration(s.secondsBefore) ?? "?") → \(Text.duration(s.secondsAfter) ?? "?")"
            )
        }
        let da = shaping.workflowSeconds(a)
        let db = shaping.workflowSeconds(b)
        let delta = da.flatMap { x in db.map { $0 - x } }
        if let da, let db { headline.append("total \(Text.duration(da) ?? "?") → \(Text.duration(db) ?? "?")") }
        headline.append(contentsOf: resourceHeadlines(a, b))
        if spec.total > 0 { headline.append("\(spec.total) spec change(s)") }
        if headline.isEmpty { headline.append("no difference found in parameters, spec, images or steps") }

        return WorkflowComparison(
            base: side(a, aSource, shaping), other: side(b, bSource, shaping), headline: headline,
            durationChangeSeconds: delta, parameters: parameters, imagesAdded: added, imagesRemoved: removed,
            specChanges: spec.changes, specChangeTotal: spec.total, steps: Array(steps.prefix(20)),
            stepChangeTotal: steps.count, notes: [])
    }

    /// The parameters whose values differ between the runs, by name.
    private static func parameterChanges(_ a: Workflow, _ b: Workflow) -> [SpecChange] {
        let pa = Dictionary(
            a.spec.parameters.map { ($0.name, $0.value ?? $0.default ?? "") }, uniquingKeysWith: { x, _ in x })
        let pb = Dictionary(
            b.spec.parameters.map { ($0.name, $0.value ?? $0.default ?? "") }, uniquingKeysWith: { x, _ in x })
        return Set(pa.keys).union(pb.keys).sorted().compactMap { k -> SpecChange? in
            pa[k] == pb[k] ? nil : SpecChange(path: k, before: pa[k], after: pb[k])
        }
    }

    /// The changes between the runs' specs without their arguments (at most 20), and how many there are in all.
    private static func specChanges(from a: Workflow, to b: Workflow) -> (changes: [SpecChange], total: Int) {
        var spec: (changes: [SpecChange], total: Int) = ([], 0)
        if let ra = a.raw?.data, let rb = b.raw?.data {
            // Parameters are reported above: the arguments are left out before diffing, so that the total
            // counts exactly the changes a reader could be shown.
            let sa = Self.withoutArguments(SpecDiff.member(ra, ["spec"]) ?? Data("{}".utf8))
            let sb = Self.withoutArguments(SpecDiff.member(rb, ["spec"]) ?? Data("{}".utf8))
            spec = SpecDiff.changes(from: sa, to: sb, at: "spec", limit: 20)
        }
        return spec
    }

    /// The steps that differ between the runs, most important first.
    private static func stepChanges(_ ga: NodeGraph, _ gb: NodeGraph, now: Date) -> [StepChange] {
        // Steps, matched by their place in the workflow. Every node is indexed, so a step that one run skipped
        // or omitted (its node is then not a pod) is matched as not run there rather than as missing.
        var steps: [StepChange] = []
        let aByPath = nodesByPath(ga)
        let bByPath = nodesByPath(gb)
        var seen = Set<String>()
        for n in ga.nodes.values where Self.isStep(n) {
            let path = ga.path(n)
            seen.insert(path)
            if let change = baseStepChange(n, path: path, other: bByPath[path], ga: ga, gb: gb, now: now) {
                steps.append(change)
            }
        }
        for (path, m) in bByPath where !seen.contains(path) && WorkflowShaping.runsInPod(m) {
            steps.append(otherStepChange(m, path: path, base: aByPath[path], gb: gb, now: now))
        }
        steps.sort { stepRank($0) < stepRank($1) }
        return steps
    }

    /// Every node of a run by its path in the workflow.
    private static func nodesByPath(_ g: NodeGraph) -> [String: NodeStatus] {
        var index: [String: NodeStatus] = [:]
        index.reserveCapacity(g.nodes.count)
        for n in g.nodes.values {
            let path = g.path(n)
            // A pod or a failure wins over a structural node of the same path.
            if let existing = index[path], Self.isStep(existing) && !Self.isStep(n) { continue }
            index[path] = n
        }
        return index
    }

    /// How a step of the base run differs in the other run, where the node of the same path is `other`.
    private static func baseStepChange(
        _ n: NodeStatus, path: String, other: NodeStatus?, ga: NodeGraph, gb: NodeGraph, now: Date
    ) -> StepChange? {
        let before = n.phase?.rawValue
        let secondsBefore = ga.seconds(n, now: now)
        if let m = other, Self.notRun(m) {
            if WorkflowShaping.runsInPod(n) {
                return StepChange(
                    path: path, template: n.templateName, change: "not run in other", phaseBefore: before,
                    phaseAfter: m.phase?.rawValue, secondsBefore: secondsBefore, secondsAfter: nil,
                    messageAfter: Text.trim(m.message, to: 200).0)
            }
            return nil
        }
        guard let m = other, Self.isStep(m) else {
            if WorkflowShaping.runsInPod(n) {
                return StepChange(
                    path: path, template: n.templateName, change: "only in base", phaseBefore: before,
                    phaseAfter: nil, secondsBefore: secondsBefore, secondsAfter: nil, messageAfter: nil)
            }
            return nil
        }
        let after = m.phase?.rawValue
        let secondsAfter = gb.seconds(m, now: now)
        var change: String?
        if m.phase?.isFailure == true && n.phase?.isFailure != true {
            change = "newly failed"
        } else if n.phase?.isFailure == true && m.phase?.isFailure != true {
            change = "fixed"
        } else if let x = secondsBefore, let y = secondsAfter, y - x >= 30, Double(y) >= Double(x) * 1.5 {
            change = "slower"
        } else if let x = secondsBefore, let y = secondsAfter, x - y >= 30, Double(x) >= Double(y) * 1.5 {
            change = "faster"
        } else if before != after {
            change = "phase changed"
        }
        if let change {
            return StepChange(
                path: path, template: m.templateName ?? n.templateName, change: change, phaseBefore: before,
                phaseAfter: after, secondsBefore: secondsBefore, secondsAfter: secondsAfter,
                messageAfter: m.phase?.isFailure == true ? Text.trim(m.message, to: 200).0 : nil)
        }
        return nil
    }

    /// A pod step of the other run that the base run has no step for, where the node of the same path is `base`.
    private static func otherStepChange(_ m: NodeStatus, path: String, base: NodeStatus?, gb: NodeGraph, now: Date)
        -> StepChange
    {
        if let n = base, Self.notRun(n) {
            return StepChange(
                path: path, template: m.templateName, change: "not run in base",
                phaseBefore: n.phase?.rawValue, phaseAfter: m.phase?.rawValue, secondsBefore: nil,
                secondsAfter: gb.seconds(m, now: now),
                messageAfter: m.phase?.isFailure == true ? Text.trim(m.message, to: 200).0 : nil)
        }
        return StepChange(
            path: path, template: m.templateName,
            change: m.phase?.isFailure == true ? "newly failed" : "only in other",
            phaseBefore: nil, phaseAfter: m.phase?.rawValue, secondsBefore: nil,
            secondsAfter: gb.seconds(m, now: now),
            messageAfter: m.phase?.isFailure == true ? Text.trim(m.message, to: 200).0 : nil)
    }

    /// The order of step changes: by kind of change, then the largest change in time, then by path.
    private static func stepRank(_ s: StepChange) -> (Int, Int, String) {
        let weight: Int =
            switch s.change {
            case "newly failed": 0
            case "slower": 1
            case "fixed": 2
            case "phase changed": 3
            case "faster": 4
            case "not run in other", "not run in base": 5
            default: 6
            }
        return (weight, -abs((s.secondsAfter ?? 0) - (s.secondsBefore ?? 0)), s.path)
    }

    /// One headline per resource whose resourcesDuration changed by half or more, from a minute up.
    private static func resourceHeadlines(_ a: Workflow, _ b: Workflow) -> [String] {
        var headline: [String] = []
        for key in Set(a.status.resourcesDuration.keys).union(b.status.resourcesDuration.keys).sorted() {
            let x = a.status.resourcesDuration[key] ?? 0
            let y = b.status.resourcesDuration[key] ?? 0
            if max(x, y) >= 60, Double(max(x, y)) >= Double(max(1, min(x, y))) * 1.5 {
                headline.append("\(key) resourcesDuration \(x) → \(y)")
            }
        }
        return headline
    }
}
