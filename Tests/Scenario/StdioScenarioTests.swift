import Foundation
import Logging
import MCP
import Testing

@testable import ArgoMCP

/// Spawns the real binary over stdio against the simulator and drives it with an MCP client.
@Suite("argo-mcp over stdio against the simulator", .serialized, .timeLimit(.minutes(3)))
struct StdioScenarioTests {
    @Test("initialize, list tools (schema snapshots, annotations), call every tool against the simulator")
    func everyTool() async throws {
        let server = try await ServerProcess([
            "serve", "--simulator", "--generate", "name=big-10k,nodes=10000,failures=0.01,depth=3",
        ])
        let initialized = try await server.connect()
        #expect(initialized.serverInfo.name == "argo-mcp")

        // The binary lists exactly the catalog's tools, as the catalog declares them (their schemas are held to
        // snapshots by the unit tests' ToolSnapshotTests).
        let (tools, _) = try await server.client.listTools()
        let command = try Serve.parse(["--simulator"])
        let catalog = try await command.simulatorServer(
            try command.settings(), logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        ).servers(nil).tools.map(\.mcpTool)
        #expect(tools.map(\.name) == catalog.map(\.name))
        for (served, declared) in zip(tools, catalog) {
            #expect(try Self.encoded(served) == Self.encoded(declared), "\(served.name)")
        }

        let list = try await server.call("list_workflows", ["all_namespaces": true, "limit": 3])
        #expect(list.isError == false)
        let rows = list.structuredContent?.objectValue?["items"]?.arrayValue ?? []
        #expect(rows.count == 3)
        #expect(list.structuredContent?.objectValue?["hasMore"] == .bool(true))
        let token = try #require(list.structuredContent?.objectValue?["continue"]?.stringValue)
        let next = try await server.call(
            "list_workflows", ["all_namespaces": true, "limit": 3, "continue": .string(token)])
        let nextRows = next.structuredContent?.objectValue?["items"]?.arrayValue ?? []
        #expect(!nextRows.isEmpty)
        let firstNames = Set(rows.compactMap { $0.objectValue?["name"]?.stringValue })
        let nextNames = Set(nextRows.compactMap { $0.objectValue?["name"]?.stringValue })
        #expect(firstNames.intersection(nextNames).isEmpty)

        let failed = try await server.call("list_workflows", ["phase": ["Failed"]])
        let failedRows = failed.structuredContent?.objectValue?["items"]?.arrayValue ?? []
        #expect(!failedRows.isEmpty)
        #expect(failedRows.allSatisfy { $0.objectValue?["phase"] == .string("Failed") })

        // The 10,000-node workflow: a compact summary under 8 KB of text.
        let big = try await server.call("get_workflow", ["name": "big-10k"])
        #expect(big.isError == false)
        #expect(big.text.utf8.count < 8_000)
        let summary = try #require(big.structuredContent?.objectValue)
        #expect((9_000...10_000).contains(summary["nodeCount"]?.intValue ?? 0))
        #expect(summary["truncated"] == .bool(true))
        let failedNodes = summary["failedNodes"]?.arrayValue ?? []
        #expect(failedNodes.count == 20)
        let firstFailed = try #require(failedNodes.first?.objectValue)
        #expect(firstFailed["podName"]?.stringValue?.hasPrefix("big-10k-work-") == true)

        let page = try await server.call("get_workflow", ["name": "big-10k", "include": "nodes", "limit": 100])
        let pageObject = try #require(page.structuredContent?.objectValue)
        #expect(pageObject["nodes"]?.arrayValue?.count == 100)
        #expect(pageObject["continue"] == .string("100"))

        let raw = try await server.call("get_workflow", ["name": "big-10k", "include": "raw", "max_bytes": 4000])
        let rawObject = try #require(raw.structuredContent?.objectValue)
        #expect((rawObject["text"]?.stringValue?.utf8.count ?? 0) <= 4000)
        #expect(rawObject["truncated"] == .bool(true))

        let fields = try await server.call("get_workflow", ["name": "big-10k", "fields": "metadata.name,status.phase"])
        #expect(
            fields.structuredContent?.objectValue?["text"]?.stringValue
                == #"{"metadata":{"name":"big-10k"},"status":{"phase":"Failed"}}"#)

        // Logs of a failed node, found by its display name.
        let nodeName = try #require(firstFailed["name"]?.stringValue)
        let logs = try await server.call(
            "get_workflow_logs", ["name": "big-10k", "node": .string(nodeName), "tail_lines": 20])
        #expect(logs.isError == false)
        let pods = logs.structuredContent?.objectValue?["pods"]?.arrayValue ?? []
        #expect(pods.count == 1)
        #expect(logs.text.contains("ERROR"))

        let capped = try await server.call(
            "get_workflow_logs", ["name": "big-10k", "tail_lines": 50, "max_bytes": 2000])
        #expect(capped.structuredContent?.objectValue?["truncated"] == .bool(true))
        #expect((capped.structuredContent?.objectValue?["bytes"]?.intValue ?? .max) <= 2000)

        let grep = try await server.call(
            "get_workflow_logs", ["name": "nightly-etl-7x2kq", "grep": "WARN", "tail_lines": 100])
        #expect(grep.text.contains("WARN"))
        #expect(!grep.text.contains("INFO [work] processed"))

        // Bad input: one error naming every bad argument; unknown objects: Argo's 404 message.
        let bad = try await server.call(
            "list_workflows", ["limit": -1, "phase": ["Bogus"], "label_selector": "a in b", "namespace": 5])
        #expect(bad.isError == true)
        for field in ["limit", "phase", "label_selector"] { #expect(bad.text.contains(field)) }
        // A number where the schema says string is named too, with the fix.
        #expect(bad.text.contains(#"namespace: must be a string (write "5" in quotes)"#))
        let missing = try await server.call("get_workflow", ["name": "does-not-exist"])
        #expect(missing.isError == true)
        #expect(missing.text.contains("workflows.argoproj.io \"does-not-exist\" not found"))
        let noNode = try await server.call("get_workflow_logs", ["name": "big-10k", "node": "no-such-node"])
        #expect(noNode.isError == true)
        #expect(noNode.text.contains("no-such-node"))

        let stderr = await server.stop()
        #expect(stderr.contains("simulator"))
    }

    @Test("injected faults come back as tool errors with Argo's code; a broken log stream keeps what arrived")
    func faults() async throws {
        let server = try await ServerProcess([
            "serve", "--simulator", "--fault", "get_workflow:code=7,message=denied by RBAC",
            "--fault", "workflow_logs:break_after=3",
        ])
        _ = try await server.connect()
        let denied = try await server.call("get_workflow", ["name": "nightly-etl-7x2kq"])
        #expect(denied.isError == true)
        #expect(denied.text.contains("permissionDenied (HTTP 403, code 7): denied by RBAC"))
        let logs = try await server.call("get_workflow_logs", ["name": "nightly-etl-7x2kq"])
        #expect(logs.isError == false)
        #expect(logs.structuredContent?.objectValue?["lineCount"] == .int(3))
        #expect(logs.structuredContent?.objectValue?["streamError"]?.stringValue?.contains("streamBroken") == true)
        let listed = try await server.call("list_workflows")
        #expect(listed.isError == false)
        _ = await server.stop()
    }

    @Test("each command's help lists only the options that command reads")
    func helpPerCommand() throws {
        let (status, simulatorHelp, _) = try ServerProcess.runCapturing(["simulator", "--help"])
        #expect(status == 0)
        for option in ["--port", "--seed", "--generate", "--fault", "--tick-ms", "--watch-seconds", "--log-level"] {
            #expect(simulatorHelp.contains(option), "simulator --help lacks \(option)")
        }
        for serveOnly in ["--argo-server", "--read-only", "--ca-file", "--deny-namespace", "--request-timeout"] {
            #expect(!simulatorHelp.contains(serveOnly), "simulator --help lists the serve-only \(serveOnly)")
        }
        // Options whose help shows the default once: ArgumentParser appends "(default: …)" itself.
        #expect(simulatorHelp.components(separatedBy: "default: 1000").count == 2)
        let (_, serveHelp, _) = try ServerProcess.runCapturing(["serve", "--help"])
        for option in ["--argo-server", "--read-only", "--seed", "--simulator"] {
            #expect(serveHelp.contains(option), "serve --help lacks \(option)")
        }
    }

    @Test("a malformed JSON-RPC line does not kill the server")
    func malformedLine() async throws {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["serve", "--simulator"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
            "this is not json {",
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
        ]
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let replies = out.split(separator: "\n")
        #expect(replies.contains { $0.contains("\"id\":2") && $0.contains("list_workflows") })
        #expect(replies.contains { $0.contains("-32700") })
        #expect(process.terminationStatus == 0)
    }

    static func encoded(_ tool: Tool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(tool)
    }
}
