import Domain
import Foundation

extension Render {
    /// The triage report: the groups, then each analyzed run on one line.
    static func triage(_ r: FailureTriage.Report) -> String {
        var lines = [
            "\(r.failedRuns) failed run(s) in \(r.namespace) since \(r.since)"
                + (r.notAnalyzed > 0 ? " (\(r.analyzed.count) analyzed, \(r.notAnalyzed) more not analyzed)" : "") + "."
        ]
        if r.failedRuns == 0 { return lines[0] + " Nothing to triage." }
        lines.append("")
        lines.append("Groups (same cause in the same template), largest first:")
        for g in r.groups {
            let shown = g.runs.prefix(5).joined(separator: ", ") + (g.runs.count > 5 ? ", …" : "")
            lines.append(
                "- \(g.category)\(g.template.map { " in template \($0)" } ?? ""): \(g.runs.count) run(s) (\(shown))"
                    + (g.example.map { " — e.g. \($0)" } ?? ""))
        }
        lines.append("")
        lines.append("Runs, newest first:")
        for run in r.analyzed {
            lines.append(
                "- \(run.name)  started \(run.startedAt ?? "-")  \(run.category)"
                    + (run.node.map { " at \($0)" } ?? "") + (run.message.map { ": \($0)" } ?? ""))
        }
        lines += r.notes.map { "Note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func failure(_ a: FailureAnalysis) -> String {
        var lines = [
            "\(a.namespace)/\(a.name): \(a.phase)\(a.source == "archive" ? " (from the archive)" : "")"
                + (a.message.map { " — \($0)" } ?? ""),
            "\(a.rootCauseCount) root cause(s) among \(a.failedNodeCount) failed node(s) of \(a.nodeCount)",
        ]
        for (i, c) in a.rootCauses.enumerated() {
            var head = "\(i + 1). \(c.path) [\(c.category)]"
            if let t = c.template { head += " template \(t)" }
            if let code = c.exitCode { head += ", exit \(code)" }
            if let attempts = c.attempts {
                head += ", \(attempts) attempt(s)\(c.retriesExhausted == true ? ", retries exhausted" : "")"
            }
            if let d = c.durationSeconds { head += ", ran \(Text.duration(d) ?? "?")" }
            if c.inExitHandler == true { head += ", in the exit handler" }
            lines.append(head)
            lines.append("   \(c.explanation)")
            if let m = c.message { lines.append("   message: \(m)") }
            if let pod = c.podName { lines.append("   pod: \(pod)") }
            if let excerpt = c.logExcerpt {
                lines.append("   log:")
                lines += excerpt.map { "   | \($0)" }
            } else if let note = c.logNote {
                lines.append("   log: \(note)")
            }
        }
        for g in a.moreCauses {
            lines.append("+ \(g.count) more [\(g.category)] in template \(g.template), e.g. \(g.example)")
        }
        if !a.nextSteps.isEmpty {
            lines.append("next steps:")
            lines += a.nextSteps.map { "- \($0)" }
        }
        lines += a.notes.map { "note: \($0)" }
        if let e = a.explanation { lines.append("explanation: \(e)") }
        return lines.joined(separator: "\n")
    }

    static func metrics(_ m: WorkflowMetrics) -> String {
        var lines = [
            "\(m.namespace)/\(m.name): \(m.phase), wall \(Text.duration(m.wallSeconds) ?? "?"), queued \(Text.duration(m.queueSeconds) ?? "?"), first pod after \(Text.duration(m.firstPodDelaySeconds) ?? "?")",
            "\(m.podCount) pod(s) of \(m.nodeCount) node(s); at most \(m.maxParallelPods) in parallel",
        ]
        if !m.criticalPath.isEmpty {
            lines.append(
                "critical path (\(m.criticalPathLength) step(s), \(Text.duration(m.criticalPathSeconds) ?? "?"))"
                    + (m.criticalPathLength > m.criticalPath.count ? ", last \(m.criticalPath.count):" : ":"))
            lines += m.criticalPath.map {
                "  \($0.path) \(Text.duration($0.durationSeconds) ?? "?")"
                    + ($0.waitSeconds.map { $0 > 0 ? " (waited \(Text.duration($0) ?? ""))" : "" } ?? "")
            }
        }
        lines.append("templates (by total time):")
        lines += m.templates.prefix(10).map {
            "  \($0.template): \($0.count)×, p50 \(Text.duration($0.p50Seconds) ?? "?"), p95 \(Text.duration($0.p95Seconds) ?? "?"), max \(Text.duration($0.maxSeconds) ?? "?")"
                + ($0.failed > 0 ? ", \($0.failed) failed" : "")
        }
        if m.retryNodes > 0 {
            lines.append(
                "retries: \(m.retryNodes) step(s) under retry, \(m.extraAttempts) extra attempt(s), \(m.retriesRecovered) recovered, \(m.retriesExhausted) exhausted"
            )
        }
        if !m.resourcesDuration.isEmpty {
            lines.append(
                "resourcesDuration: "
                    + m.resourcesDuration.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "))
        }
        if !m.topConsumers.isEmpty {
            lines.append(
                "top consumers: "
                    + m.topConsumers.map { "\($0.path) (cpu \($0.resourcesDuration["cpu"] ?? 0))" }.joined(
                        separator: ", "))
        }
        lines += m.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func comparison(_ c: WorkflowComparison) -> String {
        var lines = [
            "base \(c.base.context.map { "[\($0)] " } ?? "")\(c.base.namespace)/\(c.base.name) (\(c.base.phase), \(Text.duration(c.base.durationSeconds) ?? "?")) vs \(c.other.context.map { "[\($0)] " } ?? "")\(c.other.namespace)/\(c.other.name) (\(c.other.phase), \(Text.duration(c.other.durationSeconds) ?? "?"))"
        ]
        lines += c.headline.map { "* \($0)" }
        if !c.steps.isEmpty {
            lines.append("steps (\(c.stepChangeTotal) changed):")
            lines += c.steps.prefix(10).map {
                "  \($0.change): \($0.path) \($0.phaseBefore ?? "–")/\(Text.duration($0.secondsBefore) ?? "–") → \($0.phaseAfter ?? "–")/\(Text.duration($0.secondsAfter) ?? "–")"
                    + ($0.messageAfter.map { " — \($0)" } ?? "")
            }
        }
        if !c.specChanges.isEmpty {
            lines.append("spec:")
            lines += diff(Array(c.specChanges.prefix(10)), total: c.specChangeTotal).map { "  \($0)" }
        }
        lines += c.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func graph(_ g: WorkflowGraph) -> String {
        var lines = [
            "\(g.namespace)/\(g.name): \(g.phase), \(g.nodeCount) node(s) drawn as \(g.shown) box(es)"
                + (g.collapsedFanOuts > 0 ? ", \(g.collapsedFanOuts) fan-out(s) collapsed" : "")
                + (g.truncated ? ", cut at max_nodes" : "")
        ]
        if !g.mermaid.isEmpty { lines += ["```mermaid", g.mermaid, "```"] }
        if !g.tree.isEmpty { lines.append(g.tree) }
        return lines.joined(separator: "\n")
    }
}
