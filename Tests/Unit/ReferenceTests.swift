import Foundation
import Testing

@testable import MCPServer

/// The reference resources (`argo://reference/…`, `argo://examples/…`) are generated, never written by hand: this
/// test builds `ArgoReference+Generated.swift` from Argo's OpenAPI definitions, its variables page and upstream
/// examples (`Reference/upstream`, `Tests/Fixtures/examples`) and fails when the committed file differs.
/// `UPDATE_REFERENCE=1 swift test --filter ReferenceTests` writes it.
@Suite("generated reference resources")
struct ReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let output = root.appendingPathComponent(
        "Sources/Adapters/MCPServer/Resources/ArgoReference+Generated.swift")

    @Test("the committed reference is what the upstream inputs generate")
    func upToDate() throws {
        let generated = try ReferenceGenerator(root: Self.root).source()
        let committed = (try? String(contentsOf: Self.output, encoding: .utf8)) ?? ""
        if generated != committed, ProcessInfo.processInfo.environment["UPDATE_REFERENCE"] == "1" {
            try generated.write(to: Self.output, atomically: true, encoding: .utf8)
            return
        }
        #expect(generated == committed, "run UPDATE_REFERENCE=1 swift test --filter ReferenceTests")
    }

    @Test("every document is compact, attributed, and names what a manifest needs")
    func contents() throws {
        let docs = ArgoReference.documents
        #expect(Set(docs.map(\.uri)).count == docs.count)
        for doc in docs {
            #expect(doc.text.utf8.count <= 24_000, "\(doc.uri): \(doc.text.utf8.count) bytes")
            #expect(doc.text.contains("Apache-2.0"), "\(doc.uri) has no attribution")
        }
        let byURI = Dictionary(docs.map { ($0.uri, $0.text) }, uniquingKeysWith: { a, _ in a })
        let workflow = try #require(byURI["argo://reference/workflow"])
        #expect(workflow.contains("- `entrypoint`: string — "))
        #expect(workflow.contains("- `templates`: [Template]"))
        let template = try #require(byURI["argo://reference/template"])
        for kind in [
            "container", "script", "resource", "suspend", "steps", "dag", "http", "containerSet", "data", "plugin",
        ] {
            #expect(template.contains("| `\(kind)` |"), "template type \(kind)")
        }
        #expect(template.contains("- `retryStrategy`: RetryStrategy"))
        let dag = try #require(byURI["argo://reference/steps-and-dag"])
        #expect(dag.contains("- `depends`: string"))
        #expect(try #require(byURI["argo://reference/cron-workflow"]).contains("- `schedules` (required): [string]"))
        let variables = try #require(byURI["argo://reference/variables"])
        #expect(variables.contains("`workflow.parameters.<NAME>`"))
        #expect(variables.contains("`steps.<STEPNAME>.outputs.result`"))
        #expect(variables.contains("expression"))
        #expect(byURI["argo://examples/dag-diamond"]?.contains("kind: Workflow") == true)
        #expect(byURI["argo://examples/intermediate-parameters"]?.contains("supplied: {}") == true)
    }
}

/// Builds the Swift source of the reference documents.
struct ReferenceGenerator {
    let root: URL
    let definitions: [String: [String: Any]]

    static let attribution =
        "From Argo Workflows v4.1.2 (github.com/argoproj/argo-workflows, Apache-2.0)"

    init(root: URL) throws {
        self.root = root
        let data = try Data(contentsOf: root.appendingPathComponent("Reference/upstream/swagger.json"))
        let swagger = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        definitions = try #require(swagger["definitions"] as? [String: [String: Any]])
    }

    static let prefix = "io.argoproj.workflow.v1alpha1."

    /// `#/definitions/io.argoproj.workflow.v1alpha1.RetryStrategy` → RetryStrategy; Kubernetes types keep a hint.
    static func short(_ ref: String) -> String {
        let name = ref.replacingOccurrences(of: "#/definitions/", with: "")
        let last = name.split(separator: ".").last.map(String.init) ?? name
        return name.hasPrefix("io.k8s.") ? "\(last) (Kubernetes)" : last
    }

    static func type(_ property: [String: Any]) -> String {
        if let ref = property["$ref"] as? String { return short(ref) }
        switch property["type"] as? String {
        case "array":
            return "[\((property["items"] as? [String: Any]).map(type) ?? "any")]"
        case "object":
            if let values = property["additionalProperties"] as? [String: Any] { return "map of \(type(values))" }
            return "object"
        case let t?: return t
        case nil: return "any"
        }
    }

