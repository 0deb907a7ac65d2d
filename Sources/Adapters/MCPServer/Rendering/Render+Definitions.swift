import Domain
import Foundation

/// Short text renderings of tool results, for hosts that show only text.
extension Render {
    static func cronList(_ r: CronWorkflowList) -> String {
        if r.items.isEmpty { return "No cron workflows in \(r.namespace) match." }
        var lines = [
            "\(r.count) cron workflow(s) in \(r.namespace)\(r.hasMore ? " (more: continue=\(r.continue ?? ""))" : ""):"
        ]
        for c in r.items {
            var line =
                "- \(c.namespace)/\(c.name)  \(c.schedules.joined(separator: " | "))\(c.timezone.map { " \($0)" } ?? "")"
            line += c.suspended ? "  suspended" : (c.nextRun.map { "  next \($0)" } ?? "")
            if let last = c.lastScheduledTime { line += "  last \(last)" }
            if c.activeRuns > 0 { line += "  active \(c.activeRuns)" }
            if let p = c.problem { line += "  ⚠ \(p)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    static func cron(_ c: CronWorkflowDetail) -> String {
        var lines = [
            "\(c.namespace)/\(c.name): \(c.suspended ? "suspended" : "active"), schedules \(c.schedules.joined(separator: " | ")) in \(c.timezone)\(c.timezoneAssumed ? " (assumed)" : "")\(c.resourceVersion.map { ", resourceVersion \($0)" } ?? "")"
        ]
        lines.append(
            "concurrency \(c.concurrencyPolicy)\(c.startingDeadlineSeconds.map { ", starting deadline \($0)s" } ?? "")")
        if let last = c.lastScheduledTime { lines.append("last scheduled \(last)") }
        if !c.activeRuns.isEmpty { lines.append("active runs: \(c.activeRuns.joined(separator: ", "))") }
        if c.succeeded != nil || c.failed != nil {
            lines.append("succeeded \(c.succeeded ?? 0), failed \(c.failed ?? 0)")
        }
        if !c.nextRuns.isEmpty { lines.append("next runs: \(c.nextRuns.joined(separator: ", "))") }
        if let ifResumed = c.nextRunsIfResumed {
            lines.append(
                "suspended: no run starts until toggle_cron_suspension resumes it"
                    + (ifResumed.isEmpty ? "" : "; resumed now, it would run at \(ifResumed.joined(separator: ", "))"))
        }
        for e in c.scheduleErrors { lines.append("⚠ \(e)") }
        for cond in c.conditions {
            lines.append("condition \(cond.type)=\(cond.status ?? "?")\(cond.message.map { ": \($0)" } ?? "")")
        }
        if let e = c.entrypoint { lines.append("entrypoint \(e)") }
        if let t = c.workflowTemplate { lines.append("template \(t)") }
        if !c.parameters.isEmpty {
            lines.append("parameters: " + c.parameters.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    static func cronHistory(_ h: CronHistory) -> String {
        if h.runs.isEmpty { return "\(h.namespace)/\(h.cronWorkflow) has no runs that still exist." }
        var lines = [
            "\(h.count) run(s) of \(h.namespace)/\(h.cronWorkflow)\(h.hasMore ? " (more: continue=\(h.continue ?? ""))" : ""):"
        ]
        for r in h.runs {
            var line = "- \(r.name)  \(r.phase)"
            if let s = r.scheduledTime { line += "  scheduled \(s)" }
            if let d = r.duration { line += "  \(d)" }
            if r.archived == true { line += "  (archived)" }
            if let m = r.message, !m.isEmpty { line += "  — \(m)" }
            lines.append(line)
        }
        if let note = h.note { lines.append("(\(note))") }
        return lines.joined(separator: "\n")
    }

    static func templateList(_ r: TemplateList) -> String {
        let place = r.scope == "cluster" ? "the cluster" : (r.namespace ?? "*")
        if r.items.isEmpty { return "No workflow templates in \(place)." }
        var lines = ["\(r.count) template(s) in \(place)\(r.hasMore ? " (more: continue=\(r.continue ?? ""))" : ""):"]
        for t in r.items {
            var line = "- \(t.namespace.map { "\($0)/" } ?? "")\(t.name)  \(t.templateCount) template(s)"
            if let e = t.entrypoint { line += ", entrypoint \(e)" }
            if !t.parameters.isEmpty { line += ", parameters \(t.parameters.joined(separator: ", "))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    static func template(_ t: TemplateDetail) -> String {
        var lines = [
            "\(t.namespace.map { "\($0)/" } ?? "")\(t.name) (\(t.scope) scope)\(t.entrypoint.map { ", entrypoint \($0)" } ?? "")"
        ]
        lines.append(
            "templates: " + t.templates.map(templateLabel).joined(separator: ", ")
                + (t.truncated ? ", …" : ""))
        for p in t.parameters {
            var line = "parameter \(p.name)"
            if let v = p.value ?? p.default { line += " = \(v)" }
            if let e = p.enum, !e.isEmpty { line += " one of [\(e.joined(separator: ", "))]" }
            if let d = p.description { line += " — \(d)" }
            lines.append(line)
        }
        if let e = t.onExit { lines.append("onExit \(e)") }
        return lines.joined(separator: "\n")
    }
}
