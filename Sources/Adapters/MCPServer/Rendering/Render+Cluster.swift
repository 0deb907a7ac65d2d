import Domain
import Foundation

/// Short text renderings of tool results, for hosts that show only text.
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
        if let p = i.policy {
            var line = "argo-mcp allows tools up to \(p.allowedUpTo)"
            if p.allowedUpTo != SafetyClass.readOnly.rawValue {
                line +=
                    p.confirmationRequired.isEmpty && p.confirmationRules.isEmpty
                    ? "; no call needs confirmation"
                    : "; confirmation (\(p.confirmationMode), fallback \(p.confirmationFallback)) for \(p.confirmationRequired.joined(separator: ", "))"
            }
            lines.append(line)
            for rule in p.confirmationRules { lines.append("confirmation rule \(rule)") }
        }
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
