import Domain
import Foundation
import MCP

/// terminate, stop, retry, suspend, resume, and cron suspension.
enum MutationTools {
    static let tokenProperty = Schema.string(
        "The confirmation_token a preview returned; without it a destructive call only previews.")

    static func all(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> [ToolDefinition] {
        [
            shutdown(mutations, defaultNamespace, stop: false), shutdown(mutations, defaultNamespace, stop: true),
            retry(mutations, defaultNamespace), suspend(mutations, defaultNamespace, suspend: true),
            suspend(mutations, defaultNamespace, suspend: false), cron(mutations, defaultNamespace),
            delete(mutations, defaultNamespace), resubmit(mutations, defaultNamespace),
        ]
    }

    static func delete(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "delete_workflow",
            title: "Delete a workflow",
            description: """
                Delete a workflow and its pods. Without confirmation_token it returns a preview from live state (phase, \
                age, pods, whether the workflow archive keeps a copy) and a single-use token that expires; call again \
                with the token to carry it out.
                """,
            safety: .destructive,
            inputSchema: Schema.object(
                [
                    "namespace": WorkflowTools.namespaceProperty, "name": WorkflowTools.nameProperty,
                    "confirmation_token": tokenProperty,
                ], required: ["name"]),
            describe: { "delete workflow \(WorkflowTools.target($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let token = a.confirmationToken()
                try a.finish(tool: "delete_workflow")
                return try output(
                    try await mutations.delete(
                        namespace: namespace, name: workflow, token: token, client: context.client,
                        confirmer: context.confirmer))
            }
        )
    }

