import Foundation
import Ports

/// `nil` when `value` is within `range`, else the problem, named after the argument.
func rangeProblem(_ field: String, _ value: Int, _ range: ClosedRange<Int>) -> ArgumentProblem? {
    range.contains(value)
        ? nil
        : ArgumentProblem(
            field: field, message: "\(value) is out of range; use \(range.lowerBound) to \(range.upperBound)")
}

/// What `list_workflows` asks for.
public struct ListWorkflowsRequest: Sendable, Equatable {
    /// nil = the default namespace; `allNamespaces` wins over it.
    public var namespace: String?
    public var allNamespaces: Bool
    public var phases: [String]
    public var labelSelector: String?
    public var nameContains: String?
    /// How `nameContains` matches: contains (default), prefix or exact.
    public var nameMatch: NameMatch = .contains
    /// RFC 3339 times: created at or after, finished at or before.
    public var createdAfter: String? = nil
    public var finishedBefore: String? = nil
    public var limit: Int
    public var continueToken: String?

    public static let defaultLimit = 20
    public static let maxLimit = 200

    public init(
        namespace: String? = nil, allNamespaces: Bool = false, phases: [String] = [], labelSelector: String? = nil,
        nameContains: String? = nil, limit: Int = defaultLimit, continueToken: String? = nil
    ) {
        self.namespace = namespace
        self.allNamespaces = allNamespaces
        self.phases = phases
        self.labelSelector = labelSelector
        self.nameContains = nameContains
        self.limit = limit
        self.continueToken = continueToken
    }

    public func problems() -> [ArgumentProblem] {
        var problems: [ArgumentProblem] = []
        if let namespace, !allNamespaces, let p = Validation.namespace(namespace) { problems.append(p) }
        for phase in phases where Validation.workflowPhase(phase) == nil {
            let known = WorkflowPhase.known.map(\.rawValue).joined(separator: ", ")
            problems.append(ArgumentProblem(field: "phase", message: "unknown phase '\(phase)'; use one of \(known)"))
        }
        if let labelSelector, let p = Validation.labelSelector(labelSelector) { problems.append(p) }
        if let p = rangeProblem("limit", limit, 1...Self.maxLimit) { problems.append(p) }
        for (field, value) in [("created_after", createdAfter), ("finished_before", finishedBefore)] {
            if let value, Self.time(value) == nil {
                problems.append(
                    ArgumentProblem(
                        field: field, message: "'\(value)' is not an RFC 3339 time; use e.g. 2026-12-01T00:00:00Z"))
            }
        }
        return problems
    }

    /// An RFC 3339 date and time (Argo parses these with Go's `time.RFC3339`).
    static func time(_ text: String) -> Date? {
        guard text.count >= 20, text.dropFirst(10).first == "T" else { return nil }
        return ArgoTime.parse(text)
    }
}

/// What `get_workflow` shows.
public enum WorkflowView: String, Sendable, CaseIterable {
    case summary, nodes, spec, raw
}

/// What get_workflow answers.
public enum WorkflowAnswer: Sendable {
    case summary(WorkflowSummary)
    case nodes(NodeTreePage)
    case json(JSONTextPage)
}

public struct GetWorkflowRequest: Sendable, Equatable {
    public var namespace: String?
    public var name: String
    public var include: WorkflowView
    /// Argo's `fields=` selector; returns the trimmed object's JSON text.
    public var fields: String?
    /// Nodes per page for `nodes`.
    public var limit: Int
    public var continueToken: String?
    /// Bytes per page for `spec`, `raw` and `fields`.
    public var maxBytes: Int
    /// One run of this name: the live workflow when it has this uid, else the archived run with it.
    public var uid: String? = nil

    public static let defaultNodeLimit = 50
    public static let maxNodeLimit = 500
    public static let defaultMaxBytes = 6_000
    public static let maxMaxBytes = 200_000

    public init(
        namespace: String? = nil, name: String, include: WorkflowView = .summary, fields: String? = nil,
        limit: Int = defaultNodeLimit, continueToken: String? = nil, maxBytes: Int = defaultMaxBytes
    ) {
        self.namespace = namespace
        self.name = name
        self.include = include
        self.fields = fields
        self.limit = limit
        self.continueToken = continueToken
        self.maxBytes = maxBytes
    }

