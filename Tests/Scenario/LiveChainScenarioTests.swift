import Foundation
import MCP
import Testing

/// The whole live path: `argo-mcp simulator` serves Argo's REST API on loopback, and `argo-mcp serve` reaches it
/// through the ArgoHTTP adapter because ARGO_SERVER points there.
@Suite("argo-mcp against an Argo REST server (the simulator's face)", .serialized, .timeLimit(.minutes(3)))
struct LiveChainScenarioTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/workflows")

    /// Starts `argo-mcp simulator --port 0` and returns it with the URL it printed.
    static func startRESTSimulator(_ extra: [String] = []) async throws -> (Process, String) {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["simulator", "--port", "0", "--seed", fixtures.path] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = await ServerProcess.firstLine(of: out.fileHandleForReading)
        return (process, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("list, get and logs flow through ARGO_SERVER with the token sent, seeds keep their namespaces")
    func liveChain() async throws {
        let (rest, url) = try await Self.startRESTSimulator()
        defer {
            rest.terminate()
            rest.waitUntilExit()
        }
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let host = String(url.dropFirst("http://".count))
        let server = try await ServerProcess(
            ["serve"],
            environment: [
                "ARGO_SERVER": host, "ARGO_SECURE": "false", "ARGO_TOKEN": "Bearer test", "ARGO_NAMESPACE": "argo",
            ])
        _ = try await server.connect()

        let all = try await server.call("list_workflows", ["all_namespaces": true, "limit": 200])
        let rows = all.structuredContent?.objectValue?["items"]?.arrayValue ?? []
        #expect(rows.count == 14)
        let namespaces = Set(rows.compactMap { $0.objectValue?["namespace"]?.stringValue })
        #expect(namespaces.contains("workflows"))
        #expect(namespaces.contains("argo"))

        let summary = try await server.call("get_workflow", ["name": "fail-two-nested-dag-suspend"])
        #expect(summary.isError == false)
        #expect(summary.structuredContent?.objectValue?["phase"] == .string("Failed"))
        #expect(summary.structuredContent?.objectValue?["nodeCount"] == .int(17))

        let logs = try await server.call(
            "get_workflow_logs", ["name": "dag-nested-zxlc2", "node": "dag-nested-zxlc2.D.D", "tail_lines": 3])
        #expect(logs.isError == false)
        let pods = logs.structuredContent?.objectValue?["pods"]?.arrayValue ?? []
        #expect(pods.first?.objectValue?["podName"] == .string("dag-nested-zxlc2-echo-644277987"))
        #expect(pods.first?.objectValue?["lines"]?.arrayValue?.count == 3)

        let missing = try await server.call("get_workflow", ["namespace": "workflows", "name": "nope"])
        #expect(missing.isError == true)
        #expect(missing.text.contains("notFound (HTTP 404, code 5)"))
        _ = await server.stop()
    }

    @Test("401 and an unreachable server are tool errors that say how to fix them")
    func authAndReachability() async throws {
        let (rest, url) = try await Self.startRESTSimulator([
            "--fault", "list_workflows:code=16,message=token not valid",
        ])
        defer {
            rest.terminate()
            rest.waitUntilExit()
        }
        let unauthorized = try await ServerProcess(
            ["serve"], environment: ["ARGO_SERVER": String(url.dropFirst(7)), "ARGO_SECURE": "false"])
        _ = try await unauthorized.connect()
        let denied = try await unauthorized.call("list_workflows")
        #expect(denied.isError == true)
        #expect(denied.text.contains("unauthenticated (HTTP 401, code 16): token not valid"))
        #expect(denied.text.contains("set ARGO_TOKEN"))
        _ = await unauthorized.stop()

        let nowhere = try await ServerProcess(
            ["serve", "--argo-server", "127.0.0.1:1"], environment: ["ARGO_SECURE": "false"])
        _ = try await nowhere.connect()
        let down = try await nowhere.call("list_workflows")
        #expect(down.isError == true)
        #expect(down.text.contains("nothing accepts connections at http://127.0.0.1:1 (connection refused)"))
        #expect(down.text.contains("check ARGO_SERVER"))
        _ = await nowhere.stop()
    }

    @Test("config file, environment and flags: flags win over environment, which wins over the file")
    func precedence() async throws {
        let (rest, url) = try await Self.startRESTSimulator()
        defer {
            rest.terminate()
            rest.waitUntilExit()
        }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-\(UUID().uuidString).yaml")
        try "argo:\n  server: \(url)\n  namespace: workflows\n".write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }

        let fromFile = try await ServerProcess(["serve", "--config", config.path], environment: ["ARGO_NAMESPACE": ""])
        _ = try await fromFile.connect()
        #expect(try await fromFile.call("get_workflow", ["name": "hello-world-9tql2"]).isError == false)
        _ = await fromFile.stop()

        let fromEnv = try await ServerProcess(
            ["serve", "--config", config.path], environment: ["ARGO_NAMESPACE": "argo"])
        _ = try await fromEnv.connect()
        #expect(try await fromEnv.call("get_workflow", ["name": "hello-world-9tql2"]).isError == true)
        #expect(try await fromEnv.call("get_workflow", ["name": "dag-nested-zxlc2"]).isError == false)
        _ = await fromEnv.stop()

        let fromFlag = try await ServerProcess(
            ["serve", "--config", config.path, "--namespace", "workflows"], environment: ["ARGO_NAMESPACE": "argo"])
        _ = try await fromFlag.connect()
        #expect(try await fromFlag.call("get_workflow", ["name": "hello-world-9tql2"]).isError == false)
        _ = await fromFlag.stop()
    }

    @Test("a bad configuration stops the server at start with a clear message")
    func badConfig() throws {
        let (status, stderr) = try ServerProcess.runToExit(
            ["serve"], environment: ["ARGO_SECURE": "maybe", "ARGO_SERVER": "localhost:2746"])
        #expect(status == 2)
        #expect(stderr.contains("ARGO_SECURE=maybe is not true or false"))
    }
}
