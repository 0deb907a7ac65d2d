import Domain
import Foundation
import MCP

/// Artifacts (list_artifacts, get_artifact) and approvals of suspend steps (approve_step, set_step_outputs).
enum StepTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let ns = useCases.defaultNamespace
        return [
            listArtifacts(useCases.artifacts, ns), getArtifact(useCases.artifacts, ns),
            approve(useCases.approvals, ns), setOutputs(useCases.approvals, ns),
        ]
    }

    static let nodeProperty = Schema.string(
        "The node: its id, display name (e.g. generate-artifact) or full node name, as get_workflow shows them.")

    static let outputsProperty: Value = .object([
        "type": "object",
        "description":
            "Output parameters to supply, name → value (only those the step declares with valueFrom.supplied).",
        "additionalProperties": .object(["type": "string"]),
    ])

    static func listArtifacts(_ artifacts: ArtifactReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "list_artifacts",
            toolset: .artifacts,
            title: "List a workflow's artifacts",
            description: """
                The input and output artifacts of a workflow's nodes (or of one node), from its status: name, path, \
                repository and key, how Argo packed it (tgz by default), and whether the Argo Server can serve it \
                (not after artifact garbage collection). Read one with get_artifact.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName,
                    "node": Schema.string("Only this node (id, display name or node name)."),
                ], required: ["name"]),
            describe: { "list the artifacts of \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let namespace = a.string("namespace")
                let name = a.requiredString("name")
                let node = a.string("node").flatMap { $0.isEmpty ? nil : $0 }
                try a.finish()
                let list = try await artifacts.list(namespace: namespace, name: name, node: node)
                return try ToolOutput(list, text: Render.artifacts(list))
            }
        )
    }

    static func getArtifact(_ artifacts: ArtifactReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_artifact",
            toolset: .artifacts,
            title: "Read an artifact",
            description: """
                Read a small text artifact through the Argo Server's artifact service (/artifact-files/, or the older \
                /artifacts/ route): gzip and Argo's default tar+gzip are unpacked (file picks one file of an archive or \
                directory), at most max_bytes are shown with truncated when there is more, and binary content is \
                refused with its type and size.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName,
                    "node": nodeProperty,
                    "artifact": Schema.string("The artifact's name (list_artifacts shows them)."),
                    "direction": Schema.string(
                        "inputs or outputs, when a node has an input and an output of the same name; outputs first.",
                        enum: ["inputs", "outputs"]),
                    "file": Schema.string("A file inside the artifact's archive or directory."),
                    "max_bytes": Schema.integer(
                        "Most bytes of text to show.", minimum: 1, maximum: ArtifactReads.maxMaxBytes,
                        default: ArtifactReads.defaultMaxBytes),
                ], required: ["name", "node", "artifact"]),
            describe: { args in
                var a = args
                return
                    "read artifact \(a.string("artifact") ?? "?") of \(CommonArguments.qualifiedName(args, defaultNamespace))"
            },
            run: { args, _ in
                var a = args
                let namespace = a.string("namespace")
                let name = a.requiredString("name")
                let node = a.requiredString("node")
                let artifact = a.requiredString("artifact")
                let direction = a.string("direction")
                let file = a.string("file").flatMap { $0.isEmpty ? nil : $0 }
                let maxBytes = a.int("max_bytes")
                try a.finish()
                let content = try await artifacts.get(
                    namespace: namespace, name: name, node: node, artifact: artifact, direction: direction, file: file,
                    maxBytes: maxBytes)
                return try ToolOutput(content, text: Render.artifact(content))
            }
        )
    }

    static func approve(_ approvals: StepApprovals, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .approveStep,
            toolset: .approvals,
            title: "Approve a waiting step",
            description: """
                Approve a suspend step that waits for a person (Argo's approval pattern): its supplied output \
                parameters are set (the given values, checked against the choices its inputs declare; a default is \
                used only where no choices are declared) and the step is marked Succeeded in one call, so the \
                workflow goes on. The preview shows \
                the step, its choices and which later steps read them. node may be omitted when one step waits.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName,
                    "node": Schema.string("The waiting suspend step (id, display name or node name)."),
                    "outputs": outputsProperty,
                    "message": Schema.string("Recorded on the step, e.g. who approved and why."),
                ], required: ["name"]),
            describe: { "approve a step of workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let (namespace, workflow, token) = CommonArguments.readWorkflowTarget(&a)
                let node = a.string("node").flatMap { $0.isEmpty ? nil : $0 }
                let outputs = a.stringMap("outputs")
                let message = a.string("message").flatMap { $0.isEmpty ? nil : $0 }
                try a.finish()
                return try CommonArguments.output(
                    try await approvals.approve(
                        namespace: namespace, name: workflow, node: node, outputs: outputs, message: message,
                        token: token, client: context.client, confirmer: context.confirmer))
            }
        )
    }

    static func setOutputs(_ approvals: StepApprovals, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .setStepOutputs,
            toolset: .approvals,
            title: "Set a waiting step's outputs",
            description: """
                Argo's `set` on a waiting suspend step: supply output parameters (checked against the declared names \
                and choices), record a message, and optionally set its phase (Succeeded goes on, Failed or Error \
                fails it). Without phase the step keeps waiting; approve_step does set-and-continue in one call.
                """,
            inputSchema: Schema.object(
                [
                    "namespace": CommonArguments.namespace, "name": CommonArguments.workflowName,
                    "node": Schema.string("The waiting suspend step (id, display name or node name)."),
                    "outputs": outputsProperty,
                    "phase": Schema.string(
                        "The step's new phase; omit to leave it waiting.", enum: StepApprovals.settablePhases),
                    "message": Schema.string("Recorded on the step."),
                ], required: ["name"]),
            describe: { "set step outputs of workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, context in
                var a = args
                let (namespace, workflow, token) = CommonArguments.readWorkflowTarget(&a)
                let node = a.string("node").flatMap { $0.isEmpty ? nil : $0 }
                let outputs = a.stringMap("outputs")
                let phase = a.string("phase").flatMap { $0.isEmpty ? nil : $0 }
                let message = a.string("message").flatMap { $0.isEmpty ? nil : $0 }
                try a.finish()
                return try CommonArguments.output(
                    try await approvals.setOutputs(
                        namespace: namespace, name: workflow, node: node, outputs: outputs, phase: phase,
                        message: message, token: token, client: context.client, confirmer: context.confirmer))
            }
        )
    }
}
