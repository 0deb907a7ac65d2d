import AsyncHTTPClient
import Foundation
import Testing

/// MCP 2026-07-28 beside 2025-11-25 on one binary: the official Python client (the reference) in its default
/// `auto` mode negotiates the revision over stdio and over HTTP, its `legacy` mode still gets the handshake era, and
/// the revision's envelope rules hold on the wire.
@Suite("MCP 2026-07-28 beside 2025-11-25", .serialized, .timeLimit(.minutes(3)))
struct ModernScenarioTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop/modern.py")

    /// One conversation of the Python client (Tests/Interop/modern.py), as the JSON object it prints.
    static func python(_ transport: String, _ target: String, mode: String) async throws -> [String: Any] {
        let python = try #require(Balancer.python, "the MCP Python SDK venv is missing (scripts/test-components.sh)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, transport, target, "--mode", mode]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let finished = await process.exited(within: .seconds(90))
        #expect(finished, "the Python client did not finish")
        #expect(process.terminationStatus == 0, "the Python client failed: \(err.suffix(2000))")
        return try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any], "\(err.suffix(1000))")
    }

    /// What both eras must show of one conversation; the era's own: its version and its not-found code.
    static func expectConversation(_ seen: [String: Any], modern: Bool, _ label: String) {
        #expect(seen["protocol"] as? String == (modern ? "2026-07-28" : "2025-11-25"), "\(label): \(seen)")
        #expect(seen["discovered"] as? Bool == modern, "\(label): server/discover \(modern ? "" : "not ")used")
        let tools = seen["tools"] as? [String] ?? []
        #expect(tools.count >= 40 && tools.contains("get_workflow") && tools.contains("submit_workflow"), "\(label)")
        #expect(seen["callError"] as? Bool == false, "\(label): \(seen["callText"] ?? "")")
        #expect(seen["callName"] as? String == "nightly-etl-7x2kq", "\(label)")
        #expect(seen["readName"] as? String == "nightly-etl-7x2kq", "\(label)")
        let missing = seen["missing"] as? [String: Any]
        #expect(missing?["code"] as? Int == (modern ? -32602 : -32002), "\(label): \(missing ?? [:])")
        #expect((missing?["message"] as? String)?.contains("failed to read argo://workflows/argo/no-such") == true)
        #expect((seen["prompts"] as? [String])?.count == 3, "\(label)")
        if modern {
            // The revision's caching hints: the tool list depends on the policy and the caller.
            #expect(seen["ttlMs"] as? Int == 3_600_000 && seen["cacheScope"] as? String == "private", "\(label)")
        }
    }

    @Test(
        "the Python client's auto mode negotiates 2026-07-28 over stdio and over HTTP; its legacy mode gets 2025-11-25")
    func pythonClient() async throws {
        let binary = ServerProcess.binary.path
        Self.expectConversation(try await Self.python("stdio", binary, mode: "auto"), modern: true, "stdio auto")
        Self.expectConversation(try await Self.python("stdio", binary, mode: "legacy"), modern: false, "stdio legacy")
        let server = try await HTTPServerProcess(["serve", "--simulator"], callers: [])
        Self.expectConversation(try await Self.python("http", server.url, mode: "auto"), modern: true, "http auto")
        Self.expectConversation(try await Self.python("http", server.url, mode: "legacy"), modern: false, "http legacy")
        _ = await server.stop()
    }

    static let meta =
        #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#

    static func headers(_ method: String, name: String? = nil, version: String = "2026-07-28") -> [(String, String)] {
        var headers = [("MCP-Protocol-Version", version), ("Mcp-Method", method)]
        if let name { headers.append(("Mcp-Name", name)) }
        return headers
    }

    @Test(
        "on the wire: discover, resultType and caching hints; 400 for a missing _meta, an unknown version or headers that disagree with the body; 404 for an unknown method; 405 for GET"
    )
    func wire() async throws {
        let server = try await HTTPServerProcess(["serve", "--simulator"], callers: [])
        func post(_ url: String, _ body: String, headers: [(String, String)]) async throws -> (
            status: Int, headers: [String: String], body: String
        ) {
            try await HTTPTransportScenarioTests.post(url, body, headers: headers)
        }

        let discover = try await post(
            server.url, #"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{\#(Self.meta)}}"#,
            headers: Self.headers("server/discover"))
        #expect(discover.status == 200)
        #expect(discover.headers["mcp-session-id"] == nil, "the revision has no sessions")
        let found =
            try #require(
                try JSONSerialization.jsonObject(with: Data(discover.body.utf8)) as? [String: Any])["result"]
            as? [String: Any]
        #expect(found?["resultType"] as? String == "complete")
        #expect(found?["supportedVersions"] as? [String] == ["2026-07-28", "2025-11-25"])
        #expect((found?["instructions"] as? String)?.hasPrefix("[SIMULATOR]") == true, "the notice, first")
        #expect(found?["ttlMs"] != nil && found?["cacheScope"] != nil)
        #expect(discover.body.contains(#""io.modelcontextprotocol/serverInfo":{"name":"argo-mcp""#))

        // Two tool lists are the same list, in the same order.
        let list = #"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{\#(Self.meta)}}"#
        let first = try await post(server.url, list, headers: Self.headers("tools/list"))
        let again = try await post(server.url, list, headers: Self.headers("tools/list"))
        #expect(first.status == 200 && first.body == again.body)

        // A tool's failure is a result (isError), not an error.
        let failed = try await post(
            server.url,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{\#(Self.meta),"name":"get_workflow","arguments":{"name":"nope"}}}"#,
            headers: Self.headers("tools/call", name: "get_workflow"))
        #expect(failed.status == 200)
        #expect(failed.body.contains(#""isError":true"#) && failed.body.contains(#""resultType":"complete""#))

        let refusals: [(body: String, headers: [(String, String)], status: Int, code: Int, says: String)] = [
            (
                #"{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{}}"#, Self.headers("tools/list"), 400,
                -32602, "io.modelcontextprotocol/protocolVersion"
            ),
            (
                #"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
                Self.headers("tools/list", version: "2099-01-01"), 400, -32022, #""requested":"2099-01-01""#
            ),
            (
                #"{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{\#(Self.meta)}}"#,
                Self.headers("tools/call"), 400, -32020, "Mcp-Method"
            ),
            (
                #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{\#(Self.meta),"name":"get_workflow","arguments":{"name":"x"}}}"#,
                Self.headers("tools/call", name: "delete_workflow"), 400, -32020, "Mcp-Name"
            ),
            (
                #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{\#(Self.meta),"name":"get_workflow","arguments":{"name":"x"}}}"#,
                Self.headers("tools/call"), 400, -32020, "Mcp-Name"
            ),
            (
                #"{"jsonrpc":"2.0","id":9,"method":"ping","params":{\#(Self.meta)}}"#, Self.headers("ping"), 404,
                -32601, "ping"
            ),
            (
                #"{"jsonrpc":"2.0","id":10,"method":"resources/read","params":{\#(Self.meta),"uri":"argo://workflows/argo/nope"}}"#,
                Self.headers("resources/read", name: "argo://workflows/argo/nope"), 400, -32602,
                #""uri":"argo://workflows/argo/nope""#
            ),
        ]
        for refusal in refusals {
            let answer = try await post(server.url, refusal.body, headers: refusal.headers)
            #expect(answer.status == refusal.status, "\(refusal.body): \(answer.body)")
            #expect(answer.body.contains(#""code":\#(refusal.code)"#), "\(refusal.body): \(answer.body)")
            #expect(answer.body.contains(refusal.says), "\(refusal.body): \(answer.body)")
        }
        // A name sent as =?base64?…?= is decoded before it is compared.
        let encoded = "=?base64?\(Data("get_workflow".utf8).base64EncodedString())?="
        let base64 = try await post(
            server.url,
            #"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{\#(Self.meta),"name":"get_workflow","arguments":{"name":"nightly-etl-7x2kq"}}}"#,
            headers: Self.headers("tools/call", name: encoded))
        #expect(base64.status == 200 && base64.body.contains(#""isError":false"#), "\(base64.body.prefix(300))")

        var get = HTTPClientRequest(url: server.url)
        get.method = .GET
        get.headers.add(name: "MCP-Protocol-Version", value: "2026-07-28")
        get.headers.add(name: "Accept", value: "text/event-stream")
        let status = try await HTTPClient.shared.execute(get, timeout: .seconds(10)).status.code
        #expect(status == 405)
        _ = await server.stop()
    }
}
