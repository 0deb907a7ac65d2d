import Domain
import Foundation
import MCP

/// An MCP prompt: what `prompts/list` shows and how `prompts/get` fills it in.
public struct PromptDefinition: Sendable {
    public var prompt: Prompt
    public var get: @Sendable ([String: String]) async throws -> GetPrompt.Result
}

enum Prompts {
    /// `why_did_this_fail(namespace, name)`: the failure analysis, ready for the host's model to explain.
    static func whyDidThisFail(_ diagnostics: Diagnostics, _ defaultNamespace: String) -> PromptDefinition {
        PromptDefinition(
            prompt: Prompt(
                name: "why_did_this_fail", title: "Why did this workflow fail?",
                description:
                    "Analyzes a failed Argo workflow (root causes, classification, log excerpts, next steps) and asks for an explanation.",
                arguments: [
                    .init(name: "name", description: "The workflow's name.", required: true),
                    .init(
                        name: "namespace", description: "Its namespace (default: \(defaultNamespace)).", required: false
                    ),
                ]),
            get: { arguments in
                guard let name = arguments["name"], !name.isEmpty else {
                    throw MCPError.invalidParams("why_did_this_fail needs the argument 'name'")
                }
                let namespace = arguments["namespace"].flatMap { $0.isEmpty ? nil : $0 }
                let findings: String
                do {
                    let analysis = try await diagnostics.analyzeFailure(
                        .init(target: .init(namespace: namespace, name: name)))
                    findings = Render.failure(analysis)
                } catch {
                    findings =
                        "argo-mcp could not analyze \(namespace ?? defaultNamespace)/\(name): \(error). Say so, and suggest checking the name and namespace with list_workflows."
                }
                let text = """
                    Explain to me why the Argo workflow \(namespace ?? defaultNamespace)/\(name) failed. Below are \
                    argo-mcp's findings (from analyze_failure). Start with the root cause in one sentence, then what \
                    followed from it, then the next steps, most useful first. Use the tools (get_workflow_logs, \
                    compare_workflows, get_workflow_metrics) if the findings are not enough.

                    \(findings)
                    """
                return GetPrompt.Result(
                    description: "Why \(namespace ?? defaultNamespace)/\(name) failed",
                    messages: [.user(.text(text: text))])
            })
    }
}
