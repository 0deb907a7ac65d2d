import Domain
import Foundation
import MCP
import Ports

/// `list_workflows`, `get_workflow`, `get_workflow_logs`.
public enum WorkflowTools {
    /// `list_workflows`' arguments as a request (`all_contexts` spans contexts with the same request).
    static func listRequest(_ a: inout ToolArguments) -> ListWorkflowsRequest {
        var request = ListWorkflowsRequest(
            namespace: a.string("namespace"),
            allNamespaces: a.bool("all_namespaces") ?? false,
            phases: a.strings("phase"),
            labelSelector: a.string("label_selector"),
            nameContains: a.string("name"),
            limit: a.int("limit", default: ListWorkflowsRequest.defaultLimit),
            continueToken: a.string("continue")
        )
        request.nameMatch =
            a.optionalChoice("name_match", NameMatchChoice.self).map {
                switch $0 {
                case .contains: .contains
                case .prefix: .prefix
                case .exact: .exact
                }
            } ?? .contains
        request.createdAfter = a.string("created_after")
        request.finishedBefore = a.string("finished_before")
        return request
    }

    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (reads, watch, hooks) = (useCases.workflows, useCases.watch, useCases.hooks)
        let defaultNamespace = useCases.defaultNamespace
        return [
            listWorkflows(reads, defaultNamespace), getWorkflow(reads, defaultNamespace),
            getWorkflowLogs(reads, defaultNamespace), watchWorkflow(watch, hooks, defaultNamespace),
        ]
    }

    // MARK: watch_workflow

    static func watchWorkflow(_ watch: WatchWorkflow, _ hooks: CompletionHooks, _ defaultNamespace: String)
        -> ToolDefinition
    {
        ToolDefinition(
            mutation: .watchNotify,
            toolset: .workflows,
            title: "Watch a workflow",
            description: """
                Follow one workflow through Argo's event stream until it completes, the timeout passes (default 5 \
                minutes, at most 30) or the call is cancelled. Sends progress notifications (phase, N/M, newly failed \
                nodes) when the caller gave a progress token, and with summary_every a periodic one-line summary as \
                progress and MCP log messages; survives dropped and quiet streams by reconnecting from the last \
                resourceVersion, and an Argo Server restart of up to 2 minutes; a workflow deleted meanwhile ends with \
                its archived outcome. Returns the timeline of phase changes, the nodes that failed meanwhile and a \
                final summary.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace,
                    "name": CommonArguments.workflowName,
                    "timeout_seconds": Schema.integer(
                        "Stop watching after this long.", minimum: 1, maximum: WatchWorkflow.maxTimeoutSeconds,
                        default: WatchWorkflow.defaultTimeoutSeconds),
                    "summary_every": Schema.integer(
                        "Also send a one-line summary (phase, progress, failures, what runs now) every this many seconds, as a progress notification and an MCP log message.",
                        minimum: 1, maximum: 3600),
                    "notify": Schema.boolean(
                        "When the workflow completes, send a JSON summary to the configured hook (webhook or command); needs mutations allowed.",
                        default: false),
                ], required: ["name"]),
            escalatingArgument: "notify",
            describe: { "watch workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let name = a.requiredString("name")
                let timeout = a.int("timeout_seconds", default: WatchWorkflow.defaultTimeoutSeconds)
                let every = a.int("summary_every")
                let notify = a.bool("notify") ?? false
                try a.finish()
                let counter = ProgressCounter()
                let result = try await watch.watch(
                    namespace: namespace, name: name, timeoutSeconds: timeout, summaryEverySeconds: every,
                    onSummary: { summary in
                        let done = summary.progress?.split(separator: "/").compactMap { Double($0) } ?? []
                        let value = await counter.next(done.first ?? 0)
                        await context.progress(value, done.count == 2 ? done[1] : nil, summary.text)
                        await context.log("watch \(namespace ?? defaultNamespace)/\(name): \(summary.text)")
                    }
                ) { update in
                    // Progress must increase with every notification; pods done is the natural measure.
                    let value = await counter.next(Double(update.done ?? 0))
                    await context.progress(value, update.total.map(Double.init), update.message)
                }
                var final = result
                if notify && (result.endedBy == "completed" || result.endedBy == "already-completed") {
                    final.notification = await hooks.announce(result, client: context.client)
                } else if notify {
                    final.notification = "not sent: \(Render.watchEnding(result.endedBy)), not by completion"
                }
                return try ToolOutput(final, text: Render.watch(final))
            }
        )
    }

    // MARK: list_workflows

    static func listWorkflows(_ reads: WorkflowReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "list_workflows",
            toolset: .workflows,
            title: "List workflows",
            description: """
                List Argo workflows, newest and running first, one compact row each (name, namespace, phase, progress, \
                start, duration, message). Filter by phase (server-side), label selector, name (contains, prefix or exact), \
                creation time and finish time; page with limit and the returned continue token.
                """,
            safety: .readOnly,
            inputSchema: Schema.object([
                "namespace": CommonArguments.namespace,
                "all_namespaces": Schema.boolean("List every namespace the credentials can see.", default: false),
                "phase": Schema.stringArray(
                    "Only these phases.", enum: ["Pending", "Running", "Succeeded", "Failed", "Error"]),
                "label_selector": Schema.string("Kubernetes label selector, e.g. 'team=data,env!=dev'."),
                "name": Schema.string(
                    "Only workflows whose name contains this text (or starts with it, or is it: name_match)."),
                "name_match": Schema.string(
                    "How name matches.", enum: NameMatch.allCases.map { $0.rawValue.lowercased() }, default: "contains"),
                "created_after": Schema.string(
                    "Only workflows created at or after this RFC 3339 time, e.g. 2026-12-01T00:00:00Z."),
                "finished_before": Schema.string("Only workflows that finished at or before this RFC 3339 time."),
                "limit": Schema.integer(
                    "Rows per page.", minimum: 1, maximum: ListWorkflowsRequest.maxLimit,
                    default: ListWorkflowsRequest.defaultLimit),
                "continue": Schema.string("The continue token of the previous page."),
            ]),
            describe: { args in
                var a = args
                return (a.bool("all_namespaces") ?? false)
                    ? "list workflows in all namespaces"
                    : "list workflows in \(a.string("namespace") ?? defaultNamespace)"
            },
            run: { args, _ in
                var a = args
                let filtered = listRequest(&a)
                try a.finish(filtered.problems())
                let result = try await reads.list(filtered)
                var text = Render.list(result)
                if let note = result.note { text += "\n(\(note))" }
                return try ToolOutput(result, text: text)
            }
        )
    }

    // MARK: get_workflow

    static func getWorkflow(_ reads: WorkflowReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_workflow",
            toolset: .workflows,
            title: "Get a workflow",
            description: """
                One workflow as a compact summary, or its node tree or JSON in pages. The summary has phase, progress, \
                times, message, parameters, entrypoint, node counts by phase, and the failed and running nodes (with \
                exit codes and pod names), capped and marked truncated. include='nodes' pages through the node tree; include='spec' or 'raw' pages through the \
                object's JSON; fields (Argo's selector, e.g. 'status.nodes,-status.storedTemplates') returns just those parts.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace,
                    "name": CommonArguments.workflowName,
                    "include": Schema.string(
                        "What to return.", enum: WorkflowView.allCases.map(\.rawValue), default: "summary"),
                    "uid": Schema.string(
                        "One run of this name: the live workflow if it has this uid, else the archived run with it (runs resubmitted under one name share it)."
                    ),
                    "fields": Schema.string(
                        "Argo fields selector for the raw object, e.g. 'spec.arguments,status.phase'."),
                    "limit": Schema.integer(
                        "Nodes per page with include='nodes'.", minimum: 1, maximum: GetWorkflowRequest.maxNodeLimit,
                        default: GetWorkflowRequest.defaultNodeLimit),
                    "continue": Schema.string("The continue token of the previous page."),
                    "max_bytes": Schema.integer(
                        "Bytes per page of JSON text.", minimum: 256, maximum: GetWorkflowRequest.maxMaxBytes,
                        default: GetWorkflowRequest.defaultMaxBytes),
                ], required: ["name"]),
            describe: { "get workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let request = GetWorkflowRequest(
                    namespace: a.string("namespace"),
                    name: a.requiredString("name"),
                    include: a.choice("include", default: WorkflowView.summary),
                    fields: a.string("fields").flatMap { $0.isEmpty ? nil : $0 },
                    limit: a.int("limit", default: GetWorkflowRequest.defaultNodeLimit),
                    continueToken: a.string("continue"),
                    maxBytes: a.int("max_bytes", default: GetWorkflowRequest.defaultMaxBytes)
                )
                var withUID = request
                withUID.uid = a.string("uid").flatMap { $0.isEmpty ? nil : $0 }
                try a.finish(request.problems())
                switch try await reads.get(withUID) {
                case .summary(let summary): return try ToolOutput(summary, text: Render.summary(summary))
                case .nodes(let page): return try ToolOutput(page, text: Render.nodes(page))
                case .json(let page): return try ToolOutput(page, text: Render.jsonPage(page))
                }
            }
        )
    }

    // MARK: get_workflow_logs

    static func getWorkflowLogs(_ reads: WorkflowReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_workflow_logs",
            toolset: .logs,
            title: "Get workflow logs",
            description: """
                Pod logs of a workflow, or of one node (by node id, name or display name; a step or DAG node reads the \
                pods below it). Returns the last tail_lines per pod, filtered by grep (a regular expression applied by \
                Argo) and since; the newest lines are kept within max_bytes and the result says when older ones were dropped.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace,
                    "name": CommonArguments.workflowName,
                    "node": Schema.string("Node id, name or display name; omit for every pod of the workflow."),
                    "container": Schema.string("Container name.", default: "main"),
                    "tail_lines": Schema.integer(
                        "Last lines per pod.", minimum: 1, maximum: WorkflowLogsRequest.maxTailLines,
                        default: WorkflowLogsRequest.defaultTailLines),
                    "grep": Schema.string("Only lines matching this regular expression."),
                    "since": Schema.string("Only lines newer than this, e.g. 30s, 10m, 2h."),
                    "max_bytes": Schema.integer(
                        "Byte budget of the returned lines.", minimum: 256, maximum: WorkflowLogsRequest.maxMaxBytes,
                        default: WorkflowLogsRequest.defaultMaxBytes),
                    "stream": Schema.string(
                        "Only stdout or only stderr (Argo v3.6.6+, and Kubernetes' PodLogsQuerySplitStreams gate); tail_lines then counts over all pods.",
                        enum: ["stdout", "stderr"]),
                ], required: ["name"]),
            describe: { "read logs of workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let request = WorkflowLogsRequest(
                    namespace: a.string("namespace"),
                    name: a.requiredString("name"),
                    node: a.string("node").flatMap { $0.isEmpty ? nil : $0 },
                    container: a.string("container").flatMap { $0.isEmpty ? nil : $0 } ?? "main",
                    tailLines: a.int("tail_lines", default: WorkflowLogsRequest.defaultTailLines),
                    grep: a.string("grep"),
                    since: a.string("since"),
                    maxBytes: a.int("max_bytes", default: WorkflowLogsRequest.defaultMaxBytes),
                    stream: a.optionalChoice("stream", LogStreamChoice.self).map { $0 == .stdout ? .stdout : .stderr }
                )
                try a.finish(request.problems())
                let logs = try await reads.logs(request)
                return try ToolOutput(logs, text: Render.logs(logs))
            }
        )
    }
}

/// The `name_match` argument's values.
enum NameMatchChoice: String, CaseIterable {
    case contains, prefix, exact
}

/// The `stream` argument's values.
enum LogStreamChoice: String, CaseIterable {
    case stdout, stderr
}

/// Keeps reported progress strictly increasing, as MCP requires, even when the pod count stands still.
actor ProgressCounter {
    private var last = -1.0
    func next(_ value: Double) -> Double {
        last = max(value, last + 0.001)
        return last
    }
}
