import Foundation
import Ports

/// The groups tools are offered in, as people who run Argo think of them. Every tool belongs to one; a server
/// offers the toolsets its configuration chooses (`tools.toolsets`), and a request may narrow them further.
public enum Toolset: String, Sendable, CaseIterable, Codable {
    case workflows
    case logs
    case cron
    case templates
    case archive
    case artifacts
    case approvals
    case diagnostics
    case sync
    case cluster

    /// What the toolset holds, for the README and `argo-mcp tools --toolsets`.
    public var summary: String {
        switch self {
        case .workflows: "Workflows: list, read, watch, submit and act on runs (retry, suspend, resume, stop, …)."
        case .logs: "Pod logs of a workflow or one of its nodes."
        case .cron: "CronWorkflows: schedules, history, suspension, creating and deleting them."
        case .templates: "WorkflowTemplates and ClusterWorkflowTemplates, and linting manifests."
        case .archive: "The workflow archive: runs kept after their objects are gone."
        case .artifacts: "Input and output artifacts of a run's nodes."
        case .approvals: "Suspend steps that wait for a person: approving them and supplying their outputs."
        case .diagnostics: "Why a run failed, where its time went, how two runs differ, its graph."
        case .sync: "Semaphores and mutexes: who holds and waits for them, and their limits."
        case .cluster: "The connection: namespaces, the server's version and identity, health."
        }
    }
}

/// Which tools a server offers: the chosen toolsets, plus tools enabled one by one, minus tools disabled one by one
/// (`tools.toolsets`, `tools.enabledTools`, `tools.disabledTools`). A request may only narrow it (`narrowed`).
public struct ToolSelection: Sendable, Hashable {
    public var toolsets: Set<Toolset>
    public var enabledTools: Set<String>
    public var disabledTools: Set<String>
    /// What one request asked for (HTTP headers), within the above.
    public var narrowing: ToolNarrowing?

    public init(
        toolsets: Set<Toolset> = Set(Toolset.allCases), enabledTools: Set<String> = [], disabledTools: Set<String> = []
    ) {
        self.toolsets = toolsets
        self.enabledTools = enabledTools
        self.disabledTools = disabledTools
    }

    /// Every tool.
    public static let all = ToolSelection()

    /// Every toolset, nothing disabled, nothing narrowed.
    public var isAll: Bool {
        toolsets.count == Toolset.allCases.count && disabledTools.isEmpty && (narrowing?.isNone ?? true)
    }

    public func includes(_ tool: ToolDefinition) -> Bool {
        configured(tool)
            && (narrowing?.admits(tool: tool.name, aliases: tool.aliases, toolset: tool.toolset.rawValue) ?? true)
    }

    /// Whether the server's configuration offers `tool`, whatever a request narrowed.
    func configured(_ tool: ToolDefinition) -> Bool {
        !disabledTools.contains(tool.name) && (toolsets.contains(tool.toolset) || enabledTools.contains(tool.name))
    }

    /// Why `tool` is not included, naming the setting that left it out: the server's configuration first, then the
    /// request's narrowing.
    public func exclusion(_ tool: ToolDefinition) -> String? {
        if includes(tool) { return nil }
        if disabledTools.contains(tool.name) {
            return "this server's configuration disables it (tools.disabledTools)"
        }
        if configured(tool), let narrowing {
            return
                "this request narrowed the tools to \(narrowing.summary) (\(ToolNarrowing.toolsetsHeader) and \(ToolNarrowing.toolsHeader) headers; a session keeps what its initialize asked for); name \(tool.toolset.rawValue) or \(tool.name) there, or send neither"
        }
        let chosen = Toolset.allCases.filter(toolsets.contains).map(\.rawValue).joined(separator: ", ")
        return
            "it is in the \(tool.toolset.rawValue) toolset, which this server does not offer (tools.toolsets: \(chosen.isEmpty ? "none" : chosen)); add \(tool.toolset.rawValue) there, or \(tool.name) to tools.enabledTools"
    }

    /// This selection, further narrowed by one request: only what both include.
    public func narrowed(by narrowing: ToolNarrowing) -> ToolSelection {
        var narrowed = self
        narrowed.narrowing = narrowing
        return narrowed
    }
}
