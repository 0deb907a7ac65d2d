import Domain
import Foundation
import MCP

/// `list_cron_workflows`, `get_cron_workflow`, `get_cron_history`.
enum CronTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (crons, defaultNamespace) = (useCases.crons, useCases.defaultNamespace)
        return [list(crons, defaultNamespace), get(crons, defaultNamespace), history(crons, defaultNamespace)]
    }

    static func list(_ crons: CronReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "list_cron_workflows",
            toolset: .cron,
            title: "List cron workflows",
            description: """
                List CronWorkflows with their schedules (v4 'schedules' lists and older 'schedule'), time zone, suspended \
                state, last scheduled time, active runs, success/failure counters, next run and any problem \
                (unparseable schedule, SubmissionError). The suspended filter applies to each page as Argo returns it.
                """,
            safety: .readOnly,
            inputSchema: Schema.object([
                "namespace": CommonArguments.namespace,
                "all_namespaces": Schema.boolean("List every namespace the credentials can see.", default: false),
                "suspended": Schema.boolean("Only suspended (true) or only active (false) cron workflows."),
                "label_selector": Schema.string("Kubernetes label selector."),
                "limit": Schema.integer("Rows per page.", minimum: 1, maximum: 200, default: 50),
                "continue": Schema.string("The continue token of the previous page."),
            ]),
            describe: { args in
                var a = args
                return (a.bool("all_namespaces") ?? false)
                    ? "list cron workflows in all namespaces"
                    : "list cron workflows in \(a.string("namespace") ?? defaultNamespace)"
            },
            run: { args, _ in
                var a = args
                let request = ListCronWorkflowsRequest(
                    namespace: a.string("namespace"), allNamespaces: a.bool("all_namespaces") ?? false,
                    suspended: a.bool("suspended"), labelSelector: a.string("label_selector"),
                    limit: a.int("limit", default: 50), continueToken: a.string("continue"))
                try a.finish(request.problems())
                let result = try await crons.list(request)
                return try ToolOutput(result, text: Render.cronList(result))
            }
        )
    }

    static func get(_ crons: CronReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_cron_workflow",
            toolset: .cron,
            title: "Get a cron workflow",
            description: """
                One CronWorkflow: schedules and time zone, the next run times computed from them, suspended state, \
                concurrency policy, deadlines and history limits, last scheduled time, active runs, counters, \
                conditions (e.g. SubmissionError), entrypoint and parameters.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace,
                    "name": Schema.string("CronWorkflow name."),
                    "next_runs": Schema.integer(
                        "How many upcoming run times to compute.", minimum: 0, maximum: 50, default: 5),
                ], required: ["name"]),
            describe: { "get cron workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let namespace = a.string("namespace")
                let name = a.requiredString("name")
                let count = a.int("next_runs", default: 5)
                try a.finish()
                let detail = try await crons.get(namespace: namespace, name: name, nextRunCount: count)
                return try ToolOutput(detail, text: Render.cron(detail))
            }
        )
    }

    static func history(_ crons: CronReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_cron_history",
            toolset: .cron,
            title: "Cron workflow run history",
            description: """
                The workflows a CronWorkflow created (label workflows.argoproj.io/cron-workflow), running first then \
                the most recently finished, with phase, scheduled time, duration and failure message; paged with \
                limit and continue.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace,
                    "name": Schema.string("CronWorkflow name."),
                    "limit": Schema.integer("Runs per page.", minimum: 1, maximum: 200, default: 20),
                    "continue": Schema.string("The continue token of the previous page."),
                ], required: ["name"]),
            describe: {
                "read the run history of cron workflow \(CommonArguments.qualifiedName($0, defaultNamespace))"
            },
            run: { args, _ in
                var a = args
                let namespace = a.string("namespace")
                let name = a.requiredString("name")
                let limit = a.int("limit", default: 20)
                let token = a.string("continue").flatMap { $0.isEmpty ? nil : $0 }
                try a.finish()
                let result = try await crons.history(
                    namespace: namespace, name: name, limit: limit, continueToken: token)
                return try ToolOutput(result, text: Render.cronHistory(result))
            }
        )
    }
}
