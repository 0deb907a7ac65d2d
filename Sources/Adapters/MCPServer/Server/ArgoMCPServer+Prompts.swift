import MCP
import Tracing

/// Prompts (`prompts/list`, `prompts/get`) and the client's log level (`logging/setLevel`, for a lasting session).
extension ArgoMCPServer {
    func registerPrompts(_ state: SessionState) async {
        let inFlight = state.inFlight
        await state.server.withMethodHandler(ListPrompts.self) { _ in
            ListPrompts.Result(prompts: current.listedPrompts)
        }
        await state.server.withMethodHandler(GetPrompt.self) { params in
            let me = current
            return try await Traces.request(
                "prompts/get", target: params.name, meta: nil, caller: me.caller, revision: Self.handshakeRevision
            ) { _ in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                return try await me.getPrompt(params.name, params.arguments ?? [:])
            }
        }
    }

    func registerLogging(_ state: SessionState) async {
        guard state.lasting else { return }
        let client = state.client
        await state.server.withMethodHandler(SetLoggingLevel.self) { params in
            await client.setLogLevel(params.level)
            return Empty()
        }
    }
}