    /// The answer's shape, decided here once from `include` and `fields`: the summary; the node tree; or JSON
    /// text with Argo's `fields=` selector (the caller's, the spec's, or none for the raw object) and the section
    /// name the page shows.
    public enum Shape: Sendable, Equatable {
        case summary
        case nodes
        case json(fields: String?, section: String)
    }

    public var shape: Shape {
        switch (include, fields) {
        case (.nodes, _): .nodes
        case (_, let fields?): .json(fields: fields, section: "fields=\(fields)")
        case (.summary, nil): .summary
        case (.spec, nil): .json(fields: "metadata.name,metadata.namespace,spec", section: "spec")
        case (.raw, nil): .json(fields: nil, section: "raw")
        }
    }

    public func problems() -> [ArgumentProblem] {
        var problems: [ArgumentProblem] = []
        problems += Validation.target(namespace: namespace, name: name)
        if let p = rangeProblem("limit", limit, 1...Self.maxNodeLimit) { problems.append(p) }
        if let p = rangeProblem("max_bytes", maxBytes, 256...Self.maxMaxBytes) { problems.append(p) }
        if let continueToken, Int(continueToken).map({ $0 < 0 }) ?? true {
            problems.append(
                ArgumentProblem(
                    field: "continue",
                    message: "'\(continueToken)' is not a token this tool returned; omit it to start at the beginning"))
        }
        if fields != nil && include != .summary && include != .raw {
            problems.append(
                ArgumentProblem(
                    field: "fields",
                    message: "fields selects parts of the raw object; use it without include, or with include 'raw'"))
        }
        return problems
    }
}

public struct WorkflowLogsRequest: Sendable, Equatable {
    public var namespace: String?
    public var name: String
    /// A node id, node name or display name; nil = every pod of the workflow.
    public var node: String?
    public var container: String
    public var tailLines: Int
    public var grep: String?
    public var since: String?
    public var maxBytes: Int
    /// stdout or stderr only (Kubernetes' `PodLogsQuerySplitStreams`); nil: both, interleaved.
    public var stream: LogStream?

    public static let defaultTailLines = 200
    public static let maxTailLines = 10_000
    public static let defaultMaxBytes = 6_000
    public static let maxMaxBytes = 200_000
    /// At most this many pods are read for one node that groups others.
    public static let maxPodsPerNode = 20

    public init(
        namespace: String? = nil, name: String, node: String? = nil, container: String = "main",
        tailLines: Int = defaultTailLines, grep: String? = nil, since: String? = nil, maxBytes: Int = defaultMaxBytes,
        stream: LogStream? = nil
    ) {
        self.stream = stream
        self.namespace = namespace
        self.name = name
        self.node = node
        self.container = container
        self.tailLines = tailLines
        self.grep = grep
        self.since = since
        self.maxBytes = maxBytes
    }

    public func problems() -> [ArgumentProblem] {
        var problems: [ArgumentProblem] = []
        problems += Validation.target(namespace: namespace, name: name)
        if container.isEmpty || !Validation.isDNSLabel(container) {
            problems.append(
                ArgumentProblem(
                    field: "container", message: "'\(container)' is not a container name (e.g. main, init, wait)"))
        }
        if let p = rangeProblem("tail_lines", tailLines, 1...Self.maxTailLines) { problems.append(p) }
        if let since, Validation.durationSeconds(since) == nil {
            problems.append(
                ArgumentProblem(
                    field: "since",
                    message: "'\(since)' is not a duration; use e.g. 30s, 10m, 2h or a number of seconds"))
        }
        if let p = rangeProblem("max_bytes", maxBytes, 256...Self.maxMaxBytes) { problems.append(p) }
        return problems
    }
}

