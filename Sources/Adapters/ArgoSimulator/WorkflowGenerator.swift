import Foundation
import Ports

/// Builds synthetic workflows of any size in Argo's shape, deterministically from a seed.
public struct WorkflowGenerator: Sendable {
    public enum Shape: String, Sendable, CaseIterable { case dag, steps }

    public var name: String
    public var namespace: String
    public var nodeCount: Int
    public var shape: Shape
    /// Share of work pods that fail (0…1); a workflow with any failure ends Failed.
    public var failureRate: Double
    /// Share of work pods still running (0…1); a workflow with any running pod is Running.
    public var runningRate: Double
    /// Every n-th task runs under a retry strategy with failed attempts before its last one (0 = none).
    public var retryEvery: Int
    /// Levels of grouping nodes between the root and the pods (1 = flat).
    public var depth: Int
    public var seed: UInt64
    public var startedAt: Date
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]
    /// `status.synchronization` while the workflow runs (the locks it holds or waits for).
    public var synchronization: JSONValue?
    /// A fixed DAG of named tasks instead of generated lanes (a run of a known template).
    public var pipeline: [PipelineTask]?
    /// The spec's templates and parameters (instead of the generator's own `main`, `group` and `work`).
    public var specTemplates: [JSONValue]?
    public var specParameters: [(String, String)]?

    /// One task of a `pipeline`: a pod of `template`, after its dependencies, running `seconds`.
    public struct PipelineTask: Sendable {
        public var name: String
        public var template: String
        public var dependencies: [String]
        public var seconds: Int
        public var fails: Bool

        public init(
            _ name: String, template: String, after dependencies: [String] = [], seconds: Int, fails: Bool = false
        ) {
            self.name = name
            self.template = template
            self.dependencies = dependencies
            self.seconds = seconds
            self.fails = fails
        }
    }

    public init(
        name: String, namespace: String = "argo", nodeCount: Int, shape: Shape = .dag, failureRate: Double = 0,
        runningRate: Double = 0, retryEvery: Int = 10, depth: Int = 2, seed: UInt64 = 42,
        startedAt: Date = Date(timeIntervalSince1970: 1_767_225_600)
    ) {
        self.name = name
        self.namespace = namespace
        self.nodeCount = max(1, nodeCount)
        self.shape = shape
        self.failureRate = failureRate
        self.runningRate = runningRate
        self.retryEvery = retryEvery
        self.depth = max(1, depth)
        self.seed = seed
        self.startedAt = startedAt
    }

    private struct Rng {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double((state >> 11) & ((1 << 53) - 1)) / Double(1 << 53)
        }
    }

    private struct Node {
        var id: String
        var name: String
        var displayName: String
        var type: String
        var template: String?
        var phase: String
        var children: [String] = []
        var boundaryID: String?
        var message: String?
        var exitCode: String?
        var start: Int
        var end: Int?
    }

    /// A work task as generated: its duration, whether it fails, and for a retried task its attempts.
    private struct Task {
        var id: String
        var duration: Int
        var fails: Bool
        var attempts: [String] = []
    }

    /// The workflow as Argo's controller would have written it, built in four passes:
    /// 1. the node structure: grouping nodes and work tasks, exactly `nodeCount` nodes;
    /// 2. dependencies: a DAG's tasks run in lanes, each task after the one `width` places before it
    ///    (`dependencies: [that task]`), steps run group after group (`workflow/controller/steps.go`);
    /// 3. the schedule: a task starts once its dependencies are done, a step group once the one before it is;
    /// 4. outcomes: a failed task's dependents are Omitted (`dag.go`: the depends condition is not met), a failed
    ///    step group ends its steps (later groups are never created), and a running workflow is cut at a moment
    ///    in its schedule: what started later does not exist yet, as the controller creates nodes only when they
    ///    start.
    /// Children follow Argo: a DAG lists the tasks without dependencies, a task lists its dependents (from its
    /// last attempt when retried), a step group's steps list the next group (`dag.go`, `steps.go`, `outboundNodes`).
    public func generate() -> JSONValue {
        if let pipeline { return generatePipeline(pipeline) }
        var build = Build(self)
        // 1. Structure.
        build.addStructure()
        // 2. Dependencies of DAG tasks.
        build.addDependencies()
        // 3 and 4. Schedule and outcomes, in one walk: a node's start, end and phase.
        let finish = build.run(name, at: 0)
        build.cutRunning()
        // Children, as Argo links them, and the phases of what is still going.
        build.linkChildren()
        build.markStillRunning()
        return workflow(of: build.nodes, finish: finish)
    }

    /// The nodes and what `generate()` decides about them, pass by pass; the random numbers are drawn in the order
    /// the structure is built.
    private struct Build {
        let name: String
        let shape: Shape
        let depth: Int
        let failureRate: Double
        let runningRate: Double
        let retryEvery: Int
        let fanOut: Int
        var rng: Rng
        var nodes: [String: Node] = [:]
        /// The nodes still to create: the structure has exactly `nodeCount`.
        var budget: Int
        var taskIndex = 0
        // Each grouping node's members in order (tasks and nested grouping nodes), and the work tasks.
        var members: [String: [String]] = [:]
        var tasks: [String: Task] = [:]
        /// A DAG task's dependency (the task one lane-length before it), and each task's dependents.
        var dependsOn: [String: String] = [:]
        var dependents: [String: [String]] = [:]
        var omitted = Set<String>()
        var removed = Set<String>()
        /// The moment a running workflow is cut at, and what the cut leaves unstarted.
        var cutoff: Int?
        var unstarted = Set<String>()

        /// The root node alone, and the generator's settings the passes read.
        init(_ generator: WorkflowGenerator) {
            name = generator.name
            shape = generator.shape
            depth = generator.depth
            failureRate = generator.failureRate
            runningRate = generator.runningRate
            retryEvery = generator.retryEvery
            rng = Rng(state: generator.seed ^ 0x9E37_79B9_7F4A_7C15)
            nodes.reserveCapacity(generator.nodeCount)
            budget = generator.nodeCount - 1
            let root = Node(
                id: name, name: name, displayName: name, type: shape == .dag ? "DAG" : "Steps", template: "main",
                phase: "Succeeded", start: 0)
            nodes[name] = root
            let leavesWanted = max(1, budget)
            fanOut = max(2, Int(pow(Double(leavesWanted), 1.0 / Double(depth)).rounded(.up)))
        }

        /// A node's id, as Argo derives it from the node's name.
        func nodeID(_ nodeName: String) -> String { "\(name)-\(PodNames.fnv1a32(nodeName))" }

        // MARK: 1. Structure

        /// Fills the root with grouping nodes and work tasks until the budget is spent.
        mutating func addStructure() {
            if shape == .dag { fillDAG(name, name, level: 0) } else { fillSteps(name, name, level: 0) }
        }

        /// Adds one work task to a container: a pod, or a Retry node with its attempts.
        mutating func addTask(container: String, containerName: String, boundary: String) {
            guard budget > 0 else { return }
            taskIndex += 1
            let display = shape == .dag ? "task-\(taskIndex)" : "step-\(taskIndex)"
            let taskName = "\(containerName).\(display)"
            let fails = rng.next() < failureRate
            let useRetry = retryEvery > 0 && taskIndex % retryEvery == 0 && budget >= 3
            var task = Task(id: nodeID(taskName), duration: 3 + taskIndex % 20, fails: fails)
            if useRetry {
                nodes[task.id] = Node(
                    id: task.id, name: taskName, displayName: display, type: "Retry", template: "work",
                    phase: "Pending", boundaryID: boundary, start: 0)
                budget -= 1
                for a in 0..<min(budget, 2) {
                    let attemptName = "\(taskName)(\(a))"
                    let attempt = Node(
                        id: nodeID(attemptName), name: attemptName, displayName: "\(display)(\(a))", type: "Pod",
                        template: "work", phase: "Pending", boundaryID: boundary, start: 0)
                    nodes[attempt.id] = attempt
                    task.attempts.append(attempt.id)
                    budget -= 1
                }
            } else {
                nodes[task.id] = Node(
                    id: task.id, name: taskName, displayName: display, type: "Pod", template: "work",
                    phase: "Pending", boundaryID: boundary, start: 0)
                budget -= 1
            }
            tasks[task.id] = task
            members[container, default: []].append(task.id)
        }

        /// A DAG node's members: up to `fanOut` tasks or nested DAGs a level, the root taking what is left.
        mutating func fillDAG(_ container: String, _ containerName: String, level: Int) {
            var index = 0
            while budget > 0 && index < fanOut {
                if level < depth - 1 && budget > fanOut {
                    let groupName = "\(containerName).group-\(level)-\(members[container, default: []].count)"
                    let group = Node(
                        id: nodeID(groupName), name: groupName,
                        displayName: String(groupName.split(separator: ".").last ?? ""), type: "DAG",
                        template: "group", phase: "Pending", boundaryID: container, start: 0)
                    nodes[group.id] = group
                    members[container, default: []].append(group.id)
                    budget -= 1
                    fillDAG(group.id, groupName, level: level + 1)
                } else {
                    addTask(container: container, containerName: containerName, boundary: container)
                }
                index += 1
            }
            if level == 0 && budget > 0 { fillDAG(container, containerName, level: level) }
        }

        /// A Steps node's groups `[0]`, `[1]`, …; a step is a pod, or at greater depth a steps template of its own.
        mutating func fillSteps(_ container: String, _ containerName: String, level: Int) {
            var groups = 0
            while budget > 0 && (level == 0 || groups < fanOut) {
                let groupName = "\(containerName)[\(members[container, default: []].count)]"
                let group = Node(
                    id: nodeID(groupName), name: groupName,
                    displayName: "[\(members[container, default: []].count)]", type: "StepGroup",
                    template: container == name ? "main" : "group", phase: "Pending", boundaryID: container,
                    start: 0)
                nodes[group.id] = group
                members[container, default: []].append(group.id)
                budget -= 1
                groups += 1
                var index = 0
                while budget > 0 && index < fanOut {
                    if level < depth - 2 && budget > fanOut + 1 {
                        let stepName = "\(groupName).sub-\(index)"
                        let step = Node(
                            id: nodeID(stepName), name: stepName, displayName: "sub-\(index)", type: "Steps",
                            template: "group", phase: "Pending", boundaryID: container, start: 0)
                        nodes[step.id] = step
                        members[group.id, default: []].append(step.id)
                        budget -= 1
                        fillSteps(step.id, stepName, level: level + 1)
                    } else {
                        addTask(container: group.id, containerName: groupName, boundary: container)
                    }
                    index += 1
                }
            }
        }

        // MARK: 2. Dependencies

        /// Dependencies of DAG tasks: lanes of `width` tasks, each after the task one lane-length before it.
        mutating func addDependencies() {
            for (container, list) in members where nodes[container]?.type == "DAG" {
                let work = list.filter { tasks[$0] != nil }
                let width = max(1, Int(Double(work.count).squareRoot().rounded(.up)))
                for j in work.indices where j >= width {
                    dependsOn[work[j]] = work[j - width]
                    dependents[work[j - width], default: []].append(work[j])
                }
            }
        }

        // MARK: 3 and 4. Schedule and outcomes

        /// Runs a work task from `start` (its attempts one after another), or omits it; returns when it ends.
        mutating func runTask(_ id: String, at start: Int) -> Int {
            guard let task = tasks[id] else { return start }
            if let dep = dependsOn[id], let depNode = nodes[dep],
                depNode.phase != "Succeeded" || omitted.contains(dep)
            {
                // `dag.go`: the dependency did not succeed, so `depends` is false and the task is Omitted.
                let at = depNode.end ?? start
                nodes[id]?.type = "Skipped"
                nodes[id]?.phase = "Omitted"
                nodes[id]?.message = "omitted: depends condition not met"
                nodes[id]?.start = at
                nodes[id]?.end = at
                omitted.insert(id)
                removed.formUnion(task.attempts)
                return at
            }
            if task.attempts.isEmpty {
                nodes[id]?.start = start
                nodes[id]?.end = start + task.duration
                nodes[id]?.phase = task.fails ? "Failed" : "Succeeded"
                if task.fails { fail(id, index: Int(nodes[id]?.displayName.split(separator: "-").last ?? "") ?? 0) }
                return start + task.duration
            }
            // Attempts one after another; all but the last failed (or the last too, when the task fails).
            var t = start
            for (a, attempt) in task.attempts.enumerated() {
                let last = a == task.attempts.count - 1
                nodes[attempt]?.start = t
                nodes[attempt]?.end = t + 5 + a
                nodes[attempt]?.phase = !last || task.fails ? "Failed" : "Succeeded"
                if !last || task.fails { fail(attempt, index: taskNumber(id)) }
                t += 5 + a + 1
            }
            nodes[id]?.start = start
            nodes[id]?.end = t - 1
            nodes[id]?.phase = task.fails ? "Failed" : "Succeeded"
            if task.fails { nodes[id]?.message = "No more retries left" }
            nodes[id]?.children = task.attempts
            return t - 1
        }

        /// The number in a task's display name (`task-12` → 12).
        func taskNumber(_ id: String) -> Int {
            Int(nodes[id]?.displayName.split(separator: "-").last ?? "") ?? 0
        }

        /// A failed pod's exit code and message: every seventh task is OOMKilled.
        mutating func fail(_ id: String, index: Int) {
            let oom = index % 7 == 0
            nodes[id]?.exitCode = oom ? "137" : "1"
            nodes[id]?.message = oom ? "OOMKilled (exit code 137)" : "Error (exit code 1): task \(index) failed"
        }

        /// A grouping node's first member that failed or errored.
        func failedMember(_ container: String) -> String? {
            members[container, default: []].first {
                !removed.contains($0) && ["Failed", "Error"].contains(nodes[$0]?.phase ?? "")
            }
        }

        /// A grouping node's start, end and phase: Failed with the first failed member, otherwise Succeeded.
        mutating func settle(_ container: String, start: Int, end: Int) {
            nodes[container]?.start = start
            nodes[container]?.end = end
            if let failed = failedMember(container) {
                nodes[container]?.phase = "Failed"
                nodes[container]?.message = "child '\(failed)' failed"
            } else {
                nodes[container]?.phase = "Succeeded"
            }
        }

        /// Runs a grouping node from `start`: a DAG's tasks when their dependencies end, a Steps node's groups one
        /// after another; returns when it ends.
        mutating func run(_ container: String, at start: Int) -> Int {
            let type = nodes[container]?.type
            var end = start
            if type == "DAG" {
                var ends: [String: Int] = [:]
                for member in members[container, default: []] {
                    let memberEnd: Int
                    if tasks[member] != nil {
                        let ready = dependsOn[member].flatMap { ends[$0].map { $0 + 1 } } ?? start
                        memberEnd = runTask(member, at: ready)
                    } else {
                        memberEnd = run(member, at: start)
                    }
                    ends[member] = memberEnd
                    end = max(end, memberEnd)
                }
            } else if type == "Steps" {
                var t = start
                var stopped = false
                for group in members[container, default: []] {
                    if stopped {
                        // `steps.go`: a failed group ends the steps; later groups are never created.
                        removeTree(group)
                        continue
                    }
                    var groupEnd = t
                    for step in members[group, default: []] {
                        let stepEnd = tasks[step] != nil ? runTask(step, at: t) : run(step, at: t)
                        groupEnd = max(groupEnd, stepEnd)
                    }
                    settle(group, start: t, end: groupEnd)
                    end = groupEnd
                    t = groupEnd + 1
                    if nodes[group]?.phase == "Failed" { stopped = true }
                }
            }
            settle(container, start: start, end: end)
            return end
        }

        /// Marks a node, its attempts and everything it holds for removal.
        mutating func removeTree(_ id: String) {
            removed.insert(id)
            if let task = tasks[id] { removed.formUnion(task.attempts) }
            for member in members[id, default: []] { removeTree(member) }
        }

        /// A running workflow: cut at a moment of its schedule, the pods started by then running or done; then
        /// every node marked for removal goes.
        mutating func cutRunning() {
            if runningRate > 0 {
                let starts = nodes.values.filter { $0.type == "Pod" && !removed.contains($0.id) }.map(\.start).sorted()
                if !starts.isEmpty {
                    let index = min(starts.count - 1, max(0, Int(Double(starts.count) * (1 - runningRate))))
                    cutoff = starts[index]
                }
            }
            // What the cut leaves unstarted: the grouping nodes holding it are still running.
            if let cutoff {
                for (id, node) in nodes where !removed.contains(id) {
                    if node.start > cutoff {
                        removed.insert(id)
                        unstarted.insert(id)
                    } else if let end = node.end, end > cutoff {
                        nodes[id]?.end = nil
                        nodes[id]?.phase = "Running"
                        nodes[id]?.message = nil
                        nodes[id]?.exitCode = nil
                    }
                }
            }
            for id in removed { nodes[id] = nil }
        }

        // MARK: Children

        /// The nodes a node's dependents hang off: a retried task's last attempt, a Steps node's last group's
        /// steps, a DAG's tasks without dependents (`outboundNodes`).
        func outbound(_ id: String) -> [String] {
            guard let node = nodes[id] else { return [] }
            if let task = tasks[id], !task.attempts.isEmpty, node.type == "Retry" {
                return task.attempts.last(where: { nodes[$0] != nil }).map { [$0] } ?? [id]
            }
            switch node.type {
            case "Steps":
                let groups = members[id, default: []].filter { nodes[$0] != nil }
                return groups.last.map { members[$0, default: []].filter { nodes[$0] != nil }.flatMap(outbound) } ?? []
            case "DAG":
                return members[id, default: []].filter { nodes[$0] != nil && dependents[$0] == nil }.flatMap(outbound)
            default:
                return [id]
            }
        }

        /// Children, as Argo links them; no node lists one that does not exist.
        mutating func linkChildren() {
            for (container, list) in members {
                guard let type = nodes[container]?.type else { continue }
                let present = list.filter { nodes[$0] != nil }
                switch type {
                case "DAG":
                    nodes[container]?.children = present.filter { dependsOn[$0] == nil }
                    for member in present {
                        for dependent in dependents[member, default: []] where nodes[dependent] != nil {
                            for out in outbound(member) { nodes[out]?.children.append(dependent) }
                        }
                    }
                case "Steps":
                    nodes[container]?.children = Array(present.prefix(1))
                    for (i, group) in present.enumerated() where i + 1 < present.count {
                        for step in members[group, default: []] where nodes[step] != nil {
                            for out in outbound(step) { nodes[out]?.children.append(present[i + 1]) }
                        }
                    }
                case "StepGroup":
                    nodes[container]?.children = present
                default:
                    break
                }
            }

            // A retried task listed its attempts before the cut: no node lists one that does not exist.
            let existing = Set(nodes.keys)
            for id in existing where nodes[id]?.children.contains(where: { !existing.contains($0) }) == true {
                nodes[id]?.children.removeAll { !existing.contains($0) }
            }
        }

        // MARK: Phases of what is still going

        /// Whether a node still runs: it runs itself, or a member (or attempt) runs or has yet to start.
        func stillRunning(_ id: String) -> Bool {
            guard let node = nodes[id] else { return unstarted.contains(id) }
            if node.phase == "Running" { return true }
            return members[id, default: []].contains { unstarted.contains($0) || stillRunning($0) }
                || (tasks[id]?.attempts.contains { nodes[$0]?.phase == "Running" } ?? false)
        }

        /// Phases of what is still going: a grouping node runs while any member runs or has yet to start.
        mutating func markStillRunning() {
            guard cutoff != nil else { return }
            for id in Array(nodes.keys) where nodes[id]?.type != "Pod" && stillRunning(id) {
                nodes[id]?.phase = "Running"
                nodes[id]?.end = nil
                nodes[id]?.message = nil
            }
        }
    }

    /// The generated nodes as the workflow's status: each node in Argo's fields, the phase, progress and times.
    private func workflow(of nodes: [String: Node], finish: Int) -> JSONValue {
        let phase = nodes[name]?.phase ?? "Succeeded"
        let end: Int? = nodes[name]?.end ?? (phase == "Running" ? nil : finish)
        var anyRunning = false
        var pods = 0
        var podsDone = 0
        for n in nodes.values where n.type == "Pod" {
            pods += 1
            if n.phase == "Running" { anyRunning = true } else { podsDone += 1 }
        }
        let wfPhase = anyRunning ? "Running" : phase

        func time(_ offset: Int) -> JSONValue { .string(ArgoTime.format(startedAt.addingTimeInterval(Double(offset)))) }
        var nodeObjects: [String: JSONValue] = [:]
        nodeObjects.reserveCapacity(nodes.count)
        for n in nodes.values {
            var o: [String: JSONValue] = [
                "id": .string(n.id), "name": .string(n.name), "displayName": .string(n.displayName),
                "type": .string(n.type), "phase": .string(n.phase), "startedAt": time(n.start),
            ]
            if let t = n.template { o["templateName"] = .string(t) }
            if let b = n.boundaryID { o["boundaryID"] = .string(b) }
            if !n.children.isEmpty { o["children"] = .array(n.children.map(JSONValue.string)) }
            if let m = n.message { o["message"] = .string(m) }
            if let e = n.end { o["finishedAt"] = time(e) }
            if let code = n.exitCode { o["outputs"] = .object(["exitCode": .string(code)]) }
            if n.type == "Pod" {
                o["hostNodeName"] = .string("node-\(PodNames.fnv1a32(n.id) % 8)")
                o["resourcesDuration"] = .object(["cpu": .int(3), "memory": .int(12)])
            }
            nodeObjects[n.id] = .object(o)
        }
        var status: [String: JSONValue] = [
            "phase": .string(wfPhase), "startedAt": time(0), "progress": .string("\(podsDone)/\(pods)"),
            "nodes": .object(nodeObjects),
        ]
        if wfPhase != "Running", let end { status["finishedAt"] = time(end + 1) }
        if wfPhase == "Running", let synchronization { status["synchronization"] = synchronization }
        if wfPhase == "Failed", let message = nodes[name]?.message {
            status["message"] = .string(message)
        }

        return wrap(status: status, phase: wfPhase)
    }

    /// The Workflow object around a generated status: metadata, labels and the spec.
    func wrap(status: [String: JSONValue], phase wfPhase: String) -> JSONValue {
        func time(_ offset: Int) -> JSONValue { .string(ArgoTime.format(startedAt.addingTimeInterval(Double(offset)))) }
        let templates: [JSONValue] =
            specTemplates ?? [
                shape == .dag
                    ? .object(["name": "main", "dag": .object(["tasks": .array([])])])
                    : .object(["name": "main", "steps": .array([])]),
                shape == .dag
                    ? .object(["name": "group", "dag": .object(["tasks": .array([])])])
                    : .object(["name": "group", "steps": .array([])]),
                .object([
                    "name": "work", "container": .object(["image": "busybox:1.36", "command": .array(["sh", "-c"])]),
                ]),
            ]
        let arguments: [JSONValue] =
            specParameters.map { $0.map { .object(["name": .string($0.0), "value": .string($0.1)]) } }
            ?? [.object(["name": "size", "value": .string(String(nodeCount))])]
        return .object([
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace),
                // Unique per namespace, name and seed: two generated workflows with one seed are still two objects
                // (Argo's uids are unique; list merging and archive lookups key on them).
                "uid": .string(
                    "00000000-0000-4000-8000-"
                        + String(
                            format: "%012x",
                            (UInt64(PodNames.fnv1a32("\(namespace)/\(name)")) << 16 ^ seed) & 0xFFFF_FFFF_FFFF)),
                "creationTimestamp": time(0),
                "labels": .object(
                    labels.mapValues(JSONValue.string)
                        .merging([ArgoLabels.phase: .string(wfPhase)]) { _, b in b }
                        .merging(wfPhase == "Running" ? [:] : [ArgoLabels.completed: "true"]) { _, b in b }),
                "annotations": .object(
                    annotations.mapValues(JSONValue.string).merging([ArgoLabels.podNameFormat: "v2"]) { a, _ in a }),
            ]),
            "spec": .object([
                "entrypoint": "main", "arguments": .object(["parameters": .array(arguments)]),
                "templates": .array(templates),
            ]),
            "status": .object(status),
        ])
    }

    /// A fixed DAG (`pipeline`): each task a pod of its own template, started when its dependencies have ended;
    /// a task after a failed one is Omitted, as `dag.go` omits a task whose depends condition cannot hold.
    func generatePipeline(_ pipeline: [PipelineTask]) -> JSONValue {
        func nodeID(_ nodeName: String) -> String { "\(name)-\(PodNames.fnv1a32(nodeName))" }
        func time(_ offset: Int) -> JSONValue { .string(ArgoTime.format(startedAt.addingTimeInterval(Double(offset)))) }
        var objects: [String: [String: JSONValue]] = [:]
        var ends: [String: Int] = [:]
        var ok: [String: Bool] = [:]
        var rootChildren: [JSONValue] = []
        var failed: String?
        var pods = 0
        for task in pipeline {
            let id = nodeID("\(name).\(task.name)")
            let deps = task.dependencies.filter { ends[$0] != nil }
            let start = deps.map { (ends[$0] ?? 0) + 1 }.max() ?? 0
            var node: [String: JSONValue] = [
                "id": .string(id), "name": .string("\(name).\(task.name)"), "displayName": .string(task.name),
                "templateName": .string(task.template), "boundaryID": .string(name), "startedAt": time(start),
            ]
            if deps.contains(where: { ok[$0] != true }) {
                node["type"] = "Skipped"
                node["phase"] = "Omitted"
                node["message"] = "omitted: depends condition not met"
                node["finishedAt"] = time(start)
                ends[task.name] = start
                ok[task.name] = false
            } else {
                pods += 1
                node["type"] = "Pod"
                node["phase"] = .string(task.fails ? "Failed" : "Succeeded")
                node["finishedAt"] = time(start + task.seconds)
                node["hostNodeName"] = .string("node-\(PodNames.fnv1a32(id) % 8)")
                node["resourcesDuration"] = .object(["cpu": .int(task.seconds / 10), "memory": .int(task.seconds)])
                node["outputs"] = .object(["exitCode": .string(task.fails ? "1" : "0")])
                if task.fails {
                    node["message"] = .string("Error (exit code 1): \(task.name) failed")
                    failed = failed ?? id
                }
                ends[task.name] = start + task.seconds
                ok[task.name] = !task.fails
            }
            if deps.isEmpty { rootChildren.append(.string(id)) }
            for dep in deps {
                let depID = nodeID("\(name).\(dep)")
                var children = objects[depID]?["children"]?.array ?? []
                children.append(.string(id))
                objects[depID]?["children"] = .array(children)
            }
            objects[id] = node
        }
        let end = (ends.values.max() ?? 0) + 1
        let phase = failed == nil ? "Succeeded" : "Failed"
        var root: [String: JSONValue] = [
            "id": .string(name), "name": .string(name), "displayName": .string(name), "type": "DAG",
            "templateName": "main", "phase": .string(phase), "startedAt": time(0), "finishedAt": time(end),
            "children": .array(rootChildren),
        ]
        if let failed { root["message"] = .string("child '\(failed)' failed") }
        objects[name] = root
        var status: [String: JSONValue] = [
            "phase": .string(phase), "startedAt": time(0), "finishedAt": time(end),
            "progress": .string("\(pods)/\(pods)"), "nodes": .object(objects.mapValues { .object($0) }),
        ]
        if let failed { status["message"] = .string("child '\(failed)' failed") }
        return wrap(status: status, phase: phase)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
