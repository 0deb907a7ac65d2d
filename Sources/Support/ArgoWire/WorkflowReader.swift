import Foundation
import Ports

/// Reads a Workflow faster than Foundation's JSON decoders, which run at about 35 MB/s here and made a
/// 10,000-node workflow (3.7 MB) cost ~95 ms. The bulk of a large workflow is `status.nodes`; this reads that map
/// with a byte scanner that skips what the domain does not use, and hands the small rest (metadata, spec, the
/// other status fields) to `JSONDecoder`. Any shape it does not expect makes it give up, and `Workflow.decode`
/// falls back to `JSONDecoder` for the whole object, so the result never depends on this path.
public enum WorkflowReader {
    typealias Unexpected = JSONScanner.Unexpected

    /// The workflow, or an error when the JSON is not in a shape this reader takes.
    public static func read(_ data: Data) throws -> Workflow {
        try data.withUnsafeBytes { raw in
            var s = JSONScanner(bytes: raw.bindMemory(to: UInt8.self))
            var metadata = ObjectMeta()
            var spec = WorkflowSpec()
            var status = WorkflowStatus()
            try s.members { s, key in
                switch key {
                case "metadata":
                    metadata = try JSONDecoder().decode(ObjectMeta.self, from: s.valueData())
                case "spec":
                    spec = try JSONDecoder().decode(WorkflowSpec.self, from: s.valueData())
                case "status":
                    status = try readStatus(&s)
                default:
                    try s.skipValue()
                }
            }
            return Workflow(metadata: metadata, spec: spec, status: status)
        }
    }

    static let statusKeys: Set<String> = [
        "phase", "startedAt", "finishedAt", "progress", "message", "estimatedDuration", "resourcesDuration",
        "conditions", "synchronization",
    ]

    /// The status: nodes by the scanner, the few other fields the domain reads by `JSONDecoder`.
    static func readStatus(_ s: inout JSONScanner) throws -> WorkflowStatus {
        guard s.peek() == UInt8(ascii: "{") else {
            try s.skipValue()
            return WorkflowStatus()
        }
        var nodes: [String: NodeStatus] = [:]
        var rest = Data("{".utf8)
        try s.members { s, key in
            if key == "nodes" {
                nodes = try readNodes(&s)
            } else if statusKeys.contains(key) {
                if rest.count > 1 { rest.append(UInt8(ascii: ",")) }
                rest.append(contentsOf: try JSONEncoder().encode(key))
                rest.append(UInt8(ascii: ":"))
                rest.append(try s.valueData())
            } else {
                try s.skipValue()
            }
        }
        rest.append(UInt8(ascii: "}"))
        var status = try JSONDecoder().decode(WorkflowStatus.self, from: rest)
        status.nodes = nodes
        return status
    }

    static func readNodes(_ s: inout JSONScanner) throws -> [String: NodeStatus] {
        if try s.null() { return [:] }
        // Count first (skipping is cheap) so the map is allocated once, not regrown a dozen times.
        var counter = s
        var count = 0
        try counter.members { s, _ in
            count += 1
            try s.skipValue()
        }
        var nodes: [String: NodeStatus] = [:]
        nodes.reserveCapacity(count)
        try s.members { s, key in
            var node = try readNode(&s)
            if node.id.isEmpty { node.id = key }
            nodes[key] = node
        }
        return nodes
    }

    static func readNode(_ s: inout JSONScanner) throws -> NodeStatus {
        var n = NodeStatus(id: "", name: "", type: NodeType(rawValue: ""))
        if try s.null() { return n }
        try s.members { s, key in
            switch key {
            case "id": n.id = try s.string() ?? ""
            case "name": n.name = try s.string() ?? ""
            case "displayName": n.displayName = try s.string()
            case "type": n.type = NodeType(rawValue: try s.string() ?? "")
            case "templateName": n.templateName = try s.string()
            case "templateRef":
                if try s.null() { break }
                var ref = TemplateReference()
                try s.members { s, key in
                    switch key {
                    case "name": ref.name = try s.string()
                    case "template": ref.template = try s.string()
                    case "clusterScope": ref.clusterScope = try s.bool()
                    default: try s.skipValue()
                    }
                }
                n.templateRef = ref
            case "phase": n.phase = try s.string().flatMap { $0.isEmpty ? nil : NodePhase(rawValue: $0) }
            case "boundaryID": n.boundaryID = try s.string()
            case "children":
                if try s.null() { break }
                var children: [String] = []
                try s.elements { s in children.append(try s.string() ?? "") }
                n.children = children
            case "message": n.message = try s.string()
            case "startedAt": n.startedAt = try s.string()
            case "finishedAt": n.finishedAt = try s.string()
            case "progress": n.progress = try s.string()
            case "hostNodeName": n.hostNodeName = try s.string()
            case "outputs":
                if try s.null() { break }
                try s.members { s, key in
                    if key == "exitCode" { n.exitCode = try s.scalarText() } else { try s.skipValue() }
                }
            case "synchronizationStatus":
                if try s.null() { break }
                try s.members { s, key in
                    if key == "waiting" { n.waitingForLock = try s.string() } else { try s.skipValue() }
                }
            case "resourcesDuration":
                if try s.null() { break }
                var durations: [String: Int] = [:]
                try s.members { s, key in durations[key] = try s.int() }
                n.resourcesDuration = durations
            default:
                try s.skipValue()
            }
        }
        return n
    }
}

extension Workflow {
    /// Decodes one Workflow object and keeps its bytes as `raw`.
    public static func decode(from data: Data) throws -> Workflow {
        var workflow = try (try? WorkflowReader.read(data)) ?? JSONDecoder().decode(Workflow.self, from: data)
        workflow.raw = RawJSON(data)
        return workflow
    }
}
