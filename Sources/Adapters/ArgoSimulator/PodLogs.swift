import Foundation
import Ports

/// Deterministic pod output: a steady stream of work lines, some warnings, and for failed pods the error at the end.
struct PodLogs {
    /// The lines the simulated programs write to stderr: warnings, errors and tracebacks.
    static func isStderr(_ text: String) -> Bool {
        text.contains(" WARN [") || text.contains(" ERROR [") || text.hasPrefix("Traceback")
            || text.hasPrefix("  File ")
            || text.hasPrefix("RuntimeError:") || text.isEmpty
    }

    static func lines(for node: NodeStatus, container: String, count: Int) -> [(time: Date, text: String)] {
        let start = ArgoTime.parse(node.startedAt) ?? Date(timeIntervalSince1970: 1_767_225_600)
        let template = node.templateName ?? node.templateRef?.template ?? "main"
        func at(_ i: Int) -> Date { start.addingTimeInterval(Double(i) * 0.5) }
        if container == "init" {
            return [
                (
                    at(0),
                    "time=\"\(ArgoTime.format(at(0)))\" level=info msg=\"Starting Workflow Executor\" version=v4.1.2"
                ),
                (at(1), "time=\"\(ArgoTime.format(at(1)))\" level=info msg=\"Loading artifacts\""),
            ]
        }
        if container == "wait" {
            return [
                (
                    at(0),
                    "time=\"\(ArgoTime.format(at(0)))\" level=info msg=\"Starting Workflow Executor\" version=v4.1.2"
                ),
                (
                    at(count),
                    "time=\"\(ArgoTime.format(at(count)))\" level=info msg=\"Main container completed\" error=\"<nil>\""
                ),
            ]
        }
        var out: [(Date, String)] = []
        out.reserveCapacity(count + 4)
        out.append((at(0), "\(ArgoTime.format(at(0))) INFO [\(template)] starting \(node.displayName ?? node.name)"))
        let body = max(0, count - 1)
        for i in 1..<(body + 1) {
            let time = at(i)
            if i % 97 == 0 {
                out.append(
                    (
                        time,
                        "\(ArgoTime.format(time)) ERROR [\(template)] request to upstream failed: connection reset by peer (attempt \(i / 97))"
                    ))
            } else if i % 13 == 0 {
                out.append(
                    (
                        time,
                        "\(ArgoTime.format(time)) WARN [\(template)] slow batch \(i): \(i % 50 + 100) ms over budget"
                    ))
            } else {
                out.append(
                    (
                        time,
                        "\(ArgoTime.format(time)) INFO [\(template)] processed batch \(i) of \(body) (\(i * 128) records)"
                    ))
            }
        }
        if node.phase?.isFailure == true {
            let time = at(body + 1)
            let reason = node.message ?? "task failed"
            out.append((time, "\(ArgoTime.format(time)) ERROR [\(template)] fatal: \(reason)"))
            // A blank line, as real output has them: Argo streams it without `content`.
            out.append((time, ""))
            out.append((time, "Traceback (most recent call last):"))
            out.append((time, "  File \"/app/run.py\", line 42, in <module>"))
            out.append((time, "RuntimeError: \(reason)"))
        } else if node.phase == .succeeded {
            let time = at(body + 1)
            out.append((time, "\(ArgoTime.format(time)) INFO [\(template)] done"))
        }
        return out
    }
}
