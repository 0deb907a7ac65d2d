import Foundation
import Ports

public struct WorkflowGraph: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var phase: String
    /// A Mermaid flowchart, nodes classed by phase.
    public var mermaid: String
    /// The same structure as an indented text tree with phase marks.
    public var tree: String
    public var nodeCount: Int
    /// Boxes drawn (a collapsed fan-out is one box).
    public var shown: Int
    public var collapsedFanOuts: Int
    /// True when `max_nodes` stopped the drawing before the end.
    public var truncated: Bool
}

extension Diagnostics {
    public struct GraphRequest: Sendable {
        public var target: Target
        public var maxNodes: Int
        /// Siblings of one template beyond this many are drawn as one box.
        public var collapseAbove: Int

        public init(target: Target, maxNodes: Int = 60, collapseAbove: Int = 5) {
            self.target = target
            self.maxNodes = maxNodes
            self.collapseAbove = collapseAbove
        }
    }

    public func graph(_ r: GraphRequest) async throws -> WorkflowGraph {
        var problems = r.target.problems()
        if let p = rangeProblem("max_nodes", r.maxNodes, 5...500) { problems.append(p) }
        if let p = rangeProblem("collapse_above", r.collapseAbove, 2...1000) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let (wf, _) = try await load(r.target)
        return Self.graph(wf, maxNodes: r.maxNodes, collapseAbove: r.collapseAbove, now: now())
    }

    static func mark(_ phase: String) -> String {
        switch phase {
        case "Succeeded": "✓"
        case "Failed", "Error": "✗"
        case "Running": "▶"
        case "Skipped", "Omitted": "⊘"
        default: "○"
        }
    }

    static func graph(_ wf: Workflow, maxNodes: Int, collapseAbove: Int, now: Date) -> WorkflowGraph {
        let graph = NodeGraph(wf)
        struct Box {
            var id: String
            var label: String
            var phase: String
            var depth: Int
        }
        var boxes: [Box] = []
        var edges: [(String, String)] = []
        var edgeSet = Set<String>()
        var boxOf: [String: String] = [:]  // node id → box id
        var collapsed = 0
        var truncated = false

        func label(_ n: NodeStatus) -> String {
            var text = n.displayName ?? n.name
            if let t = n.templateName, t != text { text += " (\(t))" }
            if let s = graph.seconds(n, now: now), WorkflowShaping.runsInPod(n) { text += " \(Text.duration(s) ?? "")" }
            return text
        }

        // Breadth first from the root; each node drawn once, later parents get an edge to the same box.
        var queue: [(ids: [String], parentBox: String?, depth: Int)] = []
        if let root = graph.root { queue.append(([root.id], nil, 0)) }
        var head = 0
        while head < queue.count {
            let (ids, parentBox, depth) = queue[head]
            head += 1
            var fresh: [NodeStatus] = []
            for id in ids {
                if let existing = boxOf[id] {
                    if let parentBox, parentBox != existing, edgeSet.insert("\(parentBox)>\(existing)").inserted {
                        edges.append((parentBox, existing))
                    }
                } else if let node = graph.nodes[id] {
                    fresh.append(node)
                }
            }
            // Siblings grouped by template; a large group is one box.
            var groups: [String: [NodeStatus]] = [:]
            var order: [String] = []
            for n in fresh {
                let key = "\(n.templateName ?? n.templateRef?.template ?? n.type.rawValue)|\(n.type.rawValue)"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(n)
            }
            for key in order {
                let members = (groups[key] ?? []).sorted { ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name) }
                if boxes.count >= maxNodes {
                    truncated = true
                    continue
                }
                let boxID = "n\(boxes.count)"
                if members.count > collapseAbove {
                    collapsed += 1
                    var phases: [String: Int] = [:]
                    for m in members { phases[m.phase?.rawValue ?? "Pending", default: 0] += 1 }
                    let counts = phases.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }
                    let first = members.first!.displayName ?? members.first!.name
                    let last = members.last!.displayName ?? members.last!.name
                    let worst =
                        phases["Failed"] != nil || phases["Error"] != nil
                        ? "Failed"
                        : (phases["Running"] != nil
                            ? "Running" : (phases["Succeeded"] == members.count ? "Succeeded" : "Pending"))
                    boxes.append(
                        Box(
                            id: boxID, label: "\(first) … \(last): \(counts.joined(separator: ", "))", phase: worst,
                            depth: depth))
                    for m in members { boxOf[m.id] = boxID }
                    if let parentBox { edges.append((parentBox, boxID)) }
                    // The failed members are worth a box of their own (a few).
                    for m in members.filter({ $0.phase?.isFailure == true }).prefix(3) where boxes.count < maxNodes {
                        let id = "n\(boxes.count)"
                        boxes.append(
                            Box(id: id, label: label(m), phase: m.phase?.rawValue ?? "Failed", depth: depth + 1))
                        edges.append((boxID, id))
                    }
                    var next: [String] = []
                    var seen = Set<String>()
                    for m in members { for c in m.children where seen.insert(c).inserted { next.append(c) } }
                    if !next.isEmpty { queue.append((next, boxID, depth + 1)) }
                } else {
                    for m in members {
                        guard boxes.count < maxNodes else {
                            truncated = true
                            break
                        }
                        let id = "n\(boxes.count)"
                        boxes.append(Box(id: id, label: label(m), phase: m.phase?.rawValue ?? "Pending", depth: depth))
                        boxOf[m.id] = id
                        if let parentBox { edges.append((parentBox, id)) }
                        if !m.children.isEmpty { queue.append((m.children, id, depth + 1)) }
                    }
                }
            }
        }

        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\"", with: "#quot;").replacingOccurrences(of: "\n", with: " ")
        }
        func cls(_ phase: String) -> String {
            switch phase {
            case "Succeeded": "succeeded"
            case "Failed", "Error": "failed"
            case "Running": "running"
            case "Skipped", "Omitted": "skipped"
            default: "pending"
            }
        }
        var mermaid = ["flowchart TD"]
        for b in boxes { mermaid.append("  \(b.id)[\"\(Self.mark(b.phase)) \(escape(b.label))\"]:::\(cls(b.phase))") }
        for (a, b) in edges { mermaid.append("  \(a) --> \(b)") }
        if truncated { mermaid.append("  more[\"… more nodes not drawn (raise max_nodes)\"]") }
        mermaid += [
            "  classDef succeeded fill:#d4edda,stroke:#28a745", "  classDef failed fill:#f8d7da,stroke:#dc3545",
            "  classDef running fill:#d1ecf1,stroke:#17a2b8", "  classDef pending fill:#f8f9fa,stroke:#6c757d",
            "  classDef skipped fill:#e2e3e5,stroke:#adb5bd",
        ]
        let tree =
            boxes.map { String(repeating: "  ", count: $0.depth) + "\(Self.mark($0.phase)) \($0.label)" }
            + (truncated ? ["… more nodes not drawn (raise max_nodes)"] : [])
        return WorkflowGraph(
            namespace: wf.metadata.namespace ?? "", name: wf.metadata.name,
            phase: WorkflowShaping(now: now).phaseText(wf), mermaid: mermaid.joined(separator: "\n"),
            tree: tree.joined(separator: "\n"), nodeCount: graph.nodes.count, shown: boxes.count,
            collapsedFanOuts: collapsed, truncated: truncated)
    }
}
