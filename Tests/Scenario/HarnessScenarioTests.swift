import Foundation
import Testing

/// The harness itself: a server a failed scenario leaves behind does not outlive its test.
@Suite("scenario harness", .serialized, .timeLimit(.minutes(1)))
struct HarnessScenarioTests {
    /// Whether a process of this id still runs (signal 0 only checks); a zombie counts as gone.
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    static func waitGone(_ pid: Int32) async throws -> Bool {
        for _ in 0..<100 {
            if !alive(pid) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("a stdio or HTTP server dropped without stop() is terminated", arguments: [TransportKind.stdio, .http])
    func droppedServerEnds(_ transport: TransportKind) async throws {
        var pid: Int32 = 0
        do {
            let server = try await transport.start(["serve", "--simulator"])
            _ = try await server.connect()
            if let process = (server as? ServerProcess)?.process ?? (server as? HTTPServerProcess)?.process {
                pid = process.processIdentifier
            }
            #expect(pid > 0 && Self.alive(pid))
            // No stop(): the harness goes out of scope here, as when a scenario throws.
        }
        #expect(try await Self.waitGone(pid), "argo-mcp \(pid) still runs after its harness was dropped")
    }
}
