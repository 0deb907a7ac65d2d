import Foundation

/// One artifact of one node, as the artifact service addresses it.
public struct ArtifactRequest: Sendable, Equatable {
    public enum Direction: String, Sendable { case inputs, outputs }

    public var namespace: String
    public var workflowName: String
    /// Set for a workflow read from the archive: the service then finds it by uid.
    public var archivedUID: String?
    public var nodeID: String
    public var direction: Direction
    public var artifactName: String
    /// A file inside a directory artifact (`/artifact-files/…/{artifactName}/{file}`).
    public var file: String?
    /// Read at most this many bytes of the body.
    public var limit: Int

    public init(
        namespace: String, workflowName: String, archivedUID: String? = nil, nodeID: String, direction: Direction,
        artifactName: String, file: String? = nil, limit: Int
    ) {
        self.file = file
        self.namespace = namespace
        self.workflowName = workflowName
        self.archivedUID = archivedUID
        self.nodeID = nodeID
        self.direction = direction
        self.artifactName = artifactName
        self.limit = limit
    }
}

/// The start of an artifact's bytes.
public struct ArtifactBytes: Sendable, Equatable {
    public var data: Data
    /// The body ended within the limit.
    public var complete: Bool
    public var contentType: String?
    /// From `Content-Disposition` (the last part of the object key).
    public var fileName: String?
    /// The route that served it, e.g. `/artifact-files/…` or the older `/artifacts/…`.
    public var route: String

    public init(data: Data, complete: Bool, contentType: String?, fileName: String?, route: String) {
        self.data = data
        self.complete = complete
        self.contentType = contentType
        self.fileName = fileName
        self.route = route
    }
}
