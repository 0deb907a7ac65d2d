import Domain
import Foundation

/// Short text renderings of tool results, for hosts that show only text.
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
