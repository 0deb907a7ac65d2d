import BoundedYAML
import Domain
import Foundation

/// What a running tool can do besides returning: report progress to the caller (when it asked for it).
public struct ToolContext: Sendable {
    /// Sends an MCP progress notification; does nothing when the call carried no progress token.
    public var progress: @Sendable (_ progress: Double, _ total: Double?, _ message: String) async -> Void
    /// The MCP client's name from its initialize request, for the audit file.
    public var client: String?
    /// Asks the user to confirm (MCP elicitation) when the host supports it and the mode allows it.
    public var confirmer: (any Confirmer)?
    /// Asks the host's model (MCP sampling) for text: system prompt, user text, token budget. Nil when the host
    /// does not offer sampling.
    public var sampler: (@Sendable (_ system: String, _ text: String, _ maxTokens: Int) async throws -> String)?
    /// Sends an MCP log message (notifications/message, level info) when the client's log level lets it through.
    public var log: @Sendable (_ message: String) async -> Void
    /// The bounds on a manifest argument (size, nesting, alias expansion).
    public var manifestLimits = YAMLLimits()
    /// For an answer that found nothing in a namespace: the hint that names the namespaces that hold something,
    /// when this one holds nothing argo-mcp can see.
    public var namespaceHint: (@Sendable (String) async -> String?)?
    /// The context (`contexts.NAME`) the call runs in, when argo-mcp serves several Argo Servers.
    public var argoContext: String?
    /// Whether the call named its context (`context`), rather than taking the default one: a read that spans
    /// every context (`health_check`) spans them only when none was named.
    public var contextNamed = false
    /// With several Argo Servers: the highest class of tool each context offers this request (its policy, lowered
    /// by a request's narrowing such as `X-MCP-Readonly`).
    public var contextCeilings: [String: SafetyClass] = [:]

    public init(
        client: String? = nil, confirmer: (any Confirmer)? = nil,
        sampler: (@Sendable (String, String, Int) async throws -> String)? = nil,
        log: @escaping @Sendable (String) async -> Void = { _ in },
        progress: @escaping @Sendable (Double, Double?, String) async -> Void = { _, _, _ in }
    ) {
        self.client = client
        self.confirmer = confirmer
        self.sampler = sampler
        self.log = log
        self.progress = progress
    }
}
