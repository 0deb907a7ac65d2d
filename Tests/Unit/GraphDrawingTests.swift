import ArgoSimulator
import ArgoWire
import Foundation
import Ports
import Testing

@testable import Domain
@testable import MCPServer

/// The laid-out drawing (`format: layout`), DOT and SVG: the same boxes as the text graph, placed without overlap,
/// with the critical path and root causes marked, and names from the cluster written as text only.
@Suite("Graph drawing: layout, DOT and SVG")
struct GraphDrawingTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("every fixture: the text graph's boxes, each placed once, none overlapping, edges between drawn boxes")
    func fixtures() throws {
        for file in Fixtures.workflowFiles {
            let wf = try Fixtures.workflow(file)
            let graph = Diagnostics.graph(wf, maxNodes: 60, collapseAbove: 5, now: Self.now)
            let d = Diagnostics.drawing(wf, maxNodes: 60, collapseAbove: 5, now: Self.now)
            #expect(d.boxes.count == graph.shown, "\(file)")
            #expect(d.collapsedFanOuts == graph.collapsedFanOuts && d.nodeCount == graph.nodeCount, "\(file)")
            let ids = Set(d.boxes.map(\.id))
            #expect(ids.count == d.boxes.count, "\(file)")
            #expect(d.edges.allSatisfy { ids.contains($0.from) && ids.contains($0.to) }, "\(file)")
            for (i, a) in d.boxes.enumerated() {
                #expect(a.x >= 0 && a.y >= 0 && a.x + a.width <= d.width && a.y + a.height <= d.height, "\(file)")
                for b in d.boxes[(i + 1)...] {
                    let apart =
                        a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y
                        || b.y + b.height <= a.y
                    #expect(apart, "\(file): \(a.id) and \(b.id) overlap")
                }
            }
        }
    }

    @Test("a failed run: its root causes (as analyze_failure finds them) and its critical path are marked")
    func marks() throws {
        let wf = try Fixtures.workflow("failed-nested-dag-with-suspend-17-nodes.yaml")
        let d = Diagnostics.drawing(wf, maxNodes: 60, collapseAbove: 5, now: Self.now)
        let causes = Set(Diagnostics.analyze(wf, source: "live", maxCauses: 50, now: Self.now).rootCauses.map(\.nodeId))
        #expect(!causes.isEmpty)
        #expect(Set(d.boxes.filter(\.rootCause).compactMap(\.nodeId)) == causes)
        // Critical boxes are pods of the run (a box stands for one pod there), and the last one is the pod that
        // finished last.
        let critical = d.boxes.filter(\.critical)
        #expect(!critical.isEmpty)
        let lastPod = wf.status.nodes.values.filter { $0.type == .pod && $0.finishedAt != nil }
            .max { ($0.finishedAt ?? "") < ($1.finishedAt ?? "") }
        #expect(critical.contains { $0.nodeId == lastPod?.id }, "\(critical.map(\.label))")
        let failed = d.boxes.filter { $0.rootCause }
        #expect(failed.allSatisfy { $0.phase == "Failed" || $0.phase == "Error" })
        #expect(failed.allSatisfy { $0.nodes == 1 }, "a cause drawn in its own box marks that box, not its fan-out")
    }

    @Test("100,000 nodes arrive as at most max_nodes boxes, the fan-out collapsed")
    func huge() throws {
        let generator = WorkflowGenerator(
            name: "huge-100k", namespace: "argo", nodeCount: 100_000, failureRate: 0.001, depth: 3)
        let wf = try Workflow.decode(from: generator.generate().encoded())
        let d = Diagnostics.drawing(wf, maxNodes: 200, collapseAbove: 5, now: Self.now)
        #expect(d.nodeCount > 99_000)
        #expect(d.boxes.count <= 200 && d.collapsedFanOuts > 0)
        #expect(d.boxes.contains { $0.nodes > 1_000 })
        #expect(try JSONEncoder().encode(d).count < 200_000)
    }

    @Test("hostile names are text in SVG and DOT: markup escaped, controls dropped, bidi overrides marked")
    func hostile() throws {
        let long = String(repeating: "ü", count: 150)  // 300 bytes
        let names = ["<script>alert(1)</script>", "a\"b' & <c>", "evil\u{202E}gnp.exe", long, "line\nbreak\u{7}"]
        var nodes: [String: JSONValue] = [:]
        var children: [JSONValue] = []
        for (i, name) in names.enumerated() {
            let id = "hostile-\(i)"
            children.append(.string(id))
            nodes[id] = .object([
                "id": .string(id), "name": .string("hostile.\(name)"), "displayName": .string(name), "type": "Pod",
                "templateName": .string("t\(i)"), "phase": .string(i == 0 ? "Failed" : "Succeeded"),
                "boundaryID": "hostile",
                "message": .string(name),
            ])
        }
        nodes["hostile"] = .object([
            "id": "hostile", "name": "hostile", "displayName": "hostile", "type": "DAG", "phase": "Failed",
            "children": .array(children),
        ])
        let object: JSONValue = .object([
            "metadata": .object(["name": "hostile", "namespace": "argo"]),
            "spec": .object(["entrypoint": "main"]),
            "status": .object(["phase": "Failed", "nodes": .object(nodes)]),
        ])
        let wf = try Workflow.decode(from: JSONEncoder().encode(object))
        let d = Diagnostics.drawing(wf, maxNodes: 60, collapseAbove: 50, now: Self.now)
        #expect(d.boxes.count == names.count + 1)
        let svg = Render.svg(d)
        #expect(!svg.contains("<script") && svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(svg.contains("a&quot;b&#39; &amp; &lt;c&gt;"))
        #expect(!svg.contains("\u{202E}") && svg.contains("evil\u{FFFD}gnp.exe"))
        #expect(!svg.contains("\u{7}"))
        // Only the elements the writer makes: every '<' opens one of them.
        let tags = Set(
            svg.split(separator: "<").dropFirst().map { String($0.prefix { $0.isLetter || $0 == "/" }) })
        #expect(
            tags.isSubset(of: [
                "svg", "/svg", "title", "/title", "defs", "/defs", "marker", "/marker", "path", "line", "g", "/g",
                "rect", "text", "/text",
            ]), "\(tags)")
        // A 300-byte name is cut in the box, whole in its details.
        #expect(d.boxes.allSatisfy { $0.label.count <= GraphDrawing.maxLabel })
        #expect(d.boxes.contains { $0.message == long })
        let dot = Render.dot(d)
        #expect(dot.contains(#"a\"b' & <c>"#) && !dot.contains("\u{202E}"))
        // Every quoted DOT string is closed: an even number of unescaped quotes on every line.
        for line in dot.split(separator: "\n") {
            let unescaped = line.replacingOccurrences(of: "\\\\", with: "").replacingOccurrences(of: "\\\"", with: "")
            #expect(unescaped.filter { $0 == "\"" }.count % 2 == 0, "\(line)")
        }
    }
}
