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

    /// `triage_failures(namespace, since)`: every failed run in a namespace since a time, each with its first root
    /// cause, grouped; for the host's model to summarize what broke and what to fix first.
    static func triageFailures(_ triage: FailureTriage, _ defaultNamespace: String) -> PromptDefinition {
        PromptDefinition(
            prompt: Prompt(
                name: "triage_failures", title: "Triage failed workflows",
                description:
                    "The failed workflow runs of a namespace since a time, each analyzed briefly and grouped by cause, with a request to summarize what broke and what to fix first.",
                arguments: [
                    .init(
                        name: "namespace", description: "The namespace (default: \(defaultNamespace)).", required: false
                    ),
                    .init(
                        name: "since", description: "How far back: 24h (default), 7d, 90m, or an RFC 3339 time.",
                        required: false),
                ]),
            get: { arguments in
                let namespace = arguments["namespace"].flatMap { $0.isEmpty ? nil : $0 }
                let since = arguments["since"].flatMap { $0.isEmpty ? nil : $0 } ?? "24h"
                let findings: String
                do {
                    findings = Render.triage(try await triage.triage(.init(namespace: namespace, since: since)))
                } catch let error as InvalidArguments {
                    throw MCPError.invalidParams("triage_failures: \(error)")
                } catch {
                    findings =
                        "argo-mcp could not list the failed runs of \(namespace ?? defaultNamespace): \(error). Say so, and suggest checking the namespace with list_namespaces."
                }
                let text = """
                    Triage the failed Argo workflow runs below (from argo-mcp: each run's first root cause, and the \
                    runs grouped by cause). Summarize what broke, largest group first: the cause in one sentence, how \
                    many runs, whether it looks like one problem or several. Then say what to fix first and why. Use \
                    analyze_failure, get_workflow_logs or compare_workflows on a run when a group needs a closer look; \
                    do not change anything.

                    \(findings)
                    """
                return GetPrompt.Result(
                    description: "Failed runs in \(namespace ?? defaultNamespace) since \(since)",
                    messages: [.user(.text(text: text))])
            })
    }

    /// `draft_workflow(goal, namespace)`: asks the host's model to write a manifest for a goal, reusing the
    /// namespace's WorkflowTemplates where they fit, and to check it with `lint_manifest` before showing it.
    static func draftWorkflow(_ templates: TemplateReads, _ defaultNamespace: String) -> PromptDefinition {
        PromptDefinition(
            prompt: Prompt(
                name: "draft_workflow", title: "Draft a workflow",
                description:
                    "Turns a goal in words into an Argo Workflow manifest: written by the model with the namespace's WorkflowTemplates in view, then checked with lint_manifest until Argo accepts it.",
                arguments: [
                    .init(name: "goal", description: "What the workflow should do, in words.", required: true),
                    .init(
                        name: "namespace", description: "Where it will run (default: \(defaultNamespace)).",
                        required: false),
                ]),
            get: { arguments in
                guard let goal = arguments["goal"], !goal.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw MCPError.invalidParams("draft_workflow needs the argument 'goal'")
                }
                let namespace = arguments["namespace"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
                var reusable = "There are no WorkflowTemplates in \(namespace) to reuse."
                if let list = try? await templates.list(
                    namespace: namespace, clusterScope: false, labelSelector: nil, limit: 50, continueToken: nil),
                    !list.items.isEmpty
                {
                    reusable =
                        "WorkflowTemplates in \(namespace) that steps can reuse with templateRef (name: entrypoint; parameters):\n"
                        + list.items.map {
                            "- \($0.name): \($0.entrypoint ?? "-"); \($0.parameters.isEmpty ? "no parameters" : $0.parameters.joined(separator: ", "))"
                        }.joined(separator: "\n")
                }
                let text = """
                    Write an Argo Workflow manifest (YAML) for this goal, to run in the namespace \(namespace):

                    \(goal)

                    Keep it as small as the goal allows: metadata.generateName, spec.entrypoint, and templates \
                    (container, script, steps or dag); inputs as spec.arguments.parameters; outputs as artifacts or \
                    output parameters only when something reads them; retryStrategy and activeDeadlineSeconds where a \
                    step can hang or flake. Reuse a template below through templateRef when it does the job \
                    (get_workflow_template shows its parameters). Then call lint_manifest with the manifest and fix \
                    what it reports until it passes. Show me the final manifest and one line per template on what it \
                    does. Do not submit it unless I ask. Argo's field reference, its variables and upstream examples \
                    are the resources linked below (argo://reference/…, argo://examples/{name}).

                    \(reusable)
                    """
                // Links, not copies: the host fetches the reference it needs (they are 2–15 KB each).
                let links = ArgoReference.documents.filter {
                    ["argo://reference/template", "argo://reference/steps-and-dag", "argo://reference/variables"]
                        .contains($0.uri)
                }.map {
                    Prompt.Message.user(
                        .resourceLink(
                            uri: $0.uri, name: $0.name, title: $0.title, description: $0.description,
                            mimeType: $0.mimeType))
                }
                return GetPrompt.Result(
                    description: "A manifest for: \(goal.prefix(80))", messages: [.user(.text(text: text))] + links)
            })
    }
}
