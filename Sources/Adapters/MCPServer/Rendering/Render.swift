import Domain
import Foundation

/// Short text renderings of tool results, for hosts that show only text.
enum Render {
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

extension Render {
    static func namespaces(_ n: NamespaceList) -> String {
        var lines = [
            "\(n.namespaces.count) namespace(s)\(n.managedNamespace.map { " (the server manages only \($0))" } ?? ""):"
        ]
        for e in n.namespaces { lines.append("- \(e.namespace)  [\(e.sources.joined(separator: ", "))]") }
        if n.truncated { lines.append("(truncated: more workflows exist than were scanned)") }
        for note in n.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func clusterInfo(_ i: ClusterInfo) -> String {
        var lines: [String] = []
        if let v = i.version {
            lines.append(
                "Argo \(v.version)\(v.gitCommit.map { " (\($0))" } ?? "")\(v.platform.map { " on \($0)" } ?? "")")
        }
        lines.append(
            "managed namespace: \(i.managedNamespace ?? "none (all namespaces)"); default namespace: \(i.defaultNamespace)"
        )
        if let u = i.user {
            lines.append("you are: \(u.subject ?? "?")\(u.serviceAccountName.map { " (service account \($0))" } ?? "")")
        }
        lines.append(
            "connection: \(i.connection.backend)\(i.connection.url.map { " at \($0)" } ?? ""), \(i.connection.tls), auth \(i.connection.auth)"
        )
        for l in i.links { lines.append("link: \(l)") }
        for n in i.notes { lines.append("note: \(n)") }
        return lines.joined(separator: "\n")
    }

    static func health(_ h: HealthReport) -> String {
        var lines = [
            "\(h.healthy ? "healthy" : "UNHEALTHY"): \(h.connection.backend)\(h.connection.url.map { " at \($0)" } ?? "")"
        ]
        for c in h.checks {
            lines.append(
                "\(c.ok ? "✓" : "✗") \(c.name): \(c.detail)\(c.latencyMilliseconds.map { " (\($0) ms)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}

extension Render {
    /// How a watch ended, as a sentence (the result's `endedBy` keeps its stable values).
    static func watchEnding(_ endedBy: String) -> String {
        switch endedBy {
        case "completed": "the workflow completed; the watch ended"
        case "already-completed": "the workflow had already completed when the watch began"
        case "timeout": "the watch reached its time limit"
        case "deleted": "the workflow was deleted; the watch ended"
        default: "the watch ended (\(endedBy))"
        }
    }

    static func watch(_ w: WatchResult) -> String {
        var lines = [
            "\(w.namespace)/\(w.name): \(w.phase)\(w.progress.map { " \($0)" } ?? "") — \(watchEnding(w.endedBy)) after \(w.elapsedSeconds)s (\(w.events) event(s), \(w.reconnects) reconnect(s))"
        ]
        lines.append(
            "timeline: "
                + w.timeline.map { "\($0.at) \($0.phase)\($0.progress.map { " \($0)" } ?? "")" }.joined(
                    separator: " → "))
        if !w.failedNodes.isEmpty {
            lines.append("failed while watching:")
            lines.append(contentsOf: w.failedNodes.map(node))
        }
        if !w.recoveredNodes.isEmpty {
            lines.append("failed, then recovered by a retry:")
            lines.append(contentsOf: w.recoveredNodes.map(node))
        }
        if let n = w.note { lines.append("note: \(n)") }
        if let n = w.notification { lines.append("notification: \(n)") }
        return lines.joined(separator: "\n")
    }
}

extension Render {
    static func preview(_ p: MutationPreview) -> String {
        var lines = [
            "PREVIEW — nothing was changed. \(p.tool) \(p.namespace.isEmpty ? "" : p.namespace + "/")\(p.name) (\(p.phase)\(p.startedAt.map { ", started \($0)" } ?? ""))",
            "effect: \(p.effect)", "impact: \(p.impact)",
        ]
        if !p.activeNodes.isEmpty {
            lines.append(
                "running or pending work (\(p.activeNodes.count) shown; \(p.activeNodeCount) active node(s) in all):")
            lines.append(contentsOf: p.activeNodes.map(node))
        }
        if let r = p.runs {
            lines.append("would run: entrypoint \(r.entrypoint ?? "(declared)") from the \(r.source)")
            lines.append("service account: \(r.serviceAccount)")
            lines.append(
                "images: \(r.images.isEmpty ? "(decided by the templates it references)" : r.images.joined(separator: ", "))"
            )
            if !r.parameters.isEmpty { lines.append("parameters: \(r.parameters.joined(separator: ", "))") }
            if !r.labels.isEmpty { lines.append("labels: \(r.labels.joined(separator: ", "))") }
        }
        if let step = p.step {
            lines.append(
                "waiting step: \(step.name) (id \(step.nodeID)\(step.template.map { ", template \($0)" } ?? "")\(step.waitingSince.map { ", waiting since \($0)" } ?? ""))"
            )
            for o in step.outputs {
                var line = "  output \(o.name)"
                if let choices = o.choices, !choices.isEmpty {
                    line += " — choices: \(choices.joined(separator: " | "))"
                }
                if let d = o.default { line += ", default \(d)" }
                line += o.value.map { " → set to \($0)" } ?? " → left unset"
                if let description = o.description { line += " (\(description))" }
                lines.append(line)
            }
            if step.outputs.isEmpty { lines.append("  (the step expects no supplied outputs)") }
            if !step.usedBy.isEmpty { lines.append("read by: \(step.usedBy.joined(separator: "; "))") }
        }
        if let d = p.diff {
            lines.append("spec changes (\(p.diffTotal ?? d.count)):")
            lines += diff(d, total: p.diffTotal)
        }
        if let token = p.confirmationToken {
            lines.append(
                "To carry it out, call \(p.tool) again with confirmation_token \(token) (single use, expires \(p.expiresAt ?? "soon"))."
            )
        }
        return lines.joined(separator: "\n")
    }

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

    static func mutation(_ r: MutationResult) -> String {
        "\(r.tool) \(r.namespace)/\(r.name): \(r.changes.joined(separator: "; "))"
    }
}

extension Render {
    static func manifest(_ m: ManifestSummary) -> [String] {
        var lines: [String] = []
        var head = "\(m.kind)"
        if let n = m.name ?? m.generateName { head += " \(n)" }
        if let e = m.entrypoint { head += ", entrypoint \(e)" }
        if let t = m.workflowTemplate { head += ", from template \(t)" }
        lines.append(head)
        if !m.templates.isEmpty {
            lines.append("templates: " + m.templates.map(templateLabel).joined(separator: ", "))
        }
        if !m.parameters.isEmpty {
            lines.append(
                "parameters: "
                    + m.parameters.map {
                        "\($0.name)=\($0.value ?? $0.default ?? "")\($0.enum.map { " [\($0.joined(separator: "|"))]" } ?? "")"
                    }.joined(separator: ", "))
        }
        if !m.images.isEmpty { lines.append("images: " + m.images.joined(separator: ", ")) }
        return lines
    }

    static func lint(_ r: LintResult) -> String {
        var lines = [r.ok ? "lint passed" : "lint failed: \(r.error ?? "")"]
        if let s = r.summary { lines += manifest(s) }
        return lines.joined(separator: "\n")
    }

    static func submit(_ r: SubmitResult) -> String {
        var lines = [
            r.dryRun
                ? "DRY RUN — nothing was submitted."
                : "submitted \(r.namespace)/\(r.name ?? "?") (\(r.phase ?? "Pending"))"
        ]
        lines += manifest(r.summary)
        lines.append("next: \(r.next)")
        return lines.joined(separator: "\n")
    }

    static func templateLabel(_ t: TemplateKindView) -> String {
        "\(t.name) (\(t.kind)\(t.image.map { " \($0)" } ?? ""))"
    }

    static func diff(_ changes: [SpecChange], total: Int?) -> [String] {
        var lines = changes.map { c in
            switch (c.before, c.after) {
            case (nil, let after?): "+ \(c.path): \(after)"
            case (let before?, nil): "- \(c.path): \(before)"
            default: "~ \(c.path): \(c.before ?? "") → \(c.after ?? "")"
            }
        }
        if let total, total > changes.count { lines.append("… \(total - changes.count) more change(s) not shown") }
        return lines
    }

    static func scheduleChange(_ r: CronScheduleChange) -> String {
        func runs(_ v: ScheduleView) -> String {
            "\(v.schedules.joined(separator: ", ")) (\(v.timezone)); next: \(v.nextRuns.joined(separator: ", "))"
        }
        var lines = [
            r.dryRun
                ? "DRY RUN — nothing was changed. \(r.namespace)/\(r.name) at resourceVersion \(r.resourceVersion ?? "?")"
                : "updated \(r.namespace)/\(r.name): resourceVersion \(r.resourceVersion ?? "?") → \(r.newResourceVersion ?? "?")",
            "before: \(runs(r.before))",
            "after:  \(runs(r.after))",
        ]
        lines += r.notes
        return lines.joined(separator: "\n")
    }

    static func applied(_ r: DefinitionApplyResult) -> String {
        let target = r.namespace.map { "\($0)/\(r.name)" } ?? r.name
        var lines = [
            (r.dryRun ? "DRY RUN — nothing was changed. " : "")
                + "\(r.action) \(r.kind) \(target)"
                + (r.resourceVersion.map { " (resourceVersion \($0))" } ?? "")
        ]
        lines += manifest(r.summary)
        if let d = r.diff {
            lines.append("spec changes:")
            lines += diff(d, total: r.diffTotal)
        }
        lines.append("next: \(r.next)")
        return lines.joined(separator: "\n")
    }
}