    /// The first sentence of a description, at most 180 characters.
    static func sentence(_ text: String?) -> String {
        guard var text = text?.replacingOccurrences(of: "\n", with: " ") else { return "" }
        if let end = text.range(of: ". ") { text = String(text[..<end.lowerBound]) + "." }
        text = text.trimmingCharacters(in: .whitespaces)
        if text.count > 180 { text = String(text.prefix(179)) + "…" }
        return text
    }

    func fields(_ name: String, _ title: String, skip: Set<String> = []) throws -> String {
        let key = name.contains(".") ? name : Self.prefix + name
        let definition = try #require(definitions[key], "no definition \(name)")
        let properties = (definition["properties"] as? [String: [String: Any]]) ?? [:]
        let required = Set((definition["required"] as? [String]) ?? [])
        var lines = ["## \(title) — `\(Self.short(key))`"]
        if let d = definition["description"] as? String { lines.append(Self.sentence(d)) }
        for key in properties.keys.sorted() where !skip.contains(key) {
            guard let p = properties[key] else { continue }
            let description = Self.sentence(p["description"] as? String)
            lines.append(
                "- `\(key)`\(required.contains(key) ? " (required)" : ""): \(Self.type(p))"
                    + (description.isEmpty ? "" : " — \(description)"))
        }
        return lines.joined(separator: "\n")
    }

    /// Template kinds: the Template members that make a template what it is.
    static let templateKinds = [
        "container", "script", "resource", "suspend", "steps", "dag", "http", "containerSet", "data", "plugin",
    ]

