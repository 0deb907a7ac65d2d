import Domain
import Foundation

/// A workflow's drawing (`GraphDrawing`) as Graphviz DOT and as a standalone SVG, for pasting anywhere. Every name
/// from the cluster is written as text, never as markup: escaped for the format, without control characters, and
/// with bidirectional overrides shown as U+FFFD so a name cannot reorder what is drawn around it.
extension Render {
    /// Phase → fill and stroke, as the Mermaid chart colours them.
    static func colours(_ phase: String) -> (fill: String, stroke: String) {
        switch phase {
        case "Succeeded": ("#d4edda", "#28a745")
        case "Failed", "Error": ("#f8d7da", "#dc3545")
        case "Running": ("#d1ecf1", "#17a2b8")
        case "Skipped", "Omitted": ("#e2e3e5", "#adb5bd")
        default: ("#f8f9fa", "#6c757d")
        }
    }

    /// Text fit to show: control characters dropped (a newline becomes a space), bidirectional controls marked.
    static func visible(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09: out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F: continue
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    static func xml(_ text: String) -> String {
        var out = ""
        for character in visible(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func dotString(_ text: String) -> String {
        "\"" + visible(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    static func dot(_ d: GraphDrawing) -> String {
        var lines = [
            "digraph \(dotString("\(d.namespace)/\(d.name)")) {",
            "  graph [rankdir=TB, label=\(dotString("\(d.namespace)/\(d.name) (\(d.phase))")), labelloc=t];",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];",
        ]
        for box in d.boxes {
            let (fill, stroke) = colours(box.phase)
            var attributes = [
                "label=\(dotString(box.label))", "fillcolor=\"\(fill)\"", "color=\"\(stroke)\"",
            ]
            if box.critical { attributes.append("penwidth=3") }
            if box.rootCause { attributes.append("peripheries=2") }
            lines.append("  \(box.id) [\(attributes.joined(separator: ", "))];")
        }
        for edge in d.edges {
            lines.append("  \(edge.from) -> \(edge.to)\(edge.critical ? " [penwidth=3]" : "");")
        }
        if d.truncated { lines.append("  more [label=\"… more nodes not drawn (raise max_nodes)\", shape=plaintext];") }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    static func svg(_ d: GraphDrawing) -> String {
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(d.width)\" height=\"\(d.height)\" viewBox=\"0 0 \(d.width) \(d.height)\" font-family=\"sans-serif\" font-size=\"12\">",
            "<title>\(xml("\(d.namespace)/\(d.name) (\(d.phase))"))</title>",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6c757d\"/></marker></defs>",
        ]
        let byID = Dictionary(d.boxes.map { ($0.id, $0) }) { a, _ in a }
        for edge in d.edges {
            guard let a = byID[edge.from], let b = byID[edge.to] else { continue }
            let (x1, y1) = (a.x + a.width / 2, a.y + a.height)
            let (x2, y2) = (b.x + b.width / 2, b.y)
            out.append(
                "<line class=\"edge\(edge.critical ? " critical" : "")\" x1=\"\(x1)\" y1=\"\(y1)\" x2=\"\(x2)\" y2=\"\(y2)\" stroke=\"\(edge.critical ? "#d35400" : "#6c757d")\" stroke-width=\"\(edge.critical ? 3 : 1)\" marker-end=\"url(#arrow)\"/>"
            )
        }
        for box in d.boxes {
            let (fill, stroke) = colours(box.phase)
            var classes = ["node", "phase-\(box.phase.lowercased())"]
            if box.critical { classes.append("critical") }
            if box.rootCause { classes.append("root-cause") }
            if box.nodes > 1 { classes.append("collapsed") }
            out.append("<g class=\"\(classes.joined(separator: " "))\" data-box=\"\(box.id)\">")
            out.append("<title>\(xml(box.message ?? box.label))</title>")
            out.append(
                "<rect x=\"\(box.x)\" y=\"\(box.y)\" width=\"\(box.width)\" height=\"\(box.height)\" rx=\"6\" fill=\"\(fill)\" stroke=\"\(box.critical ? "#d35400" : stroke)\" stroke-width=\"\(box.critical || box.rootCause ? 3 : 1)\"\(box.rootCause ? " stroke-dasharray=\"6 3\"" : "")/>"
            )
            out.append(
                "<text x=\"\(box.x + 8)\" y=\"\(box.y + box.height / 2 + 4)\">\(xml((box.rootCause ? "⚠ " : "") + box.label))</text>"
            )
            out.append("</g>")
        }
        if d.truncated {
            out.append(
                "<text x=\"\(16)\" y=\"\(d.height - 4)\" fill=\"#6c757d\">… more nodes not drawn (raise max_nodes)</text>"
            )
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