/// The read use cases for workflows.
public struct WorkflowReads: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }

    public init(_ context: ArgoContext) {
        self.context = context
    }

    func check(_ problems: [ArgumentProblem]) throws {
        if !problems.isEmpty { throw InvalidArguments(problems) }
    }

    public func list(_ request: ListWorkflowsRequest) async throws -> WorkflowListResult {
        try check(request.problems())
        let namespace = request.allNamespaces ? nil : (context.namespace(request.namespace))
        let query = WorkflowListQuery(
            namespace: namespace,
            labelSelector: request.labelSelector,
            phases: request.phases.compactMap(Validation.workflowPhase),
            nameContains: request.nameContains.flatMap { $0.isEmpty ? nil : $0 },
            limit: request.limit,
            continueToken: request.continueToken.flatMap { $0.isEmpty ? nil : $0 },
            fields: WorkflowListQuery.compactListFields
        )
        var withTimes = query
        withTimes.nameMatch = request.nameMatch
        withTimes.createdAfter = request.createdAfter.flatMap(ListWorkflowsRequest.time)
        withTimes.finishedBefore = request.finishedBefore.flatMap(ListWorkflowsRequest.time)
        var page = try await gateway.listWorkflows(withTimes)
        // The times again, here: servers before v3.7 ignore them, v3.7.0 applies them to live rows only, and Argo's
        // live store lets running workflows (a zero finish time) through `finishedBefore`.
        let before = page.items.count
        page.items.removeAll { wf in
            if let after = withTimes.createdAfter,
                ArgoTime.parse(wf.metadata.creationTimestamp).map({ $0 < after }) ?? true
            {
                return true
            }
            if let end = withTimes.finishedBefore,
                ArgoTime.parse(wf.status.finishedAt).map({ $0 > end }) ?? true
            {
                return true
            }
            return false
        }
        if page.items.count < before {
            // Argo's count includes the rows left out here.
            page.remainingItemCount = nil
            page.notes.append(
                "\(before - page.items.count) row(s) of Argo's page did not match the time filters and are left out (servers before v3.7 do not filter by time, and running workflows have not finished)"
            )
        }
        let shaping = WorkflowShaping(now: now())
        let rows = page.items.map(shaping.row)
        return WorkflowListResult(
            namespace: namespace ?? "*",
            items: rows,
            count: rows.count,
            continue: page.continueToken,
            hasMore: page.continueToken != nil,
            remainingItemCount: page.remainingItemCount,
            note: Text.pageNotes(page)
        )
    }

    /// get_workflow: the summary, a page of the node tree, or a page of the object's JSON, as the request's
    /// `shape` decides; the request is checked once, here.
    public func get(_ request: GetWorkflowRequest) async throws -> WorkflowAnswer {
        try check(request.problems())
        let namespace = context.namespace(request.namespace)
        switch request.shape {
        case .summary:
            let wf = try await fetch(namespace, request.name, uid: request.uid, fields: nil)
            return .summary(WorkflowShaping(now: now()).summary(wf))
        case .nodes:
            return .nodes(try await nodes(request, namespace: namespace))
        case .json(let fields, let section):
            let wf = try await fetch(namespace, request.name, uid: request.uid, fields: fields)
            return .json(
                JSONTextPage.page(
                    wf.raw?.data ?? Data(), namespace: namespace, name: request.name, section: section,
                    continueToken: request.continueToken, maxBytes: request.maxBytes))
        }
    }

    /// A page of the node tree.
    func nodes(_ request: GetWorkflowRequest, namespace: String) async throws -> NodeTreePage {
        let wf = try await fetch(namespace, request.name, uid: request.uid, fields: nil)
        let shaping = WorkflowShaping(now: now())
        let rows = shaping.tree(wf)
        let offset = min(Int(request.continueToken ?? "0") ?? 0, rows.count)
        let end = min(rows.count, offset + request.limit)
        return NodeTreePage(
            namespace: wf.metadata.namespace ?? namespace,
            name: wf.metadata.name,
            phase: shaping.phaseText(wf),
            nodeCount: rows.count,
            offset: offset,
            nodes: Array(rows[offset..<end]),
            continue: end < rows.count ? String(end) : nil,
            truncated: end < rows.count
        )
    }

    /// One workflow; with `uid`, that run of the name: the live object when it has the uid, else the archived run
    /// (Argo v4.1's `GetWorkflow` `uid` does the same, but dereferences nil when the live object has another uid
    /// and the archive lacks it; asking in two steps works on every version and fails plainly).
    func fetch(_ namespace: String, _ name: String, uid: String?, fields: String?) async throws -> Workflow {
        guard let uid, !uid.isEmpty else {
            return try await gateway.getWorkflow(namespace: namespace, name: name, fields: fields)
        }
        var liveUID: String?
        do {
            let live = try await gateway.getWorkflow(
                namespace: namespace, name: name,
                fields: fields.map { $0.isEmpty || $0.hasPrefix("-") ? $0 : $0 + ",metadata.uid" })
            if live.metadata.uid == uid { return live }
            liveUID = live.isArchivedCopy ? nil : live.metadata.uid
        } catch let error as ArgoError where error.kind == .notFound {}
        let archived: Workflow
        do {
            archived = try await gateway.getArchivedWorkflow(uid: uid)
        } catch let error as ArgoError where error.kind == .notFound || ArchiveReads.isNoArchive(error) {
            throw ReadFailure(
                "no run of \(namespace)/\(name) has uid \(uid)"
                    + (liveUID.map { "; the live workflow of that name has uid \($0)" } ?? "")
                    + (ArchiveReads.isNoArchive(error) ? " (this server has no archive to look in)" : ""))
        } catch is PolicyDenied {
            // A run of another, denied namespace: not even its namespace's name is shown.
            throw ReadFailure(
                "no run of \(namespace)/\(name) has uid \(uid)"
                    + (liveUID.map { "; the live workflow of that name has uid \($0)" } ?? ""))
        }
        guard archived.metadata.name == name, archived.metadata.namespace == namespace else {
            throw ReadFailure(
                "uid \(uid) is the archived run \(archived.metadata.namespace ?? "?")/\(archived.metadata.name), not \(namespace)/\(name)"
            )
        }
        return archived
    }

    public func logs(_ request: WorkflowLogsRequest) async throws -> WorkflowLogs {
        try check(request.problems())
        let namespace = context.namespace(request.namespace)
        var targets: [(pod: String?, node: String?)] = [(nil, nil)]
        var nodeLabel: String?
        var omittedPods = 0
        if let nodeRef = request.node, !nodeRef.isEmpty {
            let wf = try await gateway.getWorkflow(
                namespace: namespace, name: request.name,
                fields: "metadata.name,metadata.namespace,metadata.annotations,status.nodes")
            let node = try Self.resolve(node: nodeRef, in: wf)
            nodeLabel = node.displayName ?? node.name
            let allPods = Self.podNodes(under: node, in: wf)
            let pods = allPods.prefix(WorkflowLogsRequest.maxPodsPerNode)
            omittedPods = allPods.count - pods.count
            guard !pods.isEmpty else {
                throw ReadFailure(
                    "node '\(nodeRef)' of \(namespace)/\(request.name) is a \(node.type) node that ran no pod, so it has no logs; pick one of its Pod children (get_workflow with include 'nodes')"
                )
            }
            targets = pods.map { (PodNames.podName(for: $0, in: wf), $0.displayName ?? $0.name) }
        }

        // Kubernetes refuses a tail together with one stream ("tailLines and specific stream are mutually
        // exclusive"), and Argo turns the refusal into an empty answer: with a stream, the tail is kept here, over
        // every line read.
        if let stream = request.stream { try await Self.requireStreamSelection(stream, gateway) }
        var buffer = LogBuffer(
            maxBytes: request.maxBytes, joinsPieces: request.grep == nil,
            maxLines: request.stream == nil ? nil : request.tailLines)
        var streamError: String?
        let since = request.since.flatMap(Validation.durationSeconds)
        for target in targets {
            let query = LogQuery(
                namespace: namespace, workflowName: request.name, podName: target.pod, container: request.container,
                tailLines: request.stream == nil ? request.tailLines : nil, grep: request.grep, sinceSeconds: since,
                stream: request.stream)
            do {
                for try await entry in gateway.workflowLogs(query) {
                    buffer.append(entry, node: target.node)
                }
            } catch let error as ArgoError {
                if buffer.lineCount == 0 && error.kind == .notFound,
                    let archived = await archivedOnly(namespace, request.name)
                {
                    throw archived
                }
                if let grep = request.grep,
                    error.message.contains("error parsing regexp") || error.message.contains("failed to compile")
                {
                    // Argo compiles grep with Go's regexp.Compile and answers a bad pattern as a server error.
                    throw InvalidArguments([
                        ArgumentProblem(
                            field: "grep",
                            message:
                                "'\(grep)' is not a regular expression Argo accepts (Go RE2 syntax: no look-around or backreferences): \(error.message)"
                        )
                    ])
                }
                if buffer.lineCount == 0 && error.kind != .streamBroken { throw error }
                streamError = error.description
                break
            }
        }
        var result = WorkflowLogs(
            namespace: namespace, name: request.name, container: request.container, node: nodeLabel,
            pods: buffer.grouped(), lineCount: buffer.lineCount, bytes: buffer.bytes,
            truncated: buffer.dropped > 0 || buffer.cut > 0 || omittedPods > 0, droppedLines: buffer.dropped,
            omittedPods: omittedPods > 0 ? omittedPods : nil, streamError: streamError)
        if buffer.lineCount == 0 && streamError == nil && request.stream == nil {
            result.note = await emptyLogsReason(request, namespace)
        }
        if let stream = request.stream {
            result.stream = stream.rawValue.lowercased()
            result.note =
                buffer.lineCount == 0
                ? "no \(stream.rawValue.lowercased()) lines. Argo answers nothing at all when Kubernetes refuses a stream selection, which it does unless its PodLogsQuerySplitStreams feature gate is on (alpha since 1.32, off by default): if you expected lines, call again without stream"
                : "the selection is Kubernetes' (PodLogsQuerySplitStreams, 1.32+); an API server before 1.32 ignores it and sends both streams, so on such a cluster these lines may include the other stream"
        }
        return result
    }

    /// For logs Argo answered NotFound: the workflow kept only by the archive (Argo's `GetWorkflow` falls back to
    /// it, its log API does not), whose pods and live logs are gone.
    func archivedOnly(_ namespace: String, _ name: String) async -> ReadFailure? {
        guard
            let wf = try? await gateway.getWorkflow(
                namespace: namespace, name: name,
                fields: "metadata.name,metadata.namespace,metadata.uid,metadata.labels"),
            wf.isArchivedCopy
        else { return nil }
        return ReadFailure(
            "\(namespace)/\(name) exists only in the workflow archive\(wf.metadata.uid.map { " (uid \($0))" } ?? ""): its pods are gone, so Argo serves no live logs for it. If the controller archives logs (archiveLogs), each step's log is an output artifact named main-logs: list_artifacts, then get_artifact"
        )
    }

    /// Why Argo answered no line at all, when it can be told: a container no template runs (Argo skips a pod whose
    /// log Kubernetes refuses and answers nothing), a grep that matched nothing, a workflow with no pod yet.
    func emptyLogsReason(_ request: WorkflowLogsRequest, _ namespace: String) async -> String? {
        guard
            let wf = try? await gateway.getWorkflow(
                namespace: namespace, name: request.name,
                fields: "metadata.name,metadata.namespace,spec.templates,spec.workflowTemplateRef,status.phase")
        else { return nil }
        if wf.spec.workflowTemplateRef == nil, !wf.spec.templates.isEmpty {
            let known = Set(wf.spec.templates.flatMap(\.containers) + ["init", "wait"])
            if !known.contains(request.container) {
                let names = known.sorted()
                let near = Text.nearest(request.container, in: names).map { "; did you mean \($0)?" } ?? ""
                return
                    "no template of \(request.name) runs a container '\(request.container)' (its pods run \(names.joined(separator: ", ")))\(near); Argo answers nothing for a container a pod does not have"
            }
        }
        if let grep = request.grep { return "no line matched grep '\(grep)'" }
        if wf.status.phase == .pending || wf.status.phase == nil {
            return "\(request.name) is \(WorkflowShaping.phaseName(wf)) and may have started no pod yet"
        }
        return nil
    }

    /// Argo passes `logOptions.stream` on from v3.6.6 (its Kubernetes 1.32 client); older servers ignore it and
    /// would answer both streams as if one had been selected.
    static func requireStreamSelection(_ stream: LogStream, _ gateway: any ArgoGateway) async throws {
        let version = try await gateway.version().version
        guard let v = ArgoVersion.triple(version) else { return }
        if v < (3, 6, 6) {
            throw ReadFailure(
                "stream needs Argo v3.6.6 or later, which passes the selection on to Kubernetes; this server is \(version) and would send stdout and stderr together. Call again without stream"
            )
        }
    }

    /// Finds a node by id, full name or display name.
    static func resolve(node ref: String, in wf: Workflow) throws -> NodeStatus {
        let nodes = wf.status.nodes
        if let byID = nodes[ref] { return byID }
        if let byName = nodes.values.first(where: { $0.name == ref }) { return byName }
        let byDisplay = nodes.values.filter { $0.displayName == ref }
        if byDisplay.count == 1 { return byDisplay[0] }
        if byDisplay.count > 1 {
            let names = byDisplay.prefix(5).map(\.name).joined(separator: ", ")
            throw ReadFailure(
                "node '\(ref)' matches \(byDisplay.count) nodes of \(wf.metadata.name) (\(names)); give the node id or full name"
            )
        }
        throw ReadFailure(
            "workflow \(wf.metadata.namespace ?? "")/\(wf.metadata.name) has no node '\(ref)'; give a node id, name or display name from get_workflow (include 'nodes')"
        )
    }

    /// The node itself if it ran a pod, else the pod nodes below it, oldest first.
    static func podNodes(under node: NodeStatus, in wf: Workflow) -> [NodeStatus] {
        if WorkflowShaping.runsInPod(node) { return [node] }
        var out: [NodeStatus] = []
        var seen = Set<String>()
        var queue = node.children
        while !queue.isEmpty {
            let id = queue.removeFirst()
            guard seen.insert(id).inserted, let child = wf.status.nodes[id] else { continue }
            if WorkflowShaping.runsInPod(child) { out.append(child) } else { queue.append(contentsOf: child.children) }
        }
        return out.sorted { ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name) }
    }
}

