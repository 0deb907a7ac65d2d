import ArgoWire
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
        /// `ext.showRemainingItemCount=true` in the field selector (`server/utils/list_options.go`).
        public var showRemainingItemCount: Bool
        /// `createdAfter` / `finishedBefore` (v3.7+, `persist/sqldb/selector.go` `BuildWorkflowSelector`).
        public var createdAfter: Date?
        public var finishedBefore: Date?

        public init(
            namespace: String?, labelSelector: String? = nil, name: String? = nil, nameFilter: NameFilter = .exact,
            limit: Int? = nil, continueToken: String? = nil, fields: String? = nil,
            showRemainingItemCount: Bool = false
        ) {
            self.showRemainingItemCount = showRemainingItemCount
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
                .streamBroken, message: "simulated stream failure: transport is closing", httpStatus: 503, grpcCode: 14)
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
    /// How far the Argo Server's template informer lags the cluster (nil: reads see every write at once).
    ///
    /// From v3.7, `GetWorkflowTemplate`/`GetClusterWorkflowTemplate` and the reads that `Delete…`/`Update…` make
    /// first (the simulator: gets and deletes) go through `wftmplStore.Getter(ctx, namespace).Get` / `cwftmplStore.Getter(ctx).Get` — the lister of
    /// a shared informer (`server/workflowtemplate/informer.go`, `server/clusterworkflowtemplate/informer.go`)
    /// — not the API server; the write itself still goes to the API server. CronWorkflow gets are never cached.
    public private(set) var templateInformerLag: Duration?
    /// Template writes within the lag: when, the key, and the object before the write (nil: there was none).
    private var templateWrites: [(at: ContinuousClock.Instant, kind: ArgoKind, key: String, before: Stored?)] = []
    private var faults: [Fault.Operation: Fault] = [:]
    /// The SyncService's ConfigMaps (`namespace/name` → data) and database limits (`namespace/key` → limit; nil:
    /// the database provider is off).
    var syncConfigMaps: [String: [String: String]] = [:]
    var syncDatabaseLimits: [String: Int]? = [:]
    /// Whether the simulated cluster has Kubernetes' `PodLogsQuerySplitStreams` gate on (alpha, off by default in
    /// real clusters; on here so that the demo can show a stream).
    public private(set) var podLogsSplitStreams = true

    public func setPodLogsSplitStreams(_ on: Bool) { podLogsSplitStreams = on }
    /// The artifact repository: object bytes by key (a bucket).
    var artifactObjects: [String: Data] = [:]
    /// Whether `/artifact-files/…` is served (Argo v3.4 and later); false answers it as an older server does, with
    /// the UI's page.
    public internal(set) var artifactFilesRoute = true
    /// The workflow archive, by uid; nil when the simulated server has no archive configured.
    private var archive: [String: Stored]? = [:]
    private var pendingArchive: [WorkflowGenerator] = []
    /// What `/api/v1/info` reports as the managed namespace (nil: the server watches every namespace).
    public private(set) var managedNamespace: String?
    /// Generated workflows are built on first use, so that a server starts answering at once.
    private var pending: [WorkflowGenerator] = []
    public let logLinesPerPod: Int
    public private(set) var versionInfo = ArgoVersion(
        version: "v4.1.2+simulator", gitCommit: "0000000", buildDate: "2026-08-21T00:00:00Z", platform: "linux/amd64")

    /// Reports another Argo version (e.g. "v3.5.10"), for behaviour that depends on it.
    public func setVersion(_ version: String) { versionInfo.version = version }

    /// How long after a terminate or stop the simulated controller fails the workflow.
    public let shutdownDelay: Duration
    private var pendingShutdowns: [String: (strategy: String, due: ContinuousClock.Instant)] = [:]
    /// Resource versions at or below this one have been compacted: a watch resumed from one is answered with
    /// "too old resource version" (Kubernetes' 410, `apimachinery` `NewResourceExpired`).
    private var compactedThrough = 0
    /// How long a watch stream lasts before the simulated Kubernetes watch closes and Argo ends the stream
    /// (`WatchWorkflows`: `ToStatusError(io.EOF, codes.ResourceExhausted)`); nil: never.
    public let watchLifetime: Duration?

    public init(logLinesPerPod: Int = 60, shutdownDelay: Duration = .milliseconds(300), watchLifetime: Duration? = nil)
    {
        self.logLinesPerPod = logLinesPerPod
        self.shutdownDelay = shutdownDelay
        self.watchLifetime = watchLifetime
    }

    func scheduleShutdown(_ key: String, strategy: String) {
        pendingShutdowns[key] = (strategy, ContinuousClock.now + shutdownDelay)
    }

    /// Carries out the shutdowns whose time has come.
    private func applyDueShutdowns() {
        guard !pendingShutdowns.isEmpty else { return }
        let now = ContinuousClock.now
        for (key, pending) in pendingShutdowns where pending.due <= now {
            pendingShutdowns[key] = nil
            completeShutdown(key, strategy: pending.strategy)
        }
    }

    /// How many watches were refused as "too old resource version".
    public private(set) var expiredWatches = 0

    /// Forgets every resource version up to now, as an etcd compaction does.
    public func compactHistory() {
        compactedThrough = resourceVersion
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
                // Stable across starts: a preview made by one `argo-mcp call` is confirmed by the next, which
                // starts the simulator again and must find the same object, not one "re-created" under its name.
                let key = "\(kind)/\(namespace ?? "")/\(name)"
                let hash = UInt64(PodNames.fnv1a32(key)) << 16 ^ UInt64(PodNames.fnv1a32(String(key.reversed())))
                object.set(
                    ["metadata", "uid"],
                    .string("00000000-0000-4000-9000-" + String(format: "%012x", hash & 0xFFFF_FFFF_FFFF)))
            }
            storeObject(argoKind, object, namespace: namespace, name: name)
        default:
            throw SimulatorError("kind '\(kind)' is not an Argo object the simulator keeps")
        }
        return "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)"
    }

    private var resourceVersion = 1000
    private var evolutions: [String: Evolution] = [:]
    /// The evolution's tick, in seconds.
    var tickSeconds: Double = 1
    /// Workflows the simulated controller carries on step by step (a steps workflow past an approval).
    var continuing: Set<String> = []
    private var pendingEvolutions: [(WorkflowGenerator, Int)] = []
    private var watchers: [UUID: (key: String, continuation: AsyncThrowingStream<Data, any Error>.Continuation)] = [:]

    /// Stores a workflow with a fresh resourceVersion and tells its watchers.
    private func put(_ object: JSONValue, key: String, event: String = "ADDED") {
        var object = object
        // Kubernetes gives every object a uid; seeds written by hand may lack one.
        if object[path: "metadata.uid"]?.string == nil {
            object.set(
                ["metadata", "uid"], .string(Self.madeUpUID(object[path: "metadata.name"]?.string ?? "unnamed")))
        }
        object = archivedOnCompletion(object)
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
            // `operator.go` `operate`: a suspended workflow starts nothing new until it is resumed (running pods
            // would go on; here the workflow holds still).
            let stored = storedJSON(key)
            let suspended = stored?[path: "spec.suspend"] == .bool(true)
            if evolution.started && !suspended {
                evolution.step += 1
                let now = Date()
                if evolution.realStart == nil { evolution.realStart = now }
                evolutions[key] = evolution
                var state =
                    evolution.retime
                    ? Evolution.retimed(
                        evolution.states[evolution.step], realStart: evolution.realStart ?? now, now: now,
                        final: evolution.step == evolution.states.count - 1)
                    : evolution.states[evolution.step]
                // The spec is the user's: a suspend and resume made on the way are kept.
                if let spec = stored?["spec"] { state["spec"] = spec }
                put(state, key: key, event: "MODIFIED")
            }
            if evolution.step < evolution.states.count - 1 { moving += 1 }
        }
        advanceContinuations()
        return moving
    }

    func storedJSON(_ key: String) -> JSONValue? { workflows[key]?.json }
    func storedData(_ key: String) -> Data? { workflows[key]?.data }

    /// Stores a changed workflow and tells its watchers.
    func replace(_ object: JSONValue, key: String) {
        put(object, key: key, event: "MODIFIED")
    }

    /// Deletes a workflow; its watchers get a DELETED event carrying the object as it was last stored, as a
    /// Kubernetes watch does.
    func remove(_ key: String) {
        let last = workflows[key]?.json ?? .object(["metadata": .object([:])])
        workflows[key] = nil
        evolutions[key] = nil
        pendingShutdowns[key] = nil
        let message = JSONValue.object(["type": "DELETED", "object": last]).encoded()
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
        continuing.remove(key)
    }

    /// Whether a scripted evolution still drives the workflow.
    func evolutionFollows(_ key: String) -> Bool { evolutions[key] != nil }

    /// Makes the stored workflow pass through `states` from the next tick on, at real time.
    func follow(_ states: [JSONValue], key: String) {
        var evolution = Evolution(key: key, states: states, step: 0, started: true)
        evolution.retime = false
        evolutions[key] = evolution
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
        recordTemplateWrite(kind, Self.key(kind.isClusterScoped ? nil : namespace, name))
        objects[kind, default: [:]][Self.key(kind.isClusterScoped ? nil : namespace, name)] =
            Stored(json: object, data: data, typed: nil)
        return data
    }

    func removeObject(_ kind: ArgoKind, namespace: String?, name: String) {
        recordTemplateWrite(kind, Self.key(kind.isClusterScoped ? nil : namespace, name))
        objects[kind]?[Self.key(kind.isClusterScoped ? nil : namespace, name)] = nil
    }

    public func setTemplateInformerLag(_ lag: Duration?) {
        templateInformerLag = lag
        templateWrites.removeAll()
    }

    /// Keeps what a template was before a write, for as long as the informer would not have seen the write.
    private func recordTemplateWrite(_ kind: ArgoKind, _ key: String) {
        guard kind != .cronWorkflow, let lag = templateInformerLag else { return }
        let now = ContinuousClock.now
        templateWrites.removeAll { now - $0.at > lag }
        templateWrites.append((now, kind, key, objects[kind]?[key]))
    }

    /// The object as the server's informer sees it: before the oldest write it has not caught up with yet.
    func informerView(_ kind: ArgoKind, _ key: String) -> Stored? {
        guard kind != .cronWorkflow, let lag = templateInformerLag else { return objects[kind]?[key] }
        let now = ContinuousClock.now
        if let unseen = templateWrites.first(where: { $0.kind == kind && $0.key == key && now - $0.at <= lag }) {
            return unseen.before
        }
        return objects[kind]?[key]
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
        tickSeconds = Double(tick.components.seconds) + Double(tick.components.attoseconds) / 1e18
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
        // `WatchWorkflows` first resolves the name with `getWorkflow` (live, then the archive): an unknown
        // workflow is NotFound before the stream starts; one only the archive keeps gets a watch on which nothing
        // happens (the Kubernetes watch by name sees no object).
        let stored = workflows[key]
        let archived = (archive ?? [:]).values.contains {
            $0.json[path: "metadata.namespace"]?.string == namespace && $0.json[path: "metadata.name"]?.string == name
        }
        if stored == nil && !archived {
            throw ArgoError.fromServer(
                httpStatus: 404, grpcCode: 5, message: "workflows.argoproj.io \"\(name)\" not found")
        }
        observed([key])
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        if let since = since.flatMap(Int.init), since <= compactedThrough {
            expiredWatches += 1
            // The Kubernetes watch answers with an ERROR event (410 Gone); Argo's `ToStatusError` makes it gRPC 3,
            // and since nothing was sent yet grpc-gateway answers HTTP 400 with it.
            throw ArgoError.fromServer(
                httpStatus: 400, grpcCode: 3,
                message: "too old resource version: \(since) (\(compactedThrough + 1))")
        }
        if let stored {
            let current = Int(stored.json[path: "metadata.resourceVersion"]?.string ?? "") ?? 0
            if since.flatMap(Int.init).map({ $0 < current }) ?? true {
                continuation.yield(JSONValue.object(["type": "ADDED", "object": stored.json]).encoded())
            }
        }
        let id = UUID()
        watchers[id] = (key, continuation)
        let ending = watchLifetime.map { lifetime in
            Task {
                try? await Task.sleep(for: lifetime)
                continuation.finish(throwing: StreamEnd())
            }
        }
        continuation.onTermination = { [weak self] _ in
            ending?.cancel()
            Task { await self?.removeWatcher(id) }
        }
        return (stream, fault?.breakAfterLines, fault?.cutConnection ?? false)
    }

    /// How many watch streams are open on `namespace/name` (for tests that need a watch to be away).
    public func openWatches(namespace: String, name: String) -> Int {
        watchers.values.filter { $0.key == "\(namespace)/\(name)" }.count
    }

    private func removeWatcher(_ id: UUID) {
        watchers[id] = nil
    }

    /// Adds a generated workflow; it is built the first time any call needs the simulator's workflows.
    public func add(generated generator: WorkflowGenerator) {
        pending.append(generator)
    }

    func materialize() {
        applyDueShutdowns()
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

    /// The controller's archiving of a workflow that has just completed: when the server has an archive and the
    /// workflow matches its `archiveLabelSelector`, `operator.go` `markWorkflowPhase` labels it
    /// `workflow-archiving-status: Pending` as it completes, and `controller.go` `archiveWorkflowAux` stores it in
    /// the archive and relabels the live object `Archived` (both at once here). A workflow deleted before it
    /// completes is never archived; one the selector excludes keeps no label (`isArchivable`).
    private func archivedOnCompletion(_ object: JSONValue) -> JSONValue {
        guard archive != nil, Self.completedPhases.contains(object[path: "status.phase"]?.string ?? ""),
            object[path: "metadata.labels"]?[ArgoLabels.archivingStatus]?.string != "Archived"
        else { return object }
        var labels: [String: String] = [:]
        for (k, v) in object[path: "metadata.labels"]?.object ?? [:] { labels[k] = v.string }
        if let archiveLabelSelector, !archiveLabelSelector.matches(labels) { return object }
        var live = object
        live.set(["metadata", "labels", ArgoLabels.completed], "true")
        live.set(["metadata", "labels", ArgoLabels.archivingStatus], "Archived")
        archiveObject(live)
        return live
    }

    static let completedPhases: Set<String> = ["Succeeded", "Failed", "Error"]

    /// A uid for an object that came without one, the same for the same name.
    static func madeUpUID(_ name: String) -> String {
        String(format: "00000000-0000-4000-a000-%012x", PodNames.fnv1a32(name))
    }

    /// Which completed workflows the simulated controller archives (Argo's `archiveLabelSelector` in the
    /// workflow-controller ConfigMap); nil: all of them.
    public private(set) var archiveLabelSelector: LabelSelector?

    public func setArchiveLabelSelector(_ selector: LabelSelector?) {
        archiveLabelSelector = selector
    }

    /// Puts a workflow object into the archive.
    public func archiveObject(_ object: JSONValue) {
        guard archive != nil else { return }
        var object = object
        let name = object[path: "metadata.name"]?.string ?? "unnamed"
        let uid = object[path: "metadata.uid"]?.string ?? Self.madeUpUID(name)
        var metadata = object["metadata"]?.object ?? [:]
        metadata["uid"] = .string(uid)
        if metadata["namespace"] == nil { metadata["namespace"] = "argo" }
        object["metadata"] = .object(metadata)
        // `persist/sqldb/workflow_archive.go` `ArchiveWorkflow` stores the workflow labelled
        // `workflow-archiving-status: Persisted`, and its `GetWorkflow` and `ListWorkflows` label every workflow
        // read back so (v3.5–v4.1). The bytes are written on the first read: most copies are never read.
        object.set(["metadata", "labels", ArgoLabels.archivingStatus], "Persisted")
        archive?[uid] = Stored(json: object, data: Data(), typed: nil)
    }

    /// Simulates a server without a workflow archive.
    public func disableArchive() {
        archive = nil
        pendingArchive.removeAll()
    }

    public func setManagedNamespace(_ namespace: String?) {
        managedNamespace = namespace
    }

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

    /// `server/workflow/workflow_server.go` `ListWorkflows` (v4.x): live rows first, then archived rows, paged by
    /// one integer offset over both; the archive's copy of a live workflow is listed too. Without
    /// `ext.showRemainingItemCount`, `continue` is set only when the archive alone has a row at `offset + limit`
    /// (`HasMoreWorkflows`, argo-workflows#14892), so a server without an archive never pages; with it,
    /// `remainingItemCount` is exact and `continue` follows from it (as v3.5–v3.7 always did).
    public func listWorkflowsJSON(_ request: ListRequest) async throws -> Data {
        _ = try await failIfInjected(.listWorkflows)
        materialize()
        let (offset, limit) = try Self.offsetAndLimit(request)
        // The live rows come from the server's SQLite copy of the informer, which leaves out workflows the
        // controller has labelled `Archived`: those are listed from the archive only
        // (`server/workflow/store/sqlite_store.go` `upsertWorkflow`, `replaceWorkflows`, v3.5.7+).
        let live = try Self.newestFirst(
            filter(
                workflows.values.filter {
                    $0.json[path: "metadata.labels"]?[ArgoLabels.archivingStatus]?.string != "Archived"
                }, kind: .workflow, request))
        let archived = try Self.newestFirst(filter(Array((archive ?? [:]).values), kind: .workflow, request))
        var page: [Stored] = []
        if !live.isEmpty && (limit == 0 || offset < live.count) {
            page += limit == 0 ? live : Array(live[min(offset, live.count)..<min(live.count, offset + limit)])
        }
        if limit == 0 || offset + limit > live.count {
            var archivedOffset = offset - live.count
            var archivedLimit = limit
            if archivedOffset < 0 {
                archivedOffset = 0
                archivedLimit = limit - page.count
            }
            page +=
                (archivedLimit == 0 && limit != 0
                ? [] : Self.slice(archived, offset: archivedOffset, limit: limit == 0 ? 0 : archivedLimit))
                .map { Stored(json: Self.archivedRow($0.json), data: Data(), typed: nil) }
        }
        var meta: [String: JSONValue] = ["resourceVersion": .string(String(resourceVersion))]
        let remaining: Int
        if request.showRemainingItemCount {
            remaining = max(live.count + archived.count - offset - page.count, 0)
            meta["remainingItemCount"] = .int(remaining)
        } else {
            remaining = limit > 0 && offset + limit < archived.count ? 1 : 0
        }
        if remaining > 0 { meta["continue"] = .string(String(offset + page.count)) }
        return Self.list(Self.pageSorted(page), kind: .workflow, meta: meta, fields: request.fields)
    }

    /// Lists CronWorkflows or templates (cluster-scoped ones ignore the namespace): a Kubernetes list, whose
    /// `continue` is an opaque token and whose `remainingItemCount` is set only without a label selector.
    public func listJSON(_ kind: ArgoKind, _ request: ListRequest) async throws -> Data {
        _ = try await failIfInjected(kind == .cronWorkflow ? .listCronWorkflows : .listWorkflowTemplates)
        func key(_ s: Stored) -> String {
            "\(s.json[path: "metadata.namespace"]?.string ?? "")/\(s.json[path: "metadata.name"]?.string ?? "")"
        }
        let matched = try filter(Array((objects[kind] ?? [:]).values), kind: kind, request).sorted { key($0) < key($1) }
        var start = 0
        if let token = request.continueToken, !token.isEmpty {
            guard let after = Self.decodeKubernetesContinue(token) else {
                throw ArgoError.fromServer(
                    httpStatus: 400, grpcCode: 3, message: "continue key is not valid: \"\(token)\"")
            }
            start = matched.firstIndex { key($0) > after } ?? matched.count
        }
        let limit = request.limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        let end = limit == Int.max ? matched.count : min(matched.count, start + limit)
        var meta: [String: JSONValue] = ["resourceVersion": .string(String(resourceVersion))]
        if end < matched.count, end > start {
            meta["continue"] = .string(Self.encodeKubernetesContinue(after: key(matched[end - 1]), rv: resourceVersion))
            if (request.labelSelector ?? "").isEmpty { meta["remainingItemCount"] = .int(matched.count - end) }
        }
        return Self.list(Array(matched[start..<end]), kind: kind, meta: meta, fields: request.fields)
    }

    /// The rows a list request selects: namespace, label selector and name filter, with Argo's errors.
    private func filter(_ candidates: [Stored], kind: ArgoKind, _ request: ListRequest) throws -> [Stored] {
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
        return candidates.filter { stored in
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
            // `creationTimestamp >= createdAfter`; `finishedat <= finishedBefore`, where the live store keeps a
            // running workflow's zero finish time, which passes (`server/workflow/store/sqlite_store.go`).
            if let after = request.createdAfter {
                guard let created = ArgoTime.parse(meta?["creationTimestamp"]?.string), created >= after else {
                    return false
                }
            }
            if let before = request.finishedBefore,
                let finished = ArgoTime.parse(
                    stored.json[path: "status.finishedAt"]?.string), finished > before
            {
                return false
            }
            return true
        }
    }

    /// `server/utils/list_options.go` `BuildListOptions`: the continue token of workflow and archive lists is an
    /// integer offset.
    static func offsetAndLimit(_ request: ListRequest) throws -> (offset: Int, limit: Int) {
        let token = request.continueToken.flatMap { $0.isEmpty ? nil : $0 } ?? "0"
        guard let offset = Int(token) else {
            throw ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: "listOptions.continue must be int")
        }
        guard offset >= 0 else {
            throw ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: "listOptions.continue must >= 0")
        }
        return (offset, max(0, request.limit ?? 0))
    }

    /// The SQL order of Argo's workflow stores and archive (`persist/sqldb/selector.go`: `order by startedat desc`);
    /// a workflow that has not started sorts first, as NULLs do in a descending order.
    static func newestFirst(_ rows: [Stored]) -> [Stored] {
        func started(_ s: Stored) -> String { s.json[path: "status.startedAt"]?.string ?? "\u{10FFFF}" }
        func name(_ s: Stored) -> String { s.json[path: "metadata.name"]?.string ?? "" }
        return rows.sorted { (started($0), name($1)) > (started($1), name($0)) }
    }

    /// An archive row as Argo lists it: the archive's list query reads only some columns and builds a Workflow
    /// from them (`persist/sqldb/workflow_archive.go` `ListWorkflows`): name, namespace, uid, creation time, labels
    /// and annotations; `spec.suspend` and `spec.arguments`; phase, start, finish, progress, message, estimated
    /// and resources duration. No nodes, no templates: `GET /api/v1/archived-workflows/{uid}` has the whole object.
    public static func archivedRow(_ wf: JSONValue) -> JSONValue {
        func pick(_ object: JSONValue?, _ keys: [String]) -> JSONValue {
            var out: [String: JSONValue] = [:]
            for key in keys { if let value = object?[key], value != .null { out[key] = value } }
            return .object(out)
        }
        var spec = pick(wf["spec"], ["suspend"])
        spec["arguments"] = wf[path: "spec.arguments"] ?? .object([:])
        return .object([
            "metadata": pick(
                wf["metadata"], ["name", "namespace", "uid", "creationTimestamp", "labels", "annotations"]),
            "spec": spec,
            "status": pick(
                wf["status"],
                ["phase", "startedAt", "finishedAt", "progress", "message", "estimatedDuration", "resourcesDuration"]),
        ])
    }

    /// SQL `limit`/`offset`, where a limit of 0 means every row.
    static func slice(_ rows: [Stored], offset: Int, limit: Int) -> [Stored] {
        let start = min(max(offset, 0), rows.count)
        let end = limit == 0 ? rows.count : min(rows.count, start + limit)
        return Array(rows[start..<end])
    }

    /// `wfv1.Workflows` `Less`, which Argo applies to each page: running workflows first, then the most recently
    /// finished, then the newest.
    static func pageSorted(_ rows: [Stored]) -> [Stored] {
        rows.sorted { a, b in
            let fa = a.json[path: "status.finishedAt"]?.string
            let fb = b.json[path: "status.finishedAt"]?.string
            if (fa == nil) != (fb == nil) { return fa == nil }
            if let fa, let fb, fa != fb { return fa > fb }
            let ca = a.json[path: "metadata.creationTimestamp"]?.string ?? ""
            let cb = b.json[path: "metadata.creationTimestamp"]?.string ?? ""
            if ca != cb { return ca > cb }
            return (a.json[path: "metadata.name"]?.string ?? "") < (b.json[path: "metadata.name"]?.string ?? "")
        }
    }

    static func list(_ rows: [Stored], kind: ArgoKind, meta: [String: JSONValue], fields: String?) -> Data {
        var list: JSONValue = .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": .string("\(kind.rawValue)List"),
            "metadata": .object(meta),
            "items": rows.isEmpty ? .null : .array(rows.map(\.json)),
        ])
        if let fields, !fields.isEmpty { list = FieldSelector.apply(fields, to: list) }
        return list.encoded()
    }

    /// Kubernetes' continue token (`apiserver/pkg/storage` `EncodeContinue`): base64url of
    /// `{"v":"meta.k8s.io/v1","rv":…,"start":"<key>\u0000"}`.
    static func encodeKubernetesContinue(after key: String, rv: Int) -> String {
        let body = JSONValue.object(["v": "meta.k8s.io/v1", "rv": .int(rv), "start": .string(key + "\u{0}")])
        return body.encoded().base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeKubernetesContinue(_ token: String) -> String? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let body = try? JSONDecoder().decode(JSONValue.self, from: data),
            body["v"]?.string == "meta.k8s.io/v1", var start = body["start"]?.string
        else { return nil }
        if start.hasSuffix("\u{0}") { start.removeLast() }
        return start
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

    /// One page of the archive, newest first (`server/workflowarchive/archived_workflow_server.go`
    /// `ListArchivedWorkflows`): it reads one row more than asked to learn whether `continue` (an integer offset)
    /// is needed, and counts what is left only with `ext.showRemainingItemCount`. A server without an archive
    /// answers an empty list (`persist/sqldb/null_workflow_archive.go`).
    public func listArchivedJSON(_ request: ListRequest) async throws -> Data {
        _ = try await failIfInjected(.listArchivedWorkflows)
        materialize()
        let (offset, limit) = try Self.offsetAndLimit(request)
        let rows = try Self.newestFirst(filter(Array((archive ?? [:]).values), kind: .workflow, request))
        var page = Self.slice(rows, offset: offset, limit: limit == 0 ? 0 : limit + 1)
        var meta: [String: JSONValue] = [:]
        if request.showRemainingItemCount && limit > 0 {
            meta["remainingItemCount"] = .int(max(rows.count - offset - min(page.count, limit), 0))
        }
        if limit > 0 && page.count > limit {
            page = Array(page.prefix(limit))
            meta["continue"] = .string(String(offset + limit))
        }
        let projected = page.map { Stored(json: Self.archivedRow($0.json), data: Data(), typed: nil) }
        return Self.list(Self.pageSorted(projected), kind: .workflow, meta: meta, fields: request.fields)
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
        return archivedData(uid, stored)
    }

    /// An archived workflow's bytes, encoded on the first read and kept.
    /// The archived workflow with this uid.
    func archiveEntry(uid: String) -> JSONValue? { archive?[uid]?.json }

    private func archivedData(_ uid: String, _ stored: Stored) -> Data {
        guard stored.data.isEmpty else { return stored.data }
        let data = stored.json.encoded()
        archive?[uid]?.data = data
        return data
    }

    /// One CronWorkflow or template.
    public func objectJSON(_ kind: ArgoKind, namespace: String?, name: String) async throws -> Data {
        _ = try await failIfInjected(kind == .cronWorkflow ? .getCronWorkflow : .getWorkflowTemplate)
        guard let stored = informerView(kind, Self.key(kind.isClusterScoped ? nil : namespace, name)) else {
            throw ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "\(kind.resource) \"\(name)\" not found")
        }
        return stored.data
    }

    /// `server/workflow/workflow_server.go` `getWorkflow`: the live object, else the archived workflow of that
    /// namespace and name (the newest), else the live lookup's NotFound.
    public func workflowJSON(namespace: String, name: String, fields: String?) async throws -> Data {
        _ = try await failIfInjected(.getWorkflow)
        materialize()
        let stored: Stored
        do {
            stored = try lookup(namespace: namespace, name: name)
        } catch {
            let archived = Self.newestFirst(
                (archive ?? [:]).values.filter {
                    $0.json[path: "metadata.namespace"]?.string == namespace
                        && $0.json[path: "metadata.name"]?.string == name
                })
            guard let newest = archived.first else { throw error }
            guard let fields, !fields.isEmpty else {
                return archivedData(newest.json[path: "metadata.uid"]?.string ?? "", newest)
            }
            return FieldSelector.apply(fields, to: newest.json).encoded()
        }
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

    /// The lines a log call streams, as Argo's `util/logs/workflow-logger.go` `WorkflowLogs` produces them:
    /// - an unknown workflow is a 404 before the stream starts (`wfInterface.Get`);
    /// - a `grep` that Go's `regexp.Compile` rejects is an Internal error (HTTP 500) before the first line:
    ///   `failed to compile "<grep>": error parsing regexp: …`;
    /// - pods are found by label and `metadata.name=<podName>`: an unknown pod name gives an empty stream, not an
    ///   error; pending pods are skipped, and so are pods the workflow's `podGC` has deleted;
    /// - a container the pod does not have fails that pod's `GetLogs`, which is logged and skipped: no lines;
    /// - lines are sorted by their timestamp across pods; with `timestamps` the line keeps its RFC 3339 prefix;
    /// - `grep` is matched against the content (with the timestamp when `timestamps` is set).
    public func logPlan(_ query: LogQuery, now: Date = Date()) async throws -> LogPlan {
        let fault = try await failIfInjected(.workflowLogs)
        materialize()
        let wf = try typed(namespace: query.namespace, name: query.workflowName)
        var matcher: GoRegexp?
        if let grep = query.grep, !grep.isEmpty {
            do {
                matcher = try GoRegexp(grep)
            } catch {
                throw ArgoError.fromServer(
                    httpStatus: 500, grpcCode: 13, message: "failed to compile \(Self.goQuote(grep)): \(error)")
            }
        }
        var pods = try podIndex(namespace: query.namespace, name: query.workflowName)
        if let podName = query.podName, !podName.isEmpty { pods = pods.filter { $0.name == podName } }
        let podGC = storedJSON("\(query.namespace)/\(query.workflowName)")?[path: "spec.podGC.strategy"]?.string ?? ""
        pods = pods.filter { Self.podExists($0.node, podGC: podGC, workflowPhase: wf.status.phase) }
        let containers: Set<String> = ["main", "wait", "init"]
        guard containers.contains(query.container) else {
            return LogPlan(entries: [], breakAfter: fault?.breakAfterLines, cut: fault?.cutConnection ?? false)
        }
        // `logOptions.stream` goes to Kubernetes as it is (`util/logs/workflow-logger.go` copies the options), and
        // Kubernetes refuses it without the `PodLogsQuerySplitStreams` gate, or with a tail; Argo logs the refusal
        // and sends nothing (`ensureWeAreStreaming` returns on a `GetLogs` error).
        if query.stream != nil, !podLogsSplitStreams || query.tailLines != nil {
            return LogPlan(entries: [], breakAfter: fault?.breakAfterLines, cut: fault?.cutConnection ?? false)
        }
        let cutoff = query.sinceSeconds.map { now.addingTimeInterval(-Double($0)) }
        var timed: [(time: Date, order: Int, entry: LogEntry)] = []
        for (podName, node) in pods {
            var lines = PodLogs.lines(for: node, container: query.container, count: logLinesPerPod)
            if let cutoff { lines = lines.filter { $0.time >= cutoff } }
            if let stream = query.stream { lines = lines.filter { PodLogs.isStderr($0.text) == (stream == .stderr) } }
            if let tail = query.tailLines, tail >= 0, lines.count > tail { lines = Array(lines.suffix(tail)) }
            for line in lines {
                let content = query.timestamps ? "\(Self.kubernetesTimestamp(line.time)) \(line.text)" : line.text
                guard matcher?.matches(content) ?? true else { continue }
                timed.append((line.time, timed.count, LogEntry(podName: podName, content: content)))
            }
        }
        timed.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        return LogPlan(
            entries: timed.map(\.entry), breakAfter: fault?.breakAfterLines, cut: fault?.cutConnection ?? false)
    }

    /// Whether the pod of a node still exists: it has started (not Pending) and the workflow's `podGC` has not
    /// deleted it (`workflow/controller` pod GC strategies).
    static func podExists(_ node: NodeStatus, podGC: String, workflowPhase: WorkflowPhase?) -> Bool {
        guard let phase = node.phase, phase != .pending else { return false }
        switch podGC {
        case "OnPodCompletion": return phase.isActive
        case "OnPodSuccess": return phase != .succeeded
        case "OnWorkflowCompletion": return workflowPhase?.isCompleted != true
        case "OnWorkflowSuccess": return workflowPhase != .succeeded
        default: return true
        }
    }

    /// Kubernetes' `timestamps=true` prefix: RFC 3339 with nanoseconds.
    static func kubernetesTimestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let nanos = Int(((seconds - whole) * 1_000_000_000).rounded())
        let base = ArgoTime.format(Date(timeIntervalSince1970: whole))
        return String(base.dropLast()) + "." + String(format: "%09d", min(nanos, 999_999_999)) + "Z"
    }

    /// Go's `%q` of a string (enough for patterns: quotes and backslashes escaped).
    static func goQuote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Ends a simulated watch the way Argo ends one when the Kubernetes watch under it closes: an error frame with
/// gRPC 8 (ResourceExhausted) and message "EOF" (`server/workflow/workflow_server.go` `WatchWorkflows`).
public struct StreamEnd: Error, Sendable {
    public static let error = ArgoError(.streamBroken, message: "EOF", httpStatus: 429, grpcCode: 8)
}

/// Thrown inside the simulator when a fault asks for a body that is not Argo's JSON; the HTTP face answers
/// `200 text/html`, the in-process gateway reports a malformed response.
public struct MalformedBody: Error, Sendable {}
