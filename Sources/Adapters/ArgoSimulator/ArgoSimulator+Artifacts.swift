import Foundation
import Ports

/// The artifact service (`server/artifacts/artifact_server.go`): plain HTTP, not grpc-gateway, so its failures are
/// `http.Error` texts ("Internal Server Error", "Not Found") rather than Argo's JSON error body.
extension ArgoSimulator {
    /// What the artifact service answers.
    public struct ArtifactAnswer: Sendable {
        public var status: Int
        public var body: Data
        public var headers: [(String, String)]

        static func error(_ status: Int) -> ArtifactAnswer {
            let text: String =
                switch status {
                case 400: "Bad Request"
                case 401: "Unauthorized"
                case 404: "Not Found"
                default: "Internal Server Error"
                }
            return ArtifactAnswer(
                status: status, body: Data((text + "\n").utf8),
                headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")])
        }
    }

    /// Stores an object in the simulated artifact repository.
    public func putArtifact(key: String, data: Data) {
        artifactObjects[key] = data
    }

    /// Serves `/artifact-files/…` or not (to act as a server before v3.4).
    public func setArtifactFilesRoute(_ served: Bool) {
        artifactFilesRoute = served
    }

    /// Where an artifact request points.
    public struct ArtifactAddress: Sendable {
        public var namespace: String?
        public var workflowName: String?
        public var uid: String?
        public var nodeID: String
        public var inputs: Bool
        public var artifactName: String
        public var file: String?
        /// The request path ended with `/` (a directory listing is wanted).
        public var directory: Bool
        /// Which handler: `GetArtifactFile` (true) or the older `getArtifact`/`getArtifactByUID`.
        public var filesRoute: Bool
    }

    /// Parses a request path the way each handler splits it; nil: 400 Bad Request (or not an artifact path).
    public static func artifactAddress(_ path: String) -> ArtifactAddress? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        guard parts.count >= 2 else { return nil }
        switch parts[1] {
        case "artifact-files":
            // /artifact-files/{ns}/{workflows|archived-workflows}/{id}/{nodeID}/{inputs|outputs}/{name}[/{file…}]
            guard parts.count >= 8, ["inputs", "outputs"].contains(parts[6]) else { return nil }
            let archived = parts[3] == "archived-workflows"
            guard archived || parts[3] == "workflows" else { return nil }
            let rest = parts.count > 8 ? parts[8...].joined(separator: "/") : ""
            return ArtifactAddress(
                namespace: parts[2], workflowName: archived ? nil : parts[4], uid: archived ? parts[4] : nil,
                nodeID: parts[5], inputs: parts[6] == "inputs", artifactName: parts[7],
                file: rest.isEmpty ? nil : rest, directory: path.hasSuffix("/"), filesRoute: true)
        case "artifacts", "input-artifacts":
            // `strings.SplitN(path, "/", 6)`: /artifacts/{ns}/{name}/{nodeID}/{artifactName…}
            guard parts.count >= 6 else { return nil }
            return ArtifactAddress(
                namespace: parts[2], workflowName: parts[3], uid: nil, nodeID: parts[4],
                inputs: parts[1] == "input-artifacts", artifactName: parts[5...].joined(separator: "/"), file: nil,
                directory: false, filesRoute: false)
        case "artifacts-by-uid", "input-artifacts-by-uid":
            // /artifacts-by-uid/{uid}/{nodeID}/{artifactName}
            guard parts.count >= 5 else { return nil }
            return ArtifactAddress(
                namespace: nil, workflowName: nil, uid: parts[2], nodeID: parts[3],
                inputs: parts[1] == "input-artifacts-by-uid", artifactName: parts[4...].joined(separator: "/"),
                file: nil, directory: false, filesRoute: false)
        default:
            return nil
        }
    }

    /// One artifact request, answered as the Argo Server's artifact service does.
    public func serveArtifact(_ address: ArtifactAddress, requestPath: String) -> ArtifactAnswer {
        materialize()
        // The workflow: a live one by name (`getWorkflowAndValidate`; not found is a 500 on `/artifact-files/`, where
        // `GetArtifactFile` uses `serverInternalError`, and the Kubernetes 404 on the older route via
        // `httpFromError`), or an archived one by uid (missing: "workflow not yet archived", 404).
        let workflow: JSONValue
        if let uid = address.uid {
            guard let stored = archiveEntry(uid: uid) else { return .error(address.filesRoute ? 500 : 404) }
            if let ns = address.namespace, stored[path: "metadata.namespace"]?.string != ns { return .error(400) }
            workflow = stored
        } else {
            guard let ns = address.namespace, let name = address.workflowName, let stored = storedJSON("\(ns)/\(name)")
            else { return .error(address.filesRoute ? 500 : 404) }
            workflow = stored
        }
        // `getArtifactAndDriver`: a missing node or artifact is a plain error, answered 500.
        guard let node = workflow[path: "status.nodes"]?[address.nodeID] else { return .error(500) }
        let list = node[path: address.inputs ? "inputs.artifacts" : "outputs.artifacts"]?.array ?? []
        guard let artifact = list.first(where: { $0["name"]?.string == address.artifactName }),
            var key = artifact[path: "s3.key"]?.string
        else { return .error(500) }
        if let file = address.file {
            // `AppendToKey` after `path.Clean`.
            key += "/" + file.split(separator: "/").filter { $0 != "." && $0 != ".." }.joined(separator: "/")
        }
        let children = artifactObjects.keys.filter { $0.hasPrefix(key + "/") }.sorted()
        if !children.isEmpty {
            // The older routes open the key as one object (`returnArtifact` without `IsDirectory`): a directory's
            // prefix is no object, so the driver fails and the server answers 500.
            guard address.filesRoute else { return .error(500) }
            // `IsDirectory` then a 307 to the path with `/`, which renders the listing (`renderDirectoryListing`).
            guard address.directory else {
                return ArtifactAnswer(status: 307, body: Data(), headers: [("Location", requestPath + "/")])
            }
            var html = "<html><body><ul>\n<li><a href=\"..\">..</a></li>\n"
            var seen = Set<String>()
            for child in children {
                let relative = String(child.dropFirst(key.count + 1))
                let entry =
                    relative.split(separator: "/").count > 1 ? String(relative.prefix { $0 != "/" }) + "/" : relative
                if seen.insert(entry).inserted { html += "<li><a href=\"./\(entry)\">\(entry)</a></li>\n" }
            }
            html += "</ul></body></html>"
            return ArtifactAnswer(
                status: 200, body: Data(html.utf8), headers: [("Content-Type", "text/html; charset=utf-8")])
        }
        // The driver's `OpenStream`: a key the bucket lacks is S3's NoSuchKey, which the server maps to 404.
        guard let data = artifactObjects[key] else { return .error(404) }
        let base = key.split(separator: "/").last.map(String.init) ?? key
        var headers = [("Content-Disposition", "filename=\"\(base)\"")]
        // `mime.TypeByExtension` (Go's built-in table; `.tgz` and `.log` have no entry there, so the header is empty).
        let types = [
            "txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json",
            "png": "image/png", "gz": "application/gzip", "html": "text/html; charset=utf-8",
        ]
        let ext = base.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        headers.append(("Content-Type", types[ext] ?? ""))
        return ArtifactAnswer(status: 200, body: data, headers: headers)
    }
}
