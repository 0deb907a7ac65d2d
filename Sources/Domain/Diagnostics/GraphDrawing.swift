import Foundation
import Ports

/// A workflow's collapsed graph laid out for drawing: each box at its place (layers top to bottom, boxes ordered to
/// keep edges short), coloured by phase, with the critical path and the root causes of a failure marked. The same
/// boxes as the Mermaid chart and the text tree (`WorkflowGraph`), so every picture of a run agrees; laid out here,
/// on the server, so that a workflow of 100,000 nodes arrives as a few hundred boxes.
public struct GraphDrawing: Sendable, Codable, Equatable {
    public struct Box: Sendable, Codable, Equatable {
        public var id: String
        /// The text the box shows (bounded), and the full name it stands for.
        public var label: String
        public var phase: String
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
        /// The layer (0 at the top).
        public var layer: Int
        /// How many workflow nodes the box stands for (more than one: a collapsed fan-out).
        public var nodes: Int
        /// The workflow node it draws, when it draws one: for details and its logs.
        public var nodeId: String?
        public var template: String?
        public var podName: String?
        public var startedAt: String?
        public var finishedAt: String?
        public var durationSeconds: Int?
        public var exitCode: String?
        public var message: String?
        /// On the critical path (the chain of steps the run's end waited for).
        public var critical: Bool
        /// A root cause of the failure (the first failing step, not a parent that failed because of it).
        public var rootCause: Bool
    }

    public struct Edge: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        public var critical: Bool
    }

    public var namespace: String
    public var name: String
    public var phase: String
    public var width: Int
    public var height: Int
    public var boxes: [Box]
    public var edges: [Edge]
    public var nodeCount: Int
    public var collapsedFanOuts: Int
    public var truncated: Bool

    /// Box size and spacing, in the drawing's units (pixels at scale 1).
    public static let boxWidth = 240
    public static let boxHeight = 40
    static let gapX = 24
    static let gapY = 56
    static let margin = 16
    /// The most characters a box's label shows; the full text is in `message`/details.
    public static let maxLabel = 34
}

extension Diagnostics {
    /// `render_workflow_graph` as a drawing (`format: layout`, the view's data; also the source of DOT and SVG).
    public func drawing(_ r: GraphRequest) async throws -> GraphDrawing {
        Self.drawing(try await workflow(r), maxNodes: r.maxNodes, collapseAbove: r.collapseAbove, now: now())
    }

    static func drawing(_ wf: Workflow, maxNodes: Int, collapseAbove: Int, now: Date) -> GraphDrawing {
        let layout = Self.layout(wf, maxNodes: maxNodes, collapseAbove: collapseAbove, now: now)
        let graph = NodeGraph(wf)
        let shaping = WorkflowShaping(now: now)
        let critical = Self.criticalNodeIDs(graph, now: now)
        let causes =
            graph.nodes.values.contains { $0.phase?.isFailure == true }
            ? Set(Self.analyze(wf, source: "live", maxCauses: 50, now: now).rootCauses.map(\.nodeId)) : []

        // Layers by depth; within a layer, boxes ordered by where their parents are (one sweep down), so edges
        // cross less than in the order the walk found them.
        var layers: [[Int]] = []
        for (index, box) in layout.boxes.enumerated() {
            let depth = max(0, min(box.depth, 10_000))
            while layers.count <= depth { layers.append([]) }
            layers[depth].append(index)
        }
        let indexOf = Dictionary(layout.boxes.enumerated().map { ($1.id, $0) }) { a, _ in a }
        var parents: [Int: [Int]] = [:]
        for (a, b) in layout.edges {
            if let from = indexOf[a], let to = indexOf[b] { parents[to, default: []].append(from) }
        }
        var position: [Int: Int] = [:]
        for (layerIndex, layer) in layers.enumerated() {
            var ordered = layer
            if layerIndex > 0 {
                let keyed = layer.enumerated().map { offset, box -> (Double, Int, Int) in
                    let placed = (parents[box] ?? []).compactMap { position[$0] }
                    let centre = placed.isEmpty ? Double(offset) : Double(placed.reduce(0, +)) / Double(placed.count)
                    return (centre, offset, box)
                }
                ordered = keyed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
            }
            for (slot, box) in ordered.enumerated() { position[box] = slot }
            layers[layerIndex] = ordered
        }
        let widest = layers.map(\.count).max() ?? 0
        let step = GraphDrawing.boxWidth + GraphDrawing.gapX
        var boxes: [GraphDrawing.Box] = []
        boxes.reserveCapacity(layout.boxes.count)
        var coordinates: [Int: (Int, Int, Int)] = [:]
        for (layerIndex, layer) in layers.enumerated() {
            // Each layer centred under the widest.
            let offset = (widest - layer.count) * step / 2
            for (slot, box) in layer.enumerated() {
                coordinates[box] = (
                    GraphDrawing.margin + offset + slot * step,
                    GraphDrawing.margin + layerIndex * (GraphDrawing.boxHeight + GraphDrawing.gapY), layerIndex
                )
            }
        }
        // A collapsed fan-out draws its failed members in boxes of their own: those carry the root-cause mark.
        let drawnAlone = Set(layout.boxes.filter { $0.nodes.count == 1 }.flatMap(\.nodes))
        var criticalBoxes = Set<String>()
        for (index, box) in layout.boxes.enumerated() {
            let (x, y, layer) = coordinates[index] ?? (GraphDrawing.margin, GraphDrawing.margin, 0)
            let single = box.nodes.count == 1 ? box.nodes.first.flatMap { graph.nodes[$0] } : nil
            let isCritical = box.nodes.contains { critical.contains($0) }
            if isCritical { criticalBoxes.insert(box.id) }
            boxes.append(
                GraphDrawing.Box(
                    id: box.id, label: Text.trim(box.label, to: GraphDrawing.maxLabel).0 ?? "", phase: box.phase,
                    x: x, y: y, width: GraphDrawing.boxWidth, height: GraphDrawing.boxHeight, layer: layer,
                    nodes: box.nodes.count, nodeId: single?.id, template: single?.templateName,
                    podName: single.flatMap { WorkflowShaping.runsInPod($0) ? PodNames.podName(for: $0, in: wf) : nil },
                    startedAt: single?.startedAt, finishedAt: single?.finishedAt,
                    durationSeconds: single.flatMap { graph.seconds($0, now: now) },
                    exitCode: single?.exitCode,
                    message: Text.trim(single?.message, to: 500).0
                        ?? (box.nodes.count > 1 ? box.label : nil),
                    critical: isCritical,
                    rootCause: box.nodes.contains {
                        causes.contains($0) && (box.nodes.count == 1 || !drawnAlone.contains($0))
                    }))
        }
        let edges = layout.edges.map { a, b in
            GraphDrawing.Edge(from: a, to: b, critical: criticalBoxes.contains(a) && criticalBoxes.contains(b))
        }
        let width = GraphDrawing.margin * 2 + max(1, widest) * step - GraphDrawing.gapX
        let height =
            GraphDrawing.margin * 2 + max(1, layers.count) * (GraphDrawing.boxHeight + GraphDrawing.gapY)
            - GraphDrawing.gapY
        return GraphDrawing(
            namespace: wf.metadata.namespace ?? "", name: wf.metadata.name, phase: shaping.phaseText(wf),
            width: width, height: height, boxes: boxes, edges: edges, nodeCount: layout.nodeCount,
            collapsedFanOuts: layout.collapsed, truncated: layout.truncated)
    }
}
