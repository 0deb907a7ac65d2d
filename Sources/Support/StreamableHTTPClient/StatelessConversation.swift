import Foundation

/// One whole MCP conversation over stateless Streamable HTTP, every message retried by a `RetryingPoster`:
/// initialize, initialized, tools/list, `get_workflow`, and `submit_workflow` previewed and confirmed with the
/// preview's token. For the deployment scenarios and the benchmarks (many at once, through a balancer).
public enum StatelessConversation {
    public struct Outcome: Sendable {
        /// The confirmation token the preview handed out.
        public var token: String
        /// The confirmed call's answer was a success.
        public var confirmed: Bool
        /// The confirmation, retried, found its token already used: the replica that took it stopped before it
        /// answered (whether it carried the call out, the audit trail says).
        public var alreadyUsed: Bool
        /// Each request's time from its first try to its answer.
        public var calls: [Duration]
        public var retries: Int
    }

    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ poster: RetryingPoster, workflow: String, manifest: String) async throws -> Outcome {
        var id = 0
        var calls: [Duration] = []
        var retries = 0
        func send(_ method: String, _ params: [String: Any], notification: Bool = false) async throws -> [String: Any] {
            var message: [String: Any] = ["jsonrpc": "2.0", "method": method, "params": params]
            if !notification {
                id += 1
                message["id"] = id
            }
            let answer = try await poster.post(try JSONSerialization.data(withJSONObject: message))
            retries += answer.retries
            guard let data = answer.message else { return [:] }
            calls.append(answer.elapsed)
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw Failed(description: "\(method): the answer is not a JSON object")
            }
            if let error = object["error"] { throw Failed(description: "\(method): \(error)") }
            return object["result"] as? [String: Any] ?? [:]
        }
        func tool(_ name: String, _ arguments: [String: Any]) async throws -> (isError: Bool, structured: [String: Any])
        {
            let result = try await send("tools/call", ["name": name, "arguments": arguments])
            return (result["isError"] as? Bool ?? false, result["structuredContent"] as? [String: Any] ?? [:])
        }

        let initialized = try await send(
            "initialize",
            [
                "protocolVersion": "2025-11-25", "capabilities": [String: Any](),
                "clientInfo": ["name": "argo-mcp-stateless-conversation", "version": "1"],
            ])
        guard initialized["serverInfo"] != nil else { throw Failed(description: "initialize: no serverInfo") }
        _ = try await send("notifications/initialized", [:], notification: true)
        let tools = try await send("tools/list", [:])
        guard (tools["tools"] as? [Any])?.isEmpty == false else { throw Failed(description: "tools/list is empty") }
        let read = try await tool("get_workflow", ["name": workflow])
        guard !read.isError, read.structured["name"] as? String == workflow else {
            throw Failed(description: "get_workflow \(workflow) failed: \(read.structured)")
        }
        let preview = try await tool("submit_workflow", ["manifest": manifest])
        guard let token = preview.structured["confirmation_token"] as? String else {
            throw Failed(description: "submit_workflow gave no confirmation token: \(preview.structured)")
        }
        let done = try await tool("submit_workflow", ["manifest": manifest, "confirmation_token": token])
        let alreadyUsed =
            done.isError && (done.structured["error"] as? String)?.contains("unknown or was already used") == true
        guard !done.isError || alreadyUsed else {
            throw Failed(description: "the confirmed submit_workflow failed: \(done.structured["error"] ?? "")")
        }
        return Outcome(token: token, confirmed: !done.isError, alreadyUsed: alreadyUsed, calls: calls, retries: retries)
    }
}
