import Foundation

/// Everything the domain asks of an Argo server. Implemented by the live REST adapter and by the simulator.
public protocol ArgoGateway: Sendable {
    /// One page of workflows. `namespace == nil` lists every namespace the caller can see.
    func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage

    /// One workflow. With `fields` the server trims the object (Argo's `fields=` syntax); the typed view then holds
    /// only what survived, and `raw` is the trimmed object.
    func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow

    /// Log lines of a workflow, or of one pod of it, as the server streams them.
    func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error>

    /// The server's version; a cheap call that proves reachability and authentication.
    func version() async throws -> ArgoVersion

    func listCronWorkflows(_ query: DefinitionListQuery) async throws -> DefinitionPage<CronWorkflow>
    func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow

    /// Namespaced templates, or cluster-scoped ones when `clusterScope` is true (then `namespace` is ignored).
    func listWorkflowTemplates(_ query: DefinitionListQuery, clusterScope: Bool) async throws -> DefinitionPage<
        WorkflowTemplate
    >
    func getWorkflowTemplate(namespace: String?, name: String, clusterScope: Bool) async throws -> WorkflowTemplate

    /// `/api/v1/info`.
    func info() async throws -> ArgoInfo
    /// `/api/v1/userinfo`.
    func userInfo() async throws -> ArgoUserInfo
    /// How this gateway is connected (URL, TLS mode, auth kind — never the token).
    var connection: ConnectionDescription { get }

    /// One page of the workflow archive (empty, not an error, on a server without an archive).
    func listArchivedWorkflows(_ query: ArchiveListQuery) async throws -> WorkflowPage
    /// One archived workflow by uid.
    func getArchivedWorkflow(uid: String) async throws -> Workflow

    /// One semaphore limit from the SyncService (`GET /api/v1/sync/{namespace}/{key}`, Argo v4.0+; older servers
    /// answer `unimplemented`).
    func getSyncLimit(_ query: SyncLimitQuery) async throws -> SyncLimit
    /// Sets a semaphore limit that exists (`PUT /api/v1/sync/{namespace}/{key}`); returns it as stored.
    func updateSyncLimit(_ query: SyncLimitQuery, limit: Int) async throws -> SyncLimit

    /// Changes to one workflow from Argo's `workflow-events` stream, starting after `resourceVersion` (nil: the
    /// current state first). The stream ends when the server closes it; callers reconnect from the last version.
    func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    >

    // Mutations: each returns the object as Argo left it.
    func terminateWorkflow(namespace: String, name: String) async throws -> Workflow
    func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow
    func suspendWorkflow(namespace: String, name: String) async throws -> Workflow
    func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow
    /// Argo's `set`: the phase, message and supplied output parameters of the active suspend nodes the selector
    /// matches (`workflow/util/util.go` `SetWorkflow`).
    func setWorkflow(namespace: String, name: String, update: NodeUpdate) async throws -> Workflow
    /// The bytes of one artifact as the Argo Server's artifact service serves them, at most `limit` of them.
    func artifact(_ request: ArtifactRequest) async throws -> ArtifactBytes
    func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow
    /// Deletes a workflow; with `uid`, only that incarnation (`deleteOptions.preconditions.uid`: a workflow deleted
    /// and re-created under the same name since the preview is refused with 409).
    func deleteWorkflow(namespace: String, name: String, uid: String?) async throws

    /// Argo's lint of a manifest (JSON) of the given kind; returns the object as the server normalized it.
    func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data
    /// Creates a workflow from a manifest (JSON); `generateName` is honoured.
    func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow
    /// Argo's `/submit`: a workflow from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow.
    func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions) async throws
        -> Workflow
    /// Creates a new workflow from this one's spec; returns the new workflow.
    func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow

    // CronWorkflows, WorkflowTemplates and ClusterWorkflowTemplates (`kind` is never `.workflow`; `namespace` is
    // ignored for cluster-scoped kinds). Each returns the object as the server stored it, as JSON.

    /// Creates the object; Argo answers conflict (409) when one of that name exists.
    func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data
    /// Replaces the object. The manifest carries the `metadata.resourceVersion` it was read at; when the stored
    /// object has changed since, Argo answers conflict (409) and nothing is written.
    func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data
    /// Deletes the object; with `uid`, only while it is still that object (a Kubernetes precondition).
    func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws
}

