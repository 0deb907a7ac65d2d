import Foundation
import Ports

/// One artifact as list_artifacts shows it.
public struct ArtifactRow: Sendable, Codable, Equatable {
    public var name: String
    /// inputs or outputs.
    public var direction: String
    public var path: String?
    public var repository: String
    public var key: String?
    /// tgz (Argo's default: a gzipped tar), none or zip.
    public var archive: String
    /// Bytes, where Argo's status records it (raw artifacts); get_artifact reads the others.
    public var size: Int?
    /// Whether the Argo Server's artifact service can hand it out, and why not when it cannot.
    public var servable: Bool
    public var note: String?
}

public struct NodeArtifacts: Sendable, Codable, Equatable {
    public var nodeID: String
    public var name: String
    public var phase: String
    public var artifacts: [ArtifactRow]
}

public struct ArtifactList: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    /// Read from the workflow archive (the live object is gone): served by uid.
    public var archived: Bool
    public var nodes: [NodeArtifacts]
    /// Artifacts in all, shown or not.
    public var total: Int
    public var truncated: Bool
}

/// What get_artifact read.
public struct ArtifactContent: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var nodeID: String
    public var artifact: String
    public var direction: String
    public var route: String
    /// How the stored bytes were packed, as found: plain, gzip, tar, tar+gzip, directory.
    public var packing: String
    /// The file shown: the artifact's own name, or the file inside an archive or directory.
    public var file: String?
    /// Files in the archive or directory (at most 50).
    public var files: [String]?
    public var contentType: String?
    /// The text, at most `max_bytes` of it; nil for binary content or a listing.
    public var text: String?
    public var bytesShown: Int
    /// More content exists than is shown.
    public var truncated: Bool
    public var note: String?
}

/// list_artifacts and get_artifact.
public struct ArtifactReads: Sendable {
    let context: ArgoContext
    let unpacker: any ArtifactUnpacking
    var gateway: any ArgoGateway { context.gateway }

    public init(_ context: ArgoContext, unpacker: any ArtifactUnpacking) {
        self.context = context
        self.unpacker = unpacker
    }

    public static let defaultMaxBytes = 6000
    public static let maxMaxBytes = 1 << 20
    /// How many more bytes than asked are fetched, for gzip and tar framing around the first file.
    static let framing = 64 << 10
    static let maxRows = 60

    public func list(namespace: String?, name: String, node: String?) async throws -> ArtifactList {
        let problems = Validation.target(namespace: namespace, name: name)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
        var ios = wf.allNodeIO()
        if let node {
            let n = try WorkflowReads.resolve(node: node, in: wf)
            ios = ios.filter { $0.key == n.id }
            if ios.isEmpty { ios[n.id] = NodeIO() }
        }
        var total = 0
        var shown = 0
        var rows: [NodeArtifacts] = []
        let ordered = ios.keys.sorted {
            let (a, b) = (wf.status.nodes[$0], wf.status.nodes[$1])
            return (a?.startedAt ?? "", $0) < (b?.startedAt ?? "", $1)
        }
        for id in ordered {
            guard let io = ios[id] else { continue }
            let artifacts =
                io.inputs.artifacts.map { Self.row($0, "inputs") }
                + io.outputs.artifacts.map { Self.row($0, "outputs") }
            total += artifacts.count
            guard !artifacts.isEmpty || node != nil, shown < Self.maxRows else { continue }
            let room = Self.maxRows - shown
            shown += min(room, artifacts.count)
            let n = wf.status.nodes[id]
            rows.append(
                NodeArtifacts(
                    nodeID: id, name: n?.displayName ?? n?.name ?? id, phase: n?.phase?.rawValue ?? "Unknown",
                    artifacts: Array(artifacts.prefix(room))))
        }
        return ArtifactList(
            namespace: ns, name: wf.metadata.name.isEmpty ? name : wf.metadata.name, archived: wf.isArchivedCopy,
            nodes: rows, total: total, truncated: shown < total)
    }

