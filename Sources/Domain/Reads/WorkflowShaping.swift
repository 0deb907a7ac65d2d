import Foundation
import Ports

/// Pure functions that turn Argo objects into the compact views `WorkflowReads` answers with (`WorkflowSummary`,
/// `NodeRow`, …): durations, phases, failure order, node walks.
public struct WorkflowShaping: Sendable {
    public var now: Date
    public var maxListedNodes: Int
    public var maxMessageLength: Int
    public var maxParameters: Int

    public init(now: Date, maxListedNodes: Int = 20, maxMessageLength: Int = 300, maxParameters: Int = 30) {
        self.now = now
        self.maxListedNodes = maxListedNodes
        self.maxMessageLength = maxMessageLength
        self.maxParameters = maxParameters
    }

    func seconds(from start: String?, to end: String?) -> Int? {
        guard let started = ArgoTime.parse(start) else { return nil }
        let finished = ArgoTime.parse(end) ?? now
        return max(0, Int(finished.timeIntervalSince(started).rounded()))
    }

    /// Wall time so far: a workflow that is still active runs until now, whatever stale finish time it carries.
    /// A workflow without a phase runs to its finish time if it has one; without either, its length is unknown
    /// (not "until now", which made years of an old object).
    func workflowSeconds(_ wf: Workflow) -> Int? {
        guard wf.status.startedAt != nil else { return nil }
        let phase = Self.phaseName(wf)
        if phase == Self.unknownPhase {
            return wf.status.finishedAt == nil ? nil : seconds(from: wf.status.startedAt, to: wf.status.finishedAt)
        }
        let active = phase == "Running" || phase == "Pending"
        return seconds(from: wf.status.startedAt, to: active ? nil : wf.status.finishedAt)
    }

    public func row(_ wf: Workflow) -> WorkflowRow {
        let secs = workflowSeconds(wf)
        return WorkflowRow(
            namespace: wf.metadata.namespace ?? "",
            name: wf.metadata.name,
            uid: wf.metadata.uid,
            phase: phaseText(wf),
            progress: wf.status.progress,
            startedAt: wf.status.startedAt,
            finishedAt: wf.status.finishedAt,
            durationSeconds: secs,
            duration: Text.duration(secs),
            message: Text.trim(wf.status.message, to: 160).0,
            suspended: wf.spec.suspend == true ? true : nil,
            archived: wf.isArchivedCopy ? true : nil
        )
    }

    func phaseText(_ wf: Workflow) -> String { Self.phaseName(wf) }

    /// The attempts of Retry nodes that in the end succeeded: failures the run recovered from.
    public static func recoveredAttempts(_ wf: Workflow) -> Set<String> {
        var recovered = Set<String>()
        for node in wf.status.nodes.values where node.type == .retry && node.phase == .succeeded {
            recovered.formUnion(node.children)
        }
        return recovered
    }

    /// The workflow's phase as Argo states it (status, else the phase label). A workflow the controller has not
    /// touched yet (no start, no nodes) is Pending; one that has started but carries no phase is `Unknown`:
    /// never a phase made up from its nodes.
    public static func phaseName(_ wf: Workflow) -> String {
        if let phase = wf.status.phase?.rawValue ?? wf.metadata.labels[ArgoLabels.phase], !phase.isEmpty {
            return phase
        }
        return wf.status.startedAt == nil && wf.status.nodes.isEmpty ? "Pending" : unknownPhase
    }

    public static let unknownPhase = "Unknown"

    public func summary(_ wf: Workflow) -> WorkflowSummary {
        var truncated = false
        let nodes = wf.status.nodes
        var byPhase: [String: Int] = [:]
        var failed: [NodeStatus] = []
        var running: [NodeStatus] = []
        let recovered = Self.recoveredAttempts(wf)
        for node in nodes.values {
            byPhase[node.phase?.rawValue ?? "Pending", default: 0] += 1
            if node.phase?.isFailure == true { failed.append(node) }
            if node.phase == .running && Self.isLeaf(node) { running.append(node) }
        }
        // Failures that stuck come before attempts a retry recovered from; leaves (where the failure happened)
        // before the structure that failed because of them; oldest first.
        func order(_ a: NodeStatus, _ b: NodeStatus) -> Bool {
            let ra = recovered.contains(a.id)
            let rb = recovered.contains(b.id)
            if ra != rb { return rb }
            let la = Self.isLeaf(a)
            let lb = Self.isLeaf(b)
            if la != lb { return la }
            let sa = a.startedAt ?? ""
            let sb = b.startedAt ?? ""
            return sa != sb ? sa < sb : a.name < b.name
        }
        let failedShown = Self.smallest(maxListedNodes, of: failed, by: order)
        let runningShown = Self.smallest(maxListedNodes, of: running, by: order)
        if failed.count > failedShown.count || running.count > runningShown.count { truncated = true }

        var params: [ParameterValue] = []
        for p in wf.spec.parameters.prefix(maxParameters) {
            let (value, cut) = Text.trim(p.value ?? p.default, to: 200)
            if cut { truncated = true }
            params.append(ParameterValue(name: p.name, value: value))
        }
        if wf.spec.parameters.count > maxParameters { truncated = true }
        let (message, messageCut) = Text.trim(wf.status.message, to: maxMessageLength)
        if messageCut { truncated = true }
        let secs = workflowSeconds(wf)

        return WorkflowSummary(
            namespace: wf.metadata.namespace ?? "",
            name: wf.metadata.name,
            uid: wf.metadata.uid,
            phase: phaseText(wf),
            progress: wf.status.progress,
            createdAt: wf.metadata.creationTimestamp,
            startedAt: wf.status.startedAt,
            finishedAt: wf.status.finishedAt,
            durationSeconds: secs,
            duration: Text.duration(secs),
            estimatedDurationSeconds: wf.status.estimatedDuration,
            message: message,
            entrypoint: wf.spec.entrypoint,
            workflowTemplate: wf.spec.workflowTemplateRef?.name ?? wf.metadata.labels[ArgoLabels.workflowTemplate],
            cronWorkflow: wf.metadata.labels[ArgoLabels.cronWorkflow],
            suspended: wf.spec.suspend == true ? true : nil,
            parameters: params,
            nodeCount: nodes.count,
            nodesByPhase: byPhase,
            failedNodes: failedShown.map { node in
                var row = nodeRow(node, in: wf)
                if recovered.contains(node.id) { row.recovered = true }
                return row
            },
            failedNodeCount: failed.count,
            runningNodes: runningShown.map { nodeRow($0, in: wf) },
            runningNodeCount: running.count,
            truncated: truncated,
            resourcesDuration: wf.status.resourcesDuration.isEmpty ? nil : wf.status.resourcesDuration,
            archived: wf.isArchivedCopy ? true : nil
        )
    }

