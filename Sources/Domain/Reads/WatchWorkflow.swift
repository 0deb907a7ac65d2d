import Foundation
import Ports

/// What a watch reports while it runs.
public struct WatchUpdate: Sendable, Equatable {
    public var phase: String
    /// Finished pods so far and their total, from Argo's `progress` ("3/10").
    public var done: Int?
    public var total: Int?
    public var newlyFailed: [String]
    public var message: String
}

public struct TimelineEntry: Sendable, Codable, Equatable {
    public var at: String
    public var phase: String
    public var progress: String?
}

public struct WatchResult: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    /// completed, already-completed, timeout, deleted.
    public var endedBy: String
    public var phase: String
    public var progress: String?
    public var elapsedSeconds: Int
    public var timeline: [TimelineEntry]
    /// Nodes that failed while watching and stayed failed (at most 20), leaves first.
    public var failedNodes: [NodeRow]
    /// Attempts that failed while watching and that a retry then recovered (at most 20): not failures of the run.
    public var recoveredNodes: [NodeRow] = []
    public var events: Int
    public var reconnects: Int
    public var summary: WorkflowSummary?
    /// With notify: what became of the completion hook.
    public var notification: String?
    /// What the user should know about how the end was learnt (e.g. read from the archive after a deletion).
    public var note: String? = nil
}