    static func row(_ a: ArtifactRef, _ direction: String) -> ArtifactRow {
        var servable = true
        var note: String?
        if a.deleted {
            servable = false
            note = "removed by artifact garbage collection"
        } else if a.repository == "git" || a.repository == "http" || a.repository == "artifactory" {
            note = "fetched from \(a.repository ?? "its source") by the artifact service"
        } else if a.repository == nil {
            note = "in the workflow's default artifact repository"
        }
        return ArtifactRow(
            name: a.name, direction: direction, path: a.path, repository: a.repository ?? "default",
            key: a.key, archive: a.archive, size: a.size, servable: servable, note: note)
    }

    public func get(
        namespace: String?, name: String, node: String, artifact: String, direction: String?, file: String?,
        maxBytes: Int?
    ) async throws -> ArtifactContent {
        var problems = Validation.target(namespace: namespace, name: name)
        let limit = maxBytes ?? Self.defaultMaxBytes
        if limit < 1 || limit > Self.maxMaxBytes {
            problems.append(
                ArgumentProblem(field: "max_bytes", message: "must be between 1 and \(Self.maxMaxBytes)"))
        }
        var wanted: ArtifactRequest.Direction?
        if let direction {
            wanted = ArtifactRequest.Direction(rawValue: direction.lowercased())
            if wanted == nil {
                problems.append(ArgumentProblem(field: "direction", message: "use inputs or outputs"))
            }
        }
        if artifact.isEmpty { problems.append(ArgumentProblem(field: "artifact", message: "give the artifact's name")) }
        if let file, file.split(separator: "/").contains(where: { $0 == ".." }) {
            problems.append(ArgumentProblem(field: "file", message: "a path inside the artifact, without '..'"))
        }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
        let n = try WorkflowReads.resolve(node: node, in: wf)
        let io = wf.nodeIO(id: n.id) ?? NodeIO()
        let candidates: [(ArtifactRequest.Direction, ArtifactRef)] =
            io.outputs.artifacts.map { (.outputs, $0) } + io.inputs.artifacts.map { (.inputs, $0) }
        guard
            let (dir, ref) = candidates.first(where: { $0.1.name == artifact && (wanted == nil || wanted == $0.0) })
        else {
            let known = candidates.map { "\($0.1.name) (\($0.0.rawValue))" }
            throw ReadFailure(
                "node \(n.displayName ?? n.name) of \(wf.metadata.name) has no \(wanted.map { "\($0.rawValue) " } ?? "")artifact \(artifact)"
                    + (known.isEmpty ? "; it has no artifacts" : "; it has: " + known.joined(separator: ", ")))
        }
        if ref.deleted {
            throw ReadFailure(
                "artifact \(artifact) of \(n.displayName ?? n.name) was removed by artifact garbage collection (artifactGC)"
            )
        }
        let archivedUID = wf.isArchivedCopy ? wf.metadata.uid : nil
        let (fetchLimit, overflow) = limit.addingReportingOverflow(Self.framing)
        let bytes = try await gateway.artifact(
            ArtifactRequest(
                namespace: ns, workflowName: wf.metadata.name.isEmpty ? name : wf.metadata.name,
                archivedUID: archivedUID, nodeID: n.id, direction: dir, artifactName: artifact,
                file: ref.archive == "tgz" ? nil : file, limit: overflow ? limit : fetchLimit))
        var content = ArtifactContent(
            namespace: ns, name: name, nodeID: n.id, artifact: artifact, direction: dir.rawValue,
            route: bytes.route, packing: "plain", file: ref.archive == "tgz" ? nil : (file ?? bytes.fileName),
            files: nil, contentType: bytes.contentType, text: nil, bytesShown: 0, truncated: false, note: nil)
        try Self.unpack(bytes, limit: limit, file: ref.archive == "tgz" ? file : nil, with: unpacker, into: &content)
        return content
    }

