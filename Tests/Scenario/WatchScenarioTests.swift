import Foundation
import MCP
import Testing

/// watch_workflow through the built binary: progress notifications and a reconnect after a broken stream.
@Suite("watch_workflow over stdio", .serialized, .timeLimit(.minutes(2)))
struct WatchScenarioTests {
    actor Notes {
        var messages: [ProgressNotification.Parameters] = []
        func add(_ p: ProgressNotification.Parameters) { messages.append(p) }
    }

    @Test("progress notifications while a workflow runs; a dropped stream is re-opened from the last version")
    func watch() async throws {
        let server = try await ServerProcess([
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

    @Test("a watch without a progress token still returns its result; a timeout is reported as such")
    func timeout() async throws {
        let server = try await ServerProcess([
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
}
