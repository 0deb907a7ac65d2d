import Foundation
import MCP
import Testing

/// watch_workflow through the built binary: progress notifications and a reconnect after a broken stream.
@Suite("watch_workflow (every transport)", .serialized, .timeLimit(.minutes(2)))
struct WatchScenarioTests {
    actor Notes {
        var messages: [ProgressNotification.Parameters] = []
        func add(_ p: ProgressNotification.Parameters) { messages.append(p) }
    }

    @Test("Argo ends watches every so often (--watch-seconds): the watch resumes each time and follows to the end")
    func periodicEnds() async throws {
        let server = try await ServerProcess([
            "serve", "--simulator", "--generate", "name=short-lived,nodes=20,evolve=8", "--tick-ms", "400",
            "--watch-seconds", "1",
        ])
        _ = try await server.connect()
        let result = try await server.call("watch_workflow", ["name": "short-lived", "timeout_seconds": 60])
        #expect(result.isError == false)
        let r = try #require(result.structuredContent?.objectValue)
        #expect(r["endedBy"] == "completed")
        #expect((r["reconnects"]?.intValue ?? 0) >= 1, "the stream ended at least once on the way")
        let (status, stderr) = try ServerProcess.runToExit(["serve", "--simulator", "--watch-seconds", "0"])
        #expect(status != 0)
        #expect(stderr.contains("--watch-seconds=0 is out of range"))
        _ = await server.stop()
    }

    @Test(
        "progress notifications while a workflow runs; a dropped stream is re-opened from the last version",
        arguments: TransportKind.allCases)
    func watch(_ transport: TransportKind) async throws {
        let server = try await transport.start([
            "serve", "--simulator", "--generate", "name=live-etl,nodes=60,failures=0.05,evolve=20", "--tick-ms", "150",
            "--fault", "workflow_events:break_after=3,times=1",
        ])
        _ = try await server.connect()
        let notes = Notes()
        await server.client.onNotification(ProgressNotification.self) { message in
            await notes.add(message.params)
        }
        let request = CallTool.request(
            .init(
                name: "watch_workflow", arguments: ["name": "live-etl", "timeout_seconds": 60],
                meta: Metadata(progressToken: .string("watch-1"))))
        let result = try await server.client.send(request).value
        #expect(result.isError == false)
        let r = try #require(result.structuredContent?.objectValue)
        #expect(r["endedBy"] == "completed")
        #expect(r["phase"] == "Failed")
        #expect((r["reconnects"]?.intValue ?? 0) >= 1)
        let phases = r["timeline"]?.arrayValue?.compactMap { $0.objectValue?["phase"]?.stringValue } ?? []
        #expect(phases.last == "Failed")
        #expect(phases.contains("Running"))

        let received = await notes.messages
        #expect(received.count >= 3)
        #expect(received.allSatisfy { $0.progressToken == .string("watch-1") })
        let values = received.map(\.progress)
        #expect(values == values.sorted())
        #expect(Set(values).count == values.count)
        #expect(received.contains { $0.message?.contains("newly failed") == true })
        #expect(result.text.contains("timeline:"))
        _ = await server.stop()
    }

    @Test(
        "a watch without a progress token still returns its result; a timeout is reported as such",
        arguments: TransportKind.allCases)
    func timeout(_ transport: TransportKind) async throws {
        let server = try await transport.start([
            "serve", "--simulator", "--generate", "name=slow,nodes=10,evolve=1000", "--tick-ms", "1000",
        ])
        _ = try await server.connect()
        let result = try await server.call("watch_workflow", ["name": "slow", "timeout_seconds": 1])
        #expect(result.structuredContent?.objectValue?["endedBy"] == "timeout")
        let bad = try await server.call("watch_workflow", ["name": "slow", "timeout_seconds": 99999])
        #expect(bad.isError == true)
        #expect(bad.text.contains("timeout_seconds"))
        _ = await server.stop()
    }

    actor Logs {
        var lines: [String] = []
        func add(_ s: String) { lines.append(s) }
    }

    @Test(
        "summary_every streams one-line summaries as progress and log messages; notify runs the configured hook",
        arguments: TransportKind.allCases)
    func summariesAndHook(_ transport: TransportKind) async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-hook-\(UUID().uuidString).json")
        let server = try await transport.start(
            [
                "serve", "--simulator", "--generate", "name=slow-etl,nodes=40,failures=0.05,evolve=12", "--tick-ms",
                "400",
            ], environment: ["ARGO_MCP_NOTIFY_COMMAND": "cat > '\(out.path)'"])
        _ = try await server.connect()
        let notes = Notes()
        let logs = Logs()
        await server.client.onNotification(ProgressNotification.self) { await notes.add($0.params) }
        await server.client.onNotification(LogMessageNotification.self) { message in
            if case .string(let text) = message.params.data { await logs.add(text) }
        }
        let request = CallTool.request(
            .init(
                name: "watch_workflow",
                arguments: ["name": "slow-etl", "timeout_seconds": 60, "summary_every": 1, "notify": true],
                meta: Metadata(progressToken: .string("watch-2"))))
        let result = try await server.client.send(request).value
        let r = try #require(result.structuredContent?.objectValue)
        #expect(r["endedBy"] == "completed")
        #expect(r["notification"]?.stringValue == "sent to command cat")
        let payload = try JSONSerialization.jsonObject(with: try Data(contentsOf: out)) as? [String: Any]
        #expect(payload?["name"] as? String == "slow-etl")
        #expect(payload?["phase"] as? String == r["phase"]?.stringValue)

        let summaries = await logs.lines.filter { $0.hasPrefix("watch argo/slow-etl: ") }
        #expect(summaries.count >= 2)
        #expect(summaries.contains { $0.contains("watching") })
        let progress = await notes.messages
        #expect(progress.contains { $0.message?.contains("watching") == true })
        let values = progress.map(\.progress)
        #expect(values == values.sorted())

        // The same watch on a read-only server: the hook is refused by the policy, the watch itself works.
        _ = await server.stop()
        let readOnly = try await transport.start(
            ["serve", "--simulator"],
            environment: ["ARGO_MCP_NOTIFY_COMMAND": "cat > '\(out.path).2'", "ARGO_MCP_READ_ONLY": "true"])
        _ = try await readOnly.connect()
        let refused = try await readOnly.call("watch_workflow", ["name": "nightly-etl-7x2kq", "notify": true])
        #expect(refused.isError == false)
        #expect(refused.structuredContent?.objectValue?["notification"]?.stringValue?.hasPrefix("not sent:") == true)
        #expect(!FileManager.default.fileExists(atPath: out.path + ".2"))
        _ = await readOnly.stop()
    }
}