/// One event of a workflow watch.
public struct WorkflowEvent: Sendable, Decodable {
    /// ADDED, MODIFIED, DELETED (or anything newer Argo sends).
    public var type: String
    public var workflow: Workflow

    public init(type: String, workflow: Workflow) {
        self.type = type
        self.workflow = workflow
    }

    enum CodingKeys: String, CodingKey { case type, object }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.lenient(String.self, forKey: .type) ?? "MODIFIED"
        workflow = c.lenient(Workflow.self, forKey: .object) ?? Workflow(metadata: ObjectMeta())
    }
}

/// How a workflow list matches a name (Argo's `nameFilter`, v3.6+).
public enum NameMatch: String, Sendable, CaseIterable {
    case contains = "Contains"
    case prefix = "Prefix"
    case exact = "Exact"

    public func matches(_ name: String, _ text: String) -> Bool {
        switch self {
        case .contains: name.contains(text)
        case .prefix: name.hasPrefix(text)
        case .exact: name == text
        }
    }
}

/// The query behind one `list workflows` call.
public struct WorkflowListQuery: Sendable, Equatable {
    /// `nil` means all namespaces.
    public var namespace: String?
    public var labelSelector: String?
    /// Filtered server-side through the `workflows.argoproj.io/phase` label.
    public var phases: [WorkflowPhase]
    /// Text the workflow name must contain (Argo's `nameFilter=Contains`), or start with or equal, as `nameMatch`
    /// says.
    public var nameContains: String?
    public var nameMatch: NameMatch = .contains
    /// Only workflows created at or after this time (Argo v3.7's `createdAfter`).
    public var createdAfter: Date?
    /// Only workflows that finished at or before this time (Argo v3.7's `finishedBefore`).
    public var finishedBefore: Date?
    public var limit: Int?
    public var continueToken: String?
    /// Argo's `fields=` selector; adapters fill in a compact default when nil.
    public var fields: String?

    public init(
        namespace: String?, labelSelector: String? = nil, phases: [WorkflowPhase] = [], nameContains: String? = nil,
        limit: Int? = nil, continueToken: String? = nil, fields: String? = nil
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.phases = phases
        self.nameContains = nameContains
        self.limit = limit
        self.continueToken = continueToken
        self.fields = fields
    }

