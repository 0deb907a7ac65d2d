import Foundation
import Ports

public struct TemplateStats: Sendable, Codable, Equatable {
    public var template: String
    public var count: Int
    public var failed: Int
    public var p50Seconds: Int?
    public var p95Seconds: Int?
    public var maxSeconds: Int?
    public var totalSeconds: Int
}

public struct CriticalStep: Sendable, Codable, Equatable {
    public var path: String
    public var template: String?
    public var phase: String
    public var startedAt: String?
    public var durationSeconds: Int?
    /// Time between the previous step of the path finishing and this one starting (scheduling, pod start-up).
    public var waitSeconds: Int?
}

public struct ResourceConsumer: Sendable, Codable, Equatable {
    public var path: String
    public var template: String?
    /// Argo's resourcesDuration: `cpu` in core-seconds, `memory` in GiB-seconds (as Argo reports them).
    public var resourcesDuration: [String: Int]
}

public struct ParallelismSample: Sendable, Codable, Equatable {
    public var offsetSeconds: Int
    /// Average number of pods running in this slice of the run.
    public var averagePods: Double
    public var maxPods: Int
}

public struct WorkflowMetrics: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var phase: String
    public var source: String
    public var wallSeconds: Int?
    /// From creation to the controller starting the workflow.
    public var queueSeconds: Int?
    /// From the workflow's start to its first pod's start.
    public var firstPodDelaySeconds: Int?
    public var nodeCount: Int
    public var podCount: Int
    /// The chain of steps that determined the total duration, first to last (at most 30 shown).
    public var criticalPath: [CriticalStep]
    public var criticalPathLength: Int
    public var criticalPathSeconds: Int?
    /// Per template, the most time-consuming first (at most 20).
    public var templates: [TemplateStats]
    public var templateCount: Int
    public var retryNodes: Int
    public var extraAttempts: Int
    public var retriesRecovered: Int
    public var retriesExhausted: Int
    public var resourcesDuration: [String: Int]
    public var topConsumers: [ResourceConsumer]
    public var maxParallelPods: Int
    public var parallelism: [ParallelismSample]
    public var notes: [String]
}

extension Diagnostics {
    public func metrics(_ target: Target) async throws -> WorkflowMetrics {
        let problems = target.problems()
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let (wf, source) = try await load(target)
        return Self.metrics(wf, source: source, now: now())
    }

    static func metrics(_ wf: Workflow, source: String, now: Date) -> WorkflowMetrics {
        let graph = NodeGraph(wf)
        let shaping = WorkflowShaping(now: now)
        let (intervals, podCount, backwards) = podIntervals(graph, now: now)
        var notes: [String] = []
        if backwards > 0 {
            notes.append(
                "\(backwards) pod(s) have finishedAt before startedAt; they are counted as taking no time")
        }

        let path = criticalPath(intervals, graph: graph)
        let critical = criticalSteps(path, graph: graph)
        let templates = templateStats(intervals)

        // Retries.
        let retries = graph.nodes.values.filter { $0.type == .retry }
        let extra = Checked.saturatingSum(retries.map { max(0, $0.children.count - 1) })

        let (totals, consumers) = resourceTotals(intervals, wf: wf, graph: graph)

        if totals.isEmpty { notes.append("Argo recorded no resourcesDuration for this workflow") }
        if let wall = shaping.workflowSeconds(wf), wall > 60, let first = path.first, let last = path.last,
            Double(last.end.timeIntervalSince(first.start)) < Double(wall) * 0.5
        {
            notes.append(
                "the critical path covers less than half the wall time: the rest went to waiting (parallelism limits, scheduling, queueing), not to dependencies"
            )
        }

        let peak = peakPods(intervals)
        let samples = parallelismSamples(intervals, peak: peak)

        let created = ArgoTime.parse(wf.metadata.creationTimestamp)
        let started = ArgoTime.parse(wf.status.startedAt)
        let firstPod = intervals.map(\.start).min()
        return WorkflowMetrics(
            namespace: wf.metadata.namespace ?? "", name: wf.metadata.name, phase: shaping.phaseText(wf),
            source: source, wallSeconds: shaping.workflowSeconds(wf),
            queueSeconds: created.flatMap { c in started.map { max(0, Checked.clampedInt($0.timeIntervalSince(c))) } },
            firstPodDelaySeconds: started.flatMap { s in
                firstPod.map { max(0, Checked.clampedInt($0.timeIntervalSince(s))) }
            },
            nodeCount: graph.nodes.count, podCount: podCount, criticalPath: Array(critical.suffix(30)),
            criticalPathLength: critical.count,
            criticalPathSeconds: path.first.flatMap { f in
                path.last.map { Checked.clampedInt($0.end.timeIntervalSince(f.start)) }
            },
            templates: Array(templates.prefix(20)), templateCount: templates.count, retryNodes: retries.count,
            extraAttempts: extra,
            retriesRecovered: retries.filter { $0.phase == .succeeded && $0.children.count > 1 }.count,
            retriesExhausted: retries.filter { $0.phase?.isFailure == true }.count, resourcesDuration: totals,
            topConsumers: consumers, maxParallelPods: peak, parallelism: samples, notes: notes)
    }

