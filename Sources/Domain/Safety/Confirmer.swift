/// The confirmation port: the domain asks, a driving adapter (MCP elicitation) shows the user the preview and
/// answers. It sits in Domain rather than Ports because what it shows is the domain's `MutationPreview`.
/// The user's answer to a confirmation question.
public enum ConfirmationAnswer: Sendable, Equatable {
    case accepted
    case declined
    case cancelled
    /// The host could not ask (error, timeout): the call is refused, nothing is done.
    case unavailable(String)
}

/// Asks the user to confirm a previewed call; provided by the driving adapter (MCP elicitation).
public protocol Confirmer: Sendable {
    func confirm(_ preview: MutationPreview) async -> ConfirmationAnswer
}
