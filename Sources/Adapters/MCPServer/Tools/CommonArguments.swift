import Domain
import Foundation
import MCP

/// The schema pieces and argument readers that more than one tool family uses, declared once.
enum CommonArguments {
    /// `namespace`, the argument nearly every tool takes.
    static let namespace = Schema.string("Kubernetes namespace; defaults to the configured default namespace.")
    /// `name`, a workflow's.
    static let workflowName = Schema.string("Workflow name.")
    /// `confirmation_token`, as a destructive tool declares it (it is always asked for).
    static let confirmationToken = Schema.string(
        "The confirmation_token a preview returned; without it a destructive call only previews.")

    /// The arguments every workflow mutation takes (the server adds `confirmation_token` to those without it).
    static let workflowTarget: [String: Value] = ["namespace": namespace, "name": workflowName]

    /// The arguments of a destructive workflow mutation, whose token is always asked for.
    static let destructiveWorkflowTarget = workflowTarget.merging(["confirmation_token": confirmationToken]) {
        a, _ in a
    }

    /// "namespace/name" of a call, for its error messages.
    static func qualifiedName(_ args: ToolArguments, _ defaultNamespace: String) -> String {
        var a = args
        return "\(a.string("namespace") ?? defaultNamespace)/\(a.string("name") ?? "?")"
    }

    /// Reads the namespace, the workflow's name and the confirmation token.
    static func readWorkflowTarget(_ a: inout ToolArguments) -> (namespace: String?, name: String, token: String?) {
        (a.string("namespace"), a.requiredString("name"), a.confirmationToken())
    }

    /// A mutation's answer as a tool's: the preview (and its token) or the result.
    static func output(_ answer: MutationAnswer) throws -> ToolOutput {
        switch answer {
        case .preview(let p): try ToolOutput(p, text: Render.preview(p))
        case .result(let r): try ToolOutput(r, text: Render.mutation(r))
        }
    }
}
