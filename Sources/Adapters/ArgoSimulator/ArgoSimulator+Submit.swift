import Foundation
import Ports

extension ArgoSimulator {
    /// Marks a template whose pods fail when a submitted workflow runs in the simulator.
    public static let failTemplateAnnotation = "simulator.argo-mcp/fail-template"

    static func invalid(_ message: String) -> ArgoError {
        ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: message)
    }

    /// The workflow spec inside a manifest of any of the four kinds.
    static func workflowSpec(of object: JSONValue, kind: ArgoKind) -> JSONValue? {
        kind == .cronWorkflow ? object[path: "spec.workflowSpec"] : object["spec"]
    }

    /// Rejects what Argo's lint rejects most often: no entrypoint, an entrypoint or step/task naming a template
    /// that does not exist, a `{{workflow.parameters.x}}` that is not declared, a parameter without a name.
    func lintProblems(_ object: JSONValue, kind: ArgoKind) -> String? {
        guard case .object = object else { return "the manifest is not an object" }
        if let declared = object["kind"]?.string, declared != kind.rawValue {
            return "kind is \(declared), expected \(kind.rawValue)"
        }
        guard let spec = Self.workflowSpec(of: object, kind: kind) else { return "spec is missing" }
        if kind == .cronWorkflow {
            let schedules =
                (object[path: "spec.schedules"]?.array?.compactMap(\.string) ?? [])
                + [object[path: "spec.schedule"]?.string].compactMap { $0 }
            if schedules.isEmpty { return "spec.schedules: a CronWorkflow needs at least one schedule" }
        }
        if spec["workflowTemplateRef"] != nil { return nil }
        let templates = spec["templates"]?.array ?? []
        let names = Set(templates.compactMap { $0["name"]?.string })
        guard let entrypoint = spec["entrypoint"]?.string, !entrypoint.isEmpty else {
            return kind == .workflow || kind == .cronWorkflow ? "spec.entrypoint is required" : nil
        }
        if !names.contains(entrypoint) { return "spec.entrypoint: template name '\(entrypoint)' undefined" }
        for template in templates {
            let owner = template["name"]?.string ?? "?"
            var references: [(String, String)] = []
            for group in template["steps"]?.array ?? [] {
                for step in group.array ?? [] {
                    references.append((step["name"]?.string ?? "?", step["template"]?.string ?? ""))
                }
            }
            for task in template[path: "dag.tasks"]?.array ?? [] {
                if task["templateRef"] != nil { continue }
                references.append((task["name"]?.string ?? "?", task["template"]?.string ?? ""))
            }
            for (step, target) in references where !target.isEmpty && !names.contains(target) {
                return "templates.\(owner).\(step): template name '\(target)' undefined"
            }
        }
        let declared = Set((spec[path: "arguments.parameters"]?.array ?? []).compactMap { $0["name"]?.string })
        if (spec[path: "arguments.parameters"]?.array ?? []).contains(where: { ($0["name"]?.string ?? "").isEmpty }) {
            return "spec.arguments.parameters: a parameter has no name"
        }
        let text = String(decoding: spec.encoded(), as: UTF8.self)
        var rest = text[...]
        while let range = rest.range(of: "{{workflow.parameters.") {
            let after = rest[range.upperBound...]
            guard let end = after.range(of: "}}") else { break }
            let name = String(after[..<end.lowerBound]).trimmingCharacters(in: .whitespaces)
            if !declared.contains(name) { return "failed to resolve {{workflow.parameters.\(name)}}" }
            rest = after[end.upperBound...]
        }
        return nil
    }

    public func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        _ = try await failIfInjected(.lint)
        let object = try Self.parse(manifest)
        if let problem = lintProblems(object, kind: kind) { throw Self.invalid(problem) }
        var linted = object
        if linted["kind"] == nil { linted["kind"] = .string(kind.rawValue) }
        if !kind.isClusterScoped, let namespace { linted.set(["metadata", "namespace"], .string(namespace)) }
        return linted.encoded()
    }

    static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw invalid("the manifest is not valid JSON: \(error)")
        }
    }

    /// Creates a workflow the way Argo does and lets it run: Pending, then its steps, then its final phase.
    public func create(namespace: String, manifest: Data) async throws -> Data {
        _ = try await failIfInjected(.submit)
        materialize()
        let object = try Self.parse(manifest)
        if let problem = lintProblems(object, kind: .workflow) { throw Self.invalid(problem) }
        return try start(object, namespace: namespace)
    }

    /// The kinds `/submit` accepts, by kind, singular, plural or short name (`server/workflow/workflow_server.go`
    /// `SubmitWorkflow`, names from `pkg/apis/workflow/register.go`); anything else is a bad request.
    public static func submitKind(_ raw: String) throws -> ArgoKind {
        switch raw {
        case "CronWorkflow", "cronworkflow", "cronworkflows", "cronwf": return .cronWorkflow
        case "WorkflowTemplate", "workflowtemplate", "workflowtemplates", "wftmpl": return .workflowTemplate
        case "ClusterWorkflowTemplate", "clusterworkflowtemplate", "clusterworkflowtemplates", "cwftmpl":
            return .clusterWorkflowTemplate
        default:
            throw invalid("Resource kind '\(raw)' is not supported for submitting")
        }
    }

    /// Argo's `/submit` from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow.
    ///
    /// From a template Argo creates a workflow that only refers to it (`workflow/common/convert.go`
    /// `NewWorkflowFromWorkflowTemplate`: `spec.workflowTemplateRef`, a `workflow-template` or
    /// `cluster-workflow-template` label, `generateName: <template>-`); the controller then keeps the merged spec
    /// in `status.storedWorkflowTemplateSpec`. From a CronWorkflow the cron's `workflowSpec` is copied
    /// (`ConvertCronWorkflowToWorkflow`). Submit options then apply (`workflow/util/util.go` `ApplySubmitOpts`):
    /// each `name=value` replaces the argument of that name or is appended, declared by the template or not.
    public func submit(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions) async throws
        -> Data
    {
        _ = try await failIfInjected(.submit)
        materialize()
        guard kind != .workflow, let source = object(kind, namespace: namespace, name: name) else {
            throw ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "\(kind.resource) \"\(name)\" not found")
        }
        var labels: [String: JSONValue] = [:]
        for pair in (options.labels ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { labels[kv[0]] = .string(kv[1]) }
        }
        switch kind {
        case .cronWorkflow: labels[ArgoLabels.cronWorkflow] = .string(name)
        case .clusterWorkflowTemplate: labels["workflows.argoproj.io/cluster-workflow-template"] = .string(name)
        default: labels[ArgoLabels.workflowTemplate] = .string(name)
        }
        // What the workflow object holds, and what the controller runs.
        var spec: JSONValue
        var merged = Self.workflowSpec(of: source, kind: kind) ?? .object([:])
        if kind == .cronWorkflow {
            spec = merged
        } else {
            var ref: [String: JSONValue] = ["name": .string(name)]
            if kind == .clusterWorkflowTemplate { ref["clusterScope"] = true }
            spec = .object(["workflowTemplateRef": .object(ref)])
        }
        try Self.override(&spec, with: options.parameters ?? [])
        try Self.override(&merged, with: options.parameters ?? [])
        if let entry = options.entryPoint {
            spec["entrypoint"] = .string(entry)
            merged["entrypoint"] = .string(entry)
        }
        if let account = options.serviceAccount {
            spec["serviceAccountName"] = .string(account)
            merged["serviceAccountName"] = .string(account)
        }
        let workflow: JSONValue = .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": .object([
                "generateName": .string("\(name)-"), "labels": .object(labels),
                "annotations": kind == .cronWorkflow
                    ? (source[path: "metadata.annotations"] ?? .object([:])) : .object([:]),
            ]),
            "spec": spec,
        ])
        return try start(
            workflow, namespace: namespace, runs: kind == .cronWorkflow ? nil : merged,
            runAnnotations: source[path: "metadata.annotations"])
    }

    /// Stores a new workflow and scripts its run from its templates.
    /// With `runs`, the workflow refers to a template whose merged spec is `runs`: the run is scripted from it and
    /// the controller's `status.storedWorkflowTemplateSpec` holds it, while `spec` stays as submitted.
    private func start(
        _ manifest: JSONValue, namespace: String, runs merged: JSONValue? = nil, runAnnotations: JSONValue? = nil
    ) throws -> Data {
        var wf = manifest
        let name: String
        if let given = wf[path: "metadata.name"]?.string, !given.isEmpty {
            name = given
        } else if let prefix = wf[path: "metadata.generateName"]?.string {
            name = prefix + Self.nameSuffix()
        } else {
            throw Self.invalid("metadata.name or metadata.generateName is required")
        }
        let key = "\(namespace)/\(name)"
        if storedJSON(key) != nil {
            throw ArgoError.fromServer(
                httpStatus: 409, grpcCode: 6, message: "workflows.argoproj.io \"\(name)\" already exists")
        }
        wf.set(["metadata", "name"], .string(name))
        wf.set(["metadata", "namespace"], .string(namespace))
        wf.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
        wf.set(["metadata", "creationTimestamp"], .string(ArgoTime.format(Date())))
        wf.set(["metadata", "annotations", ArgoLabels.podNameFormat], "v2")
        var final: JSONValue
        if let merged {
            var resolved = wf
            resolved["spec"] = merged
            if let fail = runAnnotations?[Self.failTemplateAnnotation] {
                resolved.set(["metadata", "annotations", Self.failTemplateAnnotation], fail)
            }
            final = Self.finalState(of: resolved, name: name)
            final["spec"] = wf["spec"]
            final.set(["status", "storedWorkflowTemplateSpec"], merged)
        } else {
            final = Self.finalState(of: wf, name: name)
        }
        addEvolving(states: Evolution.states(toward: final, steps: 4), key: key)
        return storedData(key) ?? wf.encoded()
    }

    /// The finished run of a workflow: one pod per step or task of its entrypoint (nested templates run as one pod),
    /// failing where the fail-template annotation says.
    static func finalState(of wf: JSONValue, name: String) -> JSONValue {
        let spec = wf["spec"] ?? .object([:])
        let templates = spec["templates"]?.array ?? []
        let entry = spec["entrypoint"]?.string ?? templates.first?["name"]?.string ?? "main"
        let failing = wf[path: "metadata.annotations"]?[failTemplateAnnotation]?.string
        let entryTemplate = templates.first { $0["name"]?.string == entry }
        let started = Date()
        func time(_ offset: Int) -> JSONValue { .string(ArgoTime.format(started.addingTimeInterval(Double(offset)))) }
        func id(_ nodeName: String) -> String { nodeName == name ? name : "\(name)-\(PodNames.fnv1a32(nodeName))" }
        var nodes: [String: JSONValue] = [:]
        var steps: [(display: String, template: String)] = []
        var rootType = "Pod"
        if let groups = entryTemplate?["steps"]?.array {
            rootType = "Steps"
            for group in groups {
                for step in group.array ?? [] {
                    steps.append((step["name"]?.string ?? "step", step["template"]?.string ?? ""))
                }
            }
        } else if let tasks = entryTemplate?[path: "dag.tasks"]?.array {
            rootType = "DAG"
            for task in tasks {
                steps.append(
                    (
                        task["name"]?.string ?? "task",
                        task["template"]?.string ?? task[path: "templateRef.template"]?.string ?? ""
                    ))
            }
        }
        var anyFailed = false
        var children: [String] = []
        for (i, step) in steps.enumerated() {
            let nodeName = rootType == "Steps" ? "\(name)[\(i)].\(step.display)" : "\(name).\(step.display)"
            let failed = step.template == failing
            anyFailed = anyFailed || failed
            var node: [String: JSONValue] = [
                "id": .string(id(nodeName)), "name": .string(nodeName), "displayName": .string(step.display),
                "type": "Pod",
                "templateName": .string(step.template), "phase": failed ? "Failed" : "Succeeded",
                "boundaryID": .string(name),
                "startedAt": time(i + 1), "finishedAt": time(i + 3),
            ]
            if failed {
                node["message"] = "Error (exit code 1)"
                node["outputs"] = .object(["exitCode": "1"])
            }
            nodes[id(nodeName)] = .object(node)
            children.append(id(nodeName))
        }
        let rootFailed = rootType == "Pod" ? entry == failing : anyFailed
        var root: [String: JSONValue] = [
            "id": .string(name), "name": .string(name), "displayName": .string(name), "type": .string(rootType),
            "templateName": .string(entry), "phase": rootFailed ? "Failed" : "Succeeded", "startedAt": time(0),
            "finishedAt": time(steps.count + 4),
        ]
        if !children.isEmpty { root["children"] = .array(children.map(JSONValue.string)) }
        nodes[name] = .object(root)
        var final = wf
        let phase = rootFailed ? "Failed" : "Succeeded"
        let pods = rootType == "Pod" ? 1 : steps.count
        final.set(
            ["status"],
            .object([
                "phase": .string(phase), "startedAt": time(0), "finishedAt": time(steps.count + 4),
                "progress": .string("\(pods)/\(pods)"), "nodes": .object(nodes),
            ]))
        if rootFailed { final.set(["status", "message"], "child failed") }
        final.set(["metadata", "labels", ArgoLabels.phase], .string(phase))
        final.set(["metadata", "labels", ArgoLabels.completed], "true")
        return final
    }
}