/// Keeps the newest lines within a byte budget.
struct LogBuffer {
    let maxBytes: Int
    private var entries: [Entry] = []
    private var head = 0
    private(set) var bytes = 0
    private(set) var dropped = 0
    /// Lines cut to fit (their full size is in their marker).
    private(set) var cut = 0

    /// One line as shown: its kept text, and what it was in full. Argo's log reader splits a line longer than 1 MiB
    /// into 1 MiB pieces (`util/logs` `scanLinesOrGiveLong`); pieces of one line are joined back into one entry.
    struct Entry {
        var pod: String
        var node: String?
        var kept: String
        var fullBytes: Int
        var pieces: Int
        /// The last piece was exactly 1 MiB: the next line of the pod continues it.
        var open: Bool

        var line: String {
            guard fullBytes > kept.utf8.count else { return kept }
            let pieceNote = pieces > 1 ? " in \(pieces) pieces that Argo split at 1 MiB" : ""
            return kept + " … [line cut: \(fullBytes) bytes in all\(pieceNote)]"
        }
        var size: Int { line.utf8.count + 1 }
    }

    static let argoPiece = 1 << 20

    /// Whether a pod's 1 MiB pieces are joined: not when a `grep` filtered them (Argo greps each piece, so the
    /// pieces that follow may be other lines).
    let joinsPieces: Bool

