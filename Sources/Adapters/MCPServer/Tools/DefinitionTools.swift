import Domain
import Foundation
import MCP
import Ports

/// update_cron_schedule, create_template, create_cron_workflow, delete_cron_workflow, delete_workflow_template.
enum DefinitionTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (definitions, defaultNamespace) = (useCases.definitions, useCases.defaultNamespace)
        return [
            updateCronSchedule(definitions, defaultNamespace), createTemplate(definitions, defaultNamespace),
            createCron(definitions, defaultNamespace), deleteCron(definitions, defaultNamespace),
            deleteTemplate(definitions, defaultNamespace),
        ]
    }

    static let scopeProperty = Schema.string(
        "namespaced for a WorkflowTemplate, cluster for a ClusterWorkflowTemplate.", enum: ["namespaced", "cluster"],
        default: "namespaced")

    enum TemplateScope: String, CaseIterable {
        case namespaced, cluster
    }

    static func templateKind(_ a: inout ToolArguments) -> ArgoKind {
        a.choice("scope", default: TemplateScope.namespaced) == .cluster ? .clusterWorkflowTemplate : .workflowTemplate
    }

    static func updateCronSchedule(_ definitions: DefinitionMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .updateCronSchedule,
            toolset: .cron,
            title: "Change a cron workflow's schedule",
            description: """
                Change when a CronWorkflow runs. The new schedules (standard 5-field cron with ranges, steps and names; \
                @hourly-style macros; @every <duration>; CRON_TZ= prefixes) and the IANA time zone are checked before \
                anything is sent, and the answer shows the next five runs under the old and the new schedule. The update \
                carries the resourceVersion it read, so a concurrent edit is reported as a conflict, never overwritten; \
                pass resource_version (from get_cron_workflow) to insist on the version you looked at. dry_run previews.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": Schema.string("CronWorkflow name."),
                    "schedules": Schema.stringArray(
                        "The new schedule(s), e.g. [\"0 2 * * *\"] or [\"@every 6h\"]; replaces all current ones."),
                    "timezone": Schema.string(
                        "IANA time zone for the schedules, e.g. Europe/Berlin; \"\" for UTC; omit to keep the current one."
                    ),
                    "resource_version": Schema.string(
                        "Apply only if the CronWorkflow is still at this resourceVersion."),
                    "dry_run": Schema.boolean("Show the old and new next runs; change nothing.", default: false),
                ], required: ["name", "schedules"]),
            describe: { "change the schedule of cron workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let request = DefinitionMutations.ScheduleRequest(
                    namespace: a.string("namespace"), name: a.requiredString("name"),
                    schedules: a.strings("schedules", splitting: false), timezone: a.string("timezone"),
                    expectedResourceVersion: a.string("resource_version"), dryRun: a.bool("dry_run") ?? false,
                    client: context.client, token: a.confirmationToken(), confirmer: context.confirmer)
                try a.finish()
                switch try await definitions.updateCronSchedule(request) {
                case .preview(let p): return try ToolOutput(p, text: Render.preview(p))
                case .result(let r): return try ToolOutput(r, text: Render.scheduleChange(r))
                }
            }
        )
    }

    static func applyProperties(_ extra: [String: Value]) -> [String: Value] {
        var properties: [String: Value] = [
            "manifest": Schema.string("The manifest, YAML or JSON; one object with metadata.name."),
            "namespace": CommonArguments.namespace,
            "update": Schema.boolean(
                "Replace an existing one (destructive: previewed as a spec diff, then confirmed).", default: false),
            "dry_run": Schema.boolean("Lint and show what would be created or changed; write nothing.", default: false),
            "confirmation_token": CommonArguments.confirmationToken,
        ]
        for (k, v) in extra { properties[k] = v }
        return properties
    }

    static func apply(
        _ definitions: DefinitionMutations, _ args: ToolArguments, _ context: ToolContext,
        kind: (inout ToolArguments) -> ArgoKind
    ) async throws -> ToolOutput {
        var a = args
        let text = a.requiredString("manifest")
        let argoKind = kind(&a)
        let namespace = a.string("namespace")
        let update = a.bool("update") ?? false
        let dryRun = a.bool("dry_run") ?? false
        let token = a.confirmationToken()
        try a.finish()
        let answer = try await definitions.apply(
            DefinitionMutations.ApplyRequest(
                kind: argoKind, manifest: try ManifestText.json(text, limits: context.manifestLimits),
                namespace: namespace, update: update,
                dryRun: dryRun, token: token, client: context.client, confirmer: context.confirmer))
        switch answer {
        case .preview(let p): return try ToolOutput(p, text: Render.preview(p))
        case .result(let r): return try ToolOutput(r, text: Render.applied(r))
        }
    }

    static func createTemplate(_ definitions: DefinitionMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .createTemplate,
            toolset: .templates,
            title: "Create a workflow template",
            description: """
                Create a WorkflowTemplate (scope namespaced) or ClusterWorkflowTemplate (scope cluster) from YAML or \
                JSON. Argo lints it first; an existing template of that name is never overwritten unless update is true, \
                which makes the call destructive: it previews a diff of the spec and needs a confirmation (token or the \
                host's confirmation dialog). dry_run shows what would happen.
                """,
            inputSchema: Schema.object(applyProperties(["scope": scopeProperty]), required: ["manifest"]),
            escalatingArgument: "update",
            describe: { _ in "create a workflow template" },
            run: { args, context in
                try await apply(definitions, args, context, kind: templateKind)
            }
        )
    }

    static func createCron(_ definitions: DefinitionMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .createCronWorkflow,
            toolset: .cron,
            title: "Create a cron workflow",
            description: """
                Create a CronWorkflow from YAML or JSON. Argo lints it first (schedules, entrypoint, templates); an \
                existing one of that name is never overwritten unless update is true, which makes the call destructive: \
                it previews a diff of the spec and needs a confirmation. dry_run shows what would happen.
                """,
            inputSchema: Schema.object(applyProperties([:]), required: ["manifest"]),
            escalatingArgument: "update",
            describe: { _ in "create a cron workflow" },
            run: { args, context in
                try await apply(definitions, args, context) { _ in .cronWorkflow }
            }
        )
    }

    static func delete(
        _ definitions: DefinitionMutations, _ args: ToolArguments, _ context: ToolContext,
        kind: (inout ToolArguments) -> ArgoKind
    ) async throws -> ToolOutput {
        var a = args
        let namespace = a.string("namespace")
        let name = a.requiredString("name")
        let argoKind = kind(&a)
        let token = a.confirmationToken()
        try a.finish()
        return try CommonArguments.output(
            try await definitions.delete(
                DefinitionMutations.DeleteRequest(
                    kind: argoKind, namespace: namespace, name: name, token: token, client: context.client,
                    confirmer: context.confirmer)))
    }

    static func deleteCron(_ definitions: DefinitionMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .deleteCronWorkflow,
            toolset: .cron,
            title: "Delete a cron workflow",
            description: """
                Delete a CronWorkflow. It owns the workflows it created, so Kubernetes deletes them with it (running ones \
                included). Without confirmation_token it returns a preview from live state (how many workflows go with \
                it, how many are running) and a single-use token that expires; call again with the token to carry it out.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": Schema.string("CronWorkflow name."),
                    "confirmation_token": CommonArguments.confirmationToken,
                ], required: ["name"]),
            describe: { "delete cron workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                try await delete(definitions, args, context) { _ in .cronWorkflow }
            }
        )
    }

    static func deleteTemplate(_ definitions: DefinitionMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .deleteWorkflowTemplate,
            toolset: .templates,
            title: "Delete a workflow template",
            description: """
                Delete a WorkflowTemplate (scope namespaced) or ClusterWorkflowTemplate (scope cluster). Without \
                confirmation_token it returns a preview from live state (running workflows created from it, cron \
                workflows whose next runs would fail) and a single-use token that expires; call again with the token.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": Schema.string("Template name."),
                    "scope": scopeProperty, "confirmation_token": CommonArguments.confirmationToken,
                ], required: ["name"]),
            describe: { "delete workflow template \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                try await delete(definitions, args, context, kind: templateKind)
            }
        )
    }
}
