import Foundation

/// A node's inputs and outputs as its status records them: parameters (with the choices an approval offers) and
/// artifacts (with where they are stored). Read on demand from the workflow's `raw` bytes for one node, so the node
/// map every read decodes stays small.
public struct NodeIO: Sendable, Equatable {
    public var inputs: IO
    public var outputs: IO

    public init(inputs: IO = IO(), outputs: IO = IO()) {
        self.inputs = inputs
        self.outputs = outputs
    }

    public struct IO: Sendable, Equatable, Decodable {
        public var parameters: [NodeParameter]
        public var artifacts: [ArtifactRef]

        public init(parameters: [NodeParameter] = [], artifacts: [ArtifactRef] = []) {
            self.parameters = parameters
            self.artifacts = artifacts
        }

        enum CodingKeys: String, CodingKey { case parameters, artifacts }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            parameters = c.lenientList(NodeParameter.self, forKey: .parameters)
            artifacts = c.lenientList(ArtifactRef.self, forKey: .artifacts)
        }
    }

    struct Holder: Decodable {
        var inputs: IO?
        var outputs: IO?
    }
}

/// A parameter of a node. `supplied` is Argo's `valueFrom.supplied: {}`: a value someone must provide (the approval
/// pattern: `argo node set`, the UI, or the `set` endpoint).
public struct NodeParameter: Sendable, Equatable, Decodable {
    public var name: String
    public var value: String?
    public var `default`: String?
    public var `enum`: [String]?
    public var description: String?
    public var supplied: Bool
    /// `valueFrom.default` of a supplied parameter: what a resume without a node selector gives it
    /// (`OverrideOutputParametersWithDefault`).
    public var suppliedDefault: String?

    public init(
        name: String, value: String? = nil, default: String? = nil, enum: [String]? = nil,
        description: String? = nil, supplied: Bool = false, suppliedDefault: String? = nil
    ) {
        self.name = name
        self.value = value
        self.default = `default`
        self.enum = `enum`
        self.description = description
        self.supplied = supplied
        self.suppliedDefault = suppliedDefault
    }

    enum CodingKeys: String, CodingKey { case name, value, `default`, `enum`, description, valueFrom }
    struct ValueFrom: Decodable {
        var supplied: Empty?
        var `default`: String?
        struct Empty: Decodable {}
    }

    public init(from decoder: any Decoder) throws {
        let p = try Parameter(from: decoder)
        name = p.name
        value = p.value
        `default` = p.default
        `enum` = p.enum
        description = p.description
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let valueFrom = c.lenient(ValueFrom.self, forKey: .valueFrom)
        supplied = valueFrom?.supplied != nil
        suppliedDefault = valueFrom?.default
    }
}

/// An artifact as a node's status names it: which repository holds it and under what key.
public struct ArtifactRef: Sendable, Equatable, Decodable {
    public var name: String
    /// Where the file or directory was in the container.
    public var path: String?
    /// s3, gcs, azure, oss, hdfs, http, artifactory, git, raw, or plugin; nil when the status gives no location (the
    /// artifact then lives in the workflow's default repository under a key Argo derives).
    public var repository: String?
    /// The object key (bucket key, blob, URL, repo) in that repository.
    public var key: String?
    /// How Argo packed it: `tgz` (the default, a gzipped tar), `none`, or `zip`.
    public var archive: String
    public var optional: Bool
    /// Removed by artifact garbage collection.
    public var deleted: Bool
    /// Bytes, where the status says: only a raw artifact's inline data (Argo records no size for stored ones).
    public var size: Int?

    public init(
        name: String, path: String? = nil, repository: String? = nil, key: String? = nil, archive: String = "tgz",
        optional: Bool = false, deleted: Bool = false
    ) {
        self.name = name
        self.path = path
        self.repository = repository
        self.key = key
        self.archive = archive
        self.optional = optional
        self.deleted = deleted
    }

    /// Argo's `ArtifactLocation` members and the field that holds each one's key (`GetKey` in
    /// `pkg/apis/workflow/v1alpha1/workflow_types.go`).
    static let locations: [(String, String)] = [
        ("s3", "key"), ("gcs", "key"), ("oss", "key"), ("azure", "blob"), ("hdfs", "path"), ("http", "url"),
        ("artifactory", "url"), ("git", "repo"), ("raw", ""), ("plugin", "key"),
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        name = c.lenient(String.self, forKey: AnyKey("name")) ?? ""
        path = c.lenient(String.self, forKey: AnyKey("path"))
        optional = c.lenient(Bool.self, forKey: AnyKey("optional")) ?? false
        deleted = c.lenient(Bool.self, forKey: AnyKey("deleted")) ?? false
        repository = nil
        key = nil
        size = nil
        for (member, keyField) in Self.locations where c.contains(AnyKey(member)) {
            repository = member
            if !keyField.isEmpty,
                let fields = c.lenient([String: ScalarString].self, forKey: AnyKey(member))
            {
                key = fields[keyField]?.text
            }
            break
        }
        let packing = c.lenient([String: Lenient<NodeParameter.ValueFrom.Empty>].self, forKey: AnyKey("archive"))
        let declared = packing.flatMap { $0.keys.first { ["none", "tar", "zip"].contains($0) } }
        if let declared {
            archive = declared == "tar" ? "tgz" : declared
        } else if let key, !key.hasSuffix(".tgz"),
            repository == "s3" || repository == "gcs" || repository == "oss"
                || repository == "azure"
        {
            // The executor appends `.tgz` to the key of what it tars (`workflow/executor/executor.go`); a key without
            // it (an archived `main.log`, a key someone gave) holds the file as it is.
            archive = "none"
        } else {
            archive = "tgz"
        }
        // A raw artifact's data is inline: nothing packed, and its size known.
        if repository == "raw" {
            archive = "none"
            size = c.lenient([String: ScalarString].self, forKey: AnyKey("raw"))?["data"]?.text?.utf8.count
        }
    }
}

extension Workflow {
    /// The inputs and outputs of every node that has any, read from `raw` in one pass.
    public func allNodeIO() -> [String: NodeIO] {
        guard let raw, let status = JSONScanner.member("status", of: raw.data),
            let nodes = JSONScanner.member("nodes", of: status),
            let decoded = try? JSONDecoder().decode([String: Lenient<NodeIO.Holder>].self, from: nodes)
        else { return [:] }
        var result: [String: NodeIO] = [:]
        for (id, holder) in decoded {
            guard let h = holder.value, h.inputs != nil || h.outputs != nil else { continue }
            result[id] = NodeIO(inputs: h.inputs ?? NodeIO.IO(), outputs: h.outputs ?? NodeIO.IO())
        }
        return result
    }

    /// The inputs and outputs of node `id` from `raw`; nil when `raw` is missing or has no such node.
    public func nodeIO(id: String) -> NodeIO? {
        guard let raw, let status = JSONScanner.member("status", of: raw.data),
            let nodes = JSONScanner.member("nodes", of: status),
            let node = JSONScanner.member(id, of: nodes)
        else { return nil }
        guard let holder = try? JSONDecoder().decode(NodeIO.Holder.self, from: node) else { return NodeIO() }
        return NodeIO(inputs: holder.inputs ?? NodeIO.IO(), outputs: holder.outputs ?? NodeIO.IO())
    }
}