/// Follows one workflow through Argo's event stream until it completes, the timeout passes, or the caller cancels.
public struct WatchWorkflow: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }
    /// A watch gives up only after at least this many failures in a row …
    let maxReconnectAttempts: Int
    /// … that have gone on for longer than this: an Argo Server restarting (a rolling update, a rescheduled pod)
    /// is waited out.
    let outageTolerance: Duration
    let backoff: Duration
    let maxBackoff: Duration

    public static let defaultTimeoutSeconds = 300
    public static let maxTimeoutSeconds = 1800

    public init(
        _ context: ArgoContext,
        maxReconnectAttempts: Int = 5, backoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5),
        outageTolerance: Duration = .seconds(120)
    ) {
        self.context = context
        self.maxReconnectAttempts = maxReconnectAttempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.outageTolerance = outageTolerance
    }

    /// The watch's running state, shared between the event loop and the timeout.
    actor State {
        var phase = "Pending"
        var progress: String?
        var timeline: [TimelineEntry] = []
        var failed: [String: NodeStatus] = [:]
        var failedOrder: [String] = []
        var events = 0
        var reconnects = 0
        var last: Workflow?
        var resourceVersion: String?
        /// The watched workflow's uid: a workflow of the same name made after a deletion is another run.
        var uid: String?
        var note: String?

        func setNote(_ text: String) { note = text }

        /// Takes a new state of the workflow; `event` counts it as one of the stream's events (a re-read is not).
        func apply(_ wf: Workflow, at: Date, event: Bool = true) -> WatchUpdate? {
            if event { events += 1 }
            last = wf
            resourceVersion = wf.metadata.resourceVersion ?? resourceVersion
            let newPhase = WorkflowShaping.phaseName(wf)
            var newlyFailed: [String] = []
            for node in wf.status.nodes.values where node.phase?.isFailure == true && failed[node.id] == nil {
                failed[node.id] = node
                failedOrder.append(node.id)
                if WorkflowShaping.isLeaf(node) { newlyFailed.append(node.displayName ?? node.name) }
            }
            let changed =
                newPhase != phase || wf.status.progress != progress || !newlyFailed.isEmpty || timeline.isEmpty
            if newPhase != phase || timeline.isEmpty {
                timeline.append(TimelineEntry(at: ArgoTime.format(at), phase: newPhase, progress: wf.status.progress))
            }
            phase = newPhase
            progress = wf.status.progress
            guard changed else { return nil }
            let parts = progress?.split(separator: "/").compactMap { Int($0) } ?? []
            var message = "\(phase)\(progress.map { " \($0)" } ?? "")"
            if !newlyFailed.isEmpty {
                message += "; newly failed: \(newlyFailed.sorted().prefix(5).joined(separator: ", "))"
            }
            return WatchUpdate(
                phase: phase, done: parts.count == 2 ? parts[0] : nil, total: parts.count == 2 ? parts[1] : nil,
                newlyFailed: newlyFailed.sorted(), message: message)
        }

        func reconnected() { reconnects += 1 }

        func setUID(_ value: String?) { uid = value.flatMap { $0.isEmpty ? nil : $0 } }

        /// The cluster no longer keeps the version the watch would resume from: start again from the current
        /// state (a relist), as client-go's reflector does on 410 Gone.
        func forgetVersion() { resourceVersion = nil }

        /// Whether `wf` is another workflow than the one watched (same name, other uid).
        func isOther(_ wf: Workflow) -> Bool {
            guard let uid, let other = wf.metadata.uid, !other.isEmpty else { return false }
            return other != uid
        }

        func snapshot() -> (String, String?, [TimelineEntry], [NodeStatus], Int, Int, Workflow?) {
            (phase, progress, timeline, failedOrder.compactMap { failed[$0] }, events, reconnects, last)
        }
    }

    enum Ending: Sendable { case completed, deleted, timeout }

    /// A periodic summary of a watched workflow (`summary_every`).
    public struct PeriodicSummary: Sendable, Equatable {
        public var phase: String
        public var progress: String?
        public var elapsedSeconds: Int
        public var failedCount: Int
        public var runningCount: Int
        /// One line: phase, progress, elapsed, failures and what runs now.
        public var text: String
    }

    /// The line a periodic summary shows: phase, progress, elapsed time, failures and what runs now.
    static func periodic(_ wf: Workflow?, phase: String, progress: String?, elapsed: Int, now: Date) -> PeriodicSummary
    {
        guard let wf else {
            return PeriodicSummary(
                phase: phase, progress: progress, elapsedSeconds: elapsed, failedCount: 0, runningCount: 0,
                text: "\(phase) after \(Text.duration(elapsed) ?? "?")")
        }
        let s = WorkflowShaping(now: now, maxListedNodes: 3).summary(wf)
        var text = "\(s.phase)\(s.progress.map { " \($0)" } ?? ""), watching \(Text.duration(elapsed) ?? "?")"
        if s.failedNodeCount > 0 {
            text += "; \(s.failedNodeCount) failed (\(s.failedNodes.map(\.name).joined(separator: ", ")))"
        }
        if s.runningNodeCount > 0 {
            text +=
                "; running \(s.runningNodeCount): \(s.runningNodes.map(\.name).joined(separator: ", "))"
                + (s.runningNodeCount > s.runningNodes.count ? ", …" : "")
        }
        return PeriodicSummary(
            phase: s.phase, progress: s.progress, elapsedSeconds: elapsed, failedCount: s.failedNodeCount,
            runningCount: s.runningNodeCount, text: text)
    }

    public func watch(
        namespace: String?, name: String, timeoutSeconds: Int = defaultTimeoutSeconds, summaryEverySeconds: Int? = nil,
        onSummary: @escaping @Sendable (PeriodicSummary) async -> Void = { _ in },
        onUpdate: @escaping @Sendable (WatchUpdate) async -> Void
    ) async throws -> WatchResult {
        var problems: [ArgumentProblem] = []
        problems += Validation.target(namespace: namespace, name: name)
        if let p = rangeProblem("timeout_seconds", timeoutSeconds, 1...Self.maxTimeoutSeconds) { problems.append(p) }
        if let every = summaryEverySeconds, let p = rangeProblem("summary_every", every, 1...3600) {
            problems.append(p)
        }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        let started = now()
        let state = State()

        // The current state first: a clear 404 for a workflow that does not exist, and no watch for a finished one.
        let initial = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
        let initialFailed = Set(initial.status.nodes.values.filter { $0.phase?.isFailure == true }.map(\.id))
        await state.setUID(initial.metadata.uid)
        if let update = await state.apply(initial, at: started) { await onUpdate(update) }
        if initial.status.phase?.isCompleted == true {
            return await result(state, ns, name, endedBy: "already-completed", started: started, excluding: [])
        }

        let ending: Ending = try await withThrowingTaskGroup(of: Ending.self) { group in
            group.addTask { try await follow(ns, name, state, onUpdate) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeoutSeconds))
                return .timeout
            }
            if let every = summaryEverySeconds {
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(every))
                        let (phase, progress, _, _, _, _, last) = await state.snapshot()
                        let elapsed = max(0, Int(now().timeIntervalSince(started).rounded()))
                        await onSummary(
                            Self.periodic(last, phase: phase, progress: progress, elapsed: elapsed, now: now()))
                    }
                }
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        let endedBy =
            switch ending {
            case .completed: "completed"
            case .deleted: "deleted"
            case .timeout: "timeout"
            }
        return await result(state, ns, name, endedBy: endedBy, started: started, excluding: initialFailed)
    }

    /// Reads events until the workflow completes or is deleted, re-opening a broken or ended stream from the last
    /// resourceVersion.
    ///
    /// - Before every re-opening the workflow is read again (`GetWorkflow`, which falls back to the archive), so
    ///   an end missed while the stream was away is found: a completion, or a deletion (then the archive copy of
    ///   this uid tells how it ended).
    /// - A stream that ends cleanly (Argo closes a watch when the Kubernetes watch under it times out, and the
    ///   adapter ends an NDJSON watch that stays quiet, since real Argo sends no response head before the first
    ///   event) is not a failure.
    /// - A version the cluster has compacted ("too old resource version") restarts the watch from the current state.
    /// - Failures are retried with a capped backoff; the watch gives up only when they have gone on, unbroken, for
    ///   longer than `outageTolerance` (and at least `maxReconnectAttempts` times). Refused credentials end it at
    ///   once: retrying cannot help.
    func follow(
        _ ns: String, _ name: String, _ state: State, _ onUpdate: @escaping @Sendable (WatchUpdate) async -> Void
    ) async throws -> Ending {
        let clock = ContinuousClock()
        var failures = 0
        var failingSince: ContinuousClock.Instant?
        var expiredInARow = 0
        var quickEndsInARow = 0
        var lastError: (any Error)?
        var reopening = false
        // After an expiry the watch starts again without a version (the server then sends the current state);
        // the re-read must not put back the version that expired.
        var relist = false
        while true {
            try Task.checkCancellation()
            var pause = Duration.zero
            var opened: ContinuousClock.Instant?
            do {
                if reopening, let ending = try await resync(ns, name, state, onUpdate) { return ending }
                reopening = true
                if relist { await state.forgetVersion() }
                let since = await state.resourceVersion
                opened = clock.now
                var sawEvent = false
                for try await event in gateway.watchWorkflow(namespace: ns, name: name, resourceVersion: since) {
                    sawEvent = true
                    failures = 0
                    failingSince = nil
                    expiredInARow = 0
                    relist = false
                    if event.type == "ERROR" { continue }
                    if await state.isOther(event.workflow) {
                        // The watched run is gone and another of the same name took its place.
                        return await fromArchive(state, onUpdate)
                    }
                    if let update = await state.apply(event.workflow, at: now()) { await onUpdate(update) }
                    if event.type == "DELETED" {
                        // Kubernetes sends the object's last state with its deletion.
                        if event.workflow.status.phase?.isCompleted == true {
                            await state.setNote("the workflow was deleted from the cluster after it ended")
                            return .completed
                        }
                        return await fromArchive(state, onUpdate)
                    }
                    if event.workflow.status.phase?.isCompleted == true { return .completed }
                }
                // A clean end. One that comes at once again and again is slowed down like a failure.
                failures = 0
                failingSince = nil
                expiredInARow = 0
                relist = false
                if !sawEvent, let opened, clock.now - opened < .seconds(2) {
                    quickEndsInARow += 1
                    pause = min(backoff * (1 << min(quickEndsInARow, 10)), maxBackoff)
                } else {
                    quickEndsInARow = 0
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as ArgoError where error.kind == .notFound {
                return await fromArchive(state, onUpdate)
            } catch let error as ArgoError where error.kind == .expired && expiredInARow < 3 {
                // Without a version the server answers with the current state, so a second expiry in a row
                // is a server fault and is counted as one below.
                expiredInARow += 1
                relist = true
            } catch let error as ArgoError where Self.permanent(error) {
                throw error
            } catch {
                // A stream that was open a while and then broke (a cut or an error frame: only an open stream
                // breaks) worked: the break starts a new count. Timeouts and refusals never reset it.
                if let opened, clock.now - opened >= Self.stableStream,
                    (error as? ArgoError)?.kind == .streamBroken
                {
                    failures = 0
                    failingSince = nil
                }
                failures += 1
                lastError = error
                let since = failingSince ?? clock.now
                failingSince = since
                let outage = clock.now - since
                if failures > maxReconnectAttempts && outage >= outageTolerance {
                    throw ReadFailure(
                        "the watch could not reach Argo for \(Self.seconds(outage)) s (\(failures) attempts in a row); last error: \(lastError.map { "\($0)" } ?? "none")"
                    )
                }
                pause = min(backoff * (1 << min(failures, 10)), maxBackoff)
            }
            await state.reconnected()
            if pause > .zero { try await Task.sleep(for: pause) }
        }
    }

    /// A stream open this long worked, whatever ends it.
    static let stableStream = Duration.seconds(10)

    /// Failures that retrying cannot mend: refused credentials, a request the server rejects or does not offer.
    /// (TLS failures and answers that are not Argo's are retried: a restarting server or a proxy cutting a
    /// connection produces them too; a wrong certificate already failed the watch's first read.)
    static func permanent(_ error: ArgoError) -> Bool {
        [.unauthenticated, .permissionDenied, .invalidArgument, .unimplemented].contains(error.kind)
    }

    /// Reads the workflow again before a stream is re-opened: its end may have passed while the stream was away.
    /// nil: it still runs.
    func resync(
        _ ns: String, _ name: String, _ state: State, _ onUpdate: @escaping @Sendable (WatchUpdate) async -> Void
    ) async throws -> Ending? {
        let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
        if await state.isOther(wf) { return await fromArchive(state, onUpdate) }
        if let update = await state.apply(wf, at: now(), event: false) { await onUpdate(update) }
        return wf.status.phase?.isCompleted == true ? .completed : nil
    }

    /// The watched workflow left the cluster: its archived copy (by uid) tells how it ended, when the server keeps an
    /// archive; otherwise the end is unknown, and the result says so.
    func fromArchive(_ state: State, _ onUpdate: @escaping @Sendable (WatchUpdate) async -> Void) async -> Ending {
        guard let uid = await state.uid, let archived = try? await gateway.getArchivedWorkflow(uid: uid) else {
            await state.setNote(
                "the workflow was deleted from the cluster and no archived copy of it (uid \(await state.uid ?? "unknown")) could be read: its final phase is unknown; the phase shown is the last one seen"
            )
            return .deleted
        }
        if let update = await state.apply(archived, at: now(), event: false) { await onUpdate(update) }
        guard archived.status.phase?.isCompleted == true else {
            await state.setNote(
                "the workflow was deleted from the cluster before it completed; the archive keeps it as \(WorkflowShaping.phaseName(archived))"
            )
            return .deleted
        }
        await state.setNote(
            "the workflow was deleted from the cluster; how it ended was read from the workflow archive")
        return .completed
    }

    static func seconds(_ d: Duration) -> Int { Int(d.components.seconds) }

    func result(_ state: State, _ ns: String, _ name: String, endedBy: String, started: Date, excluding: Set<String>)
        async -> WatchResult
    {
        let (phase, progress, timeline, failed, events, reconnects, last) = await state.snapshot()
        let shaping = WorkflowShaping(now: now())
        let newFailures = failed.filter { !excluding.contains($0.id) }
        let leavesFirst =
            newFailures.filter(WorkflowShaping.isLeaf) + newFailures.filter { !WorkflowShaping.isLeaf($0) }
        // A failed attempt whose Retry node then succeeded is not a failure of the run (as the summary says).
        let recovered = last.map(WorkflowShaping.recoveredAttempts) ?? []
        func rows(_ nodes: [NodeStatus], recovered flag: Bool) -> [NodeRow] {
            guard let wf = last else { return [] }
            return nodes.prefix(20).map { node in
                var row = shaping.nodeRow(wf.status.nodes[node.id] ?? node, in: wf)
                if flag { row.recovered = true }
                return row
            }
        }
        var result = WatchResult(
            namespace: ns, name: name, endedBy: endedBy, phase: phase, progress: progress,
            elapsedSeconds: max(0, Int(now().timeIntervalSince(started).rounded())), timeline: timeline,
            failedNodes: rows(leavesFirst.filter { !recovered.contains($0.id) }, recovered: false),
            events: events, reconnects: reconnects, summary: last.map(shaping.summary), notification: nil)
        result.recoveredNodes = rows(leavesFirst.filter { recovered.contains($0.id) }, recovered: true)
        result.note = await state.note
        return result
    }
}