    /// At most this many lines are kept (the newest), when set.
    let maxLines: Int?

    init(maxBytes: Int, joinsPieces: Bool = true, maxLines: Int? = nil) {
        self.maxBytes = maxBytes
        self.joinsPieces = joinsPieces
        self.maxLines = maxLines
    }

    var lineCount: Int { entries.count - head }

    /// The most one line may keep: a quarter of the budget (at least 200 bytes), so that a long line is cut to fit
    /// instead of pushing every line before it out.
    var lineBudget: Int { max(200, maxBytes / 4) }

    mutating func append(_ entry: LogEntry, node: String?) {
        let size = entry.content.utf8.count
        if joinsPieces, let last = entries.indices.last, last >= head, entries[last].open,
            entries[last].pod == entry.podName
        {
            // The next piece of a line Argo split.
            bytes -= entries[last].size
            entries[last].fullBytes += size
            entries[last].pieces += 1
            entries[last].open = size == Self.argoPiece
            bytes += entries[last].size
        } else {
            let kept = size > lineBudget ? Self.prefix(entry.content, bytes: lineBudget) : entry.content
            if kept.utf8.count < size { cut += 1 }
            let added = Entry(
                pod: entry.podName, node: node, kept: kept, fullBytes: size, pieces: 1, open: size == Self.argoPiece)
            entries.append(added)
            bytes += added.size
        }
        // Lines past the tail are not wanted (the tail the server would have kept); lines past the budget are
        // dropped, and counted.
        while let maxLines, lineCount > max(1, maxLines), head < entries.count - 1 {
            bytes -= entries[head].size
            head += 1
        }
        while bytes > maxBytes && head < entries.count - 1 {
            bytes -= entries[head].size
            head += 1
            dropped += 1
        }
        if head > 4096 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// The longest prefix of `text` within `bytes` UTF-8 bytes, cut at a character boundary.
    static func prefix(_ text: String, bytes: Int) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text[index].utf8.count
            if used + next > bytes { break }
            used += next
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    func grouped() -> [PodLog] {
        var logs: [PodLog] = []
        var index: [String: Int] = [:]
        for entry in entries[head...] {
            let (pod, node, line) = (entry.pod, entry.node, entry.line)
            if let i = index[pod] {
                logs[i].lines.append(line)
            } else {
                index[pod] = logs.count
                logs.append(PodLog(podName: pod, node: node, lines: [line]))
            }
        }
        return logs
    }
}
