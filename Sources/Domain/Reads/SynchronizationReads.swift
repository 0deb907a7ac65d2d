import Foundation
import Ports

/// One semaphore or mutex: its limit and who holds it and waits for it, as the workflows' own
/// `status.synchronization` say.
public struct LockView: Sendable, Codable, Equatable {
    /// The lock's key, e.g. `argo/ConfigMap/semaphore-config/reports` or `argo/Mutex/deploy`.
    public var lock: String
    /// semaphore or mutex.
    public var type: String
    /// Where its limit lives: configmap, database (a semaphore or a database mutex) or memory (a mutex).
    public var store: String
    /// The semaphore's limit from the SyncService, or 1 for a mutex; nil when it could not be read (`limitNote`).
    public var limit: Int?
    public var limitNote: String?
    /// Holders of the lock found on the workflows read (`<ns>/<workflow>` or `<ns>/<workflow>/<nodeID>`).
    public var holders: [String]
    /// Workflows found waiting for it (`<ns>/<workflow>`).
    public var waiting: [String]
}

/// get_workflow_locks: what one workflow holds and waits for, and who else is on those locks.
public struct WorkflowLocks: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var phase: String
    public var holding: [LockView]
    public var waitingFor: [LockView]
    /// Nodes waiting for a template-level lock: node name and the lock.
    public var nodesWaiting: [NodeLockWait]
    /// Live workflows read to find the other holders and waiters.
    public var scanned: Int
    /// More workflows were running or pending than were read: holders and waiters may be missing.
    public var truncated: Bool
    public var notes: [String]
}

public struct NodeLockWait: Sendable, Codable, Equatable {
    public var node: String
    public var lock: String
}

/// get_sync_limit: one semaphore's limit and its holders and waiters.
public struct SyncLimitView: Sendable, Codable, Equatable {
    public var namespace: String
    public var store: String
    public var configMap: String?
    public var key: String
    public var lock: String
    public var limit: Int
    public var holders: [String]
    public var waiting: [String]
    public var scanned: Int
    public var truncated: Bool
    public var notes: [String]
}

