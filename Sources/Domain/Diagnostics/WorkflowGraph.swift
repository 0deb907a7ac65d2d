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
        Self.graph(try await workflow(r), maxNodes: r.maxNodes, collapseAbove: r.collapseAbove, now: now())
    }

    /// The workflow a graph request draws, its arguments checked first.
    func workflow(_ r: GraphRequest) async throws -> Workflow {
        let problems = r.target.problems() + Self.limitProblems(r)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        return try await load(r.target).0
    }

    /// What is wrong with a graph request's limits (max_nodes, collapse_above).
    static func limitProblems(_ r: GraphRequest) -> [ArgumentProblem] {
        [rangeProblem("max_nodes", r.maxNodes, 5...500), rangeProblem("collapse_above", r.collapseAbove, 2...1000)]
            .compactMap { $0 }
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

    /// One line of the text tree: a box, how deep, and whether it was already printed under another parent.
    struct TreeLine: Equatable {
        var box: String
        var depth: Int
        var repeated: Bool
    }

    /// The boxes depth first, each printed under the parent it is drawn from (its first edge), in the order
    /// the edges were made; a box with more parents (a DAG task with several dependencies) is printed in full
    /// once and referred to under the others. No recursion per level: a 30,000-step chain stays flat.
    static func treeLines(boxIDs: [String], edges: [(String, String)]) -> [TreeLine] {
        var children: [String: [String]] = [:]
        var hasParent = Set<String>()
        for (parent, child) in edges {
            children[parent, default: []].append(child)
            hasParent.insert(child)
        }
        var lines: [TreeLine] = []
        var printed = Set<String>()
        // Roots first (boxes nobody points to), then anything a cycle left unreached.
        let starts = boxIDs.filter { !hasParent.contains($0) } + boxIDs
        for start in starts where !printed.contains(start) {
            var stack: [(String, Int)] = [(start, 0)]
            while let (box, depth) = stack.popLast() {
                if printed.contains(box) {
                    lines.append(TreeLine(box: box, depth: depth, repeated: true))
                    continue
                }
                printed.insert(box)
                lines.append(TreeLine(box: box, depth: depth, repeated: false))
                for child in (children[box] ?? []).reversed() { stack.append((child, depth + 1)) }
            }
        }
        return lines
    }

    /// The boxes and edges of a drawing, before it is written as Mermaid and as a text tree.
    struct Layout {
        struct Box {
            var id: String
            var label: String
            var phase: String
            var depth: Int
            /// The workflow nodes the box stands for (more than one for a collapsed fan-out).
            var nodes: [String]
        }
        var boxes: [Box]
        var edges: [(String, String)]
        var collapsed: Int
        var truncated: Bool
        var nodeCount: Int
    }

    static func graph(_ wf: Workflow, maxNodes: Int, collapseAbove: Int, now: Date) -> WorkflowGraph {
        let layout = Self.layout(wf, maxNodes: maxNodes, collapseAbove: collapseAbove, now: now)
        let boxes = layout.boxes
        let edges = layout.edges
        let truncated = layout.truncated
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
        let labels = Dictionary(boxes.map { ($0.id, "\(Self.mark($0.phase)) \($0.label)") }) { a, _ in a }
        let tree =
            Self.treeLines(boxIDs: boxes.map(\.id), edges: edges).map { line in
                String(repeating: "  ", count: line.depth)
                    + (line.repeated
                        ? "↳ \(labels[line.box] ?? line.box) (shown above)" : labels[line.box] ?? line.box)
            }
            + (truncated ? ["… more nodes not drawn (raise max_nodes)"] : [])
        return WorkflowGraph(
            namespace: wf.metadata.namespace ?? "", name: wf.metadata.name,
            phase: WorkflowShaping(now: now).phaseText(wf), mermaid: mermaid.joined(separator: "\n"),
            tree: tree.joined(separator: "\n"), nodeCount: layout.nodeCount, shown: boxes.count,
            collapsedFanOuts: layout.collapsed, truncated: truncated)
    }

    static func layout(_ wf: Workflow, maxNodes: Int, collapseAbove: Int, now: Date) -> Layout {
        let graph = NodeGraph(wf)
        typealias Box = Layout.Box
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

        // Breadth first from the root, then the other nodes no node lists as a child (the exit handler's
        // `<name>.onExit`, lifecycle hooks): each node drawn once, later parents get an edge to the same box.
        var queue: [(ids: [String], parentBox: String?, depth: Int)] = []
        if let root = graph.root { queue.append(([root.id], nil, 0)) }
        let otherRoots = graph.nodes.values.filter { graph.parent[$0.id] == nil && $0.id != graph.root?.id }
            .sorted { ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name) }
        for other in otherRoots { queue.append(([other.id], nil, 0)) }
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
                let members = (groups[key] ?? []).sorted {
                    ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name)
                }
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
                    let first = members.first.map { $0.displayName ?? $0.name } ?? ""
                    let last = members.last.map { $0.displayName ?? $0.name } ?? ""
                    let worst =
                        phases["Failed"] != nil || phases["Error"] != nil
                        ? "Failed"
                        : (phases["Running"] != nil
                            ? "Running" : (phases["Succeeded"] == members.count ? "Succeeded" : "Pending"))
                    boxes.append(
                        Box(
                            id: boxID, label: "\(first) … \(last): \(counts.joined(separator: ", "))", phase: worst,
                            depth: depth, nodes: members.map(\.id)))
                    for m in members { boxOf[m.id] = boxID }
                    if let parentBox { edges.append((parentBox, boxID)) }
                    // The failed members are worth a box of their own (a few).
                    for m in members.filter({ $0.phase?.isFailure == true }).prefix(3) where boxes.count < maxNodes {
                        let id = "n\(boxes.count)"
                        boxes.append(
                            Box(
                                id: id, label: label(m), phase: m.phase?.rawValue ?? "Failed", depth: depth + 1,
                                nodes: [m.id]))
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
                        boxes.append(
                            Box(
                                id: id, label: label(m), phase: m.phase?.rawValue ?? "Pending", depth: depth,
                                nodes: [m.id]))
                        boxOf[m.id] = id
                        if let parentBox { edges.append((parentBox, id)) }
                        if !m.children.isEmpty { queue.append((m.children, id, depth + 1)) }
                    }
                }
            }
        }

        return Layout(
            boxes: boxes, edges: edges, collapsed: collapsed, truncated: truncated, nodeCount: graph.nodes.count)
    }
}
