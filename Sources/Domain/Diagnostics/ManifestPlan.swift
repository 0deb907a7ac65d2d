import Foundation
import Ports

/// A manifest's graph before it runs: the nodes Argo's controller would make for its entrypoint, built from the
/// spec's DAG tasks and steps and drawn by the same layout as a run (`render_workflow_graph` with `manifest`).
///
/// The shape follows the controller: a DAG's tasks without dependencies are children of the DAG node, a task with
/// dependencies a child of their outbound nodes, and `withItems` a TaskGroup of one node per item
/// (`executeDAGTask`'s `connectDependencies`, workflow/controller/dag.go); step group 0 is the child of the steps
/// node, group i the child of group i−1's outbound nodes (`executeSteps`, workflow/controller/steps.go); a DAG or
/// steps node's outbound nodes are those of its last tasks (`getOutboundNodes`). What only the run decides is said
/// in the box, not guessed: a `withParam` fan-out (one node per item of a value known at run time), a `when`
/// condition, a template from another WorkflowTemplate.
struct ManifestPlan {
    /// The most nodes a plan makes (a `withItems` list or a `withSequence` count beyond it is drawn as one box).
    static let maxNodes = 100_000
    /// The deepest nesting of templates followed.
    static let maxDepth = 30

    private var nodes: [String: NodeStatus] = [:]
    private let templates: [String: [String: Any]]
    private(set) var truncated = false

    init(templates: [String: [String: Any]]) { self.templates = templates }

    /// Why a manifest cannot be drawn, naming the field.
    static func problem(_ message: String) -> InvalidArguments {
        InvalidArguments([ArgumentProblem(field: "manifest", message: message)])
    }

    /// The workflow the manifest would run, with the nodes of its plan and no status.
    static func workflow(_ manifest: Data, defaultNamespace: String) throws -> (Workflow, truncated: Bool) {
        guard let object = (try? JSONSerialization.jsonObject(with: manifest)) as? [String: Any] else {
            throw problem("is not a JSON or YAML object")
        }
        let kind = object["kind"] as? String ?? ""
        var spec = object["spec"] as? [String: Any]
        switch kind {
        case "Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate": break
        case "CronWorkflow": spec = spec?["workflowSpec"] as? [String: Any]
        default:
            throw problem(
                "kind '\(kind.prefix(60))' is not drawn: give a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow (or name and namespace for a run)"
            )
        }
        guard let spec else { throw problem("has no spec (spec.templates and spec.entrypoint draw the graph)") }
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        let name = (metadata["name"] as? String) ?? (metadata["generateName"] as? String).map { $0 + "…" } ?? "manifest"
        let entry = spec["entrypoint"] as? String
        if entry == nil, let reference = spec["workflowTemplateRef"] as? [String: Any] {
            throw problem(
                "runs workflowTemplateRef '\(String(describing: reference["name"] ?? "").prefix(100))': draw that template's manifest instead"
            )
        }
        guard let entry, !entry.isEmpty else {
            throw problem("spec.entrypoint is not set: name the template the run starts with")
        }
        var templates: [String: [String: Any]] = [:]
        for case let template as [String: Any] in spec["templates"] as? [Any] ?? [] {
            if let name = template["name"] as? String { templates[name] = templates[name] ?? template }
        }
        guard templates[entry] != nil else {
            throw problem(
                "spec.entrypoint '\(entry.prefix(100))' is not one of spec.templates (\(templates.keys.sorted().prefix(10).joined(separator: ", ")))"
            )
        }
        var plan = ManifestPlan(templates: templates)
        _ = plan.instantiate(name, display: name, template: entry, call: [:], depth: 0, stack: [])
        if let exit = spec["onExit"] as? String, !exit.isEmpty {
            _ = plan.instantiate(
                name + ".onExit", display: name + ".onExit", template: exit, call: [:], depth: 0, stack: [])
        }
        let wf = Workflow(
            metadata: ObjectMeta(name: name, namespace: (metadata["namespace"] as? String) ?? defaultNamespace),
            status: WorkflowStatus(nodes: plan.nodes))
        return (wf, plan.truncated)
    }

