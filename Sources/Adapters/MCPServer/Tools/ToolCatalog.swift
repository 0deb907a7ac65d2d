import Domain
import Foundation

/// Every tool argo-mcp offers, in one list.
public enum ToolCatalog {
    /// With `contexts` (several Argo Servers), `useCases` are one context's, and the tools that span contexts
    /// (`list_contexts`, `list_workflows` with `all_contexts`, `health_check`) reach the others through it.
    public static func all(_ useCases: UseCases, contexts: ArgoContexts? = nil) -> [ToolDefinition] {
        let tools = families.flatMap { $0(useCases) }
        guard let contexts else { return tools }
        return ContextTools.spanning(tools, contexts)
    }

    /// The tool families, in the order `tools/list` and the README show them; each builds its tools from the use
    /// cases.
    static let families: [@Sendable (UseCases) -> [ToolDefinition]] = [
        WorkflowTools.all, CronTools.all, TemplateTools.all, ArchiveTools.all, ClusterTools.all, MutationTools.all,
        StepTools.all, SubmitTools.all, DefinitionTools.all, SyncTools.all, DiagnosticTools.all,
    ]

    /// Every prompt argo-mcp offers.
    public static func prompts(_ useCases: UseCases) -> [PromptDefinition] {
        [
            Prompts.whyDidThisFail(useCases.diagnostics, useCases.defaultNamespace),
            Prompts.triageFailures(useCases.triage, useCases.defaultNamespace),
            Prompts.draftWorkflow(useCases.templates, useCases.defaultNamespace),
        ]
    }

    /// The resource templates as Markdown, for the README: URI template, type, what it holds.
    public static func resourceMarkdown() -> String {
        var lines = ["| resource | type | what it holds |", "| --- | --- | --- |"]
        for t in ArgoResources.templates {
            lines.append(
                "| `\(t.uriTemplate)` | \(t.mimeType ?? "-") | "
                    + (t.description ?? "").replacingOccurrences(of: "|", with: "\\|") + " |")
        }
        for r in ArgoReference.resources where !r.uri.hasPrefix(ArgoReference.examplePrefix) {
            lines.append(
                "| `\(r.uri)` | \(r.mimeType ?? "-") | "
                    + (r.description ?? "").replacingOccurrences(of: "|", with: "\\|") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The prompt list as Markdown, for the README: name, arguments (required ones marked `*`), what it does.
    public static func promptMarkdown(_ prompts: [PromptDefinition]) -> String {
        var lines = ["| prompt | arguments | what it does |", "| --- | --- | --- |"]
        for p in prompts {
            let arguments = (p.prompt.arguments ?? []).map { "`\($0.name)`\($0.required == true ? "*" : "")" }
            lines.append(
                "| `\(p.prompt.name)` | \(arguments.joined(separator: ", ")) | "
                    + firstSentence(p.prompt.description ?? "").replacingOccurrences(of: "|", with: "\\|") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The tool list as Markdown, for the README: grouped by toolset (named on its first row), in catalog order
    /// within one.
    public static func markdown(_ tools: [ToolDefinition]) -> String {
        var lines = ["| toolset | tool | safety class | what it does |", "| --- | --- | --- | --- |"]
        for toolset in Toolset.allCases {
            for (index, t) in tools.filter({ $0.toolset == toolset }).enumerated() {
                let first = firstSentence(t.description).replacingOccurrences(of: "|", with: "\\|")
                let group = index == 0 ? "**\(toolset.rawValue)**" : ""
                var name = "`\(t.name)`"
                if !t.aliases.isEmpty {
                    name += " (formerly " + t.aliases.map { "`\($0)`" }.joined(separator: ", ") + ")"
                }
                lines.append("| \(group) | \(name) | \(t.safetyLabel) | \(first) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The toolsets as Markdown, for the README: name, how many tools, what they hold.
    public static func toolsetMarkdown(_ tools: [ToolDefinition]) -> String {
        var lines = ["| toolset | tools | what it holds |", "| --- | --- | --- |"]
        for toolset in Toolset.allCases {
            let count = tools.filter { $0.toolset == toolset }.count
            lines.append("| `\(toolset.rawValue)` | \(count) | \(toolset.summary) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The text up to the first full stop that ends a sentence: one followed by a space or the end, outside
    /// parentheses, brackets and quotes (so "(e.g. OOMKilled)" or "'0 3 * * *'" does not end it).
    static func firstSentence(_ text: String) -> String {
        var depth = 0
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            let next = text.index(after: index)
            switch c {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            case "\"": quoted.toggle()
            case "." where depth == 0 && !quoted && (next == text.endIndex || text[next].isWhitespace):
                return String(text[..<next])
            default: break
            }
            index = next
        }
        return text
    }
}
