import ArgoSimulator
import ArgoWire
import Foundation
import Ports
import Testing

@testable import Domain

/// `render_workflow_graph`'s text tree against the node graph it draws: every box under a real parent.
@Suite("Workflow graph: the text tree follows the node graph")
struct GraphTreeTests {
    static let now = Date(timeIntervalSince1970: 1_795_600_800)

    /// The order the tree used to be printed in: level by level (breadth first), each box at its level.
    static func levelByLevel(_ layout: Diagnostics.Layout) -> [Diagnostics.TreeLine] {
        layout.boxes.map { Diagnostics.TreeLine(box: $0.id, depth: $0.depth, repeated: false) }
    }

    /// Checks the tree of `wf` drawn with these limits; returns a description of the first fault, nil when sound.
    static func fault(
        in wf: Workflow, maxNodes: Int, collapseAbove: Int,
        order: (Diagnostics.Layout) -> [Diagnostics.TreeLine] = {
            Diagnostics.treeLines(boxIDs: $0.boxes.map(\.id), edges: $0.edges)
        }
    ) -> String? {
        let layout = Diagnostics.layout(wf, maxNodes: maxNodes, collapseAbove: collapseAbove, now: now)
        let lines = order(layout)
        // The text the tool returns is these lines.
        let text = Diagnostics.graph(wf, maxNodes: maxNodes, collapseAbove: collapseAbove, now: now).tree
        let rendered = text.split(separator: "\n").filter { !$0.hasPrefix("…") }
        if rendered.map({ $0.prefix { $0 == " " }.count / 2 })
            != Diagnostics.treeLines(
                boxIDs: layout.boxes.map(\.id), edges: layout.edges
            ).map(\.depth)
        {
            return "the text tree is not the checked order"
        }
        let edges = Set(layout.edges.map { "\($0.0)>\($0.1)" })
        let nodesOf = Dictionary(layout.boxes.map { ($0.id, $0.nodes) }) { a, _ in a }
        let children = wf.status.nodes.mapValues { Set($0.children) }
        // Every edge stands for a parent-child pair of nodes (or a collapsed fan-out and one of its members).
        for (a, b) in layout.edges {
            let from = nodesOf[a] ?? []
            let to = Set(nodesOf[b] ?? [])
            let real = from.contains { !(children[$0] ?? []).isDisjoint(with: to) }
            let member = to.isSubset(of: Set(from))
            if !real && !member { return "edge \(a) → \(b) joins nodes that are not parent and child" }
        }
        // Every box printed in full exactly once; every line under a parent it has an edge from.
        var full: [String: Int] = [:]
        var path: [String] = []
        for line in lines {
            if !line.repeated { full[line.box, default: 0] += 1 }
            guard line.depth <= path.count else { return "line for \(line.box) skips a level" }
            path.removeLast(path.count - line.depth)
            if let parent = path.last, !edges.contains("\(parent)>\(line.box)") {
                return "\(line.box) is printed under \(parent), which is not one of its parents"
            }
            if line.depth == 0, layout.edges.contains(where: { $0.1 == line.box }), !line.repeated {
                // A root line for a box that has parents is allowed only when a cycle left it unreached.
                let reachable = lines.contains { $0.box == line.box && $0.depth > 0 }
                if reachable { return "\(line.box) is printed as a root although it has parents" }
            }
            if !line.repeated { path.append(line.box) } else { path.append("↳") }
        }
        for box in layout.boxes where full[box.id] != 1 {
            return "box \(box.id) is printed in full \(full[box.id] ?? 0) times"
        }
        return nil
    }

    @Test("every fixture: each child under its real parent, each box once")
    func fixtures() throws {
        let files = Fixtures.workflowFiles
        #expect(files.count >= 10)
        for file in files {
            let wf = try Fixtures.workflow(file)
            for (maxNodes, collapse) in [(500, 1000), (60, 5), (20, 2)] {
                #expect(
                    Self.fault(in: wf, maxNodes: maxNodes, collapseAbove: collapse) == nil,
                    "\(file) \(maxNodes)/\(collapse)")
            }
        }
    }

    @Test("the checker catches the old level-by-level printing")
    func checkerIsSensitive() throws {
        let faults = try Fixtures.workflowFiles.compactMap { file in
            Self.fault(in: try Fixtures.workflow(file), maxNodes: 500, collapseAbove: 1000, order: Self.levelByLevel)
        }
        #expect(!faults.isEmpty, "some fixture has a child printed under another parent when printed level by level")
    }

    @Test(
        "generated workflows of every shape and size",
        arguments: [WorkflowGenerator.Shape.dag, .steps], [12, 80, 400])
    func generated(shape: WorkflowGenerator.Shape, nodes: Int) throws {
        for seed in UInt64(1)...5 {
            let generator = WorkflowGenerator(
                name: "g\(seed)", nodeCount: nodes, shape: shape, failureRate: 0.1, runningRate: 0.05, depth: 3,
                seed: seed)
            let wf = try Workflow.decode(from: generator.generate().encoded())
            for (maxNodes, collapse) in [(500, 1000), (60, 5), (30, 3)] {
                #expect(
                    Self.fault(in: wf, maxNodes: maxNodes, collapseAbove: collapse) == nil,
                    "\(shape) \(nodes) seed \(seed) \(maxNodes)/\(collapse)")
            }
        }
    }

    @Test("the bug: a child listed after its parent's siblings is still printed under its parent")
    func childUnderItsParent() throws {
        // root → a, b; a → a1; b → b1. Level-by-level printing put a1 and b1 after b, so a1 read as b's child.
        let lines = Diagnostics.treeLines(
            boxIDs: ["root", "a", "b", "a1", "b1"], edges: [("root", "a"), ("root", "b"), ("a", "a1"), ("b", "b1")])
        #expect(
            lines.map { "\(String(repeating: " ", count: $0.depth))\($0.box)" } == ["root", " a", "  a1", " b", "  b1"])
        // A task with two dependencies is printed once, and referred to under its second parent.
        let diamond = Diagnostics.treeLines(
            boxIDs: ["r", "x", "y", "z"], edges: [("r", "x"), ("r", "y"), ("x", "z"), ("y", "z")])
        #expect(diamond.filter { $0.box == "z" }.map(\.repeated) == [false, true])
    }
}
