import Domain
import Foundation

extension Render {
    static func list(_ r: WorkflowListResult) -> String {
        if r.items.isEmpty {
            return r.hasMore
                ? "No workflows of this page in \(r.namespace) match; more rows follow: continue=\(r.continue ?? "")"
                : "No workflows in \(r.namespace) match."
        }
        var lines = [
            "\(r.count) workflow(s) in \(r.namespace)\(r.hasMore ? " (more: continue=\(r.continue ?? ""))" : ""):"
        ]
        for w in r.items {
            var line = "- \(w.namespace)/\(w.name)  \(w.phase)"
            if let p = w.progress { line += "  \(p)" }
            if let s = w.startedAt { line += "  started \(s)" }
            if let d = w.duration { line += "  \(d)" }
            if w.suspended == true { line += "  suspended" }
            if w.archived == true { line += "  (archived)" }
            if let m = w.message, !m.isEmpty { line += "  — \(m)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    static func node(_ n: NodeRow) -> String {
        var line = "  - \(n.name) [\(n.type)\(n.template.map { ", template \($0)" } ?? "")] \(n.phase)"
        if let code = n.exitCode { line += " exit \(code)" }
        if let m = n.message, !m.isEmpty { line += ": \(m)" }
        if let pod = n.podName { line += " (pod \(pod))" }
        if n.recovered == true { line += " — retried successfully" }
        return line
    }

    static func summary(_ s: WorkflowSummary) -> String {
        var lines = [
            "\(s.namespace)/\(s.name): \(s.phase)\(s.progress.map { ", progress \($0)" } ?? "")\(s.duration.map { ", \($0)" } ?? "")"
        ]
        var times: [String] = []
        if let v = s.startedAt { times.append("started \(v)") }
        if let v = s.finishedAt { times.append("finished \(v)") }
        if !times.isEmpty { lines.append(times.joined(separator: ", ")) }
        if let m = s.message, !m.isEmpty { lines.append("message: \(m)") }
        if s.archived == true {
            lines.append(
                "this is the workflow archive's copy: the live object is gone (Argo answers with the archived workflow)"
            )
        }
        var origin: [String] = []
        if let e = s.entrypoint { origin.append("entrypoint \(e)") }
        if let t = s.workflowTemplate { origin.append("template \(t)") }
        if let c = s.cronWorkflow { origin.append("cron \(c)") }
        if s.suspended == true { origin.append("suspended") }
        if !origin.isEmpty { lines.append(origin.joined(separator: ", ")) }
        if !s.parameters.isEmpty {
            lines.append("parameters: " + s.parameters.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: ", "))
        }
        let phases = s.nodesByPhase.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        lines.append("nodes: \(s.nodeCount)\(phases.isEmpty ? "" : " (\(phases))")")
        if s.failedNodeCount > 0 {
            lines.append("failed nodes (\(s.failedNodes.count) of \(s.failedNodeCount), leaves first):")
            lines.append(contentsOf: s.failedNodes.map(node))
        }
        if s.runningNodeCount > 0 {
            lines.append("running nodes (\(s.runningNodes.count) of \(s.runningNodeCount)):")
            lines.append(contentsOf: s.runningNodes.map(node))
        }
        if s.truncated { lines.append("(truncated: include='nodes' pages through every node)") }
        return lines.joined(separator: "\n")
    }

    static func nodes(_ p: NodeTreePage) -> String {
        var lines = [
            "\(p.namespace)/\(p.name) (\(p.phase)): nodes \(p.offset + 1)–\(p.offset + p.nodes.count) of \(p.nodeCount)"
        ]
        for n in p.nodes {
            var line = String(repeating: "  ", count: min(n.depth, 12)) + "- \(n.name) [\(n.type)] \(n.phase)"
            if let code = n.exitCode { line += " exit \(code)" }
            if let m = n.message, !m.isEmpty { line += ": \(m)" }
            lines.append(line)
        }
        if let next = p.continue { lines.append("(truncated: continue=\(next) for the next page)") }
        return lines.joined(separator: "\n")
    }

    static func jsonPage(_ p: JSONTextPage) -> String {
        var out =
            "\(p.namespace)/\(p.name) \(p.section): bytes \(p.offset)–\(p.offset + p.text.utf8.count) of \(p.totalBytes)\n\(p.text)"
        if let next = p.continue { out += "\n(truncated: continue=\(next) for the next page)" }
        return out
    }

    static func logs(_ l: WorkflowLogs) -> String {
        var lines = [
            "logs of \(l.namespace)/\(l.name)\(l.node.map { " node \($0)" } ?? "") container \(l.container)\(l.stream.map { " (\($0) only)" } ?? ""): \(l.lineCount) line(s) from \(l.pods.count) pod(s)"
        ]
        if l.droppedLines > 0 {
            lines.append("(truncated: \(l.droppedLines) older line(s) dropped to stay within max_bytes)")
        }
        if let n = l.omittedPods {
            lines.append("(truncated: \(n) more pod(s) under this node not read; ask for them by node)")
        }
        for pod in l.pods {
            lines.append("== \(pod.podName)\(pod.node.map { " (\($0))" } ?? "")")
            lines.append(contentsOf: pod.lines)
        }
        if let e = l.streamError { lines.append("(stream broke: \(e))") }
        if let n = l.note { lines.append("note: \(n)") }
        return lines.joined(separator: "\n")
    }
}
