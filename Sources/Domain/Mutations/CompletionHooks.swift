import Foundation
import Ports

/// What a completion hook receives.
public struct CompletionPayload: Sendable, Codable, Equatable {
    public var event: String
    public var namespace: String
    public var name: String
    public var phase: String
    public var progress: String?
    public var endedBy: String
    public var elapsedSeconds: Int
    public var message: String?
    public var finishedAt: String?
    /// Names of the nodes that failed while watching and stayed failed (at most 20).
    public var failedNodes: [String]
    /// Names of attempts that failed while watching and that a retry recovered (at most 20).
    public var recoveredNodes: [String] = []
}

/// Announces a finished watch through the configured hook. Sending is a side effect outside Argo, so it passes
/// the same policy → namespace → audit path as a mutating tool: a read-only server never sends.
public struct CompletionHooks: Sendable {
    let notifier: (any CompletionNotifier)?
    let runner: MutationRunner

    public init(notifier: (any CompletionNotifier)?, runner: MutationRunner) {
        self.notifier = notifier
        self.runner = runner
    }

    public var configured: Bool { notifier != nil }

    /// Sends the watch's outcome; returns what happened, in one line, for the watch's result.
    public func announce(_ result: WatchResult, client: String?) async -> String {
        guard let notifier else {
            return "not sent: no notification hook is configured (notifications.webhook or notifications.command)"
        }
        let payload = CompletionPayload(
            event: "workflow.watch.ended", namespace: result.namespace, name: result.name, phase: result.phase,
            progress: result.progress, endedBy: result.endedBy, elapsedSeconds: result.elapsedSeconds,
            message: result.summary?.message, finishedAt: result.summary?.finishedAt,
            failedNodes: result.failedNodes.map(\.name), recoveredNodes: result.recoveredNodes.map(\.name))
        let call = MutationRunner.Call(
            .watchNotify, escalated: true, kind: .workflow, namespace: result.namespace,
            name: result.name, arguments: ["notify": notifier.target, "phase": result.phase], confirmationToken: nil,
            client: client)
        do {
            let outcome = try await runner.run(call) {
                Inspection(
                    uid: result.summary?.uid, fingerprint: "", refusal: nil,
                    preview: MutationPreview(
                        tool: Mutation.watchNotify.tool, namespace: result.namespace, name: result.name, uid: nil,
                        phase: result.phase, startedAt: nil, activeNodes: [], activeNodeCount: 0, pods: [],
                        effect: "\(notifier.target) is run with the watch's summary on its standard input",
                        impact: "\(result.name) ended \(result.phase); the hook is told so", confirmationToken: nil,
                        expiresAt: nil))
            } perform: {
                try await notifier.notify(try JSONEncoder().encode(payload))
            }
            // A confirmation rule may ask to confirm a hook; the watch is over by then, so nothing is sent.
            if case .previewed(let preview) = outcome {
                return
                    "not sent: \(preview.confirmationRequiredBy?.joined(separator: ", ") ?? "the policy") asks to confirm \(notifier.target), and a hook at the end of a watch cannot wait for it; exclude watch_workflow from that rule to send it"
            }
            return "sent to \(notifier.target)"
        } catch let denied as PolicyDenied {
            return "not sent: \(denied.reason)"
        } catch {
            return "not sent: \(notifier.target) failed: \(error)"
        }
    }
}