    public func nodeRow(_ node: NodeStatus, in wf: Workflow) -> NodeRow {
        NodeRow(
            id: node.id,
            name: node.displayName ?? node.name,
            type: node.type.rawValue,
            template: node.templateName ?? node.templateRef?.template,
            phase: node.phase?.rawValue ?? "Pending",
            message: Text.trim(node.message, to: maxMessageLength).0,
            exitCode: node.exitCode,
            podName: Self.runsInPod(node) ? PodNames.podName(for: node, in: wf) : nil,
            startedAt: node.startedAt,
            durationSeconds: node.startedAt == nil ? nil : seconds(from: node.startedAt, to: node.finishedAt),
            recovered: nil
        )
    }

    /// Every node in depth-first order from the roots, each once.
    public func tree(_ wf: Workflow) -> [NodeTreeRow] {
        let nodes = wf.status.nodes
        var isChild = Set<String>()
        for node in nodes.values { isChild.formUnion(node.children) }
        var roots = nodes.values.filter { !isChild.contains($0.id) }
        roots.sort {
            ($0.id == wf.metadata.name ? 0 : 1, $0.startedAt ?? "", $0.name) < (
                $1.id == wf.metadata.name ? 0 : 1, $1.startedAt ?? "", $1.name
            )
        }

        var rows: [NodeTreeRow] = []
        rows.reserveCapacity(nodes.count)
        var visited = Set<String>()
        var stack: [(String, Int)] = roots.reversed().map { ($0.id, 0) }
        func visitAll() {
            while let (id, depth) = stack.popLast() {
                guard !visited.contains(id), let node = nodes[id] else { continue }
                visited.insert(id)
                rows.append(treeRow(node, depth: depth, in: wf))
                for child in node.children.reversed() where !visited.contains(child) {
                    stack.append((child, depth + 1))
                }
            }
        }
        visitAll()
        // Cycles or dangling structure: whatever was not reached is listed as a root, in name order.
        if visited.count < nodes.count {
            for node in nodes.values.sorted(by: { $0.name < $1.name }) where !visited.contains(node.id) {
                stack.append((node.id, 0))
                visitAll()
            }
        }
        return rows
    }

    func treeRow(_ node: NodeStatus, depth: Int, in wf: Workflow) -> NodeTreeRow {
        NodeTreeRow(
            depth: depth,
            id: node.id,
            name: node.displayName ?? node.name,
            type: node.type.rawValue,
            phase: node.phase?.rawValue ?? "Pending",
            template: node.templateName ?? node.templateRef?.template,
            message: Text.trim(node.message, to: 200).0,
            exitCode: node.exitCode,
            podName: Self.runsInPod(node) ? PodNames.podName(for: node, in: wf) : nil,
            durationSeconds: node.startedAt == nil ? nil : seconds(from: node.startedAt, to: node.finishedAt),
            children: node.children.count
        )
    }

    /// Nodes that do work themselves rather than group other nodes.
    static func isLeaf(_ node: NodeStatus) -> Bool {
        switch node.type {
        case .steps, .stepGroup, .dag, .taskGroup, .retry: return false
        default: return node.children.isEmpty || node.type == .pod || node.type == .container
        }
    }

    static func runsInPod(_ node: NodeStatus) -> Bool { node.type == .pod || node.type == .container }

    /// The first `k` elements in `order` without sorting all of them.
    static func smallest(_ k: Int, of items: [NodeStatus], by order: (NodeStatus, NodeStatus) -> Bool) -> [NodeStatus] {
        guard items.count > k else { return items.sorted(by: order) }
        var best: [NodeStatus] = []
        best.reserveCapacity(k + 1)
        for item in items {
            if best.count < k || order(item, best[best.count - 1]) {
                let index = best.firstIndex(where: { order(item, $0) }) ?? best.count
                best.insert(item, at: index)
                if best.count > k { best.removeLast() }
            }
        }
        return best
    }
}