    /// Makes the node that runs `template` (and what it runs, for a DAG or steps template); returns its outbound
    /// nodes (what a dependent attaches to).
    private mutating func instantiate(
        _ name: String, display: String, template: String?, call: [String: Any], depth: Int, stack: Set<String>
    ) -> [String] {
        guard nodes.count < Self.maxNodes else {
            truncated = true
            return []
        }
        var message: String?
        if let when = call["when"] as? String { message = "runs only when: " + when }
        var reference: TemplateReference?
        if let ref = call["templateRef"] as? [String: Any] {
            reference = TemplateReference(
                name: ref["name"] as? String, template: ref["template"] as? String,
                clusterScope: ref["clusterScope"] as? Bool)
            message = join(
                message,
                "runs template '\(reference?.template ?? "")' of \(reference?.clusterScope == true ? "ClusterWorkflowTemplate" : "WorkflowTemplate") '\(reference?.name ?? "")': its steps are drawn once it runs"
            )
        }
        let definition = template.flatMap { templates[$0] }
        if let template, definition == nil, reference == nil {
            message = join(message, "template '\(template)' is not in this manifest")
        }
        let kind = definition.map(Self.kind) ?? "container"
        let recursive = template.map(stack.contains) ?? false
        if recursive { message = join(message, "calls its own template again: drawn once, at this depth") }
        let type: NodeType =
            switch kind {
            case "dag": .dag
            case "steps": .steps
            case "suspend": .suspend
            case "http": .http
            case "plugin": .plugin
            default: .pod
            }
        nodes[name] = NodeStatus(
            id: name, name: name, displayName: display, type: type, templateName: template,
            templateRef: reference, message: message)
        guard let definition, let template, !recursive, depth < Self.maxDepth else { return [name] }
        let inner = stack.union([template])
        if kind == "dag", let dag = definition["dag"] as? [String: Any] {
            return expandDAG(name, dag: dag, depth: depth, stack: inner)
        }
        if kind == "steps" {
            return expandSteps(name, groups: definition["steps"] as? [Any] ?? [], depth: depth, stack: inner)
        }
        return [name]
    }

