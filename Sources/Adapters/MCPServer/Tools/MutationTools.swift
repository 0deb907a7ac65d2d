import Domain
import Foundation
import MCP

/// terminate, stop, retry, suspend, resume, and cron suspension.
enum MutationTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (mutations, defaultNamespace) = (useCases.mutations, useCases.defaultNamespace)
        return [
            terminate(mutations, defaultNamespace), stop(mutations, defaultNamespace),
            retry(mutations, defaultNamespace), suspend(mutations, defaultNamespace),
            resume(mutations, defaultNamespace), cron(mutations, defaultNamespace),
            delete(mutations, defaultNamespace), resubmit(mutations, defaultNamespace),
        ]
    }

    static func delete(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .deleteWorkflow,
            toolset: .workflows,
            title: "Delete a workflow",
            description: """
                Delete a workflow and its pods. Without confirmation_token it returns a preview from live state (phase, \
                age, pods, what becomes of its record in the workflow archive) and a single-use token that expires; call again \
                with the token to carry it out.
                """,
            inputSchema: Schema.object(CommonArguments.destructiveWorkflowTarget, required: ["name"]),
            describe: { "delete workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let token = a.confirmationToken()
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.delete(
                        namespace: namespace, name: workflow, token: token, client: context.client,
                        confirmer: context.confirmer))
            }
        )
    }

    static func resubmit(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .resubmitWorkflow,
            toolset: .workflows,
            title: "Resubmit a workflow",
            description: """
                Run a finished workflow again as a new workflow from the same spec (memoized reuses the results of \
                steps that succeeded in a Failed run); parameters override. Returns the new workflow's name.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName,
                    "memoized": Schema.boolean(
                        "Reuse the outputs of the steps that succeeded (Failed workflows only).", default: false),
                    "parameters": .object([
                        "type": "object", "description": "Parameter overrides, name → value.",
                        "additionalProperties": .object(["type": "string"]),
                    ]),
                ], required: ["name"]),
            describe: { "resubmit workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let memoized = a.bool("memoized") ?? false
                let parameters = a.stringMap("parameters")
                let token = a.confirmationToken()
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.resubmit(
                        namespace: namespace, name: workflow, memoized: memoized, parameters: parameters,
                        client: context.client, token: token, confirmer: context.confirmer))
            }
        )
    }

    static func terminate(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .terminateWorkflow,
            toolset: .workflows,
            title: "Terminate a workflow",
            description: """
                Terminate a running workflow at once: running nodes are marked Failed and their pods killed, exit \
                handlers do not run. Without confirmation_token it returns a preview from live state and a single-use \
                token that expires; call again with the token to carry it out.
                """,
            inputSchema: Schema.object(CommonArguments.destructiveWorkflowTarget, required: ["name"]),
            describe: { "terminate workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let (namespace, workflow, token) = CommonArguments.readWorkflowTarget(&a)
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.terminate(
                        namespace: namespace, name: workflow, token: token, client: context.client,
                        confirmer: context.confirmer))
            }
        )
    }

    static func stop(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        var properties = CommonArguments.destructiveWorkflowTarget
        properties["node_field_selector"] = Schema.string("Stop only the nodes this Argo node field selector names.")
        properties["message"] = Schema.string("Why, recorded on the workflow.")
        return ToolDefinition(
            mutation: .stopWorkflow,
            toolset: .workflows,
            title: "Stop a workflow",
            description: """
                Stop a running workflow: running nodes are marked Failed and their pods stopped, exit handlers still run. \
                Without confirmation_token it returns a preview from live state (phase, running nodes and pods, impact) \
                and a single-use token that expires; call again with the token to carry it out.
                """,
            inputSchema: Schema.object(properties, required: ["name"]),
            describe: { "stop workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let (namespace, workflow, token) = CommonArguments.readWorkflowTarget(&a)
                let selector = a.string("node_field_selector")
                let message = a.string("message")
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.stop(
                        namespace: namespace, name: workflow, nodeFieldSelector: selector, message: message,
                        token: token, client: context.client, confirmer: context.confirmer))
            }
        )
    }

    static func retry(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .retryWorkflow,
            toolset: .workflows,
            title: "Retry a workflow",
            description: """
                Retry a Failed or Error workflow from its failed nodes (restart_successful also re-runs the succeeded \
                ones the node_field_selector names); parameters override workflow parameters. A running workflow is \
                refused. The result shows the phase before and after and how many nodes were reset.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName,
                    "restart_successful": Schema.boolean("Also re-run succeeded nodes.", default: false),
                    "node_field_selector": Schema.string("Argo node field selector, e.g. 'templateName=train'."),
                    "parameters": .object([
                        "type": "object", "description": "Parameter overrides, name → value.",
                        "additionalProperties": .object(["type": "string"]),
                    ]),
                ], required: ["name"]),
            describe: { "retry workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let restart = a.bool("restart_successful") ?? false
                let selector = a.string("node_field_selector")
                let parameters = a.stringMap("parameters")
                let token = a.confirmationToken()
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.retry(
                        namespace: namespace, name: workflow, restartSuccessful: restart, nodeFieldSelector: selector,
                        parameters: parameters, client: context.client, token: token, confirmer: context.confirmer))
            }
        )
    }

    static func suspend(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .suspendWorkflow,
            toolset: .workflows,
            title: "Suspend a workflow",
            description: "Suspend a running workflow: no new steps start until it is resumed; running pods finish.",
            inputSchema: Schema.object(CommonArguments.workflowTarget, required: ["name"]),
            describe: { "suspend workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let (namespace, workflow, token) = CommonArguments.readWorkflowTarget(&a)
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.suspend(
                        namespace: namespace, name: workflow, client: context.client, token: token,
                        confirmer: context.confirmer))
            }
        )
    }

    static func resume(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        var properties = CommonArguments.workflowTarget
        properties["node_field_selector"] = Schema.string("Resume only the suspend steps this selector names.")
        return ToolDefinition(
            mutation: .resumeWorkflow,
            toolset: .workflows,
            title: "Resume a workflow",
            description: """
                Resume a suspended workflow, or release its waiting suspend steps (optionally only those a node field \
                selector names).
                """,
            inputSchema: Schema.object(properties, required: ["name"]),
            describe: { "resume workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let (namespace, workflow, token) = CommonArguments.readWorkflowTarget(&a)
                let selector = a.string("node_field_selector")
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.resume(
                        namespace: namespace, name: workflow, nodeFieldSelector: selector, client: context.client,
                        token: token, confirmer: context.confirmer))
            }
        )
    }

    static func cron(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .toggleCronSuspension,
            toolset: .cron,
            title: "Suspend or resume a cron workflow",
            description: """
                Flip whether a CronWorkflow schedules new runs (or set it with suspend: true/false); running workflows \
                continue. Reports the state before and after.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": Schema.string("CronWorkflow name."),
                    "suspend": Schema.boolean("true to suspend, false to resume; omit to flip."),
                ], required: ["name"]),
            describe: {
                "change the suspension of cron workflow \(CommonArguments.qualifiedName($0, defaultNamespace))"
            },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let cron = a.requiredString("name")
                let suspend = a.bool("suspend")
                let token = a.confirmationToken()
                try a.finish()
                return try CommonArguments.output(
                    try await mutations.toggleCron(
                        namespace: namespace, name: cron, suspend: suspend, client: context.client, token: token,
                        confirmer: context.confirmer))
            }
        )
    }
}