/// Semaphores and mutexes (Argo's `synchronization`): which a workflow holds and waits for, who else does, and the
/// limits the SyncService keeps (v4.0+).
public struct SynchronizationReads: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }

    public init(_ context: ArgoContext) {
        self.context = context
    }

    /// Who holds and waits for each lock, from the live workflows of one namespace that are pending or running.
    public struct Occupancy: Sendable {
        public var holders: [String: [String]] = [:]
        public var waiting: [String: [String]] = [:]
        public var scanned = 0
        public var truncated = false
    }

    /// Workflows read per page, and pages at most, when looking for holders and waiters.
    static let scanPage = 250
    static let scanPages = 4

    /// The workflows that can hold or wait for a lock are live and not completed; their phase label says so.
    public func occupancy(namespace: String) async throws -> Occupancy {
        var result = Occupancy()
        var token: String?
        for _ in 0..<Self.scanPages {
            let page = try await gateway.listWorkflows(
                WorkflowListQuery(
                    namespace: namespace, phases: [.pending, .running], limit: Self.scanPage, continueToken: token,
                    fields:
                        "metadata,items.metadata.name,items.metadata.namespace,items.metadata.labels,items.status.phase,items.status.synchronization"
                ))
            for wf in page.items where !wf.isArchivedCopy {
                result.scanned += 1
                guard let sync = wf.status.synchronization else { continue }
                let me = "\(wf.metadata.namespace ?? namespace)/\(wf.metadata.name)"
                for entry in sync.semaphoreHolding + sync.mutexHolding {
                    result.holders[entry.lock, default: []] += entry.holders.map { Self.qualified($0, namespace) }
                }
                for entry in sync.semaphoreWaiting + sync.mutexWaiting {
                    result.waiting[entry.lock, default: []].append(me)
                }
            }
            guard let next = page.continueToken else { return result.sorted() }
            token = next
        }
        result.truncated = true
        return result.sorted()
    }

    /// Argo before v3.5.11 wrote a holder as its last segment only (the workflow name or node id).
    static func qualified(_ holder: String, _ namespace: String) -> String {
        holder.contains("/") ? holder : "\(namespace)/\(holder)"
    }

    /// A lock's limit: 1 for a mutex; a semaphore's from the SyncService, or why it could not be read.
    func limit(of lock: String) async -> (Int?, String?) {
        guard let name = LockName(lock) else {
            return (
                nil,
                "\(lock) is not a lock key this server knows (<ns>/ConfigMap/<cm>/<key>, <ns>/Database/<key>, <ns>/Mutex/<name>)"
            )
        }
        guard let query = SyncLimitQuery(name) else { return (1, nil) }
        do {
            return (try await gateway.getSyncLimit(query).limit, nil)
        } catch let error as ArgoError where error.kind == .unimplemented {
            let place =
                name.kind == .configMap
                ? "key \(name.key) of ConfigMap \(name.configMap ?? "?") in \(name.namespace) (kubectl -n \(name.namespace) get configmap \(name.configMap ?? "?") -o yaml)"
                : "the controllers' sync_limit table, row \(name.namespace)/\(name.key)"
            return (nil, "this Argo Server has no SyncService (Argo v4.0 added it); the limit is \(place)")
        } catch let error as ArgoError where error.kind == .notFound && name.kind == .database {
            // A database mutex has the same key shape as a database semaphore, and no limit row.
            return (
                nil,
                "no database limit \(name.namespace)/\(name.key): a database mutex (limit 1), or a semaphore whose limit row is missing (\(error.message))"
            )
        } catch let error as ArgoError {
            return (nil, "the limit could not be read: \(error.message)")
        } catch {
            return (nil, "the limit could not be read: \(error)")
        }
    }

    func view(_ lock: String, type: String, occupancy: Occupancy) async -> LockView {
        let store: String =
            switch LockName(lock)?.kind {
            case .configMap?: "configmap"
            case .database?: "database"
            case .mutex?: "memory"
            case nil: "unknown"
            }
        let (limit, note) = await limit(of: lock)
        return LockView(
            lock: lock, type: type, store: store, limit: type == "mutex" ? 1 : limit,
            limitNote: type == "mutex" ? nil : note, holders: occupancy.holders[lock] ?? [],
            waiting: occupancy.waiting[lock] ?? [])
    }

    public func locks(namespace: String?, name: String) async throws -> WorkflowLocks {
        let problems = Validation.target(namespace: namespace, name: name)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
        let sync = wf.status.synchronization ?? SynchronizationStatus()
        let nodesWaiting = wf.status.nodes.values.compactMap { node in
            node.waitingForLock.map { NodeLockWait(node: node.displayName ?? node.name, lock: $0) }
        }.sorted { ($0.lock, $0.node) < ($1.lock, $1.node) }
        var notes: [String] = []
        if sync.isEmpty && nodesWaiting.isEmpty {
            notes.append(
                wf.status.phase?.isCompleted == true
                    ? "\(ns)/\(name) has completed: it holds and waits for nothing (locks are released at the end)"
                    : "\(ns)/\(name) holds and waits for no semaphore or mutex now")
        }
        // The other holders and waiters, from the workflows of each lock's namespace (read once each).
        var scans: [String: Occupancy] = [:]
        var scanned = 0
        var truncated = false
        let locks = Set(
            (sync.semaphoreHolding + sync.semaphoreWaiting + sync.mutexHolding + sync.mutexWaiting).map(\.lock)
                + nodesWaiting.map(\.lock))
        for lock in locks.sorted() {
            let lockNamespace = LockName(lock)?.namespace ?? ns
            guard scans[lockNamespace] == nil else { continue }
            do {
                let o = try await occupancy(namespace: lockNamespace)
                scans[lockNamespace] = o
                scanned += o.scanned
                truncated = truncated || o.truncated
            } catch {
                scans[lockNamespace] = Occupancy()
                notes.append("the workflows of \(lockNamespace) could not be read for other holders: \(error)")
            }
        }
        func views(_ entries: [SynchronizationStatus.Entry], _ type: String) async -> [LockView] {
            var out: [LockView] = []
            for entry in entries {
                var v = await view(
                    entry.lock, type: type, occupancy: scans[LockName(entry.lock)?.namespace ?? ns] ?? Occupancy())
                // What the workflow itself says is kept, whether or not the scan saw it.
                let said = entry.holders.map { Self.qualified($0, LockName(entry.lock)?.namespace ?? ns) }
                v.holders = Array(Set(v.holders + said)).sorted()
                out.append(v)
            }
            return out
        }
        let holding = await views(sync.semaphoreHolding, "semaphore") + views(sync.mutexHolding, "mutex")
        var waitingFor = await views(sync.semaphoreWaiting, "semaphore") + views(sync.mutexWaiting, "mutex")
        for wait in nodesWaiting where !waitingFor.contains(where: { $0.lock == wait.lock }) {
            let type = LockName(wait.lock)?.kind == .mutex ? "mutex" : "semaphore"
            waitingFor.append(
                await view(wait.lock, type: type, occupancy: scans[LockName(wait.lock)?.namespace ?? ns] ?? Occupancy())
            )
        }
        for v in waitingFor {
            if let limit = v.limit, v.holders.count >= limit {
                notes.append(
                    "\(v.lock) is full: \(v.holders.count) holder(s) for a limit of \(limit); the wait ends when one releases it"
                )
            }
        }
        if truncated {
            notes.append(
                "more than \(Self.scanPage * Self.scanPages) workflows are pending or running: holders and waiters beyond them are not shown"
            )
        }
        return WorkflowLocks(
            namespace: ns, name: name, phase: WorkflowShaping.phaseName(wf), holding: holding, waitingFor: waitingFor,
            nodesWaiting: Array(nodesWaiting.prefix(50)), scanned: scanned, truncated: truncated, notes: notes)
    }

    public static func problems(namespace: String?, key: String, store: SyncLimitStore, configMap: String?)
        -> [ArgumentProblem]
    {
        var problems: [ArgumentProblem] = []
        if let namespace, let p = Validation.namespace(namespace) { problems.append(p) }
        // A ConfigMap key's characters (`[-._a-zA-Z0-9]+`, not `.` or `..`), which also keeps the path segment plain.
        let keyCharacters = key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
        if key.isEmpty || key.count > 253 || !keyCharacters || key == "." || key == ".." {
            problems.append(
                ArgumentProblem(
                    field: "key",
                    message:
                        "give the semaphore's key (the ConfigMap key or database key): letters, digits, '-', '_' and '.', at most 253"
                ))
        }
        switch store {
        case .configMap:
            if (configMap ?? "").isEmpty {
                problems.append(
                    ArgumentProblem(
                        field: "config_map", message: "a configmap limit needs the ConfigMap's name (config_map)"))
            } else if let cm = configMap, let p = Validation.objectName(cm, field: "config_map") {
                problems.append(p)
            }
        case .database:
            if configMap != nil {
                problems.append(
                    ArgumentProblem(
                        field: "config_map", message: "a database limit has no ConfigMap; leave config_map out"))
            }
        }
        return problems
    }

    public func syncLimit(namespace: String?, key: String, store: SyncLimitStore, configMap: String?) async throws
        -> SyncLimitView
    {
        let problems = Self.problems(namespace: namespace, key: key, store: store, configMap: configMap)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        let query = SyncLimitQuery(namespace: ns, store: store, configMap: configMap, key: key)
        let limit: SyncLimit
        do {
            limit = try await gateway.getSyncLimit(query)
        } catch let error as ArgoError where error.kind == .unimplemented {
            throw error.withHint(
                "the SyncService came with Argo v4.0; on older servers read the limit from its ConfigMap with kubectl")
        }
        let occupancy = try await occupancy(namespace: ns)
        let lock = limit.lock.description
        var notes: [String] = []
        let holders = occupancy.holders[lock] ?? []
        let waiting = occupancy.waiting[lock] ?? []
        if holders.count >= limit.limit && !waiting.isEmpty {
            notes.append("full: \(waiting.count) workflow(s) wait for one of the \(limit.limit) place(s)")
        }
        if occupancy.truncated {
            notes.append(
                "more than \(Self.scanPage * Self.scanPages) workflows are pending or running: holders and waiters beyond them are not shown"
            )
        }
        return SyncLimitView(
            namespace: ns, store: store.rawValue, configMap: limit.configMap, key: key, lock: lock, limit: limit.limit,
            holders: holders, waiting: waiting, scanned: occupancy.scanned, truncated: occupancy.truncated,
            notes: notes)
    }
}

extension SynchronizationReads.Occupancy {
    func sorted() -> Self {
        var copy = self
        copy.holders = holders.mapValues { Array(Set($0)).sorted() }
        copy.waiting = waiting.mapValues { Array(Set($0)).sorted() }
        return copy
    }
}
