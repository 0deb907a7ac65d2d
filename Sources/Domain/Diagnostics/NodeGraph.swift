import Foundation
import Ports

/// A workflow's node tree with the indexes diagnostics need, built once in O(nodes).
struct NodeGraph {
    let workflow: Workflow
    let nodes: [String: NodeStatus]
    /// The first parent of each node (Argo's `children` lists, reversed).
    let parent: [String: String]
    let root: NodeStatus?

    init(_ workflow: Workflow) {
        self.workflow = workflow
        nodes = workflow.status.nodes
        var parent: [String: String] = [:]
        parent.reserveCapacity(nodes.count)
        for node in nodes.values {
            for child in node.children where parent[child] == nil { parent[child] = node.id }
        }
        self.parent = parent
        root = nodes[workflow.metadata.name] ?? nodes.values.first { parent[$0.id] == nil && $0.type != .pod }
    }

    /// The node's ancestors, nearest first.
    func ancestors(of id: String) -> [NodeStatus] {
        var out: [NodeStatus] = []
        var seen: Set<String> = [id]
        var current = parent[id]
        while let c = current, !seen.contains(c), let node = nodes[c] {
            out.append(node)
            seen.insert(c)
            current = parent[c]
        }
        return out
    }

    /// The nodes that contain this one: its boundary (the DAG or steps template it runs in) and a grouping parent
    /// (retry, step group, task group, DAG, steps). A task's parent in a DAG that is a pod is a dependency, not a
    /// container.
    func containers(of node: NodeStatus) -> [NodeStatus] {
        var out: [NodeStatus] = []
        if let b = node.boundaryID, b != node.id, let boundary = nodes[b] { out.append(boundary) }
        if let p = parent[node.id], let up = nodes[p], up.id != node.boundaryID,
            [NodeType.retry, .stepGroup, .taskGroup, .dag, .steps].contains(up.type)
        {
            out.append(up)
        }
        return out
    }

    /// The node's name without the workflow's name in front: `main.process(3:item-3)` rather than
    /// `etl-42.main.process(3:item-3)`; the display name for the root.
    func path(_ node: NodeStatus) -> String {
        let prefix = workflow.metadata.name
        if node.name.hasPrefix(prefix) {
            let rest = node.name.dropFirst(prefix.count).drop { $0 == "." }
            if !rest.isEmpty { return String(rest) }
        }
        return node.displayName ?? node.name
    }

    func seconds(_ node: NodeStatus, now: Date) -> Int? {
        guard let start = ArgoTime.parse(node.startedAt) else { return nil }
        let end = ArgoTime.parse(node.finishedAt) ?? now
        return max(0, Int(end.timeIntervalSince(start).rounded()))
    }

    /// True when the node runs as part of the exit handler or a lifecycle hook.
    func inExitHandler(_ node: NodeStatus) -> Bool {
        ([node] + ancestors(of: node.id)).contains {
            $0.name.hasSuffix(".onExit") || $0.displayName?.hasSuffix(".onExit") == true || $0.name.contains(".hooks.")
        }
    }
}

/// Nearest-rank percentile of sorted values.
func percentile(_ sorted: [Int], _ p: Double) -> Int? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
}
