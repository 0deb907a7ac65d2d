import Foundation
import MCP
import Testing

/// MCP-native confirmation: a host that supports elicitation is asked directly; tokens keep working.
@Suite("confirmation by elicitation (every transport)", .serialized, .timeLimit(.minutes(2)))
struct ElicitationScenarioTests {
    actor Asked {
        var messages: [String] = []
        func add(_ m: String) { messages.append(m) }
    }

    static func answering(_ confirm: Bool?, _ asked: Asked)
        -> @Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result
    {
        { params in
            if case .form(let form) = params { await asked.add(form.message) }
            guard let confirm else { return CreateElicitation.Result(action: .cancel) }
            return CreateElicitation.Result(action: .accept, content: ["confirm": .bool(confirm)])
        }
    }

    func run(_ answer: Bool?, over transport: TransportKind) async throws -> (
        CallTool.Result, String, [String], any MCPHarness
    ) {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-elicit-\(UUID().uuidString)/audit.jsonl")
        let asked = Asked()
        let server = try await transport.start(
            ["serve", "--simulator"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path],
            elicitation: Self.answering(answer, asked))
        _ = try await server.connect()
        let result = try await server.call("terminate_workflow", ["name": "ingest-events-q9z4m"])
        let phase =
            answer == true
            ? try await server.phase(of: "ingest-events-q9z4m", becomes: "Failed")
            : try await server.call("get_workflow", ["name": "ingest-events-q9z4m"]).structuredContent?.objectValue?[
                "phase"]?.stringValue ?? ""
        let decisions = ((try? String(contentsOf: audit, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["decision"] as? String
        }
        #expect(await asked.messages.count == 1)
        #expect(await asked.messages.first?.contains("terminate_workflow argo/ingest-events-q9z4m") == true)
        return (result, phase, decisions, server)
    }

    @Test(
        "accept: the user is shown the preview and the call is carried out without a token",
        arguments: TransportKind.allCases)
    func accept(_ transport: TransportKind) async throws {
        let (result, phase, decisions, server) = try await run(true, over: transport)
        #expect(result.isError == false)
        #expect(result.structuredContent?.objectValue?["phaseAfter"] == "Running")
        #expect(phase == "Failed")
        #expect(decisions == ["allowed", "succeeded"])
        _ = await server.stop()
    }

    @Test(
        "decline and cancel refuse the call, audited, nothing changes",
        arguments: [false, nil] as [Bool?], TransportKind.allCases)
    func decline(answer: Bool?, transport: TransportKind) async throws {
        let (result, phase, decisions, server) = try await run(answer, over: transport)
        #expect(result.isError == true)
        #expect(result.text.contains(answer == nil ? "cancelled" : "declined"))
        #expect(phase == "Running")
        #expect(decisions == ["refused"])
        _ = await server.stop()
    }

    /// The simulator with an audit file of its own, and a client that answers elicitation with `answering`.
    static func server(
        over transport: TransportKind, mode: String? = nil,
        answering: @escaping @Sendable (CreateElicitation.Parameters) async throws -> CreateElicitation.Result
    ) async throws -> any MCPHarness {
        var environment = [
            "ARGO_MCP_AUDIT_FILE": FileManager.default.temporaryDirectory.appendingPathComponent(
                "argo-mcp-elicit-\(UUID().uuidString)/a.jsonl"
            ).path
        ]
        if let mode { environment["ARGO_MCP_CONFIRMATION_MODE"] = mode }
        return try await transport.start(["serve", "--simulator"], environment: environment, elicitation: answering)
    }

    @Test(
        "confirmation.mode token: the host is not asked; a preview and token come back",
        arguments: TransportKind.allCases)
    func tokenMode(_ transport: TransportKind) async throws {
        let asked = Asked()
        let server = try await Self.server(over: transport, mode: "token", answering: Self.answering(true, asked))
        _ = try await server.connect()
        let preview = try await server.call("terminate_workflow", ["name": "ingest-events-q9z4m"])
        #expect(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue != nil)
        #expect(await asked.messages.isEmpty)
        _ = await server.stop()
    }

    @Test(
        "a host that shows dialogs: a made-up token does not skip the dialog, and a decline hands out no token",
        arguments: TransportKind.allCases)
    func tokenCannotSkipDialog(_ transport: TransportKind) async throws {
        let asked = Asked()
        let server = try await Self.server(over: transport, answering: Self.answering(false, asked))
        _ = try await server.connect()
        let first = try await server.call(
            "terminate_workflow", ["name": "ingest-events-q9z4m", "confirmation_token": "amc_madeup"])
        #expect(first.isError == true)
        #expect(first.text.contains("declined"))
        #expect(first.structuredContent?.objectValue?["confirmation_token"] == nil)
        let second = try await server.call(
            "terminate_workflow", ["name": "ingest-events-q9z4m", "confirmation_token": "amc_other"])
        #expect(second.isError == true)
        #expect(await asked.messages.count == 2)
        let phase = try await server.call("get_workflow", ["name": "ingest-events-q9z4m"])
        #expect(phase.structuredContent?.objectValue?["phase"] == "Running")
        _ = await server.stop()
    }
}
