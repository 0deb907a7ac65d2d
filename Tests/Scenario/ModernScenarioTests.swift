import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// MCP 2026-07-28 beside 2025-11-25 on one binary: the official Python client (the reference) in its default
/// `auto` mode negotiates the revision over stdio and over HTTP, its `legacy` mode still gets the handshake era, and
/// the revision's envelope rules hold on the wire.
@Suite("MCP 2026-07-28 beside 2025-11-25", .serialized, .timeLimit(.minutes(3)))
struct ModernScenarioTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop/modern.py")

    /// One conversation of the Python client (Tests/Interop/modern.py), as the JSON object it prints.
    static func python(_ transport: String, _ target: String, mode: String, extra: [String] = []) async throws
        -> [String: Any]
    {
        let python = try #require(Balancer.python, "the MCP Python SDK venv is missing (scripts/test-components.sh)")
        let run = try await ServerProcess.runToEnd(
            URL(fileURLWithPath: python), [script.path, transport, target, "--mode", mode] + extra, limit: .seconds(90))
        #expect(run.finished, "the Python client did not finish")
        #expect(run.status == 0, "the Python client failed: \(run.stderr.suffix(2000))")
        return try #require(
            try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any], "\(run.stderr.suffix(1000))")
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
        // explain asks the host's model: in place over 2025-11-25, in a later round over 2026-07-28; either way
        // once, with the findings, and the answer lands in the result.
        let sampled = seen["sampled"] as? [Int] ?? []
        #expect(sampled.count == 1 && sampled[0] > 200, "\(label): \(sampled)")
        #expect(seen["explanation"] as? String == "explained \(sampled.first ?? 0) chars", "\(label)")
        if modern {
            // The revision's caching hints: the tool list depends on the policy and the caller.
            #expect(seen["ttlMs"] as? Int == 3_600_000 && seen["cacheScope"] as? String == "private", "\(label)")
        }
    }

    /// A workflow that evolves once something reads it: eight steps 150 ms apart.
    static let evolving = ["--generate", "name=lw,nodes=6,evolve=8", "--tick-ms", "150"]
    static let listened = ["--listen", "argo://workflows/argo/lw"]

    /// What subscriptions/listen on the evolving workflow must show: honoured, updates as it ran, and the server's
    /// answer ending the stream once it completed.
    static func expectListen(_ seen: [String: Any], _ label: String) {
        let listen = seen["listen"] as? [String: Any]
        #expect(listen?["honoured"] as? [String] == ["argo://workflows/argo/lw"], "\(label): \(listen ?? [:])")
        let updates = listen?["updates"] as? [String] ?? []
        #expect(updates.count >= 2 && updates.allSatisfy { $0 == "argo://workflows/argo/lw" }, "\(label): \(updates)")
        #expect(listen?["graceful"] as? Bool == true, "\(label)")
    }

    @Test(
        "the Python client's auto mode negotiates 2026-07-28 over stdio and over HTTP, explains through its sampling callback in a later round and follows a workflow through subscriptions/listen; its legacy mode gets 2025-11-25"
    )
    func pythonClient() async throws {
        let binary = ServerProcess.binary.path
        let stdio = try await Self.python(
            "stdio", binary, mode: "auto", extra: Self.evolving.map { "--server-arg=\($0)" } + Self.listened)
        Self.expectConversation(stdio, modern: true, "stdio auto")
        Self.expectListen(stdio, "stdio auto")
        Self.expectConversation(try await Self.python("stdio", binary, mode: "legacy"), modern: false, "stdio legacy")
        let server = try await HTTPServerProcess(["serve", "--simulator"] + Self.evolving, callers: [])
        let http = try await Self.python("http", server.url, mode: "auto", extra: Self.listened)
        Self.expectConversation(http, modern: true, "http auto")
        Self.expectListen(http, "http auto")
        Self.expectConversation(try await Self.python("http", server.url, mode: "legacy"), modern: false, "http legacy")
        _ = await server.stop()
    }

    @Test(
        "subscriptions/listen on the wire: acknowledged first with what is honoured, updates tagged with the listen's id, and a graceful shutdown (SIGTERM) ends it with its answer"
    )
    func listenOnTheWire() async throws {
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--generate", "name=slow,nodes=100,evolve=300", "--tick-ms", "50"], callers: [])
        var request = HTTPClientRequest(url: server.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        for (name, value) in Self.headers("subscriptions/listen") { request.headers.add(name: name, value: value) }
        request.body = .bytes(
            ByteBuffer(
                string:
                    #"{"jsonrpc":"2.0","id":"l1","method":"subscriptions/listen","params":{\#(Self.meta),"notifications":{"toolsListChanged":true,"resourceSubscriptions":["argo://workflows/argo/slow","argo://workflows/argo/nope","argo://reference/crd"]}}}"#
            ))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        var iterator = response.body.makeAsyncIterator()
        var text = ""
        while text.components(separatedBy: "notifications/resources/updated").count < 3,
            let chunk = try await iterator.next()
        {
            text += String(buffer: chunk)
        }
        let events = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: message\ndata: ") }
        let first = events.first ?? ""
        // Only what will come is honoured: the workflow that exists, not the missing one, the reference document or
        // the tool list (which never changes while the server runs).
        #expect(
            first.contains(#""method":"notifications/subscriptions/acknowledged""#)
                && first.contains(#""notifications":{"resourceSubscriptions":["argo://workflows/argo/slow"]}"#),
            "\(first)")
        #expect(
            events.dropFirst().allSatisfy {
                $0.contains(
                    #""_meta":{"io.modelcontextprotocol/subscriptionId":"l1"},"uri":"argo://workflows/argo/slow""#)
            }, "\(events)")
        // A listen without an event stream to answer on is refused, not left holding its watches.
        var plain = HTTPClientRequest(url: server.url)
        plain.method = .POST
        plain.headers.add(name: "Content-Type", value: "application/json")
        plain.headers.add(name: "Accept", value: "application/json")
        for (name, value) in Self.headers("subscriptions/listen") { plain.headers.add(name: name, value: value) }
        plain.body = request.body
        let refused = try await HTTPClient.shared.execute(plain, timeout: .seconds(10))
        #expect(refused.status == .badRequest)
        #expect(String(buffer: try await refused.body.collect(upTo: 1 << 16)).contains(#""code":-32600"#))

        server.process.terminate()
        while let chunk = try await iterator.next() { text += String(buffer: chunk) }
        let last = text.components(separatedBy: "\n\n").last { $0.hasPrefix("event: message") } ?? ""
        #expect(
            last.contains(#""id":"l1""#) && last.contains(#""io.modelcontextprotocol/subscriptionId":"l1""#)
                && last.contains(#""resultType":"complete""#),
            "the stream did not end with the listen's answer: \(last)")
        _ = await server.stop()
    }

    @Test(
        "log messages only for a request that asks (_meta logLevel), at or above its level, in that request's stream; an unknown level is invalid params"
    )
    func logOptIn() async throws {
        let server = try await HTTPServerProcess(
            [
                "serve", "--simulator", "--generate", "name=lg1,nodes=6,evolve=30", "--generate",
                "name=lg2,nodes=6,evolve=30", "--generate", "name=lg3,nodes=6,evolve=30", "--tick-ms", "100",
            ], callers: [])
        func watch(_ name: String, level: String?) async throws -> (status: Int, body: String) {
            let opt = level.map { #""io.modelcontextprotocol/logLevel":"\#($0)","# } ?? ""
            let body =
                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{\#(opt)"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"name":"watch_workflow","arguments":{"name":"\#(name)","summary_every":1,"timeout_seconds":30}}}"#
            let answer = try await HTTPTransportScenarioTests.post(
                server.url, body, headers: Self.headers("tools/call", name: "watch_workflow"), timeout: .seconds(40))
            return (answer.status, answer.body)
        }
        let asked = try await watch("lg1", level: "debug")
        #expect(asked.body.contains(#""method":"notifications/message""#), "\(asked.body.prefix(600))")
        #expect(asked.body.contains("watch argo/lg1: "))
        let silent = try await watch("lg2", level: nil)
        #expect(silent.status == 200 && !silent.body.contains("notifications/message"), "\(silent.body.prefix(300))")
        let above = try await watch("lg3", level: "warning")
        #expect(!above.body.contains("notifications/message"), "info messages sent to a client that asked for warning")
        let bogus = try await watch("lg3", level: "chatty")
        #expect(bogus.status == 400 && bogus.body.contains(#""code":-32602"#), "\(bogus.body)")
        _ = await server.stop()
    }

    @Test(
        "stdio: at the end of input a listen is answered and the server exits; a cancelled request gets no answer and is not waited for"
    )
    func stdioEnd() async throws {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = [
            "serve", "--simulator", "--generate", "name=slow,nodes=100,evolve=300", "--tick-ms", "50",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let written = Task { await ServerProcess.rest(of: output.fileHandleForReading) }
        let meta =
            #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#
        let lines = [
            #"{"jsonrpc":"2.0","id":"l1","method":"subscriptions/listen","params":{\#(meta),"notifications":{"resourceSubscriptions":["argo://workflows/argo/slow"]}}}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{\#(meta),"name":"watch_workflow","arguments":{"name":"slow","timeout_seconds":60}}}"#,
        ]
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try await Task.sleep(for: .seconds(1))
        input.fileHandleForWriting.write(
            Data(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}"#.utf8 + [10]))
        try input.fileHandleForWriting.close()
        // The transport waits at most 10 s for answers it expects: well before that, nothing is left to wait for.
        let finished = await process.exited(within: .seconds(8))
        #expect(finished, "the server waited for answers that never come")
        let answers = await written.value.split(separator: "\n")
        #expect(answers.first?.contains("notifications/subscriptions/acknowledged") == true, "\(answers.prefix(2))")
        #expect(
            answers.contains { $0.contains(#""id":"l1""#) && $0.contains(#""resultType":"complete""#) },
            "the listen was not answered: \(answers.suffix(2))")
        #expect(!answers.contains { $0.contains(#""id":7,"#) }, "the cancelled call was answered")
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

        // The policy filters the list as over 2025-11-25: a read-only server lists no mutation, and refuses one
        // called anyway with the setting that would allow it.
        let readOnly = try await HTTPServerProcess(
            ["serve", "--simulator"], environment: ["ARGO_MCP_READ_ONLY": "true"], callers: [])
        let narrow = try await post(readOnly.url, list, headers: Self.headers("tools/list"))
        #expect(narrow.body.contains(#""name":"get_workflow""#) && !narrow.body.contains(#""name":"delete_workflow""#))
        let withheld = try await post(
            readOnly.url,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{\#(Self.meta),"name":"delete_workflow","arguments":{"name":"x"}}}"#,
            headers: Self.headers("tools/call", name: "delete_workflow"))
        #expect(withheld.body.contains(#""isError":true"#) && withheld.body.contains("permissions.readOnly"))
        _ = await readOnly.stop()

        // Caching hints: argo-mcp's own documents (the reference, the upstream examples) never change within a
        // version and are the same for everyone; an object from Argo is stale at once and the caller's.
        for (uri, ttl, scope) in [
            ("argo://reference/workflow", 86_400_000, "public"), ("argo://examples/hello-world", 86_400_000, "public"),
            ("argo://workflows/argo/nightly-etl-7x2kq", 0, "private"),
        ] {
            let read = try await post(
                server.url,
                #"{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{\#(Self.meta),"uri":"\#(uri)"}}"#,
                headers: Self.headers("resources/read", name: uri))
            #expect(
                read.status == 200 && read.body.contains(#""ttlMs":\#(ttl)"#)
                    && read.body.contains(#""cacheScope":"\#(scope)""#), "\(uri): \(read.body.suffix(200))")
        }

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
