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

    public func generate() -> JSONValue {
        var rng = Rng(state: seed ^ 0x9E37_79B9_7F4A_7C15)
        var nodes: [String: Node] = [:]
        nodes.reserveCapacity(nodeCount)
        var budget = nodeCount - 1
        let groupType = shape == .dag ? "DAG" : "StepGroup"
        let root = Node(
            id: name, name: name, displayName: name, type: shape == .dag ? "DAG" : "Steps", template: "main",
            phase: "Succeeded", start: 0)
        nodes[name] = root
        var clock = 1
        var taskIndex = 0

        // Grouping levels: a fixed fan-out so that the tree is nested `depth` levels deep.
        let leavesWanted = max(1, budget)
        let fanOut = max(2, Int(pow(Double(leavesWanted), 1.0 / Double(depth)).rounded(.up)))

        func nodeID(_ nodeName: String) -> String { "\(name)-\(PodNames.fnv1a32(nodeName))" }

        func addPodTask(parent: String, parentName: String, boundary: String) -> Node? {
            guard budget > 0 else { return nil }
            taskIndex += 1
            let display = shape == .dag ? "task-\(taskIndex)" : "step-\(taskIndex)"
            let taskName = "\(parentName).\(display)"
            let roll = rng.next()
            let fails = roll < failureRate
            let running = !fails && roll < failureRate + runningRate
            let useRetry = retryEvery > 0 && taskIndex % retryEvery == 0 && budget >= 3
            let start = clock
            clock += 1
            func pod(_ nodeName: String, _ shown: String, failed: Bool, running: Bool, duration: Int) -> Node {
                var n = Node(
                    id: nodeID(nodeName), name: nodeName, displayName: shown, type: "Pod", template: "work",
                    phase: failed ? "Failed" : (running ? "Running" : "Succeeded"), boundaryID: boundary, start: start)
                if failed {
                    let oom = taskIndex % 7 == 0
                    n.exitCode = oom ? "137" : "1"
                    n.message = oom ? "OOMKilled (exit code 137)" : "Error (exit code 1): task \(taskIndex) failed"
                }
                if !running { n.end = start + duration }
                return n
            }
            if useRetry {
                var retry = Node(
                    id: nodeID(taskName), name: taskName, displayName: display, type: "Retry", template: "work",
                    phase: "Succeeded", boundaryID: boundary, start: start)
                budget -= 1
                let attempts = min(budget, 2)
                for a in 0..<attempts {
                    let last = a == attempts - 1
                    let attempt = pod(
                        "\(taskName)(\(a))", "\(display)(\(a))", failed: !last || fails, running: last && running,
                        duration: 5 + a)
                    retry.children.append(attempt.id)
                    nodes[attempt.id] = attempt
                    budget -= 1
                }
                let lastChild = nodes[retry.children.last!]!
                retry.phase = lastChild.phase
                retry.end = lastChild.end
                if fails { retry.message = "No more retries left" }
                nodes[retry.id] = retry
                return retry
            }
            let n = pod(taskName, display, failed: fails, running: running, duration: 3 + taskIndex % 20)
            nodes[n.id] = n
            budget -= 1
            return n
        }

        func fill(parentID: String, parentName: String, level: Int) {
            var index = 0
            while budget > 0 && index < fanOut {
                if level < depth - 1 && budget > fanOut {
                    let groupName = shape == .dag ? "\(parentName).group-\(level)-\(index)" : "\(parentName)[\(index)]"
                    let group = Node(
                        id: nodeID(groupName), name: groupName,
                        displayName: shape == .dag ? "group-\(level)-\(index)" : "[\(index)]",
                        type: groupType, template: shape == .dag ? "group" : nil, phase: "Succeeded",
                        boundaryID: parentID, start: clock)
                    nodes[group.id] = group
                    nodes[parentID]!.children.append(group.id)
                    budget -= 1
                    fill(parentID: group.id, parentName: groupName, level: level + 1)
                } else if let task = addPodTask(parent: parentID, parentName: parentName, boundary: parentID) {
                    nodes[parentID]!.children.append(task.id)
                }
                index += 1
            }
            if level == 0 && budget > 0 { fill(parentID: parentID, parentName: parentName, level: level) }
        }
        fill(parentID: name, parentName: name, level: 0)

        // Roll phases up: a group fails if a child failed, runs if a child runs.
        func settle(_ id: String) -> (String, Int?) {
            var node = nodes[id]!
            guard node.type != "Pod", node.type != "Retry" else { return (node.phase, node.end) }
            var phase = "Succeeded"
            var end: Int? = node.start
            for child in node.children {
                let (p, e) = settle(child)
                if p == "Failed" { phase = "Failed" } else if p == "Running" && phase != "Failed" { phase = "Running" }
                if let e, let current = end { end = max(current, e) } else { end = nil }
            }
            if phase == "Running" { end = nil }
            node.phase = phase
            node.end = end
            if phase == "Failed" {
                node.message = "child '\(node.children.first { nodes[$0]?.phase == "Failed" } ?? "")' failed"
            }
            nodes[id] = node
            return (phase, end)
        }
        let (phase, end) = settle(name)
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
        if wfPhase == "Failed" {
            status["message"] = .string(
                "child '\(nodes[name]!.children.first { nodes[$0]?.phase == "Failed" } ?? "")' failed")
        }

        let templates: [JSONValue] = [
            .object(["name": "main", shape == .dag ? "dag" : "steps": .object([:])]),
            .object(["name": "group", "dag": .object([:])]),
            .object([
                "name": "work", "container": .object(["image": "busybox:1.36", "command": .array(["sh", "-c"])]),
            ]),
        ]
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
                "entrypoint": "main",
                "arguments": .object([
                    "parameters": .array([.object(["name": "size", "value": .string(String(nodeCount))])])
                ]),
                "templates": .array(templates),
            ]),
            "status": .object(status),
        ])
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
