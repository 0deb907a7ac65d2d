import Domain
import Foundation

/// Short text renderings of tool results, for hosts that show only text.
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