    /// One pod's run, from its start to its end.
    private struct Interval {
        // Each interval keeps its node record (copy-on-write storage: no copy is made).
        var id: String { node.id }
        var node: NodeStatus
        var start: Date
        var end: Date
    }

    /// The pods' runs, how many pods started, and how many finished before they started.
    private static func podIntervals(_ graph: NodeGraph, now: Date)
        -> (intervals: [Interval], podCount: Int, backwards: Int)
    {
        var intervals: [Interval] = []
        var podCount = 0
        var backwards = 0
        for node in graph.nodes.values where WorkflowShaping.runsInPod(node) && node.startedAt != nil {
            podCount += 1
            guard let start = ArgoTime.parse(node.startedAt) else { continue }
            // A pod "finished" before it started (clock skew, a hand-edited object) counts as taking no time; a
            // running pod whose start is ahead of our clock, likewise.
            let end = ArgoTime.parse(node.finishedAt) ?? now
            if end < start && node.finishedAt != nil { backwards += 1 }
            intervals.append(Interval(node: node, start: start, end: max(start, end)))
        }
        return (intervals, podCount, backwards)
    }

    /// The chain of pods that determined the total duration, first to last.
    /// The pod nodes on the critical path (the chain of steps the run's end waited for).
    static func criticalNodeIDs(_ graph: NodeGraph, now: Date) -> Set<String> {
        let (intervals, _, _) = podIntervals(graph, now: now)
        return Set(criticalPath(intervals, graph: graph).map(\.id))
    }

