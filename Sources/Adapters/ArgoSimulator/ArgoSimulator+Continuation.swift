import Foundation
import Ports

/// The simulated controller's part after a mutation: a steps workflow goes on once its waiting step is released,
/// and a retried workflow runs its reset nodes to the end.
extension ArgoSimulator {
    /// Moves every workflow in `continuing` one step on, as `workflow/controller/steps.go` `executeSteps` does:
    /// a step group runs until all its steps are done; a failed step ends the steps (later groups are never
    /// created); otherwise the next group starts, each step evaluated by its `when` (`shouldExecute`: false gives
    /// a Skipped node, "when '…' evaluated false"); after the last group the workflow succeeds.
    func advanceContinuations() {
        for key in continuing.sorted() {
            guard var wf = storedJSON(key) else {
                continuing.remove(key)
                continue
            }
            let phase = wf[path: "status.phase"]?.string ?? ""
            if ["Succeeded", "Failed", "Error"].contains(phase) || wf[path: "spec.shutdown"] != nil {
                continuing.remove(key)
                continue
            }
            // `operate`: nothing new starts while the workflow is suspended.
            if wf[path: "spec.suspend"] == .bool(true) { continue }
            switch Self.continueSteps(&wf, now: Date()) {
            case .waiting:
                continue
            case .unknown:
                continuing.remove(key)
            case .moved:
                replace(wf, key: key)
            case .finished:
                replace(wf, key: key)
                continuing.remove(key)
            }
        }
    }

    /// `.unknown`: not a steps workflow the simulator can carry on; it is left as it is.
    enum Continuation { case waiting, moved, finished, unknown }

    /// One step of a steps workflow's run; `.waiting` while a step waits for someone (a suspend step).
    static func continueSteps(_ wf: inout JSONValue, now date: Date) -> Continuation {
        guard let name = wf[path: "metadata.name"]?.string,
            let entry = wf[path: "spec.entrypoint"]?.string,
            let template = wf[path: "spec.templates"]?.array?.first(where: { $0["name"]?.string == entry }),
            let groups = template["steps"]?.array?.map({ $0.array ?? [] }), !groups.isEmpty,
            var nodes = wf[path: "status.nodes"]?.object, nodes[name] != nil
        else { return .unknown }
        let now = ArgoTime.format(date)
        func id(named nodeName: String) -> String? { nodes.first { $0.value["name"]?.string == nodeName }?.key }
        guard let current = (0..<groups.count).last(where: { id(named: "\(name)[\($0)]") != nil }),
            let groupID = id(named: "\(name)[\(current)]")
        else { return .unknown }
        let stepIDs = nodes[groupID]?["children"]?.array?.compactMap(\.string) ?? []

        // Steps still going: pods finish (one tick each way); a suspend step waits for resume, approve or set.
        let active = stepIDs.filter { ["Running", "Pending"].contains(nodes[$0]?["phase"]?.string ?? "") }
        if !active.isEmpty {
            guard advancePods(active, in: &nodes, now: now) else { return .waiting }
            wf.set(["status", "nodes"], .object(nodes))
            setProgress(&wf)
            return .moved
        }

        // The group is done: a failed step fails it and ends the steps.
        if let failed = stepIDs.first(where: { ["Failed", "Error"].contains(nodes[$0]?["phase"]?.string ?? "") }) {
            let message = JSONValue.string("child '\(failed)' failed")
            for id in [groupID, name] {
                nodes[id]?["phase"] = "Failed"
                nodes[id]?["message"] = message
                nodes[id]?["finishedAt"] = .string(now)
            }
            wf.set(["status", "nodes"], .object(nodes))
            complete(&wf, phase: "Failed", message: message, now: now)
            return .finished
        }
        if nodes[groupID]?["phase"]?.string != "Succeeded" {
            nodes[groupID]?["phase"] = "Succeeded"
            nodes[groupID]?["finishedAt"] = .string(now)
        }
        guard current + 1 < groups.count else {
            nodes[name]?["phase"] = "Succeeded"
            nodes[name]?["finishedAt"] = .string(now)
            wf.set(["status", "nodes"], .object(nodes))
            complete(&wf, phase: "Succeeded", message: nil, now: now)
            return .finished
        }

        // The next group, linked from the steps before it (their outbound nodes).
        startGroup(
            current + 1, groups[current + 1], after: stepIDs, in: &nodes, of: wf, name: name, entry: entry, now: now)
        wf.set(["status", "nodes"], .object(nodes))
        setProgress(&wf)
        return .moved
    }

    /// Moves a group's active pods one tick on (Pending to Running, Running to Succeeded); false when none is a
    /// pod, so the group waits.
    static func advancePods(_ active: [String], in nodes: inout [String: JSONValue], now: String) -> Bool {
        var moved = false
        for id in active where nodes[id]?["type"]?.string == "Pod" {
            if nodes[id]?["phase"]?.string == "Pending" {
                nodes[id]?["phase"] = "Running"
            } else {
                nodes[id]?["phase"] = "Succeeded"
                nodes[id]?["finishedAt"] = .string(now)
                nodes[id]?["outputs"] = .object(["exitCode": "0"])
            }
            moved = true
        }
        return moved
    }

