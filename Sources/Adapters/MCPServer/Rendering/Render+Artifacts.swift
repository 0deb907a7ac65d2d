import Domain
import Foundation

extension Render {
    static func artifacts(_ l: ArtifactList) -> String {
        var lines = [
            "artifacts of \(l.namespace)/\(l.name)\(l.archived ? " (from the workflow archive)" : ""): \(l.total) in all"
                + (l.truncated ? ", the first shown" : "")
        ]
        for n in l.nodes {
            lines.append("\(n.name) [\(n.phase)] id \(n.nodeID)")
            if n.artifacts.isEmpty { lines.append("  (no artifacts)") }
            for a in n.artifacts {
                var line = "  \(a.direction == "inputs" ? "in " : "out") \(a.name)"
                if let path = a.path { line += " \(path)" }
                line += " — \(a.repository)\(a.key.map { ":\($0)" } ?? ""), \(a.archive)"
                if let size = a.size { line += ", \(size) bytes" }
                if !a.servable { line += ", NOT servable" }
                if let note = a.note { line += " (\(note))" }
                lines.append(line)
            }
        }
        if l.total == 0 { lines.append("no node has artifacts") }
        return lines.joined(separator: "\n")
    }

    static func artifact(_ c: ArtifactContent) -> String {
        var head =
            "artifact \(c.artifact) (\(c.direction)) of \(c.namespace)/\(c.name) node \(c.nodeID) via \(c.route): \(c.packing)"
        if let file = c.file { head += ", file \(file)" }
        var lines = [head]
        if let files = c.files, c.packing != "plain" {
            lines.append("files: \(files.joined(separator: ", "))\(c.truncated && c.text == nil ? ", …" : "")")
        }
        if let note = c.note { lines.append(note) }
        if let text = c.text {
            lines.append(
                "--- \(c.bytesShown) bytes\(c.truncated ? " (truncated: more follows; raise max_bytes to see more)" : "") ---"
            )
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }
}