    func templateKinds() throws -> String {
        let template = try #require(definitions[Self.prefix + "Template"])
        let properties = (template["properties"] as? [String: [String: Any]]) ?? [:]
        var lines = [
            "## Template types", "A template sets exactly one of these (the rest of its fields apply to any type):", "",
            "| field | type | what it runs |", "| --- | --- | --- |",
        ]
        for kind in Self.templateKinds {
            let p = properties[kind] ?? [:]
            lines.append("| `\(kind)` | \(Self.type(p)) | \(Self.sentence(p["description"] as? String)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The variables page: its section on tag kinds as it is, and each reference table as a list.
    func variables() throws -> String {
        let text = try String(
            contentsOf: root.appendingPathComponent("Reference/upstream/variables.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var out: [String] = []
        var section = ""
        var inCode = false
        for line in lines {
            if line.hasPrefix("```") {
                inCode.toggle()
                if section == "tags" { out.append(line) }
                continue
            }
            if !inCode && line.hasPrefix("#") {
                let heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                switch heading {
                case "Template Tag Kinds": section = "tags"
                case "Reference": section = "reference"
                case "Workflow Variables", "How to use variables": section = ""
                default: break
                }
                if section != "" { out.append(line) }
                continue
            }
            switch section {
            case "tags":
                out.append(line)
            case "reference":
                guard !inCode, line.hasPrefix("|") else { continue }
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count >= 2, cells[0].hasPrefix("`") else { continue }
                out.append("- \(cells[0]) — \(cells[1])")
            default:
                continue
            }
        }
        var compact: [String] = []
        for line in out where !(line.isEmpty && compact.last?.isEmpty == true) { compact.append(line) }
        return compact.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    typealias Doc = ArgoReference.Document

    /// The upstream examples served as `argo://examples/NAME`: one of each common shape.
    static let examples: [(name: String, file: String, what: String)] = [
        ("hello-world", "Tests/Fixtures/examples/hello-world.yaml", "the smallest workflow: one container"),
        ("steps", "Tests/Fixtures/examples/steps.yaml", "sequential and parallel steps"),
        ("dag-diamond", "Tests/Fixtures/examples/dag-diamond.yaml", "a DAG with dependencies"),
        (
            "dag-enhanced-depends", "Tests/Fixtures/examples/dag-enhanced-depends.yaml",
            "depends with task results (A.Succeeded || B.Failed)"
        ),
        ("arguments-parameters", "Tests/Fixtures/examples/arguments-parameters.yaml", "workflow parameters"),
        ("output-parameter", "Tests/Fixtures/examples/output-parameter.yaml", "passing an output parameter on"),
        ("artifact-passing", "Tests/Fixtures/examples/artifact-passing.yaml", "passing an artifact between steps"),
        ("loops", "Tests/Fixtures/examples/loops.yaml", "withItems fan-out"),
        ("loops-dag", "Tests/Fixtures/examples/loops-dag.yaml", "fan-out in a DAG"),
        ("coinflip", "Tests/Fixtures/examples/coinflip.yaml", "a script and conditional steps (when)"),
        ("retry-backoff", "Tests/Fixtures/examples/retry-backoff.yaml", "retryStrategy with backoff"),
        ("exit-handlers", "Tests/Fixtures/examples/exit-handlers.yaml", "onExit handlers"),
        ("suspend-template", "Tests/Fixtures/examples/suspend-template.yaml", "a suspend step"),
        (
            "intermediate-parameters", "Reference/upstream/intermediate-parameters.yaml",
            "an approval: a suspend step with a supplied output and choices"
        ),
        ("timeouts-workflow", "Tests/Fixtures/examples/timeouts-workflow.yaml", "activeDeadlineSeconds"),
        ("cron-workflow", "Tests/Fixtures/examples/cron-workflow.yaml", "a CronWorkflow"),
        (
            "workflow-template", "Tests/Fixtures/examples/workflow-template_templates.yaml",
            "WorkflowTemplates to reference"
        ),
        (
            "workflow-template-ref", "Tests/Fixtures/examples/workflow-template_workflow-template-ref.yaml",
            "a workflow that runs a WorkflowTemplate"
        ),
    ]

    func documents() throws -> [Doc] {
        let a = Self.attribution
        var docs: [Doc] = []
        docs.append(
            Doc(
                uri: "argo://reference/workflow", name: "reference-workflow", title: "Argo reference: Workflow spec",
                description:
                    "Every field of a Workflow's spec (also a WorkflowTemplate's and ClusterWorkflowTemplate's), with type and meaning; arguments and parameters.",
                mimeType: "text/markdown",
                text: [
                    "# Workflow, WorkflowTemplate, ClusterWorkflowTemplate",
                    "\(a): the OpenAPI definitions (`api/openapi-spec/swagger.json`), first sentence of each description.",
                    "An object is `apiVersion: argoproj.io/v1alpha1`, `kind: Workflow` (or `WorkflowTemplate`, `ClusterWorkflowTemplate`), `metadata` (`name`, or `generateName` for a Workflow) and `spec` below. Templates: argo://reference/template; steps and DAG tasks: argo://reference/steps-and-dag; variables: argo://reference/variables.",
                    try fields("WorkflowSpec", "spec"), try fields("Arguments", "arguments"),
                    try fields("Parameter", "a parameter"), try fields("ValueFrom", "valueFrom of a parameter"),
                    try fields("TTLStrategy", "ttlStrategy"), try fields("PodGC", "podGC"),
                    try fields("WorkflowTemplateRef", "workflowTemplateRef"),
                ].joined(separator: "\n\n")))
        docs.append(
            Doc(
                uri: "argo://reference/template", name: "reference-template", title: "Argo reference: templates",
                description:
                    "The template types (container, script, resource, suspend, steps, dag, http, …) and every Template field; inputs, outputs, artifacts, retryStrategy.",
                mimeType: "text/markdown",
                text: [
                    "# Templates", "\(a): the OpenAPI definitions, first sentence of each description.",
                    try templateKinds(),
                    try fields("Template", "a template (`spec.templates[]`)"),
                    try fields(
                        "io.k8s.api.core.v1.Container", "container (also a script's fields besides `source`)",
                        skip: [
                            "lifecycle", "livenessProbe", "readinessProbe", "startupProbe", "stdin", "stdinOnce", "tty",
                            "terminationMessagePath", "terminationMessagePolicy", "resizePolicy", "restartPolicy",
                            "restartPolicyRules",
                        ]),
                    try fields("Inputs", "inputs"), try fields("Outputs", "outputs"),
                    try fields(
                        "Artifact", "an artifact",
                        skip: ["artifactory", "azure", "gcs", "git", "hdfs", "http", "oss", "plugin", "raw", "s3"]),
                    "(An artifact's location, when not the default repository, is one of: s3, gcs, azure, oss, hdfs, http, artifactory, git, raw, plugin.)",
                    try fields("RetryStrategy", "retryStrategy"), try fields("Backoff", "retryStrategy.backoff"),
                    try fields("SuspendTemplate", "suspend"),
                    try fields(
                        "ScriptTemplate", "script",
                        skip: [
                            "lifecycle", "livenessProbe", "readinessProbe", "startupProbe", "stdin", "stdinOnce", "tty",
                            "terminationMessagePath", "terminationMessagePolicy", "resizePolicy", "restartPolicy",
                            "restartPolicyRules",
                        ]),
                    try fields("ResourceTemplate", "resource"), try fields("HTTP", "http"),
                ].joined(separator: "\n\n")))
        docs.append(
            Doc(
                uri: "argo://reference/steps-and-dag", name: "reference-steps-and-dag",
                title: "Argo reference: steps and DAG tasks",
                description:
                    "The fields of a step (steps: [[…]]), a DAG and its tasks (dependencies, depends, when, withItems, withParam), continueOn and hooks.",
                mimeType: "text/markdown",
                text: [
                    "# Steps and DAGs", "\(a): the OpenAPI definitions, first sentence of each description.",
                    "`steps` is a list of step groups: the groups run one after another, the steps of a group in parallel (`steps: [[a], [b, c]]`).",
                    try fields("WorkflowStep", "a step"), try fields("DAGTemplate", "dag"),
                    try fields("DAGTask", "a DAG task"), try fields("ContinueOn", "continueOn"),
                    try fields("LifecycleHook", "a lifecycle hook (hooks)"), try fields("Sequence", "withSequence"),
                ].joined(separator: "\n\n")))
        docs.append(
            Doc(
                uri: "argo://reference/cron-workflow", name: "reference-cron-workflow",
                title: "Argo reference: CronWorkflow",
                description: "Every field of a CronWorkflow's spec: schedules, timezone, concurrency, history, when.",
                mimeType: "text/markdown",
                text: [
                    "# CronWorkflow", "\(a): the OpenAPI definitions, first sentence of each description.",
                    "`kind: CronWorkflow`; `spec.workflowSpec` is a Workflow spec (argo://reference/workflow).",
                    try fields("CronWorkflowSpec", "spec"), try fields("StopStrategy", "stopStrategy"),
                ].joined(separator: "\n\n")))
        docs.append(
            Doc(
                uri: "argo://reference/variables", name: "reference-variables",
                title: "Argo reference: variables and expressions",
                description:
                    "The {{…}} variables a template can use (workflow, inputs, steps, tasks, item, retries, …) and expression tags ({{=…}}).",
                mimeType: "text/markdown",
                text: "# Variables\n\n\(a): `docs/variables.md`, its tables as lists.\n\n" + (try variables())))
        for example in Self.examples {
            let text = try String(contentsOf: root.appendingPathComponent(example.file), encoding: .utf8)
            docs.append(
                Doc(
                    uri: "argo://examples/\(example.name)", name: "example-\(example.name)",
                    title: "Argo example: \(example.name)", description: "Upstream example: \(example.what).",
                    mimeType: "application/yaml",
                    text: "# \(a): examples/\(example.file.split(separator: "/").last.map(String.init) ?? "")\n"
                        + text))
        }
        return docs
    }

    static func literal(_ text: String) throws -> String {
        let delimiter = "####"
        try #require(!text.contains("\"\"\"" + delimiter))
        return delimiter + "\"\"\"\n" + text + "\n\"\"\"" + delimiter
    }

    func source() throws -> String {
        var out = """
            // swift-format-ignore-file
            // Generated by Tests/Unit/ReferenceTests.swift from Reference/upstream and Tests/Fixtures/examples (Argo
            // Workflows v4.1.2, github.com/argoproj/argo-workflows, Apache-2.0). Do not edit: run
            // UPDATE_REFERENCE=1 swift test --filter ReferenceTests.

            extension ArgoReference {
                static let documents: [Document] = [

            """
        for doc in try documents() {
            out += """
                        Document(
                            uri: "\(doc.uri)", name: "\(doc.name)", title: "\(doc.title)",
                            description: "\(doc.description.replacingOccurrences(of: "\"", with: "\\\""))",
                            mimeType: "\(doc.mimeType)",
                            text: \(try Self.literal(doc.text))
                        ),

                """
        }
        out += "    ]\n}\n"
        return out
    }
}
