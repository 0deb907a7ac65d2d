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
    /// The most characters of names and messages a plan holds in all (a node's name repeats its parents').
    static let maxCharacters = 16 << 20
    /// The deepest nesting of templates followed.
    static let maxDepth = 30
    /// The longest name part, `when` condition or item text kept (Kubernetes names stop at 253).
    static let maxText = 253
    static let maxItemText = 64

    /// The caps of one plan (the defaults above; tests take smaller ones).
    struct Limits {
        var nodes = ManifestPlan.maxNodes
        var characters = ManifestPlan.maxCharacters
    }

    private var nodes: [String: NodeStatus] = [:]
    private var characters = 0
    private var edges = Set<String>()
    private let templates: [String: [String: Any]]
    private let limits: Limits
    private(set) var truncated = false

    init(templates: [String: [String: Any]], limits: Limits) {
        self.templates = templates
        self.limits = limits
    }

    /// Why a manifest cannot be drawn, naming the field.
    static func problem(_ message: String) -> InvalidArguments {
        InvalidArguments([ArgumentProblem(field: "manifest", message: message)])
    }

    /// Text from the manifest, cut to `limit` characters (marked with an ellipsis).
    static func cut(_ text: String, _ limit: Int = maxText) -> String {
        // Bytes first: a long text is cut without counting all of its characters.
        guard text.utf8.count > limit, text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }

    /// The workflow the manifest would run, with the nodes of its plan and no status.
    static func workflow(_ manifest: Data, defaultNamespace: String, limits: Limits = Limits()) throws
        -> (Workflow, truncated: Bool)
    {
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
        let name = cut(
            (metadata["name"] as? String) ?? (metadata["generateName"] as? String).map { $0 + "…" } ?? "manifest")
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
                "spec.entrypoint '\(entry.prefix(100))' is not one of spec.templates (\(templates.keys.sorted().prefix(10).map { String($0.prefix(60)) }.joined(separator: ", ")))"
            )
        }
        var plan = ManifestPlan(templates: templates, limits: limits)
        _ = plan.instantiate(name, display: name, template: entry, call: [:], depth: 0, stack: [])
        // The workflow's exit handler runs beside the entrypoint (`<name>.onExit`, a node of its own); its other
        // hooks hang under the workflow's node (hooks.go).
        var hooks = spec["hooks"] as? [String: Any] ?? [:]
        if let exit = spec["onExit"] as? String, !exit.isEmpty { hooks["exit"] = ["template": exit] }
        if let exit = hooks.removeValue(forKey: "exit") as? [String: Any] {
            _ = plan.instantiate(
                name + ".onExit", display: name + ".onExit", template: exit["template"] as? String,
                call: Self.hookCall(exit), depth: 0, stack: [])
        }
        plan.hooks(hooks, of: name, display: name, depth: 0, stack: [])
        let wf = Workflow(
            metadata: ObjectMeta(name: name, namespace: (metadata["namespace"] as? String) ?? defaultNamespace),
            status: WorkflowStatus(nodes: plan.nodes))
        return (wf, plan.truncated)
    }

    /// Adds a node when the caps leave room for it; false (and the plan truncated) when they do not.
    private mutating func add(_ node: NodeStatus) -> Bool {
        let cost = node.name.utf8.count + (node.displayName?.utf8.count ?? 0) + (node.message?.utf8.count ?? 0) + 64
        guard nodes.count < limits.nodes, characters + cost <= limits.characters else {
            truncated = true
            return false
        }
        characters += cost
        nodes[node.id] = node
        return true
    }

    /// Makes the node that runs `template` (and what it runs, for a DAG or steps template); returns its outbound
    /// nodes (what a dependent attaches to), none when the caps left no room for it.
    private mutating func instantiate(
        _ name: String, display: String, template: String?, call: [String: Any], depth: Int, stack: Set<String>
    ) -> [String] {
        var message: String?
        if let when = call["when"] as? String { message = "runs only when: " + Self.cut(when) }
        var reference: TemplateReference?
        if let ref = call["templateRef"] as? [String: Any] {
            reference = TemplateReference(
                name: (ref["name"] as? String).map { Self.cut($0) },
                template: (ref["template"] as? String).map { Self.cut($0) },
                clusterScope: ref["clusterScope"] as? Bool)
            message = Self.join(
                message,
                "runs template '\(reference?.template ?? "")' of \(reference?.clusterScope == true ? "ClusterWorkflowTemplate" : "WorkflowTemplate") '\(reference?.name ?? "")': its steps are drawn once it runs"
            )
        }
        let definition = template.flatMap { templates[$0] }
        if let template, definition == nil, reference == nil {
            message = Self.join(message, "template '\(Self.cut(template))' is not in this manifest")
        }
        let kind = definition.map(Self.kind) ?? "container"
        let recursive = template.map(stack.contains) ?? false
        if recursive { message = Self.join(message, "calls its own template again: drawn once, at this depth") }
        let type: NodeType =
            switch kind {
            case "dag": .dag
            case "steps": .steps
            case "suspend": .suspend
            case "http": .http
            case "plugin": .plugin
            default: .pod
            }
        guard
            add(
                NodeStatus(
                    id: name, name: name, displayName: display, type: type, templateName: template.map { Self.cut($0) },
                    templateRef: reference, message: message))
        else { return [] }
        // A task's or step's exit handler and lifecycle hooks: children of its node, not part of what follows it
        // (exit_handler.go runOnExitNode, hooks.go).
        var hooks = call["hooks"] as? [String: Any] ?? [:]
        if let exit = call["onExit"] as? String, !exit.isEmpty { hooks["exit"] = ["template": exit] }
        if !hooks.isEmpty { self.hooks(hooks, of: name, display: display, depth: depth + 1, stack: stack) }
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

    /// Hook nodes under `parent`: `exit` as `<parent>.onExit`, any other as `<parent>.hooks.<name>`, each running
    /// its template (or another WorkflowTemplate's) when its expression holds.
    private mutating func hooks(
        _ hooks: [String: Any], of parent: String, display: String, depth: Int, stack: Set<String>
    ) {
        guard depth < Self.maxDepth else { return }
        for (hookName, value) in hooks.sorted(by: { $0.key < $1.key }) {
            guard let hook = value as? [String: Any] else { continue }
            let suffix = hookName == "exit" ? ".onExit" : ".hooks." + Self.cut(hookName, 64)
            let made = instantiate(
                parent + suffix, display: display + suffix, template: hook["template"] as? String,
                call: Self.hookCall(hook), depth: depth, stack: stack)
            if !made.isEmpty { link(parent, parent + suffix) }
        }
    }

    /// A hook as a call: its template reference, and its expression as the condition it runs on.
    static func hookCall(_ hook: [String: Any]) -> [String: Any] {
        var call: [String: Any] = [:]
        if let reference = hook["templateRef"] { call["templateRef"] = reference }
        if let expression = hook["expression"] as? String { call["when"] = expression }
        return call
    }

    /// A DAG's tasks (with a `target`, only the targets and what they depend on, as the controller runs them);
    /// returns the outbound nodes of the targets, or of the tasks no task depends on.
    private mutating func expandDAG(_ boundary: String, dag: [String: Any], depth: Int, stack: Set<String>)
        -> [String]
    {
        var tasks = (dag["tasks"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        let known = Set(tasks.compactMap { $0["name"] as? String })
        var dependencies: [String: [String]] = [:]
        for task in tasks {
            if let name = task["name"] as? String { dependencies[name] = Self.dependencies(task, among: known) }
        }
        let target = (dag["target"] as? String) ?? ""
        let targets = target.split(separator: " ").map(String.init).filter(known.contains)
        if target.contains("{{") {
            let said = Self.join(
                nodes[boundary]?.message, "target \(Self.cut(target)) is decided when the run starts: every task drawn")
            nodes[boundary]?.message = said
        }
        if !targets.isEmpty {
            // The targets and their ancestors (dag.go: only tasks a target needs are executed).
            var needed = Set(targets)
            var queue = targets
            while let next = queue.popLast() {
                for dep in dependencies[next] ?? [] where needed.insert(dep).inserted { queue.append(dep) }
            }
            tasks = tasks.filter { ($0["name"] as? String).map(needed.contains) ?? false }
        }
        let names = tasks.compactMap { $0["name"] as? String }
        var outbound: [String: [String]] = [:]
        for task in tasks {
            guard let taskName = task["name"] as? String, outbound[taskName] == nil else { continue }
            let part = Self.cut(taskName)
            outbound[taskName] = fanOut(
                boundary + "." + part, display: part, call: task, grouped: true, depth: depth, stack: stack)
        }
        var dependedOn = Set<String>()
        for taskName in names {
            let deps = dependencies[taskName] ?? []
            dependedOn.formUnion(deps)
            let node = boundary + "." + Self.cut(taskName)
            guard nodes[node] != nil else { continue }
            if deps.isEmpty {
                link(boundary, node)
            } else {
                for dep in deps { for out in outbound[dep] ?? [] { link(out, node) } }
            }
        }
        var out: [String] = []
        let ends = targets.isEmpty ? names.filter { !dependedOn.contains($0) } : targets
        for taskName in ends { out += outbound[taskName] ?? [] }
        return out.isEmpty ? [boundary] : out
    }

    /// Steps, group by group; returns the outbound nodes of the last group.
    private mutating func expandSteps(_ boundary: String, groups: [Any], depth: Int, stack: Set<String>) -> [String] {
        var previous: (group: String, outbound: [String])?
        for (index, entry) in groups.enumerated() {
            // A group is a list of steps in parallel (a single step written without the list reads as one).
            let steps = (entry as? [Any] ?? [entry]).compactMap { $0 as? [String: Any] }
            let group = "\(boundary)[\(index)]"
            guard add(NodeStatus(id: group, name: group, displayName: "[\(index)]", type: .stepGroup)) else { break }
            if let previous {
                // An empty group before (a fan-out over no items): the controller links the group itself.
                if previous.outbound.isEmpty { link(previous.group, group) }
                for out in previous.outbound { link(out, group) }
            } else {
                link(boundary, group)
            }
            var outbound: [String] = []
            for step in steps {
                guard let stepName = step["name"] as? String else { continue }
                let part = Self.cut(stepName)
                outbound += fanOut(
                    group + "." + part, display: part, call: step, grouped: false, parent: group, depth: depth,
                    stack: stack)
            }
            previous = (group, outbound)
        }
        guard let previous else { return [boundary] }
        return previous.outbound.isEmpty ? [previous.group] : previous.outbound
    }

    /// A task or step, once or once per item: a DAG's items hang under a TaskGroup node (`grouped`), a step's
    /// under its step group (`parent`). Returns the outbound nodes (none for a step over no items).
    private mutating func fanOut(
        _ name: String, display: String, call: [String: Any], grouped: Bool, parent: String? = nil, depth: Int,
        stack: Set<String>
    ) -> [String] {
        let template = call["template"] as? String
        guard let items = Self.items(call) else {
            // Once (or a count only the run knows: one box that says so).
            if let source = Self.runtimeFanOut(call) {
                let said = "fans out over \(source): how many nodes is known when the run starts it"
                let outbound = instantiate(
                    name, display: display + " (one per item of \(source))", template: template, call: call,
                    depth: depth + 1, stack: stack)
                if let existing = nodes[name] { nodes[name]?.message = Self.join(existing.message, said) }
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
            guard add(NodeStatus(id: name, name: name, displayName: display, type: .taskGroup, templateName: template))
            else { return [] }
            holder = name
        }
        var outbound: [String] = []
        for index in 0..<items.count {
            guard nodes.count < limits.nodes else {
                truncated = true
                break
            }
            // Argo's node name for an item (generateNodeName): its text without parentheses.
            let text = Self.cut(items.text(index), Self.maxItemText).filter { $0 != "(" && $0 != ")" }
            let itemName = "\(name)(\(index):\(text))"
            let made = instantiate(
                itemName, display: "\(display)(\(index):\(text))", template: template, call: call, depth: depth + 1,
                stack: stack)
            if nodes[itemName] == nil { break }
            outbound += made
            if let holder { link(holder, itemName) }
        }
        if grouped { return outbound.isEmpty ? [name] : outbound }
        return outbound
    }

    private mutating func link(_ parent: String, _ child: String) {
        // A set of the edges made, not a search of the parent's children (a TaskGroup has 100,000 of them).
        guard nodes[parent] != nil, nodes[child] != nil, edges.insert(parent + "\u{0}" + child).inserted else {
            return
        }
        nodes[parent]?.children.append(child)
    }

    private static func join(_ a: String?, _ b: String) -> String {
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

    /// The items of a fan-out whose count the manifest states: how many, and each one's text as Argo writes it in
    /// the node name. Made one at a time, so a large count costs only the nodes the caps let through.
    struct Items {
        let count: Int
        let text: (Int) -> String
    }

    /// A `withItems` list or a literal `withSequence` (`expandSequence`: `end` wins over `count`, counting down when
    /// `end` is below `start`, `format` a printf number format); nil when the call runs once, or its count is
    /// known only at run time or is beyond the cap.
    static func items(_ call: [String: Any]) -> Items? {
        if let list = call["withItems"] as? [Any] {
            guard list.count <= maxNodes else { return nil }
            return Items(count: list.count) { itemText(list[$0]) }
        }
        guard let sequence = call["withSequence"] as? [String: Any] else { return nil }
        func number(_ key: String) -> Int?? {
            guard let value = sequence[key] else { return .some(nil) }
            if let n = value as? Int { return n }
            if let text = value as? String, let n = Int(text) { return n }
            return nil  // an expression: known at run time
        }
        guard let startValue = number("start"), let endValue = number("end"), let countValue = number("count")
        else { return nil }
        let start = startValue ?? 0
        let end: Int
        if let endValue {
            end = endValue
        } else if let count = countValue {
            guard count > 0 else { return Items(count: 0) { _ in "" } }
            let (last, overflow) = start.addingReportingOverflow(count - 1)
            guard !overflow else { return nil }
            end = last
        } else {
            return nil
        }
        let (span, overflow) = (max(start, end)).subtractingReportingOverflow(min(start, end))
        guard !overflow, span < maxNodes else { return nil }
        let format = NumberFormat(sequence["format"] as? String)
        let step = start <= end ? 1 : -1
        return Items(count: span + 1) { format.text(start + $0 * step) }
    }

    /// A fan-out whose size only the run knows: `withParam`, a `withSequence` of expressions or beyond the cap.
    static func runtimeFanOut(_ call: [String: Any]) -> String? {
        if let param = call["withParam"] as? String { return "withParam " + String(param.prefix(80)) }
        if call["withSequence"] != nil { return "withSequence" }
        if let list = call["withItems"] as? [Any], list.count > maxNodes { return "withItems (\(list.count) items)" }
        return nil
    }

    /// An item as Argo writes it in a node name (`processItem`): a string as itself, a number or boolean as JSON,
    /// a map as its sorted `key:value` pairs joined by commas, a list as `[a b]`.
    static func itemText(_ item: Any) -> String {
        if let text = item as? String { return text }
        if let number = item as? NSNumber {
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        }
        if let map = item as? [String: Any] {
            return map.map { "\($0.key):\(value($0.value))" }.sorted().joined(separator: ",")
        }
        if let list = item as? [Any] { return "[" + list.map(value).joined(separator: " ") + "]" }
        return "?"
    }

    /// A value inside an item as Go's `%v` of an Item writes it: strings bare, the rest as compact JSON.
    static func value(_ item: Any) -> String {
        if let text = item as? String { return text }
        if let number = item as? NSNumber {
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        }
        guard JSONSerialization.isValidJSONObject(item),
            let data = try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])
        else { return "?" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A `withSequence` `format` of one integer verb (`%d`, `%03d`, `item-%d`), applied by hand: any other format
    /// is ignored (the numbers are written plain), never handed to a printf.
    struct NumberFormat {
        var prefix = ""
        var suffix = ""
        var width = 0
        var zeros = false

        init(_ format: String?) {
            guard let format, let percent = format.firstIndex(of: "%") else { return }
            var rest = format[format.index(after: percent)...]
            var zeros = false
            if rest.first == "0" {
                zeros = true
                rest = rest.dropFirst()
            }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            let tail = rest.dropFirst()
            guard rest.first == "d", digits.count <= 3, !format[..<percent].contains("%"), !tail.contains("%")
            else { return }
            self.prefix = String(format[..<percent])
            self.suffix = String(tail)
            self.width = Int(digits) ?? 0
            self.zeros = zeros
        }

        func text(_ n: Int) -> String {
            var digits = String(n.magnitude)
            let sign = n < 0 ? "-" : ""
            let padding = max(0, width - digits.count - sign.count)
            if zeros {
                digits = sign + String(repeating: "0", count: padding) + digits
            } else {
                digits = String(repeating: " ", count: padding) + sign + digits
            }
            return prefix + digits + suffix
        }
    }
}

extension Diagnostics {
    /// `render_workflow_graph` as a drawing: of the run `r` names, or of `manifest` before it is submitted (the same
    /// drawing, every box Pending and without a pod, the workflow's phase "Not submitted": nothing runs, a view does
    /// not poll it; `r`'s namespace stands in for one the manifest does not give).
    public func drawing(_ r: GraphRequest, manifest: Data?) async throws -> GraphDrawing {
        guard let manifest else { return try await drawing(r) }
        let (wf, cut) = try planned(manifest, r)
        var drawing = Self.drawing(wf, maxNodes: r.maxNodes, collapseAbove: r.collapseAbove, now: now())
        drawing.phase = GraphDrawing.notSubmitted
        for index in drawing.boxes.indices { drawing.boxes[index].podName = nil }
        drawing.truncated = drawing.truncated || cut
        return drawing
    }

    /// `render_workflow_graph` as text (Mermaid and tree): of the run `r` names, or of `manifest`.
    public func graph(_ r: GraphRequest, manifest: Data?) async throws -> WorkflowGraph {
        guard let manifest else { return try await graph(r) }
        let (wf, cut) = try planned(manifest, r)
        var graph = Self.graph(wf, maxNodes: r.maxNodes, collapseAbove: r.collapseAbove, now: now())
        graph.phase = GraphDrawing.notSubmitted
        graph.truncated = graph.truncated || cut
        return graph
    }

    /// A manifest's plan, the request's limits checked as for a run.
    func planned(_ manifest: Data, _ r: GraphRequest) throws -> (Workflow, truncated: Bool) {
        let problems = Self.limitProblems(r)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        return try ManifestPlan.workflow(manifest, defaultNamespace: r.target.namespace ?? context.defaultNamespace)
    }
}

extension GraphDrawing {
    /// The phase a drawing of a manifest states: it has not run.
    public static let notSubmitted = "Not submitted"
}