    static func resubmit(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "resubmit_workflow",
            title: "Resubmit a workflow",
            description: """
                Run a finished workflow again as a new workflow from the same spec (memoized reuses the results of \
                steps that succeeded in a Failed run); parameters override. Returns the new workflow's name.
                """,
            safety: .mutating,
            inputSchema: Schema.object(
                [
                    "namespace": WorkflowTools.namespaceProperty, "name": WorkflowTools.nameProperty,
                    "memoized": Schema.boolean(
                        "Reuse the outputs of the steps that succeeded (Failed workflows only).", default: false),
                    "parameters": .object([
                        "type": "object", "description": "Parameter overrides, name → value.",
                        "additionalProperties": .object(["type": "string"]),
                    ]),
                ], required: ["name"]),
            describe: { "resubmit workflow \(WorkflowTools.target($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let memoized = a.bool("memoized") ?? false
                let parameters = a.stringMap("parameters")
                let token = a.confirmationToken()
                try a.finish(tool: "resubmit_workflow")
                return try output(
                    try await mutations.resubmit(
                        namespace: namespace, name: workflow, memoized: memoized, parameters: parameters,
                        client: context.client, token: token, confirmer: context.confirmer))
            }
        )
    }

    static func output(_ answer: MutationAnswer) throws -> ToolOutput {
        switch answer {
        case .preview(let p): try ToolOutput(p, text: Render.preview(p))
        case .result(let r): try ToolOutput(r, text: Render.mutation(r))
        }
    }

    static func shutdown(_ mutations: WorkflowMutations, _ defaultNamespace: String, stop: Bool) -> ToolDefinition {
        let name = stop ? "stop_workflow" : "terminate_workflow"
        var properties: [String: Value] = [
            "namespace": WorkflowTools.namespaceProperty, "name": WorkflowTools.nameProperty,
            "confirmation_token": tokenProperty,
        ]
        if stop {
            properties["node_field_selector"] = Schema.string(
                "Stop only the nodes this Argo node field selector names.")
            properties["message"] = Schema.string("Why, recorded on the workflow.")
        }
        return ToolDefinition(
            name: name,
            title: stop ? "Stop a workflow" : "Terminate a workflow",
            description: stop
                ? """
                Stop a running workflow: running nodes are marked Failed and their pods stopped, exit handlers still run. \
                Without confirmation_token it returns a preview from live state (phase, running nodes and pods, impact) \
                and a single-use token that expires; call again with the token to carry it out.
                """
                : """
                Terminate a running workflow at once: running nodes are marked Failed and their pods killed, exit \
                handlers do not run. Without confirmation_token it returns a preview from live state and a single-use \
                token that expires; call again with the token to carry it out.
                """,
            safety: .destructive,
            inputSchema: Schema.object(properties, required: ["name"]),
            describe: { "\(stop ? "stop" : "terminate") workflow \(WorkflowTools.target($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let token = a.confirmationToken()
                let selector = stop ? a.string("node_field_selector") : nil
                let message = stop ? a.string("message") : nil
                try a.finish(tool: name)
                return try output(
                    try await mutations.shutdown(
                        stop: stop, namespace: namespace, name: workflow, nodeFieldSelector: selector, message: message,
                        token: token,
                        client: context.client, confirmer: context.confirmer))
            }
        )
    }

    static func retry(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "retry_workflow",
            title: "Retry a workflow",
            description: """
                Retry a Failed or Error workflow from its failed nodes (restart_successful also re-runs the succeeded \
                ones the node_field_selector names); parameters override workflow parameters. A running workflow is \
                refused. The result shows the phase before and after and how many nodes were reset.
                """,
            safety: .mutating,
            inputSchema: Schema.object(
                [
                    "namespace": WorkflowTools.namespaceProperty, "name": WorkflowTools.nameProperty,
                    "restart_successful": Schema.boolean("Also re-run succeeded nodes.", default: false),
                    "node_field_selector": Schema.string("Argo node field selector, e.g. 'templateName=train'."),
                    "parameters": .object([
                        "type": "object", "description": "Parameter overrides, name → value.",
                        "additionalProperties": .object(["type": "string"]),
                    ]),
                ], required: ["name"]),
            describe: { "retry workflow \(WorkflowTools.target($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let restart = a.bool("restart_successful") ?? false
                let selector = a.string("node_field_selector")
                let parameters = a.stringMap("parameters")
                let token = a.confirmationToken()
                try a.finish(tool: "retry_workflow")
                return try output(
                    try await mutations.retry(
                        namespace: namespace, name: workflow, restartSuccessful: restart, nodeFieldSelector: selector,
                        parameters: parameters, client: context.client, token: token, confirmer: context.confirmer))
            }
        )
    }

    static func suspend(_ mutations: WorkflowMutations, _ defaultNamespace: String, suspend: Bool) -> ToolDefinition {
        let name = suspend ? "suspend_workflow" : "resume_workflow"
        var properties: [String: Value] = [
            "namespace": WorkflowTools.namespaceProperty, "name": WorkflowTools.nameProperty,
        ]
        if !suspend {
            properties["node_field_selector"] = Schema.string("Resume only the suspend steps this selector names.")
        }
        return ToolDefinition(
            name: name,
            title: suspend ? "Suspend a workflow" : "Resume a workflow",
            description: suspend
                ? "Suspend a running workflow: no new steps start until it is resumed; running pods finish."
                : "Resume a suspended workflow, or release its waiting suspend steps (optionally only those a node field selector names).",
            safety: .mutating,
            inputSchema: Schema.object(properties, required: ["name"]),
            describe: { "\(suspend ? "suspend" : "resume") workflow \(WorkflowTools.target($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let workflow = a.requiredString("name")
                let selector = suspend ? nil : a.string("node_field_selector")
                let token = a.confirmationToken()
                try a.finish(tool: name)
                return try output(
                    try await mutations.setSuspended(
                        suspend, namespace: namespace, name: workflow, nodeFieldSelector: selector,
                        client: context.client, token: token, confirmer: context.confirmer))
            }
        )
    }

    static func cron(_ mutations: WorkflowMutations, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "toggle_cron_suspension",
            title: "Suspend or resume a cron workflow",
            description: """
                Flip whether a CronWorkflow schedules new runs (or set it with suspend: true/false); running workflows \
                continue. Reports the state before and after.
                """,
            safety: .mutating,
            inputSchema: Schema.object(
                [
                    "namespace": WorkflowTools.namespaceProperty, "name": Schema.string("CronWorkflow name."),
                    "suspend": Schema.boolean("true to suspend, false to resume; omit to flip."),
                ], required: ["name"]),
            describe: { "change the suspension of cron workflow \(WorkflowTools.target($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let namespace = a.string("namespace")
                let cron = a.requiredString("name")
                let suspend = a.bool("suspend")
                let token = a.confirmationToken()
                try a.finish(tool: "toggle_cron_suspension")
                return try output(
                    try await mutations.toggleCron(
                        namespace: namespace, name: cron, suspend: suspend, client: context.client, token: token,
                        confirmer: context.confirmer))
            }
        )
    }
}
