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

    /// Builds `steps` intermediate states leading to `final`: pods finish in start order, a batch at a time.
    static func states(toward final: JSONValue, steps: Int) -> [JSONValue] {
        guard let nodes = final[path: "status.nodes"]?.object else { return [final] }
        let pods = nodes.values
            .filter { $0["type"]?.string == "Pod" }
            .sorted {
                ($0["startedAt"]?.string ?? "", $0["id"]?.string ?? "") < (
                    $1["startedAt"]?.string ?? "", $1["id"]?.string ?? ""
                )
            }
            .compactMap { $0["id"]?.string }
        let steps = max(1, steps)
        var out: [JSONValue] = []
        for k in 0..<steps {
            let done = pods.count * k / steps
            // The first state is all Pending; then a batch runs while the ones before it have finished.
            let running = k == 0 ? [] : Set(pods[done..<min(pods.count, pods.count * (k + 1) / steps)])
            let finished = Set(pods[0..<done])
            var state = final
            var newNodes = nodes
            for (id, node) in nodes {
                var n = node
                if node["type"]?.string == "Pod" {
                    if finished.contains(id) { continue }
                    n["phase"] = running.contains(id) ? "Running" : "Pending"
                } else {
                    n["phase"] = "Running"
                    n["message"] = nil
                }
                n["finishedAt"] = nil
                if !running.contains(id) && node["type"]?.string == "Pod" { n["message"] = nil }
                n["outputs"] = nil
                newNodes[id] = n
            }
            state.set(["status", "nodes"], .object(newNodes))
            state.set(["status", "phase"], k == 0 ? "Pending" : "Running")
            state.set(["status", "progress"], .string("\(done)/\(pods.count)"))
            state.set(["status", "finishedAt"], nil)
            state.set(["status", "message"], nil)
            state.set(["metadata", "labels", ArgoLabels.phase], "Running")
            state.set(["metadata", "labels", ArgoLabels.completed], nil)
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
