import Domain
import Foundation

/// Short text renderings of tool results, for hosts that show only text.
extension Render {
    static func preview(_ p: MutationPreview) -> String {
        var lines = [
            "PREVIEW — nothing was changed. \(p.tool) \(p.namespace.isEmpty ? "" : p.namespace + "/")\(p.name)\(p.context.map { " in context \($0)" } ?? "") (\(p.phase)\(p.startedAt.map { ", started \($0)" } ?? ""))",
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
        if let requiredBy = p.confirmationRequiredBy, !requiredBy.isEmpty {
            lines.append("confirmation asked by: \(requiredBy.joined(separator: ", "))")
        }
        if let token = p.confirmationToken {
            lines.append(
                "To carry it out, call \(p.tool) again\(p.context.map { " with context \($0) and" } ?? " with") confirmation_token \(token) (single use, expires \(p.expiresAt ?? "soon"))."
            )
        }
        return lines.joined(separator: "\n")
    }

    static func mutation(_ r: MutationResult) -> String {
        "\(r.tool) \(r.namespace)/\(r.name): \(r.changes.joined(separator: "; "))"
    }
}
