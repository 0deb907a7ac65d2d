import MCP

/// Asking the host's model for text (MCP sampling), for the tools that can use it.
enum HostSampling {
    /// A sampler over `server`'s client, when the client offers sampling.
    static func sampler(_ server: Server, available: Bool) -> (@Sendable (String, String, Int) async throws -> String)?
    {
        guard available else { return nil }
        return { system, text, maxTokens in
            try await sample(server, system: system, text: text, maxTokens: maxTokens)
        }
    }

    /// One answer of the host's model, or an error after `timeout`.
    static func sample(
        _ server: Server, system: String, text: String, maxTokens: Int, timeout: Duration = .seconds(120)
    )
        async throws -> String
    {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                let result = try await server.requestSampling(
                    messages: [.user(.single(.text(text)))], systemPrompt: system,
                    includeContext: Sampling.ContextInclusion.none,
                    temperature: 0.2, maxTokens: maxTokens)
                switch result.content {
                case .single(.text(let t)): return t
                case .multiple(let blocks):
                    return blocks.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined(separator: "\n")
                default: return ""
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SamplingTimedOut(timeout: timeout)
            }
            let first = try await group.next() ?? ""
            group.cancelAll()
            return first
        }
    }
}

/// The host's model did not answer a sampling request in time.
struct SamplingTimedOut: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(timeout)" }
}
