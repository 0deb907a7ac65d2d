import ArgoHTTP
import ArgoSimulator
import AsyncHTTPClient
import Domain
import Foundation
import Ports
import Testing

/// `watch_workflow` through the live adapter against the simulator's REST face: quiet watches on NDJSON and SSE,
/// and an Argo Server that is gone for a minute in the middle of a watch.
@Suite("Watches over loopback: quiet streams and server restarts", .timeLimit(.minutes(3)))
struct WatchLoopbackTests {
    static func connection(_ port: Int, sse: Bool, quiet: Int = 1) -> ArgoConnection {
        ArgoConnection(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, requestTimeoutSeconds: 20, preferSSE: sse,
            connectTimeoutSeconds: 2, watchQuietSeconds: quiet)
    }

    static func resourceVersion(_ sim: ArgoSimulator, _ name: String) async throws -> String {
        let wf = try JSONValue.decode(try await sim.workflowJSON(namespace: "argo", name: name, fields: nil))
        return wf[path: "metadata.resourceVersion"]?.string ?? ""
    }

    @Test(
        "a quiet NDJSON watch sends no response head (ForwardResponseStream writes it with the first message); SSE's keepalive does"
    )
    func quietHead() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(generated: WorkflowGenerator(name: "quiet", namespace: "argo", nodeCount: 3), steps: 5)
        let (port, task) = try await ArgoHTTPLoopbackTests.serve(sim, keepalive: .milliseconds(200))
        defer { task.cancel() }
        let version = try await Self.resourceVersion(sim, "quiet")
        let url =
            "http://127.0.0.1:\(port)/api/v1/workflow-events/argo?listOptions.fieldSelector=metadata.name%3Dquiet&listOptions.resourceVersion=\(version)"
        // Absence is asserted over 2 s; presence is given 10 s, for a loaded machine (the keepalive comes in 0.2 s).
        for (accept, headExpected, wait) in [("application/json", false, 2), ("text/event-stream", true, 10)] {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: accept)
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(wait)))
                #expect(headExpected, "\(accept): a head came although nothing happened")
                #expect(response.status == .ok)
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                #expect(!headExpected, "\(accept): no head within \(wait) s")
            }
        }
    }

    @Test(
        "a watch quiet for many times its quiet time is re-opened, not failed, on NDJSON and on SSE",
        arguments: [false, true])
    func quietWatchLasts(sse: Bool) async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(
            generated: WorkflowGenerator(name: "long-step", namespace: "argo", nodeCount: 2), steps: 2)
        let (port, task) = try await ArgoHTTPLoopbackTests.serve(sim, keepalive: .milliseconds(300))
        defer { task.cancel() }
        // One change every 6 s.
        let ticking = Task { await sim.runEvolutions(tick: .seconds(6)) }
        defer { ticking.cancel() }
        // NDJSON: a head that does not come within 1 s ends the stream cleanly. SSE: 4 s without even a keepalive
        // is a dead connection — a failure, which would end this watch at the first 6 s gap but for the keepalives.
        let connection = Self.connection(port, sse: sse, quiet: sse ? 2 : 1)
        try await ArgoHTTPGateway.with(connection, logger: ArgoHTTPLoopbackTests.logger) { gateway in
            // One failure ends this watch: a quiet period counted as one would end it.
            let watch = WatchWorkflow(
                ArgoContext(gateway: gateway, defaultNamespace: "argo"), maxReconnectAttempts: 0,
                backoff: .milliseconds(10), outageTolerance: .zero)
            let result = try await watch.watch(namespace: nil, name: "long-step", timeoutSeconds: 90) { _ in }
            #expect(result.endedBy == "completed")
            #expect(result.phase == "Succeeded")
            if !sse { #expect(result.reconnects >= 1, "a quiet NDJSON watch was re-opened") }
        }
    }

    @Test(
        "an Argo Server gone for 62 s in the middle of a watch: the watch waits and ends with the workflow's real outcome"
    )
    func serverRestart() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(
            generated: WorkflowGenerator(
                name: "through-restart", namespace: "argo", nodeCount: 6, failureRate: 0.3, seed: 4),
            steps: 4)
        let (port, server) = try await ArgoHTTPLoopbackTests.serve(sim, keepalive: .milliseconds(300))
        try await ArgoHTTPGateway.with(Self.connection(port, sse: true, quiet: 2), logger: ArgoHTTPLoopbackTests.logger)
        {
            gateway in
            let watch = WatchWorkflow(ArgoContext(gateway: gateway, defaultNamespace: "argo"))
            let (first, seen) = AsyncStream<Void>.makeStream()
            let watching = Task {
                try await watch.watch(namespace: nil, name: "through-restart", timeoutSeconds: 150) { _ in
                    seen.yield()
                }
            }
            // The watch has read the workflow and opened its stream before the server goes (on a loaded machine
            // a fixed sleep was not always enough, and a first read that fails is the caller's error).
            for await _ in first { break }
            while await sim.openWatches(namespace: "argo", name: "through-restart") == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            _ = await sim.advanceEvolutions()
            try await Task.sleep(for: .milliseconds(500))
            // The server goes away (connections refused), and the workflow runs on to its end meanwhile.
            server.cancel()
            _ = await server.result
            while await sim.advanceEvolutions() > 0 {}
            try await Task.sleep(for: .seconds(62))
            let second = try await ArgoHTTPLoopbackTests.serve(sim, port: port, keepalive: .milliseconds(300)).1
            defer { second.cancel() }
            let result = try await watching.value
            let final = try JSONValue.decode(
                try await sim.workflowJSON(namespace: "argo", name: "through-restart", fields: nil))
            #expect(result.endedBy == "completed")
            #expect(result.phase == final[path: "status.phase"]?.string)
            #expect(result.reconnects >= 6, "more attempts than the old five-retry limit, without giving up")
        }
    }
}