    /// The label selector sent to Argo: the caller's selector plus the phase filter.
    public var effectiveLabelSelector: String? {
        var parts: [String] = []
        if let labelSelector, !labelSelector.isEmpty { parts.append(labelSelector) }
        if !phases.isEmpty {
            let values = phases.map(\.rawValue).joined(separator: ",")
            parts.append("\(ArgoLabels.phase) in (\(values))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// The fields a compact listing needs; also what the Argo CLI asks for.
    public static let compactListFields = [
        "metadata",
        "items.metadata.uid", "items.metadata.name", "items.metadata.namespace",
        "items.metadata.creationTimestamp", "items.metadata.labels", "items.metadata.annotations",
        "items.status.phase", "items.status.message", "items.status.finishedAt", "items.status.startedAt",
        "items.status.estimatedDuration", "items.status.progress", "items.spec.suspend",
    ].joined(separator: ",")
}

public struct WorkflowPage: Sendable {
    public var items: [Workflow]
    /// Present when more items exist; pass it back as `continueToken`.
    public var continueToken: String?
    public var remainingItemCount: Int?
    /// Items of the server's page that could not be read at all (not objects), left out of `items`.
    public var unreadableItems = 0
    /// Rows left out because an earlier row of the page has the same uid: Argo's list appends archived rows to the
    /// live ones without removing workflows that are in both (`server/workflow/workflow_server.go` `ListWorkflows`).
    public var duplicateItems = 0
    /// What the gateway did to answer that the caller should know (e.g. a filter applied on this side).
    public var notes: [String] = []

    public init(items: [Workflow], continueToken: String?, remainingItemCount: Int? = nil) {
        self.items = items
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// The query behind one log read.
public struct LogQuery: Sendable, Equatable {
    public var namespace: String
    public var workflowName: String
    /// A pod name (not a node id); nil reads every pod of the workflow.
    public var podName: String?
    public var container: String
    public var tailLines: Int?
    public var grep: String?
    public var sinceSeconds: Int?
    public var follow: Bool
    public var timestamps: Bool
    /// One of the container's output streams (`logOptions.stream`); nil reads both, interleaved.
    public var stream: LogStream?

    public init(
        namespace: String, workflowName: String, podName: String? = nil, container: String = "main",
        tailLines: Int? = nil, grep: String? = nil, sinceSeconds: Int? = nil, follow: Bool = false,
        timestamps: Bool = false, stream: LogStream? = nil
    ) {
        self.stream = stream
        self.namespace = namespace
        self.workflowName = workflowName
        self.podName = podName
        self.container = container
        self.tailLines = tailLines
        self.grep = grep
        self.sinceSeconds = sinceSeconds
        self.follow = follow
        self.timestamps = timestamps
    }
}

/// A container output stream, as Kubernetes' `PodLogOptions.stream` names it (behind the `PodLogsQuerySplitStreams`
/// feature gate, alpha since Kubernetes 1.32; Argo passes it through from v3.6.6).
public enum LogStream: String, Sendable, CaseIterable {
    case stdout = "Stdout"
    case stderr = "Stderr"
}

/// One line of pod output as Argo streams it.
///
/// Argo marshals its `LogEntry` with Go's `encoding/json` and the generated `json:"content,omitempty"` tags, so a
/// blank line arrives as `{"podName":"…"}` with no `content` at all: a missing field reads as an empty line, not
/// as an error (upstream: `util/logs/workflow-logger.go` `WorkflowLogs`, `pkg/apiclient/workflow/workflow.pb.go`).
public struct LogEntry: Sendable, Equatable, Codable {
    public var podName: String
    public var content: String

    public init(podName: String, content: String) {
        self.podName = podName
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case podName, content }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        podName = c.lenient(String.self, forKey: .podName) ?? ""
        content = c.lenient(String.self, forKey: .content) ?? ""
    }

    /// Encodes as Argo does: an empty `content` is left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !podName.isEmpty { try c.encode(podName, forKey: .podName) }
        if !content.isEmpty { try c.encode(content, forKey: .content) }
    }
}

public struct ArgoVersion: Sendable, Equatable, Codable {
    public var version: String
    public var gitCommit: String?
    public var buildDate: String?
    public var platform: String?

    public init(version: String, gitCommit: String? = nil, buildDate: String? = nil, platform: String? = nil) {
        self.version = version
        self.gitCommit = gitCommit
        self.buildDate = buildDate
        self.platform = platform
    }
}

/// Well-known Argo labels and annotations.
public enum ArgoLabels {
    public static let phase = "workflows.argoproj.io/phase"
    public static let completed = "workflows.argoproj.io/completed"
    public static let cronWorkflow = "workflows.argoproj.io/cron-workflow"
    /// Annotation on a cron-created workflow: the time it was scheduled for.
    public static let scheduledTime = "workflows.argoproj.io/scheduled-time"
    public static let workflowTemplate = "workflows.argoproj.io/workflow-template"
    public static let podNameFormat = "workflows.argoproj.io/pod-name-format"
    /// On the live object: absent until the workflow completes (and ever after when the server has no archive or
    /// its `archiveLabelSelector` excludes the workflow), `Pending` from completion until the controller has
    /// archived it, then `Archived` (`workflow/controller/operator.go` `markWorkflowPhase`,
    /// `workflow/controller/controller.go` `archiveWorkflowAux`). On the archive's copy: `Persisted`
    /// (`persist/sqldb/workflow_archive.go` `ArchiveWorkflow`, `GetWorkflow`, `ListWorkflows`; v3.5–v4.1).
    public static let archivingStatus = "workflows.argoproj.io/workflow-archiving-status"
}

extension Workflow {
    /// Whether this is most likely the archive's copy rather than the live object.
    ///
    /// Argo v3.5+ answers `GET /api/v1/workflows/{ns}/{name}` with the archived workflow when the live object is
    /// gone, and merges archived rows into workflow lists, without saying which is which. The archive labels
    /// every workflow it stores or hands back `workflow-archiving-status: Persisted`, a value no live object
    /// carries.
    public var isArchivedCopy: Bool {
        metadata.labels[ArgoLabels.archivingStatus] == "Persisted"
    }

    /// What the live object's labels say about its place in the workflow archive.
    public var archiving: ArchivingState {
        switch metadata.labels[ArgoLabels.archivingStatus] {
        case "Archived": .archived
        case "Pending": .pending
        case "Persisted": .copy
        default: .unlabelled
        }
    }
}

/// A workflow's place in the archive, as its `workflow-archiving-status` label says.
public enum ArchivingState: String, Sendable {
    /// No label: not completed yet, or the server does not archive it (no archive, or `archiveLabelSelector`).
    case unlabelled
    /// Completed; the controller has yet to archive it.
    case pending
    /// The archive holds a copy.
    case archived
    /// This is the archive's copy.
    case copy
}

extension WorkflowPage {
    /// Keeps the first row of each uid (the live copy: Argo puts live rows before archived ones); rows without a
    /// uid are all kept.
    public mutating func removeDuplicateUIDs() {
        var seen = Set<String>()
        let before = items.count
        items = items.filter { wf in
            guard let uid = wf.metadata.uid, !uid.isEmpty else { return true }
            return seen.insert(uid).inserted
        }
        duplicateItems += before - items.count
    }

    /// How many live workflows are read, at most, to recognise archived rows that repeat them.
    public static let liveScanLimit = 10_000
    /// How many further server pages are read, at most, to fill a page that repeats left short.
    public static let fillRounds = 24

    /// One page of Argo's merged workflow list without repeats. Argo fills a page with live rows first, then
    /// archived ones, paging by one offset over both, and sorts each page on its own
    /// (`server/workflow/workflow_server.go` `ListWorkflows`). A completed workflow is in the archive while its
    /// live object still exists: v3.5.0–v3.5.6 list it twice, and from v3.5.7 the live rows leave out what the
    /// controller labelled `Archived` (`server/workflow/store/sqlite_store.go`), so a repeat remains only between
    /// the controller's archive write and its label; a repeat shows on the page where both meet or on a later
    /// page. The repeats are left out (and counted in `duplicateItems`), and a page they left short is
    /// filled from the server's next pages, each asked for exactly the rows missing, so the continue token stays
    /// the server's offset.
    ///
    /// To recognise repeats on a page past the live rows, `fetch` reads the server's pages from the start (the
    /// same filters, uids and labels only) up to the first page with an archived row: every live row is on
    /// those pages. Only pages with archived rows past the first page pay for this.
    public static func merged(
        _ query: WorkflowListQuery, fetch: (WorkflowListQuery) async throws -> WorkflowPage
    ) async throws -> WorkflowPage {
        var result = try await fetch(query)
        result.removeDuplicateUIDs()
        var seen = Set(result.items.compactMap(\.metadata.uid))
        var live: Set<String>?
        var notes: [String] = []
        func liveUIDs() async throws -> Set<String> {
            if let live { return live }
            var probe = query
            probe.continueToken = nil
            probe.limit = 500
            probe.fields = "metadata,items.metadata.uid,items.metadata.labels"
            var found = Set<String>()
            var read = 0
            while read < liveScanLimit {
                let page = try await fetch(probe)
                for wf in page.items where !wf.isArchivedCopy {
                    if let uid = wf.metadata.uid { found.insert(uid) }
                }
                read += page.items.count
                guard !page.items.contains(where: \.isArchivedCopy), let next = page.continueToken,
                    !page.items.isEmpty
                else { break }
                probe.continueToken = next
            }
            if read >= liveScanLimit {
                notes.append(
                    "archived rows here may repeat live workflows listed on earlier pages (more than \(liveScanLimit) live workflows; only those were compared)"
                )
            }
            live = found
            return found
        }
        func isRepeat(_ wf: Workflow, known: Set<String>) -> Bool {
            wf.isArchivedCopy && wf.metadata.uid.map(known.contains) == true
        }
        if query.continueToken != nil, result.items.contains(where: \.isArchivedCopy) {
            let known = try await liveUIDs()
            let before = result.items.count
            result.items.removeAll { isRepeat($0, known: known) }
            result.duplicateItems += before - result.items.count
        }
        // Fill from the server's next rows. A stretch of repeats (every completed live workflow has one) is
        // crossed in doubling chunks; a chunk that would overfill the page is read again at the size missing,
        // so every row read is either kept or a repeat and the token stays exact.
        var rounds = 0
        var chunk = 0
        while let limit = query.limit, limit > 0, result.items.count < limit, let token = result.continueToken,
            rounds < fillRounds, result.duplicateItems > 0
        {
            rounds += 1
            let missing = limit - result.items.count
            chunk = max(chunk, missing)
            var next = query
            next.continueToken = token
            next.limit = chunk
            var page = try await fetch(next)
            var known = page.items.contains(where: \.isArchivedCopy) ? try await liveUIDs() : []
            func fresh(_ wf: Workflow) -> Bool {
                !isRepeat(wf, known: known) && wf.metadata.uid.map { !seen.contains($0) } != false
            }
            if chunk > missing, page.items.filter(fresh).count > missing {
                next.limit = missing
                page = try await fetch(next)
                known = page.items.contains(where: \.isArchivedCopy) ? try await liveUIDs() : []
            }
            var kept = 0
            for wf in page.items {
                if fresh(wf) {
                    result.items.append(wf)
                    kept += 1
                    if let uid = wf.metadata.uid { seen.insert(uid) }
                } else {
                    result.duplicateItems += 1
                }
            }
            result.unreadableItems += page.unreadableItems
            result.continueToken = page.continueToken
            result.remainingItemCount = page.remainingItemCount
            if page.items.isEmpty { break }
            chunk = kept == 0 ? min(chunk * 2, 500) : missing - kept
        }
        result.notes += notes
        return result
    }

    private struct Body: Decodable {
        struct Meta: Decodable {
            var `continue`: String?
            var remainingItemCount: Int?
        }
        var items: [Lenient<Workflow>]?
        var metadata: Meta?
    }

    /// Decodes Argo's `WorkflowList` JSON (`items` may be null when empty); an item that is not an object is left
    /// out and counted.
    public static func decode(from data: Data) throws -> WorkflowPage {
        let body = try JSONDecoder().decode(Body.self, from: data)
        let token = body.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
        let items = body.items?.compactMap(\.value) ?? []
        var page = WorkflowPage(
            items: items, continueToken: token, remainingItemCount: body.metadata?.remainingItemCount)
        page.unreadableItems = (body.items?.count ?? 0) - items.count
        return page
    }
}

extension ArgoVersion {
    /// Major and minor of a version such as `v3.5.15` or `3.6.0-rc2`; nil for `untagged` and the like.
    public static func minor(_ version: String) -> (major: Int, minor: Int)? {
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, let major = Int(parts[0]),
            let minor = Int(parts[1].prefix { $0.isASCII && $0.isNumber })
        else { return nil }
        return (major, minor)
    }

    /// Major, minor and patch of `v4.1.2`, `3.6.6-rc1` or `v4.1.2+simulator` (a missing patch reads as 0); nil for
    /// `untagged` and the like.
    public static func triple(_ version: String) -> (Int, Int, Int)? {
        guard let (major, minor) = minor(version) else { return nil }
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 2)
        let patch = parts.count > 2 ? Int(parts[2].prefix { $0.isASCII && $0.isNumber }) ?? 0 : 0
        return (major, minor, patch)
    }

    private struct Body: Decodable {
        var version: String?
        var gitCommit: String?
        var buildDate: String?
        var platform: String?
    }

    public static func decode(from data: Data) throws -> ArgoVersion {
        let b = try JSONDecoder().decode(Body.self, from: data)
        return ArgoVersion(
            version: b.version ?? "unknown", gitCommit: b.gitCommit, buildDate: b.buildDate, platform: b.platform)
    }
}

/// Argo's submit options.
public struct SubmitOptions: Sendable, Equatable, Encodable {
    public var entryPoint: String?
    /// `name=value` pairs.
    public var parameters: [String]?
    /// `key=value,key=value`.
    public var labels: String?
    public var serviceAccount: String?

    public init(
        entryPoint: String? = nil, parameters: [String]? = nil, labels: String? = nil, serviceAccount: String? = nil
    ) {
        self.entryPoint = entryPoint
        self.parameters = parameters
        self.labels = labels
        self.serviceAccount = serviceAccount
    }
}

/// What Argo's `set` changes on the suspend nodes a selector matches.
public struct NodeUpdate: Sendable, Equatable {
    public var nodeFieldSelector: String
    /// `Succeeded`, `Failed` or `Error`; nil leaves the phase alone.
    public var phase: String?
    public var message: String?
    public var outputParameters: [String: String]

    public init(
        nodeFieldSelector: String, phase: String? = nil, message: String? = nil,
        outputParameters: [String: String] = [:]
    ) {
        self.nodeFieldSelector = nodeFieldSelector
        self.phase = phase
        self.message = message
        self.outputParameters = outputParameters
    }
}

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