    /// Creates step group `next` and its steps (Skipped when their `when` is false), each listed as a child of
    /// the steps before it.
    static func startGroup(
        _ next: Int, _ steps: [JSONValue], after stepIDs: [String], in nodes: inout [String: JSONValue],
        of wf: JSONValue, name: String, entry: String, now: String
    ) {
        func nodeID(_ nodeName: String) -> String { "\(name)-\(PodNames.fnv1a32(nodeName))" }
        let nextName = "\(name)[\(next)]"
        let nextID = nodeID(nextName)
        var children: [JSONValue] = []
        let templates = wf[path: "spec.templates"]?.array ?? []
        for step in steps {
            guard let stepName = step["name"]?.string else { continue }
            let fullName = "\(nextName).\(stepName)"
            let stepID = nodeID(fullName)
            var node: [String: JSONValue] = [
                "id": .string(stepID), "name": .string(fullName), "displayName": .string(stepName),
                "boundaryID": .string(name), "startedAt": .string(now),
            ]
            if let templateName = step["template"]?.string { node["templateName"] = .string(templateName) }
            if let when = step["when"]?.string, !evaluate(substitute(when, nodes: nodes, name: name, wf: wf)) {
                node["type"] = "Skipped"
                node["phase"] = "Skipped"
                node["message"] = .string(
                    "when '\(substitute(when, nodes: nodes, name: name, wf: wf))' evaluated false")
                node["finishedAt"] = .string(now)
            } else {
                let kind = templates.first { $0["name"] == step["template"] }
                let suspend = kind?["suspend"] != nil
                node["type"] = suspend ? "Suspend" : "Pod"
                node["phase"] = suspend ? "Running" : "Pending"
            }
            nodes[stepID] = .object(node)
            children.append(.string(stepID))
        }
        nodes[nextID] = .object([
            "id": .string(nextID), "name": .string(nextName), "displayName": .string("[\(next)]"),
            "type": "StepGroup", "templateName": .string(entry), "phase": "Running", "boundaryID": .string(name),
            "startedAt": .string(now), "children": .array(children),
        ])
        for id in stepIDs {
            var list = nodes[id]?["children"]?.array ?? []
            list.append(.string(nextID))
            nodes[id]?["children"] = .array(list)
        }
    }

    /// `{{steps.NAME.outputs.parameters.P}}` and `{{workflow.parameters.P}}` with their values.
    static func substitute(_ text: String, nodes: [String: JSONValue], name: String, wf: JSONValue) -> String {
        var out = text
        for node in nodes.values where node["boundaryID"]?.string == name {
            guard let display = node["displayName"]?.string else { continue }
            for parameter in node[path: "outputs.parameters"]?.array ?? [] {
                guard let p = parameter["name"]?.string, let value = parameter["value"]?.string else { continue }
                out = out.replacingOccurrences(of: "{{steps.\(display).outputs.parameters.\(p)}}", with: value)
            }
        }
        for parameter in wf[path: "spec.arguments.parameters"]?.array ?? [] {
            guard let p = parameter["name"]?.string, let value = parameter["value"]?.string else { continue }
            out = out.replacingOccurrences(of: "{{workflow.parameters.\(p)}}", with: value)
        }
        return out
    }

    /// A `when` the way Argo's examples write them: `a == b` or `a != b` (quotes optional), `true`/`false`.
    /// Anything else counts as true: the simulator does not evaluate full expressions.
    static func evaluate(_ expression: String) -> Bool {
        func bare(_ s: Substring) -> String {
            s.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed == "false" { return false }
        for (op, equal) in [("!=", false), ("==", true)] {
            if let range = trimmed.range(of: op) {
                let same = bare(trimmed[..<range.lowerBound]) == bare(trimmed[range.upperBound...])
                return same == equal
            }
        }
        return true
    }

    static func setProgress(_ wf: inout JSONValue) {
        let pods = (wf[path: "status.nodes"]?.object ?? [:]).values.filter { $0["type"]?.string == "Pod" }
        let done = pods.filter { !["Running", "Pending"].contains($0["phase"]?.string ?? "") }.count
        wf.set(["status", "progress"], .string("\(done)/\(pods.count)"))
    }

    static func complete(_ wf: inout JSONValue, phase: String, message: JSONValue?, now: String) {
        wf.set(["status", "phase"], .string(phase))
        wf.set(["status", "finishedAt"], .string(now))
        wf.set(["status", "message"], message)
        wf.set(["metadata", "labels", ArgoLabels.phase], .string(phase))
        wf.set(["metadata", "labels", ArgoLabels.completed], "true")
        setProgress(&wf)
    }

    /// The states a retried workflow passes through: its reset pods run, then they and every grouping node
    /// reset with them succeed, and the workflow with them (the simulated controller's run of
    /// `FormulateRetryWorkflow`'s result).
    static func retryRun(_ retried: JSONValue, reset: Set<String>, now: Date, tick: Double) -> [JSONValue] {
        var running = retried
        var done = retried
        let started = ArgoTime.format(now)
        let finished = ArgoTime.format(now.addingTimeInterval(2 * tick))
        var waiting = false
        for id in reset {
            guard let node = retried[path: "status.nodes"]?[id] else { continue }
            // A suspend step waits again for someone to release it.
            if node["type"]?.string == "Suspend" {
                waiting = true
                continue
            }
            let pod = node["type"]?.string == "Pod"
            running.set(["status", "nodes", id, "phase"], "Running")
            running.set(["status", "nodes", id, "startedAt"], .string(started))
            done.set(["status", "nodes", id, "phase"], "Succeeded")
            done.set(["status", "nodes", id, "startedAt"], .string(started))
            done.set(["status", "nodes", id, "finishedAt"], .string(finished))
            if pod { done.set(["status", "nodes", id, "outputs"], .object(["exitCode": "0"])) }
        }
        setProgress(&running)
        if waiting {
            setProgress(&done)
        } else {
            complete(&done, phase: "Succeeded", message: nil, now: finished)
        }
        return [retried, running, done]
    }
}
