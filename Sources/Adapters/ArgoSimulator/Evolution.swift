import Foundation
import Ports

/// Drives simulated workflows through Pending → Running → their final phase over accelerated time, so that
/// watches have something to follow.
struct Evolution {
    let key: String
    /// The states the workflow passes through, the last one final.
    let states: [JSONValue]
    var step = 0
    /// An evolving workflow holds still until a client first gets or watches it, so that whoever looks sees it
    /// from the start.
    var started = false
    /// When the workflow really started running (its first step after Pending).
    var realStart: Date?
    /// Whether the states' times are moved to real time (`retimed`); states written at real time already, such
    /// as a retry's, are stored as they are.
    var retime = true

    /// A state as it is stored at real time `now`: the run starts at `realStart`, its nodes' times move with it
    /// and never lie in the future, and the final state finishes now. So every duration shown is the one a
    /// watcher saw (the script's own times are compressed or stretched: a two-minute run used to report 42 s).
    static func retimed(_ state: JSONValue, realStart: Date, now: Date, final: Bool) -> JSONValue {
        guard let scripted = ArgoTime.parse(state[path: "status.startedAt"]?.string) else { return state }
        let offset = realStart.timeIntervalSince(scripted)
        func moved(_ text: String?) -> JSONValue? {
            ArgoTime.parse(text).map { .string(ArgoTime.format(min(now, $0.addingTimeInterval(offset)))) }
        }
        var out = state
        out.set(["status", "startedAt"], .string(ArgoTime.format(realStart)))
        if var nodes = state[path: "status.nodes"]?.object {
            for (id, node) in nodes {
                var n = node
                if let s = moved(node["startedAt"]?.string) { n["startedAt"] = s }
                if let f = moved(node["finishedAt"]?.string) { n["finishedAt"] = f }
                nodes[id] = n
            }
            out.set(["status", "nodes"], .object(nodes))
        }
        if final { out.set(["status", "finishedAt"], .string(ArgoTime.format(now))) }
        return out
    }

    /// Builds `steps` intermediate states leading to `final`, as the controller writes them: at each moment of the
    /// final state's schedule, the nodes started by then exist (Argo creates a node when it starts it), those
    /// finished by then have their final phase, the others run; the first state is Pending with no node.
    static func states(toward final: JSONValue, steps: Int) -> [JSONValue] {
        guard let nodes = final[path: "status.nodes"]?.object,
            let begin = ArgoTime.parse(final[path: "status.startedAt"]?.string)
        else { return [final] }
        func time(_ node: JSONValue, _ key: String) -> Double? {
            ArgoTime.parse(node[key]?.string).map { $0.timeIntervalSince(begin) }
        }
        let span = nodes.values.compactMap { time($0, "finishedAt") ?? time($0, "startedAt") }.max() ?? 0
        let steps = max(1, steps)
        var out: [JSONValue] = []
        for k in 0..<steps {
            var state = final
            state.set(["status", "finishedAt"], nil)
            state.set(["status", "message"], nil)
            state.set(["metadata", "labels", ArgoLabels.completed], nil)
            if k == 0 {
                state.set(["status", "nodes"], nil)
                state.set(["status", "phase"], "Pending")
                state.set(["status", "progress"], "0/0")
                state.set(["metadata", "labels", ArgoLabels.phase], "Pending")
                out.append(state)
                continue
            }
            // The moment of the schedule this state shows: just before the last node finishes at the latest.
            let at = span * Double(k) / Double(steps)
            var present: [String: JSONValue] = [:]
            for (id, node) in nodes where (time(node, "startedAt") ?? 0) <= at {
                var n = node
                if let end = time(node, "finishedAt"), end <= at {
                    present[id] = n
                    continue
                }
                n["phase"] = "Running"
                n["finishedAt"] = nil
                n["message"] = nil
                n["outputs"] = nil
                present[id] = n
            }
            let existing = Set(present.keys)
            for (id, node) in present {
                if let children = node["children"]?.array {
                    present[id]?["children"] = .array(children.filter { existing.contains($0.string ?? "") })
                }
            }
            let pods = present.values.filter { $0["type"]?.string == "Pod" }
            let done = pods.filter { $0["phase"]?.string != "Running" }.count
            state.set(["status", "nodes"], .object(present))
            state.set(["status", "phase"], "Running")
            state.set(["status", "progress"], .string("\(done)/\(pods.count)"))
            state.set(["metadata", "labels", ArgoLabels.phase], "Running")
            out.append(state)
        }
        out.append(final)
        return out
    }
}

extension JSONValue {
    /// Writes (or, with nil, removes) the value under a path of keys, creating objects on the way. Keys are
    /// given one by one because label keys contain dots.
    public mutating func set(_ keys: [String], _ value: JSONValue?) {
        guard let first = keys.first else {
            self = value ?? .null
            return
        }
        guard case .object(var o) = self else { return }
        if keys.count == 1 {
            o[first] = value
        } else {
            var child = o[first] ?? .object([:])
            child.set(Array(keys.dropFirst()), value)
            o[first] = child
        }
        self = .object(o)
    }
}
