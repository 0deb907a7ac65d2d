import BoundedYAML
import Domain
import Foundation
import MCP

/// Manifest text (YAML or JSON) as the JSON object Argo takes, read within `limits`.
enum ManifestText {
    static func json(_ text: String, limits: YAMLLimits, field: String = "manifest") throws -> Data {
        let documents: [(json: Data, line: Int)]
        do {
            documents = try YAMLToJSON.locatedDocuments(text, limits: limits)
        } catch let error as YAMLConversionError {
            var message = "is not valid YAML or JSON: \(error)"
            if error.line == nil && error.reason.hasPrefix("the text is") {
                message = "is too large: \(error.reason) (limits.maxManifestBytes / ARGO_MCP_MAX_MANIFEST_BYTES)"
            }
            throw InvalidArguments([ArgumentProblem(field: field, message: message)])
        }
        guard documents.count == 1, let only = documents.first else {
            let message =
                documents.isEmpty
                ? "holds no object: the text is only comments, blank lines, '---' separators or null; give the "
                    + "manifest itself (apiVersion, kind, metadata, spec)"
                : "holds \(documents.count) documents (starting on lines "
                    + documents.map { String($0.line) }.joined(separator: ", ") + "); give one object per call"
            throw InvalidArguments([ArgumentProblem(field: field, message: message)])
        }
        guard only.json.first == UInt8(ascii: "{") else {
            throw InvalidArguments([
                ArgumentProblem(field: field, message: "line \(only.line): " + notAnObject(only.json))
            ])
        }
        return only.json
    }

    /// Why a document that is not a mapping is no manifest, with the likeliest cause.
    static func notAnObject(_ json: Data) -> String {
        let kind: String
        switch json.first {
        case UInt8(ascii: "["): kind = "a list"
        case UInt8(ascii: "\""): kind = "a string"
        default: kind = "a single value (\(String(decoding: json.prefix(40), as: UTF8.self)))"
        }
        var message =
            "the document is \(kind), not an object; a manifest is a mapping (apiVersion, kind, metadata, spec)"
        if kind == "a string" {
            message += " (a manifest whose line breaks were lost, or escaped as \\n, reads as one string)"
        }
        return message
    }
}

/// `lint_manifest` and `submit_workflow`.
enum SubmitTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (submit, defaultNamespace) = (useCases.submissions, useCases.defaultNamespace)
        return [lint(submit, defaultNamespace), submitWorkflow(submit, defaultNamespace)]
    }

    static func lint(_ submit: SubmitWorkflows, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "lint_manifest",
            toolset: .templates,
            title: "Lint a manifest",
            description: """
                Lint a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow manifest (YAML or JSON) with \
                Argo's lint, without creating anything; returns Argo's verdict and what the manifest would run \
                (entrypoint, templates, parameters, images).
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                [
                    "manifest": Schema.string("The manifest, YAML or JSON; one object."),
                    "namespace": CommonArguments.namespace,
                ], required: ["manifest"]),
            describe: { _ in "lint a manifest" },
            run: { args, context in
                var a = args
                let text = a.requiredString("manifest")
                let namespace = a.string("namespace")
                try a.finish()
                let manifest = try ManifestText.json(text, limits: context.manifestLimits)
                let result = try await submit.lint(manifest: manifest, namespace: namespace)
                return try ToolOutput(result, text: Render.lint(result))
            }
        )
    }

    static func submitWorkflow(_ submit: SubmitWorkflows, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            mutation: .submitWorkflow,
            toolset: .workflows,
            title: "Submit a workflow",
            description: """
                Run a workflow: from a manifest (YAML or JSON; generateName honoured) or from a WorkflowTemplate, \
                ClusterWorkflowTemplate or CronWorkflow (resource_kind + resource_name; "run this cron now"). \
                Parameters are checked against the declared ones and their enums, the manifest is linted by Argo first, \
                and dry_run shows what would run without submitting. Returns the new workflow's name.
                """,
            inputSchema: Schema.object(
                [
                    "manifest": Schema.string("A Workflow manifest, YAML or JSON."),
                    "resource_kind": Schema.string(
                        "Kind of the object to run.",
                        enum: ["WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"]),
                    "resource_name": Schema.string("Name of the template or cron workflow to run."),
                    "namespace": CommonArguments.namespace,
                    "parameters": .object([
                        "type": "object", "description": "Parameter values, name → value.",
                        "additionalProperties": .object(["type": "string"]),
                    ]),
                    "entrypoint": Schema.string("Template to start from instead of the declared entrypoint."),
                    "labels": .object([
                        "type": "object", "description": "Extra labels on the new workflow.",
                        "additionalProperties": .object(["type": "string"]),
                    ]),
                    "service_account": Schema.string("Service account the workflow's pods run as."),
                    "dry_run": Schema.boolean("Check and show what would run; submit nothing.", default: false),
                ]),
            describe: { args in
                var a = args
                if let name = a.string("resource_name") {
                    return "submit a workflow from \(a.string("resource_kind") ?? "WorkflowTemplate") \(name)"
                }
                return "submit a workflow"
            },
            run: { args, context in
                var a = args
                let text = a.string("manifest")
                let request = SubmitWorkflows.Request(
                    manifest: nil, resourceKind: a.string("resource_kind"), resourceName: a.string("resource_name"),
                    namespace: a.string("namespace"), parameters: a.stringMap("parameters"),
                    entrypoint: a.string("entrypoint"),
                    labels: a.stringMap("labels"), serviceAccount: a.string("service_account"),
                    dryRun: a.bool("dry_run") ?? false,
                    client: context.client)
                var confirmed = request
                confirmed.token = a.confirmationToken()
                confirmed.confirmer = context.confirmer
                try a.finish()
                if let text { confirmed.manifest = try ManifestText.json(text, limits: context.manifestLimits) }
                switch try await submit.submit(confirmed) {
                case .preview(let p): return try ToolOutput(p, text: Render.preview(p))
                case .result(let r): return try ToolOutput(r, text: Render.submit(r))
                }
            }
        )
    }
}