    /// What get_artifact makes of served bytes, on their own (the parser fuzz target's entry).
    public static func content(
        of bytes: ArtifactBytes, limit: Int, file: String?, unpacker: any ArtifactUnpacking
    ) throws -> ArtifactContent {
        var content = ArtifactContent(
            namespace: "", name: "", nodeID: "", artifact: "", direction: "outputs", route: bytes.route,
            packing: "plain", file: nil, files: nil, contentType: bytes.contentType, text: nil, bytesShown: 0,
            truncated: false, note: nil)
        try unpack(bytes, limit: limit, file: file, with: unpacker, into: &content)
        return content
    }

    /// Turns the served bytes into what a model can read: gzip inflated, the file picked out of a tar, a directory
    /// listing parsed, binary refused with its type and size.
    static func unpack(
        _ bytes: ArtifactBytes, limit: Int, file: String?, with unpacker: any ArtifactUnpacking,
        into c: inout ArtifactContent
    ) throws {
        var data = bytes.data
        var complete = bytes.complete
        if let listing = directoryListing(data) {
            c.packing = "directory"
            c.files = Array(listing.prefix(50))
            c.truncated = listing.count > 50
            c.note =
                "a directory artifact with \(listing.count) entr\(listing.count == 1 ? "y" : "ies"); read one with file: <path>"
            return
        }
        if unpacker.isGzip(data) {
            do {
                let (inflated, ended) = try unpacker.gunzip(data, limit: limit + framing)
                data = inflated
                complete = complete && ended
            } catch {
                throw ReadFailure("artifact \(c.artifact) looks gzipped but could not be inflated: \(error)")
            }
            c.packing = "gzip"
        }
        if unpacker.isTar(data) {
            let (entries, cut) = unpacker.tarEntries(data)
            let files = entries.filter { !$0.isDirectory }
            c.packing = c.packing == "gzip" ? "tar+gzip" : "tar"
            c.files = Array(files.prefix(50).map { "\($0.name) (\($0.size) bytes)" })
            let chosen: ArchiveEntry?
            if let file {
                chosen = files.first { $0.name == file || $0.name.hasSuffix("/" + file) }
                if chosen == nil {
                    throw ReadFailure(
                        "the archive of \(c.artifact) has no file \(file)"
                            + (complete && !cut ? "" : " among the entries read (only the start of it was fetched)")
                            + "; it has: " + files.prefix(20).map(\.name).joined(separator: ", "))
                }
            } else {
                chosen = files.first
            }
            guard let entry = chosen else {
                c.note = "the archive holds no files" + (cut || !complete ? " in the part read" : "")
                c.truncated = cut || !complete
                return
            }
            c.file = entry.name
            if files.count > 1, file == nil {
                c.note =
                    "the archive holds \(files.count)\(cut || !complete ? "+" : "") files; showing the first (choose one with file: <name>)"
            }
            data = entry.contents
            complete = entry.contents.count >= entry.size
        }
        if isBinary(data) {
            c.note =
                "binary content (\(bytes.contentType.flatMap { $0.isEmpty ? nil : $0 } ?? "type unknown"), \(complete ? "\(data.count) bytes" : "more than \(data.count) bytes")): not shown; fetch it with the Argo UI or CLI"
            c.truncated = !complete
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        let shown = UTF8Cut.prefix(text, limit)
        c.text = shown
        c.bytesShown = shown.utf8.count
        c.truncated = !complete || shown.utf8.count < text.utf8.count
    }

    /// Binary: a NUL byte, or bytes that are not UTF-8 (allowing a character cut at the end of the prefix read).
    static func isBinary(_ data: Data) -> Bool {
        let sample = data.prefix(8192)
        if sample.contains(0) { return true }
        for cut in 0...min(3, sample.count) where String(validating: sample.dropLast(cut), as: UTF8.self) != nil {
            return false
        }
        return true
    }

    /// The entries of the artifact service's directory page (`renderDirectoryListing`: `<li><a href="./NAME">`).
    static func directoryListing(_ data: Data) -> [String]? {
        let text = String(decoding: data.prefix(256 << 10), as: UTF8.self)
        guard text.hasPrefix("<html><body><ul>\n<li><a href=\"..\">..</a></li>") else { return nil }
        var entries: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "<a href=\"./") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            entries.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return entries
    }
}
