import Domain
import Foundation
import MCP
import Synchronization

/// One session's `resources/subscribe`s: each subscribed workflow is followed through Argo's event stream (the
/// machinery of `watch_workflow`), and a change of its phase or progress is announced as
/// `notifications/resources/updated`. Unsubscribing, or the session's end, stops the stream.
actor ResourceSubscriptions {
    private var following: [String: Task<Void, Never>] = [:]
    /// Subscriptions taken and still being checked: they count against the cap, so that concurrent subscribes
    /// cannot all pass the check before any of them is recorded.
    private var reserved: Set<String> = []

    /// At most this many subscriptions per session (each holds an event stream to Argo).
    static let maxSubscriptions = 50

    /// Follows the workflow `uri` names once `check` (a read of it, as `resources/read` makes it) has passed.
    /// `target` is the URI as `resources` read it, when a context's server answers (`argo://prod/workflows/a/b` is
    /// prod's `argo://workflows/a/b`); the subscription and its notifications keep `uri`.
    func subscribe(
        _ uri: String, target: String? = nil, resources: ArgoResources, check: @Sendable () async throws -> Void,
        notify: @escaping @Sendable (String) async -> Void
    ) async throws {
        guard case .workflow(let namespace, let name) = ArgoResources.Target(target ?? uri) else {
            throw MCPError.invalidParams(
                "only workflows can be subscribed to (argo://workflows/{namespace}/{name}); \(uri.prefix(200)) is not one"
            )
        }
        if following[uri] != nil || reserved.contains(uri) { return }
        guard following.count + reserved.count < Self.maxSubscriptions else {
            throw MCPError.invalidParams(
                "this session already follows \(Self.maxSubscriptions) workflows; unsubscribe from one first")
        }
        reserved.insert(uri)
        // The same checks as a read: a workflow that does not exist, or a namespace the rules deny, is refused now.
        do {
            try await check()
        } catch {
            reserved.remove(uri)
            throw error
        }
        // Unsubscribed, or the session ended, while the read was under way.
        guard reserved.remove(uri) != nil, !cancelled else { return }
        let watch = resources.useCases.watch
        following[uri] = Task {
            await Self.follow(namespace: namespace, name: name, watch: watch) { await notify(uri) }
        }
    }

    /// Follows one workflow through Argo's event stream until it completes or is deleted, or the task is
    /// cancelled, calling `changed` on each change after the state it starts from (the subscriber has just read
    /// that). A watch Argo ends is taken up again; one that fails is retried after 5 s.
    static func follow(
        namespace: String, name: String, watch: WatchWorkflow, changed: @escaping @Sendable () async -> Void
    ) async {
        while !Task.isCancelled {
            let first = Atomic<Bool>(true)
            do {
                let result = try await watch.watch(
                    namespace: namespace, name: name, timeoutSeconds: WatchWorkflow.maxTimeoutSeconds
                ) { _ in
                    if first.exchange(false, ordering: .relaxed) { return }
                    await changed()
                }
                // Completed or deleted: nothing more will change (a deletion is announced once more).
                if result.endedBy == "deleted" { await changed() }
                if result.endedBy != "timeout" { break }
            } catch {
                if Task.isCancelled { break }
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    func unsubscribe(_ uri: String) {
        following.removeValue(forKey: uri)?.cancel()
        reserved.remove(uri)
    }

    private var cancelled = false

    func cancelAll() {
        cancelled = true
        for task in following.values { task.cancel() }
        following.removeAll()
    }
}
