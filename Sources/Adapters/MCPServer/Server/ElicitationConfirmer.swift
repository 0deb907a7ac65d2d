import Domain
import Foundation
import MCP

/// Confirms a destructive call by asking the user through the host (MCP elicitation), showing the preview.
/// The SDK puts no deadline on server-to-client requests, so this one has its own.
struct ElicitationConfirmer: Confirmer {
    weak var server: Server?
    let timeout: Duration

    /// What the user is shown and asked (in a dialog of this era, or a form of a later round in 2026-07-28): the
    /// preview, and a box to carry it out.
    static func question(_ preview: MutationPreview) -> (message: String, schema: Elicitation.RequestSchema) {
        let message =
            Render.preview(preview).replacingOccurrences(
                of: "PREVIEW — nothing was changed. ", with: "Confirm: "
            )
            .components(separatedBy: "\nTo carry it out").first ?? ""
        let schema = Elicitation.RequestSchema(
            title: "Confirm \(preview.tool)",
            description: preview.impact,
            properties: ["confirm": .object(["type": "boolean", "title": "Carry it out", "default": false])],
            required: ["confirm"])
        return (message, schema)
    }

    func confirm(_ preview: MutationPreview) async -> ConfirmationAnswer {
        guard let server else { return .unavailable("server gone") }
        let (message, schema) = Self.question(preview)
        do {
            let result = try await withThrowingTaskGroup(of: CreateElicitation.Result?.self) { group in
                group.addTask { try await server.requestElicitation(message: message, requestedSchema: schema) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let result else { return .unavailable("the host did not answer within \(timeout)") }
            switch result.action {
            case .accept: return result.content?["confirm"]?.boolValue == true ? .accepted : .declined
            case .decline: return .declined
            case .cancel: return .cancelled
            }
        } catch {
            return .unavailable("\(error)")
        }
    }
}
