import AsyncHTTPClient
import Foundation
import Testing

/// Confirmations as MCP 2026-07-28 multi round-trip requests, on the wire: the first call answers
/// `input_required` with the preview as a form and a sealed `requestState`; only the state this server sealed, for
/// this caller, tool and arguments, unexpired and unused, carries the call out. Everything else is refused, and every
/// refusal is in the audit file.
@Suite("Confirmations in a later request (2026-07-28)", .serialized, .timeLimit(.minutes(3)))
struct RoundTripScenarioTests {
    static let alice = HTTPServerProcess.BearerCaller(name: "alice", token: "amt_alice-\(UUID().uuidString)")
    static let bob = HTTPServerProcess.BearerCaller(name: "bob", token: "amt_bob-\(UUID().uuidString)")
    static let keyA = Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let keyB = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()

    /// A server that lets destructive calls through after confirmation, auditing to `audit`.
    static func server(audit: URL, key: String, ttlSeconds: Int = 300) async throws -> HTTPServerProcess {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).yaml")
        try "confirmation:\n  ttlSeconds: \(ttlSeconds)\n".write(to: config, atomically: true, encoding: .utf8)
        return try await HTTPServerProcess(
            ["serve", "--simulator", "--config", config.path],
            environment: [
                "ARGO_MCP_READ_ONLY": "false", "ARGO_MCP_ALLOW_MUTATIONS": "true",
                "ARGO_MCP_ALLOW_DESTRUCTIVE": "true", "ARGO_MCP_AUDIT_FILE": audit.path, "ARGO_MCP_STATE_KEY": key,
            ],
            callers: [alice, bob])
    }

    /// One `tools/call` of the revision from a client that can show forms (or not), as its result object.
    static func call(
        _ url: String, as caller: HTTPServerProcess.BearerCaller, _ tool: String, _ arguments: [String: String],
        state: String? = nil, answer: [String: Any]? = nil, canElicit: Bool = true
    ) async throws -> [String: Any] {
        var params: [String: Any] = [
            "_meta": [
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": canElicit ? ["elicitation": ["form": [:]]] : [:],
            ],
            "name": tool, "arguments": arguments,
        ]
        if let state { params["requestState"] = state }
        if let answer { params["inputResponses"] = ["confirm": answer] }
        let body = try JSONSerialization.data(
            withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params])
        let answered = try await HTTPTransportScenarioTests.post(
            url, String(decoding: body, as: UTF8.self),
            headers: ModernScenarioTests.headers("tools/call", name: tool) + [
                ("Authorization", "Bearer \(caller.token)")
            ])
        #expect(answered.status == 200, "\(answered.body.prefix(500))")
        let object = try JSONSerialization.jsonObject(with: Data(answered.body.utf8)) as? [String: Any]
        return try #require(object?["result"] as? [String: Any], "\(answered.body.prefix(500))")
    }

    static var accept: [String: Any] { ["action": "accept", "content": ["confirm": true]] }

    static func text(_ result: [String: Any]) -> String {
        ((result["content"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined(separator: "\n")
    }

    /// The audit file's records.
    static func records(_ audit: URL) -> [[String: Any]] {
        let text = (try? String(contentsOf: audit, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    @Test(
        "forged, truncated, altered, replayed, expired, another caller's, another tool's, other arguments' and another key's states are refused and audited; the right one carries the call out once"
    )
    func hostileStates() async throws {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).jsonl")
        let server = try await Self.server(audit: audit, key: Self.keyA)
        let url = server.url
        let target = ["name": "ingest-events-q9z4m"]

        // The first round: the preview as a form, the state sealed; nothing is done and no token is in the clear.
        let asked = try await Self.call(url, as: Self.alice, "stop_workflow", target)
        #expect(asked["resultType"] as? String == "input_required", "\(asked)")
        #expect(asked["ttlMs"] == nil && asked["cacheScope"] == nil, "an interim result is never cached")
        let request = (asked["inputRequests"] as? [String: Any])?["confirm"] as? [String: Any]
        #expect(request?["method"] as? String == "elicitation/create")
        let form = request?["params"] as? [String: Any]
        #expect((form?["message"] as? String)?.hasPrefix("Confirm: stop_workflow argo/ingest-events-q9z4m") == true)
        let state = try #require(asked["requestState"] as? String)
        let whole = String(decoding: try JSONSerialization.data(withJSONObject: asked), as: UTF8.self)
        #expect(state.hasPrefix("amrs1.") && !whole.contains("amc_"), "the token is sealed, never in the clear")

        // A client that cannot show a form gets the preview and a token, as over 2025-11-25; a token in the
        // arguments of a client that can does not confirm (only the user's answer does).
        let tokenPreview = try await Self.call(url, as: Self.alice, "stop_workflow", target, canElicit: false)
        let token = try #require(
            (tokenPreview["structuredContent"] as? [String: Any])?["confirmation_token"] as? String, "\(tokenPreview)")
        let withToken = try await Self.call(
            url, as: Self.alice, "stop_workflow", target.merging(["confirmation_token": token]) { a, _ in a })
        #expect(withToken["resultType"] as? String == "input_required", "a model's token skipped the dialog")

        var tampered = Array(state)
        let middle = tampered.count / 2
        tampered[middle] = tampered[middle] == "A" ? "B" : "A"
        let cases:
            [(
                what: String, caller: HTTPServerProcess.BearerCaller, tool: String, arguments: [String: String],
                state: String, says: String
            )] = [
                (
                    "forged", Self.alice, "stop_workflow", target,
                    "amrs1." + Data(repeating: 7, count: 80).base64EncodedString(),
                    "not one this server sealed"
                ),
                (
                    "truncated", Self.alice, "stop_workflow", target, String(state.dropLast(12)),
                    "not one this server sealed"
                ),
                ("altered", Self.alice, "stop_workflow", target, String(tampered), "not one this server sealed"),
                ("another caller's", Self.bob, "stop_workflow", target, state, "asked of a different caller"),
                (
                    "another tool's", Self.alice, "terminate_workflow", target, state,
                    "asked for stop_workflow, not terminate_workflow"
                ),
                (
                    "other arguments'", Self.alice, "stop_workflow", ["name": "release-approval-r4t8w"], state,
                    "the arguments differ"
                ),
            ]
        for hostile in cases {
            let refused = try await Self.call(
                url, as: hostile.caller, hostile.tool, hostile.arguments, state: hostile.state, answer: Self.accept)
            #expect(refused["isError"] as? Bool == true, "\(hostile.what): \(refused)")
            #expect(Self.text(refused).contains(hostile.says), "\(hostile.what): \(Self.text(refused))")
        }

        // The right answer carries it out, once.
        let done = try await Self.call(url, as: Self.alice, "stop_workflow", target, state: state, answer: Self.accept)
        #expect(done["isError"] as? Bool == false && done["resultType"] as? String == "complete", "\(done)")
        let replayed = try await Self.call(
            url, as: Self.alice, "stop_workflow", target, state: state, answer: Self.accept)
        #expect(replayed["isError"] as? Bool == true, "a replayed state carried the call out again")

        // Declined: nothing is done, and the question is answered (its token used up).
        let second = try await Self.call(url, as: Self.alice, "stop_workflow", ["name": "release-approval-r4t8w"])
        let secondState = try #require(second["requestState"] as? String)
        let declined = try await Self.call(
            url, as: Self.alice, "stop_workflow", ["name": "release-approval-r4t8w"], state: secondState,
            answer: ["action": "decline"])
        #expect(Self.text(declined).contains("the user declined stop_workflow"), "\(Self.text(declined))")
        // The workflow is as it was, so only the store's single use stops the same state answered again.
        let again = try await Self.call(
            url, as: Self.alice, "stop_workflow", ["name": "release-approval-r4t8w"], state: secondState,
            answer: Self.accept)
        #expect(Self.text(again).contains("unknown or was already used"), "\(Self.text(again))")
        _ = await server.stop()

        // Another key (a rotated ARGO_MCP_STATE_KEY, or another deployment's) opens nothing; a state past its
        // expiry is refused even though its token would still be in the store.
        let otherAudit = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).jsonl")
        let rotated = try await Self.server(audit: otherAudit, key: Self.keyB, ttlSeconds: 1)
        let foreign = try await Self.call(
            rotated.url, as: Self.alice, "stop_workflow", target, state: state, answer: Self.accept)
        #expect(Self.text(foreign).contains("sealed under another key"), "\(Self.text(foreign))")
        let short = try await Self.call(rotated.url, as: Self.alice, "stop_workflow", target)
        let shortState = try #require(short["requestState"] as? String)
        try await Task.sleep(for: .milliseconds(2_100))
        let expired = try await Self.call(
            rotated.url, as: Self.alice, "stop_workflow", target, state: shortState, answer: Self.accept)
        #expect(Self.text(expired).contains("the confirmation expired at"), "\(Self.text(expired))")
        _ = await rotated.stop()

        // The audit trail: every refusal recorded with its reason and its caller; one allowed and carried out.
        let trail = Self.records(audit)
        let refusals = trail.filter { $0["decision"] as? String == "refused" }
        for hostile in cases {
            #expect(
                refusals.contains {
                    ($0["reason"] as? String)?.contains(hostile.says) == true
                        && $0["caller"] as? String == "bearer:\(hostile.caller.name)"
                }, "\(hostile.what) is not in the audit file")
        }
        #expect(refusals.contains { ($0["reason"] as? String)?.contains("unknown or was already used") == true })
        #expect(refusals.contains { ($0["reason"] as? String)?.contains("the user declined") == true })
        let allowed = trail.filter { $0["decision"] as? String == "allowed" }
        #expect(allowed.count == 1, "\(allowed)")
        #expect(allowed.first?["reason"] as? String == "confirmed in the host's dialog (answered in a later request)")
        #expect(trail.filter { $0["decision"] as? String == "succeeded" }.count == 1)
        let other = Self.records(otherAudit).filter { $0["decision"] as? String == "refused" }
        #expect(other.contains { ($0["reason"] as? String)?.contains("sealed under another key") == true })
        #expect(other.contains { ($0["reason"] as? String)?.contains("the confirmation expired at") == true })
    }
}