    private static func criticalPath(_ intervals: [Interval], graph: NodeGraph) -> [Interval] {
        // Critical path: from the pod that finished last, back through the steps it waited for.
        var path: [Interval] = []
        if let last = intervals.max(by: { $0.end < $1.end }) {
            var preds: [String: [String]] = [:]
            for node in graph.nodes.values { for child in node.children { preds[child, default: []].append(node.id) } }
            var reachable: Set<String> = [last.id]
            var queue = [last.id]
            while let id = queue.popLast() {
                for p in preds[id] ?? [] where reachable.insert(p).inserted { queue.append(p) }
            }
            let before = intervals.filter { reachable.contains($0.id) }.sorted { $0.end < $1.end }
            var current = last
            path.append(current)
            while path.count < 10_000 {
                // The latest-finishing step that ended before this one started (one second of clock slack).
                let limit = current.start.addingTimeInterval(1)
                var lo = 0
                var hi = before.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if before[mid].end <= limit { lo = mid + 1 } else { hi = mid }
                }
                var index = lo - 1
                while index >= 0 && before[index].id == current.id { index -= 1 }
                guard index >= 0, before[index].start < current.start else { break }
                current = before[index]
                path.append(current)
            }
            path.reverse()
        }
        return path
    }

    /// The critical path's pods as steps, each with its duration and the wait before it.
    private static func criticalSteps(_ path: [Interval], graph: NodeGraph) -> [CriticalStep] {
        var critical: [CriticalStep] = []
        for (i, step) in path.enumerated() {
            let n = step.node
            critical.append(
                CriticalStep(
                    path: graph.path(n), template: n.templateName,
                    phase: n.phase?.rawValue ?? "Pending", startedAt: n.startedAt,
                    durationSeconds: Checked.clampedInt(step.end.timeIntervalSince(step.start)),
                    waitSeconds: i == 0
                        ? nil : max(0, Checked.clampedInt(step.start.timeIntervalSince(path[i - 1].end)))
                ))
        }
        return critical
    }

    /// Per template, how many pods ran and failed and how long they took, the most time-consuming first.
    private static func templateStats(_ intervals: [Interval]) -> [TemplateStats] {
        // Per template.
        var byTemplate: [String: (durations: [Int], failed: Int)] = [:]
        for i in intervals {
            let n = i.node
            let key = n.templateName ?? n.templateRef?.template ?? "?"
            var stats = byTemplate[key, default: ([], 0)]
            stats.durations.append(Checked.clampedInt(i.end.timeIntervalSince(i.start)))
            if n.phase?.isFailure == true { stats.failed += 1 }
            byTemplate[key] = stats
        }
        return byTemplate.map { name, value in
            let sorted = value.durations.sorted()
            return TemplateStats(
                template: name, count: sorted.count, failed: value.failed, p50Seconds: percentile(sorted, 0.5),
                p95Seconds: percentile(sorted, 0.95), maxSeconds: sorted.last,
                totalSeconds: Checked.saturatingSum(sorted))
        }.sorted { ($0.totalSeconds, $0.template) > ($1.totalSeconds, $1.template) }
    }

    /// The workflow's resourcesDuration totals, and the five pods that consumed the most CPU.
    private static func resourceTotals(_ intervals: [Interval], wf: Workflow, graph: NodeGraph)
        -> (totals: [String: Int], consumers: [ResourceConsumer])
    {
        // Resources: Argo's totals, else the sum over pods; the biggest consumers by CPU.
        var totals = wf.status.resourcesDuration
        var usage: [(node: NodeStatus, cpu: Int, memory: Int)] = []
        for i in intervals {
            let n = i.node
            guard !n.resourcesDuration.isEmpty else { continue }
            if wf.status.resourcesDuration.isEmpty {
                for (k, v) in n.resourcesDuration { totals[k] = Checked.saturatingAdd(totals[k] ?? 0, v) }
            }
            usage.append((n, n.resourcesDuration["cpu"] ?? 0, n.resourcesDuration["memory"] ?? 0))
        }
        usage.sort { ($0.cpu, $0.memory, $1.node.id) > ($1.cpu, $1.memory, $0.node.id) }
        let consumers = usage.prefix(5).map { u in
            let n = u.node
            return ResourceConsumer(
                path: graph.path(n), template: n.templateName, resourcesDuration: n.resourcesDuration)
        }
        return (totals, consumers)
    }

    /// The most pods that ran at once.
    private static func peakPods(_ intervals: [Interval]) -> Int {
        // Parallelism: the peak, and 20 slices of the run.
        var events: [(Date, Int)] = []
        events.reserveCapacity(intervals.count * 2)
        for i in intervals {
            events.append((i.start, 1))
            events.append((i.end, -1))
        }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var active = 0
        var peak = 0
        for (_, delta) in events {
            active += delta
            peak = max(peak, active)
        }
        return peak
    }

    /// The run cut into 20 slices, with the average and the most pods running in each (at most `peak`).
    private static func parallelismSamples(_ intervals: [Interval], peak: Int) -> [ParallelismSample] {
        var samples: [ParallelismSample] = []
        if let first = intervals.map(\.start).min(), let end = intervals.map(\.end).max(), end > first {
            let slices = 20
            let width = end.timeIntervalSince(first) / Double(slices)
            var busy = [Double](repeating: 0, count: slices)
            var most = [Int](repeating: 0, count: slices)
            for i in intervals {
                let a = i.start.timeIntervalSince(first) / width
                let b = i.end.timeIntervalSince(first) / width
                // A pod that starts at the very end of the run (a = slices) still falls in the last slice.
                let from = min(slices - 1, max(0, Checked.clampedInt(a.rounded(.down))))
                let to = min(slices - 1, max(from, Checked.clampedInt(b.rounded(.down))))
                for s in from...to {
                    let overlap = min(b, Double(s + 1)) - max(a, Double(s))
                    if overlap > 0 { busy[s] += overlap }
                    most[s] += 1
                }
            }
            samples = (0..<slices).map {
                ParallelismSample(
                    offsetSeconds: Checked.clampedInt(Double($0) * width), averagePods: (busy[$0] * 10).rounded() / 10,
                    maxPods: min(most[$0], peak))
            }
        }
        return samples
    }
}
