import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Ports
import Synchronization

/// Logs and watches: Argo's NDJSON and SSE streams on their own connection pool.
extension ArgoHTTPGateway {
    public func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error> {
        var items: [(String, String?)] = [
            ("podName", query.podName),
            ("logOptions.container", query.container),
            ("logOptions.follow", query.follow ? "true" : nil),
            ("logOptions.tailLines", query.tailLines.map(String.init)),
            ("logOptions.sinceSeconds", query.sinceSeconds.map(String.init)),
            ("logOptions.timestamps", query.timestamps ? "true" : nil),
            ("logOptions.stream", query.stream?.rawValue),
            ("grep", query.grep.flatMap { $0.isEmpty ? nil : $0 }),
        ]
        items.removeAll { $0.1 == nil }
        let path = "/api/v1/workflows/\(Self.segment(query.namespace))/\(Self.segment(query.workflowName))/log"
        // A read that does not follow ends on its own; one quiet for the stream timeout is stuck. A follow is
        // quiet whenever the pods are.
        let idle: Duration? = query.follow ? nil : .seconds(max(1, connectionSettings.streamTimeoutSeconds))
        return stream(
            path: path, query: items, idleLimit: idle,
            missing: ArgoError.missingWorkflowHint(namespace: query.namespace, name: query.workflowName))
    }

    public func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    > {
        let items: [(String, String?)] = [
            ("listOptions.fieldSelector", "metadata.name=\(name)"),
            ("listOptions.resourceVersion", resourceVersion),
        ]
        // `WatchWorkflows` (server/workflow/workflow_server.go) sends gRPC headers at once, but grpc-gateway's
        // `ForwardResponseStream` writes the HTTP head only with the first message: a quiet NDJSON watch sends
        // nothing at all. Its end is then a clean one, and the watch is re-opened. On SSE, `argoproj/pkg`'s
        // keepalive (`:\n` every 15 s) shows a live connection; silence for twice the quiet time is a dead one.
        let quiet = max(1, connectionSettings.watchQuietSeconds)
        return stream(
            path: "/api/v1/workflow-events/\(Self.segment(namespace))", query: items,
            idleLimit: connectionSettings.preferSSE ? .seconds(2 * quiet) : nil,
            missing: ArgoError.missingWorkflowHint(namespace: namespace, name: name),
            quietHead: .seconds(Int64(quiet)))
    }

    /// A streamed endpoint's `result` frames (NDJSON, or SSE when configured).
    ///
    /// An error answered before the stream starts is read in either of grpc-gateway's shapes (see
    /// ``ArgoErrorBody``); a 404 there means the workflow does not exist, and gets the hint `missing`. In the stream, an error frame
    /// or a cut ends it with `streamBroken` (`expired` for a compacted resourceVersion), and Argo's own periodic end
    /// of a watch ends it cleanly. With `idleLimit`, a stream that sends nothing for that long ends with `timeout`.
    /// With `quietHead`, a response head that does not come within that time ends the stream cleanly (a quiet
    /// watch) instead of with `timeout`.
    func stream<T: Decodable & Sendable>(
        path: String, query: [(String, String?)], idleLimit: Duration?, missing: String, quietHead: TimeAmount? = nil
    ) -> AsyncThrowingStream<T, any Error> {
        let request = makeRequest(
            path: path, query: query, accept: connectionSettings.preferSSE ? "text/event-stream" : "application/json")
        // A log read's head comes once Argo has listed the pods; the wait for it is bounded like a unary call, but
        // never below 30 s.
        let headDeadline = quietHead ?? TimeAmount.seconds(Int64(max(30, connectionSettings.requestTimeoutSeconds)))
        return AsyncThrowingStream { continuation in
            let activity = StreamActivity()
            let task = Task {
                do {
                    let response: HTTPClientResponse
                    do {
                        response = try await self.execute(
                            request, timeout: headDeadline, client: self.streamClient, quietDeadline: quietHead != nil)
                    } catch is QuietHead {
                        continuation.finish()
                        return
                    }
                    activity.touch()
                    guard response.status == .ok else {
                        let body = try await response.body.collect(upTo: 1 << 20)
                        var error = self.serverError(
                            status: Int(response.status.code), body: Data(body.readableBytesView))
                        if error.kind == .notFound, ArgoErrorBody.parse(Data(body.readableBytesView)) != nil {
                            error = error.withHint(missing)
                        }
                        throw error
                    }
                    var parser = StreamFrameParser<T>()
                    /// Yields results; true when Argo ended the stream itself.
                    func emit(_ frames: [StreamFrameParser<T>.Frame]) throws -> Bool {
                        for frame in frames {
                            switch frame {
                            case .result(let value): continuation.yield(value)
                            case .error(let error): throw error
                            case .end: return true
                            }
                        }
                        return false
                    }
                    do {
                        for try await buffer in response.body {
                            activity.touch()
                            if try emit(parser.feed(buffer.readableBytesView)) {
                                continuation.finish()
                                return
                            }
                        }
                    } catch let error as ArgoError {
                        throw error
                    } catch is CancellationError {
                        throw activity.idled ? Self.idleError(idleLimit) : CancellationError()
                    } catch {
                        if activity.idled { throw Self.idleError(idleLimit) }
                        throw ArgoError(.streamBroken, message: "stream cut: \(error)")
                    }
                    _ = try emit(parser.finish())
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: activity.idled ? Self.idleError(idleLimit) : error)
                }
            }
            let watchdog = idleLimit.map { limit in
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: limit / 4)
                        if activity.started, activity.quietFor(longerThan: limit) {
                            activity.markIdled()
                            task.cancel()
                            return
                        }
                    }
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                watchdog?.cancel()
            }
        }
    }

    static func idleError(_ limit: Duration?) -> ArgoError {
        ArgoError(
            .timeout, message: "the stream sent nothing for \(limit.map { "\($0)" } ?? "too long") and was closed",
            hint:
                "the server, the pod's node or a proxy may be overloaded, or the connection was lost; retry (for a log, read fewer lines with tail_lines)"
        )
    }
}

/// When a stream last received bytes, and whether the idle watchdog closed it.
final class StreamActivity: Sendable {
    private struct State {
        var last = ContinuousClock.now
        var started = false
        var idled = false
    }
    private let state = Mutex(State())

    /// Bytes (or the response head) arrived: the idle clock starts again.
    func touch() {
        state.withLock {
            $0.last = ContinuousClock.now
            $0.started = true
        }
    }
    /// Whether the response head has arrived (the idle limit applies to the body only).
    var started: Bool { state.withLock { $0.started } }
    func quietFor(longerThan limit: Duration) -> Bool {
        state.withLock { ContinuousClock.now - $0.last > limit }
    }
    func markIdled() { state.withLock { $0.idled = true } }
    var idled: Bool { state.withLock { $0.idled } }
}
