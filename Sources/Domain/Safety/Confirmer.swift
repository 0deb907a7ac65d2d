/// The user's answer to a confirmation question.
public enum ConfirmationAnswer: Sendable, Equatable {
    case accepted
    case declined
    case cancelled
    /// The host could not ask (error, timeout): the call is refused, nothing is done.
    case unavailable(String)
}

/// The confirmation port: asks the user to confirm a previewed call. The domain asks; a driving adapter (MCP
/// elicitation) shows the user the preview and answers. It sits in Domain rather than Ports because what it shows
/// is the domain's `MutationPreview`.
public protocol Confirmer: Sendable {
    func confirm(_ preview: MutationPreview) async -> ConfirmationAnswer
}
