import Foundation
import Ports

/// An in-memory Argo server: holds objects in Argo's JSON shape, answers list/get/log calls the way Argo does,
/// and injects faults on request. Served in-process through ``SimulatedArgoGateway`` and over HTTP through
/// ``SimulatorHTTPServer``.
public actor ArgoSimulator {
    /// What a list call asks for, in Argo's terms.
    public struct ListRequest: Sendable {
        public enum NameFilter: String, Sendable {
            case exact = "Exact"
            case contains = "Contains"
            case prefix = "Prefix"
        }
        public var namespace: String?
        public var labelSelector: String?
        public var name: String?
        public var nameFilter: NameFilter
        public var limit: Int?
        public var continueToken: String?
        public var fields: String?

        public init(
            namespace: String?, labelSelector: String? = nil, name: String? = nil, nameFilter: NameFilter = .exact,
            limit: Int? = nil, continueToken: String? = nil, fields: String? = nil
        ) {
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.name = name
            self.nameFilter = nameFilter
            self.limit = limit
            self.continueToken = continueToken
            self.fields = fields
        }
    }

    /// What a log call streams: the lines, then possibly a break.
    public struct LogPlan: Sendable {
        public var entries: [LogEntry]
        /// Break after this many entries.
        public var breakAfter: Int?
        /// Break by cutting the connection rather than sending an error frame.
        public var cut: Bool
        public var breakError: ArgoError {
            ArgoError(
                .streamBroken, message: "simulated stream failure: transport is closing", httpStatus: 500, grpcCode: 14)
        }
    }

    struct Stored {
        var json: JSONValue
        var data: Data
        var typed: Workflow?
        /// The workflow's pods by start time, with their pod names (built on the first log read).
        var pods: [(name: String, node: NodeStatus)]?
    }

    private var workflows: [String: Stored] = [:]
    /// CronWorkflows, WorkflowTemplates and ClusterWorkflowTemplates, keyed `namespace/name` (cluster: `name`).
    private var objects: [ArgoKind: [String: Stored]] = [:]
    private var faults: [Fault.Operation: Fault] = [:]
    /// The workflow archive, by uid; nil when the simulated server has no archive configured.
    private var archive: [String: Stored]? = [:]
    private var pendingArchive: [WorkflowGenerator] = []
    /// What `/api/v1/info` reports as the managed namespace (nil: the server watches every namespace).
    public private(set) var managedNamespace: String?
    /// Generated workflows are built on first use, so that a server starts answering at once.
    private var pending: [WorkflowGenerator] = []
    public let logLinesPerPod: Int
    public let versionInfo = ArgoVersion(
        version: "v4.1.2+simulator", gitCommit: "0000000", buildDate: "2026-08-21T00:00:00Z", platform: "linux/amd64")

    public init(logLinesPerPod: Int = 60) {
        self.logLinesPerPod = logLinesPerPod
    }

    // MARK: Loading

    /// Adds an object (Workflow, CronWorkflow, WorkflowTemplate, ClusterWorkflowTemplate); returns `Kind ns/name`.
    @discardableResult
    public func load(_ object: JSONValue, defaultNamespace: String = "argo") throws -> String {
        var object = object
        let kind = object["kind"]?.string ?? "Workflow"
        guard
            let name = object[path: "metadata.name"]?.string
                ?? object[path: "metadata.generateName"]?.string.map({ $0 + "seed" })
        else {
            throw SimulatorError("a \(kind) without metadata.name")
        }
        var metadata = object["metadata"]?.object ?? [:]
        metadata["name"] = .string(name)
        let namespace = kind == "ClusterWorkflowTemplate" ? nil : (metadata["namespace"]?.string ?? defaultNamespace)
        if let namespace { metadata["namespace"] = .string(namespace) }
        object["metadata"] = .object(metadata)
        switch kind {
        case "Workflow":
            if object["apiVersion"] == nil { object["apiVersion"] = "argoproj.io/v1alpha1" }
            if object["kind"] == nil { object["kind"] = "Workflow" }
            put(object, key: "\(namespace!)/\(name)")
        case "CronWorkflow", "WorkflowTemplate", "ClusterWorkflowTemplate":
            let argoKind = ArgoKind(rawValue: kind)!
            if object["apiVersion"] == nil { object["apiVersion"] = "argoproj.io/v1alpha1" }
            if object[path: "metadata.uid"] == nil {
                object.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
            }
            storeObject(argoKind, object, namespace: namespace, name: name)
        default:
            throw SimulatorError("kind '\(kind)' is not an Argo object the simulator keeps")
        }
        return "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)"
    }

    private var resourceVersion = 1000
    private var evolutions: [String: Evolution] = [:]
    private var pendingEvolutions: [(WorkflowGenerator, Int)] = []
    private var watchers: [UUID: (key: String, continuation: AsyncThrowingStream<Data, any Error>.Continuation)] = [:]

    /// Stores a workflow with a fresh resourceVersion and tells its watchers.
    private func put(_ object: JSONValue, key: String, event: String = "ADDED") {
        var object = object
        resourceVersion += 1
        object.set(["metadata", "resourceVersion"], .string(String(resourceVersion)))
        let data = object.encoded()
        workflows[key] = Stored(json: object, data: data, typed: nil)
        guard !watchers.isEmpty else { return }
        let message = JSONValue.object(["type": .string(event), "object": object]).encoded()
        for (_, watcher) in watchers where watcher.key == key { watcher.continuation.yield(message) }
    }

    /// Adds a generated workflow that starts Pending and reaches its generated final state in `steps` advances.
    public func addEvolving(generated generator: WorkflowGenerator, steps: Int = 10) {
        pendingEvolutions.append((generator, steps))
    }

    /// Moves every evolving workflow that a client has looked at one step on; returns how many have not reached
    /// their final state yet (looked at or not).
    @discardableResult
    public func advanceEvolutions() -> Int {
        materialize()
        var moving = 0
        for key in evolutions.keys.sorted() {
            guard var evolution = evolutions[key], evolution.step < evolution.states.count - 1 else { continue }
            if evolution.started {
                evolution.step += 1
                evolutions[key] = evolution
                put(evolution.states[evolution.step], key: key, event: "MODIFIED")
            }
            if evolution.step < evolution.states.count - 1 { moving += 1 }
        }
        return moving
    }

    func storedJSON(_ key: String) -> JSONValue? { workflows[key]?.json }
    func storedData(_ key: String) -> Data? { workflows[key]?.data }

    /// Stores a changed workflow and tells its watchers.
    func replace(_ object: JSONValue, key: String) {
        put(object, key: key, event: "MODIFIED")
    }

    func remove(_ key: String) {
        workflows[key] = nil
        evolutions[key] = nil
        let message = JSONValue.object(["type": "DELETED", "object": .object(["metadata": .object([:])])]).encoded()
        for (_, watcher) in watchers where watcher.key == key { watcher.continuation.yield(message) }
    }

    /// Registers a workflow that will pass through `states`, the first stored now.
    func addEvolving(states: [JSONValue], key: String) {
        evolutions[key] = Evolution(key: key, states: states, step: 0, started: false)
        put(states[0], key: key)
    }

    /// A mutated workflow no longer follows its scripted evolution.
    func stopEvolution(_ key: String) {
        evolutions[key] = nil
    }

    func object(_ kind: ArgoKind, namespace: String?, name: String) -> JSONValue? {
        objects[kind]?[Self.key(kind.isClusterScoped ? nil : namespace, name)]?.json
    }

    /// Stores a CronWorkflow or template with a fresh resourceVersion; returns it as stored.
    @discardableResult
    func storeObject(_ kind: ArgoKind, _ object: JSONValue, namespace: String?, name: String) -> Data {
        var object = object
        resourceVersion += 1
        object.set(["metadata", "resourceVersion"], .string(String(resourceVersion)))
        let data = object.encoded()
        objects[kind, default: [:]][Self.key(kind.isClusterScoped ? nil : namespace, name)] =
            Stored(json: object, data: data, typed: nil)
        return data
    }

    func removeObject(_ kind: ArgoKind, namespace: String?, name: String) {
        objects[kind]?[Self.key(kind.isClusterScoped ? nil : namespace, name)] = nil
    }

    /// Keys (`namespace/name`) of the workflows in `namespace` carrying `label=value`.
    func workflowKeys(namespace: String, label: String, value: String) -> [String] {
        materialize()
        return workflows.filter { key, stored in
            key.hasPrefix("\(namespace)/") && stored.json[path: "metadata.labels"]?[label]?.string == value
        }.keys.sorted()
    }

    /// Starts the clock of evolving workflows a client has just read.
    private func observed(_ keys: some Sequence<String>) {
        guard !evolutions.isEmpty else { return }
        for key in keys where evolutions[key]?.started == false { evolutions[key]?.started = true }
    }

    /// Advances evolving workflows every `tick` until cancelled (the caller's task owns this loop).
    public func runEvolutions(tick: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            if Task.isCancelled { break }
            advanceEvolutions()
        }
    }

    /// Events of one workflow as `{"type":…,"object":…}` JSON: its current state first when `resourceVersion` is
    /// older (or nil), then every change. A `workflow_events` fault breaks the stream after that many events.
    public func watchEvents(namespace: String, name: String, resourceVersion since: String?) async throws
        -> (events: AsyncThrowingStream<Data, any Error>, breakAfter: Int?, cut: Bool)
    {
        let fault = try await failIfInjected(.workflowEvents)
        materialize()
        let key = "\(namespace)/\(name)"
        observed([key])
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        if let stored = workflows[key] {
            let current = Int(stored.json[path: "metadata.resourceVersion"]?.string ?? "") ?? 0
            if since.flatMap(Int.init).map({ $0 < current }) ?? true {
                continuation.yield(JSONValue.object(["type": "ADDED", "object": stored.json]).encoded())
            }
        }
        let id = UUID()
        watchers[id] = (key, continuation)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(id) }
        }
        return (stream, fault?.breakAfterLines, fault?.cutConnection ?? false)
    }

    private func removeWatcher(_ id: UUID) {
        watchers[id] = nil
    }

    /// Adds a generated workflow; it is built the first time any call needs the simulator's workflows.
    public func add(generated generator: WorkflowGenerator) {
        pending.append(generator)
    }

    func materialize() {
        for generator in pending { put(generator.generate(), key: "\(generator.namespace)/\(generator.name)") }
        pending.removeAll()
        for generator in pendingArchive { archiveObject(generator.generate()) }
        pendingArchive.removeAll()
        for (generator, steps) in pendingEvolutions {
            let key = "\(generator.namespace)/\(generator.name)"
            let evolution = Evolution(key: key, states: Evolution.states(toward: generator.generate(), steps: steps))
            evolutions[key] = evolution
            put(evolution.states[0], key: key)
        }
        pendingEvolutions.removeAll()
    }

    /// Adds a generated workflow to the archive only (as if it had been archived and then garbage-collected).
    public func addArchived(generated generator: WorkflowGenerator) {
        pendingArchive.append(generator)
    }

    /// Puts a workflow object into the archive.
    public func archiveObject(_ object: JSONValue) {
        guard archive != nil else { return }
        var object = object
        let name = object[path: "metadata.name"]?.string ?? "unnamed"
        let uid =
            object[path: "metadata.uid"]?.string
            ?? String(format: "00000000-0000-4000-a000-%012x", PodNames.fnv1a32(name))
        var metadata = object["metadata"]?.object ?? [:]
        metadata["uid"] = .string(uid)
        if metadata["namespace"] == nil { metadata["namespace"] = "argo" }
        object["metadata"] = .object(metadata)
        archive?[uid] = Stored(json: object, data: object.encoded(), typed: nil)
    }

    /// Simulates a server without a workflow archive.
    public func disableArchive() {
        archive = nil
        pendingArchive.removeAll()
    }

    public func setManagedNamespace(_ namespace: String?) {
        managedNamespace = namespace
    }

    public var archiveEnabled: Bool { archive != nil }

    /// How many workflows the simulator holds (generated ones included, built or not).
    public var workflowCount: Int { workflows.count + pending.count + pendingEvolutions.count }
    public var otherObjectCount: Int { objects.values.reduce(0) { $0 + $1.count } }

    static func key(_ namespace: String?, _ name: String) -> String {
        namespace.map { "\($0)/\(name)" } ?? name
    }

    // MARK: Faults

    public func inject(_ fault: Fault, into operation: Fault.Operation) {
        faults[operation] = fault
    }

    public func clearFaults() {
        faults.removeAll()
    }

    /// Applies latency and returns the fault to act on, counting down limited faults.
    private func fire(_ operation: Fault.Operation) async -> Fault? {
        guard var fault = faults[operation] else { return nil }
        if let remaining = fault.remaining {
            if remaining <= 1 {
                faults[operation] = nil
            } else {
                fault.remaining = remaining - 1
                faults[operation] = fault
            }
        }
        if fault.latencyMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(fault.latencyMilliseconds)) }
        return fault
    }

    func failIfInjected(_ operation: Fault.Operation) async throws -> Fault? {
        let fault = await fire(operation)
        if let error = fault?.error { throw error }
        if fault?.malformedBody == true { throw MalformedBody() }
        return fault
    }

    // MARK: Argo's calls, in Argo's JSON shape

    public func versionJSON() async throws -> Data {
        _ = try await failIfInjected(.version)
        return try JSONEncoder().encode(versionInfo)
    }

    public func listWorkflowsJSON(_ request: ListRequest) async throws -> Data {
        _ = try await failIfInjected(.listWorkflows)
        materialize()
        return try listJSON(Array(workflows.values), kind: .workflow, request)
    }

    /// Lists CronWorkflows or templates (cluster-scoped ones ignore the namespace).
    public func listJSON(_ kind: ArgoKind, _ request: ListRequest) async throws -> Data {
        _ = try await failIfInjected(kind == .cronWorkflow ? .listCronWorkflows : .listWorkflowTemplates)
        return try listJSON(Array((objects[kind] ?? [:]).values), kind: kind, request)
    }

    private func listJSON(_ candidates: [Stored], kind: ArgoKind, _ request: ListRequest) throws -> Data {
        var selector: LabelSelector?
        if let text = request.labelSelector, !text.isEmpty {
            switch LabelSelector.parse(text) {
            case .success(let s): selector = s
            case .failure(let e):
                throw ArgoError.fromServer(
                    httpStatus: 400, grpcCode: 3, message: "unable to parse requirement: \(e.reason)")
            }
        }
        let namespace = kind.isClusterScoped ? nil : request.namespace.flatMap { $0.isEmpty ? nil : $0 }
        if let namespace, !LabelSelector.isDNSLabel(namespace) {
            throw ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: "invalid namespace \"\(namespace)\"")
        }
        var offset = 0
        if let token = request.continueToken, !token.isEmpty {
            guard token.hasPrefix("sim-"), let n = Int(token.dropFirst(4)), n >= 0 else {
                throw ArgoError.fromServer(
                    httpStatus: 400, grpcCode: 3, message: "continue key is not valid: \"\(token)\"")
            }
            offset = n
        }
        var matched = candidates.filter { stored in
            let meta = stored.json["metadata"]
            if let namespace, meta?["namespace"]?.string != namespace { return false }
            if let selector, !selector.matches(meta?["labels"]?.stringMap ?? [:]) { return false }
            if let name = request.name, !name.isEmpty {
                let actual = meta?["name"]?.string ?? ""
                switch request.nameFilter {
                case .exact: if actual != name { return false }
                case .contains: if !actual.contains(name) { return false }
                case .prefix: if !actual.hasPrefix(name) { return false }
                }
            }
            return true
        }
        func name(_ s: Stored) -> String { s.json[path: "metadata.name"]?.string ?? "" }
        func namespaceOf(_ s: Stored) -> String { s.json[path: "metadata.namespace"]?.string ?? "" }
        if kind == .workflow {
            // Argo lists running workflows first, then the most recently finished, then the newest.
            matched.sort { a, b in
                let fa = a.json[path: "status.finishedAt"]?.string
                let fb = b.json[path: "status.finishedAt"]?.string
                if (fa == nil) != (fb == nil) { return fa == nil }
                if let fa, let fb, fa != fb { return fa > fb }
                let ca = a.json[path: "metadata.creationTimestamp"]?.string ?? ""
                let cb = b.json[path: "metadata.creationTimestamp"]?.string ?? ""
                if ca != cb { return ca > cb }
                return name(a) < name(b)
            }
        } else {
            matched.sort { (namespaceOf($0), name($0)) < (namespaceOf($1), name($1)) }
        }
        let limit = request.limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        let start = min(offset, matched.count)
        let end = limit == Int.max ? matched.count : min(matched.count, start + limit)
        var meta: [String: JSONValue] = ["resourceVersion": "1"]
        if end < matched.count {
            meta["continue"] = .string("sim-\(end)")
            meta["remainingItemCount"] = .int(matched.count - end)
        }
        var list: JSONValue = .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": .string("\(kind.rawValue)List"),
            "metadata": .object(meta),
            "items": .array(matched[start..<end].map(\.json)),
        ])
        if let fields = request.fields, !fields.isEmpty { list = FieldSelector.apply(fields, to: list) }
        return list.encoded()
    }

    public func infoJSON() async throws -> Data {
        _ = try await failIfInjected(.info)
        let info: JSONValue = .object([
            "managedNamespace": managedNamespace.map(JSONValue.string) ?? "",
            "links": .array([
                .object([
                    "name": "Workflow logs (simulated)", "scope": "workflow",
                    "url": "http://logs.example/${metadata.namespace}/${metadata.name}",
                ])
            ]),
            "navColor": "", "columns": .array([]),
        ])
        return info.encoded()
    }

    public func userInfoJSON() async throws -> Data {
        _ = try await failIfInjected(.userInfo)
        return Data(
            #"{"subject":"simulator","issuer":"argo-mcp-simulator","serviceAccountName":"argo-mcp","serviceAccountNamespace":"argo"}"#
                .utf8)
    }

    /// One page of the archive, newest first; empty when there is no archive (as Argo's null archive answers).
    public func listArchivedJSON(_ request: ListRequest) async throws -> Data {
        _ = try await failIfInjected(.listArchivedWorkflows)
        materialize()
        var candidates = Array((archive ?? [:]).values)
        if let prefix = request.name, !prefix.isEmpty {
            candidates = candidates.filter { ($0.json[path: "metadata.name"]?.string ?? "").hasPrefix(prefix) }
        }
        var nameless = request
        nameless.name = nil
        return try listJSON(candidates, kind: .workflow, nameless)
    }

    public func archivedJSON(uid: String) async throws -> Data {
        _ = try await failIfInjected(.getArchivedWorkflow)
        materialize()
        guard let archive else {
            throw ArgoError.fromServer(
                httpStatus: 500, grpcCode: 13, message: "getting archived workflows not supported")
        }
        guard let stored = archive[uid] else {
            throw ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "not found")
        }
        return stored.data
    }

    /// One CronWorkflow or template.
    public func objectJSON(_ kind: ArgoKind, namespace: String?, name: String) async throws -> Data {
        _ = try await failIfInjected(kind == .cronWorkflow ? .getCronWorkflow : .getWorkflowTemplate)
        guard let stored = objects[kind]?[Self.key(kind.isClusterScoped ? nil : namespace, name)] else {
            throw ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "\(kind.resource) \"\(name)\" not found")
        }
        return stored.data
    }

    public func workflowJSON(namespace: String, name: String, fields: String?) async throws -> Data {
        _ = try await failIfInjected(.getWorkflow)
        materialize()
        let stored = try lookup(namespace: namespace, name: name)
        observed(["\(namespace)/\(name)"])
        guard let fields, !fields.isEmpty else { return stored.data }
        return FieldSelector.apply(fields, to: stored.json).encoded()
    }

    private func lookup(namespace: String, name: String) throws -> Stored {
        guard let stored = workflows["\(namespace)/\(name)"] else {
            throw ArgoError.fromServer(
                httpStatus: 404, grpcCode: 5, message: "workflows.argoproj.io \"\(name)\" not found")
        }
        return stored
    }

    private func typed(namespace: String, name: String) throws -> Workflow {
        let key = "\(namespace)/\(name)"
        var stored = try lookup(namespace: namespace, name: name)
        if let typed = stored.typed { return typed }
        let typed = try Workflow.decode(from: stored.data)
        stored.typed = typed
        workflows[key] = stored
        return typed
    }

    /// The workflow's pods in start order with their names, computed once per stored version.
    private func podIndex(namespace: String, name: String) throws -> [(name: String, node: NodeStatus)] {
        if let pods = workflows["\(namespace)/\(name)"]?.pods { return pods }
        let wf = try typed(namespace: namespace, name: name)
        let pods = wf.status.nodes.values.filter { $0.type == .pod }.map {
            (name: PodNames.podName(for: $0, in: wf), node: $0)
        }
        .sorted { ($0.node.startedAt ?? "", $0.name) < ($1.node.startedAt ?? "", $1.name) }
        workflows["\(namespace)/\(name)"]?.pods = pods
        return pods
    }

    public func logPlan(_ query: LogQuery, now: Date = Date()) async throws -> LogPlan {
        let fault = try await failIfInjected(.workflowLogs)
        materialize()
        var pods = try podIndex(namespace: query.namespace, name: query.workflowName)
        if let podName = query.podName, !podName.isEmpty {
            pods = pods.filter { $0.name == podName }
            if pods.isEmpty {
                throw ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "pods \"\(podName)\" not found")
            }
        }
        if !["main", "wait", "init"].contains(query.container) {
            let pod = pods.first?.0 ?? query.workflowName
            throw ArgoError.fromServer(
                httpStatus: 400, grpcCode: 3,
                message:
                    "container \(query.container) is not valid for pod \(pod); valid containers are init, wait, main")
        }
        let matcher = query.grep.flatMap { $0.isEmpty ? nil : $0 }.map(GrepMatcher.init)
        let cutoff = query.sinceSeconds.map { now.addingTimeInterval(-Double($0)) }
        var entries: [LogEntry] = []
        for (podName, node) in pods {
            var lines = PodLogs.lines(for: node, container: query.container, count: logLinesPerPod)
            if let cutoff { lines = lines.filter { $0.time >= cutoff } }
            if let tail = query.tailLines, tail >= 0, lines.count > tail { lines = Array(lines.suffix(tail)) }
            for line in lines where matcher?.matches(line.text) ?? true {
                entries.append(LogEntry(podName: podName, content: line.text))
            }
        }
        return LogPlan(entries: entries, breakAfter: fault?.breakAfterLines, cut: fault?.cutConnection ?? false)
    }
}

/// Argo applies `grep` as a regular expression; a pattern that does not compile is matched literally.
struct GrepMatcher: Sendable {
    let pattern: String
    let regex: NSRegularExpression?

    init(_ pattern: String) {
        self.pattern = pattern
        self.regex = try? NSRegularExpression(pattern: pattern)
    }

    func matches(_ text: String) -> Bool {
        guard let regex else { return text.contains(pattern) }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// Thrown inside the simulator when a fault asks for a body that is not Argo's JSON; the HTTP face answers
/// `200 text/html`, the in-process gateway reports a malformed response.
public struct MalformedBody: Error, Sendable {}