    /// A DAG's tasks; returns the outbound nodes of the tasks no task depends on.
    private mutating func expandDAG(_ boundary: String, dag: [String: Any], depth: Int, stack: Set<String>)
        -> [String]
    {
        let tasks = (dag["tasks"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        let names = tasks.compactMap { $0["name"] as? String }
        let known = Set(names)
        var outbound: [String: [String]] = [:]
        var dependencies: [String: [String]] = [:]
        for task in tasks {
            guard let taskName = task["name"] as? String, outbound[taskName] == nil else { continue }
            dependencies[taskName] = Self.dependencies(task, among: known)
            outbound[taskName] = fanOut(
                boundary + "." + taskName, display: taskName, call: task, grouped: true, depth: depth, stack: stack)
        }
        var dependedOn = Set<String>()
        for taskName in names {
            let deps = dependencies[taskName] ?? []
            dependedOn.formUnion(deps)
            let node = boundary + "." + taskName
            guard nodes[node] != nil else { continue }
            if deps.isEmpty {
                link(boundary, node)
            } else {
                for dep in deps { for out in outbound[dep] ?? [] { link(out, node) } }
            }
        }
        var out: [String] = []
        for taskName in names where !dependedOn.contains(taskName) { out += outbound[taskName] ?? [] }
        return out.isEmpty ? [boundary] : out
    }

    /// Steps, group by group; returns the outbound nodes of the last group.
    private mutating func expandSteps(_ boundary: String, groups: [Any], depth: Int, stack: Set<String>) -> [String] {
        var previous: (group: String, outbound: [String])?
        for (index, entry) in groups.enumerated() {
            // A group is a list of steps in parallel (a single step written without the list reads as one).
            let steps = (entry as? [Any] ?? [entry]).compactMap { $0 as? [String: Any] }
            let group = "\(boundary)[\(index)]"
            guard nodes.count < Self.maxNodes else {
                truncated = true
                break
            }
            nodes[group] = NodeStatus(id: group, name: group, displayName: "[\(index)]", type: .stepGroup)
            if let previous {
                if previous.outbound.isEmpty { link(previous.group, group) }
                for out in previous.outbound { link(out, group) }
            } else {
                link(boundary, group)
            }
            var outbound: [String] = []
            for step in steps {
                guard let stepName = step["name"] as? String else { continue }
                outbound += fanOut(
                    group + "." + stepName, display: stepName, call: step, grouped: false, parent: group, depth: depth,
                    stack: stack)
            }
            previous = (group, outbound)
        }
        guard let previous else { return [boundary] }
        return previous.outbound.isEmpty ? [previous.group] : previous.outbound
    }

    /// A task or step, once or once per item: a DAG's items hang under a TaskGroup node (`grouped`), a step's
    /// under its step group (`parent`). Returns the outbound nodes.
    private mutating func fanOut(
        _ name: String, display: String, call: [String: Any], grouped: Bool, parent: String? = nil, depth: Int,
        stack: Set<String>
    ) -> [String] {
        let template = call["template"] as? String
        let items = Self.items(call)
        guard let items else {
            // Once (or a count only the run knows: one box that says so).
            if let source = Self.runtimeFanOut(call) {
                let outbound = instantiate(
                    name, display: display + " (one per item of \(source))", template: template, call: call,
                    depth: depth + 1, stack: stack)
                let said = join(
                    nodes[name]?.message, "fans out over \(source): how many nodes is known when the run starts it")
                nodes[name]?.message = said
                if let parent { link(parent, name) }
                return outbound
            }
            let outbound = instantiate(
                name, display: display, template: template, call: call, depth: depth + 1, stack: stack)
            if let parent { link(parent, name) }
            return outbound
        }
        var holder = parent
        if grouped {
            nodes[name] = NodeStatus(
                id: name, name: name, displayName: display, type: .taskGroup, templateName: template)
            holder = name
        }
        var outbound: [String] = []
        for (index, item) in items.enumerated() {
            guard nodes.count < Self.maxNodes else {
                truncated = true
                break
            }
            let itemName = "\(name)(\(index):\(item))"
            outbound += instantiate(
                itemName, display: "\(display)(\(index):\(item))", template: template, call: call, depth: depth + 1,
                stack: stack)
            if let holder { link(holder, itemName) }
        }
        return outbound.isEmpty ? [name] : outbound
    }

    private mutating func link(_ parent: String, _ child: String) {
        guard nodes[parent] != nil, nodes[child] != nil, nodes[parent]?.children.contains(child) == false else {
            return
        }
        nodes[parent]?.children.append(child)
    }

    private func join(_ a: String?, _ b: String) -> String {
        guard let a, !a.isEmpty else { return b }
        return b.isEmpty ? a : a + "; " + b
    }

    /// The template's kind, as `TemplateSummary` names it.
    static func kind(_ template: [String: Any]) -> String {
        ["dag", "steps", "container", "script", "containerSet", "resource", "suspend", "http", "data", "plugin"]
            .first { template[$0] != nil } ?? "unknown"
    }

    /// The task names a DAG task waits for: `dependencies`, or the names in its `depends` expression
    /// (`A && (B.Succeeded || !C.Failed)`), those that are tasks of the DAG.
    static func dependencies(_ task: [String: Any], among known: Set<String>) -> [String] {
        var out: [String] = []
        for case let name as String in task["dependencies"] as? [Any] ?? [] where known.contains(name) {
            if !out.contains(name) { out.append(name) }
        }
        if let depends = task["depends"] as? String {
            let tokens = depends.split { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
            for token in tokens {
                // `task.Succeeded`: the result names after the task; a task name itself holds no dot.
                let name = String(token.split(separator: ".", maxSplits: 1).first ?? token)
                if known.contains(name), !out.contains(name) { out.append(name) }
            }
        }
        return out
    }

    /// The items of a `withItems` list or a literal `withSequence` (as Argo names them in node names), or nil when
    /// the task runs once or its count is known only at run time.
    static func items(_ call: [String: Any]) -> [String]? {
        if let list = call["withItems"] as? [Any] {
            guard list.count <= maxNodes else { return nil }
            return list.map(itemText)
        }
        if let sequence = call["withSequence"] as? [String: Any] {
            func number(_ key: String) -> Int? {
                if let n = sequence[key] as? Int { return n }
                return (sequence[key] as? String).flatMap { Int($0) }
            }
            if let count = number("count") {
                guard (0...maxNodes).contains(count) else { return nil }
                let start = number("start") ?? 0
                return (0..<count).map { String(start &+ $0) }
            }
            if let start = number("start"), let end = number("end") {
                let (low, high) = (min(start, end), max(start, end))
                guard high.subtractingReportingOverflow(low).partialValue < maxNodes, high >= low else { return nil }
                let values = Array(low...high)
                return (start <= end ? values : values.reversed()).map(String.init)
            }
        }
        return nil
    }

    /// A fan-out whose size only the run knows: `withParam`, or a `withSequence` of expressions.
    static func runtimeFanOut(_ call: [String: Any]) -> String? {
        if let param = call["withParam"] as? String { return "withParam " + String(param.prefix(80)) }
        if call["withSequence"] != nil { return "withSequence" }
        if let list = call["withItems"] as? [Any], list.count > maxNodes { return "withItems (\(list.count) items)" }
        return nil
    }

    /// An item as it appears in a node name: a string as itself, anything else as compact JSON.
    static func itemText(_ item: Any) -> String {
        if let text = item as? String { return text }
        if let number = item as? NSNumber { return number.stringValue }
        guard JSONSerialization.isValidJSONObject(item),
            let data = try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])
        else { return "?" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Diagnostics {
    /// `render_workflow_graph` of a manifest not yet submitted: the same drawing as a run's, every box Pending, the
    /// workflow's phase "Not submitted" (nothing runs; a view does not poll it).
    public func plannedDrawing(manifest: Data, namespace: String?, maxNodes: Int, collapseAbove: Int) throws
        -> GraphDrawing
    {
        var problems: [ArgumentProblem] = []
        if let p = rangeProblem("max_nodes", maxNodes, 5...500) { problems.append(p) }
        if let p = rangeProblem("collapse_above", collapseAbove, 2...1000) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let (wf, cut) = try ManifestPlan.workflow(manifest, defaultNamespace: namespace ?? context.defaultNamespace)
        var drawing = Self.drawing(wf, maxNodes: maxNodes, collapseAbove: collapseAbove, now: now())
        drawing.phase = GraphDrawing.notSubmitted
        drawing.truncated = drawing.truncated || cut
        return drawing
    }

    /// The text graph (Mermaid and tree) of a manifest not yet submitted.
    public func plannedGraph(manifest: Data, namespace: String?, maxNodes: Int, collapseAbove: Int) throws
        -> WorkflowGraph
    {
        var problems: [ArgumentProblem] = []
        if let p = rangeProblem("max_nodes", maxNodes, 5...500) { problems.append(p) }
        if let p = rangeProblem("collapse_above", collapseAbove, 2...1000) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let (wf, cut) = try ManifestPlan.workflow(manifest, defaultNamespace: namespace ?? context.defaultNamespace)
        var graph = Self.graph(wf, maxNodes: maxNodes, collapseAbove: collapseAbove, now: now())
        graph.phase = GraphDrawing.notSubmitted
        graph.truncated = graph.truncated || cut
        return graph
    }
}

extension GraphDrawing {
    /// The phase a drawing of a manifest states: it has not run.
    public static let notSubmitted = "Not submitted"
}
