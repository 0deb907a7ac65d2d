import Foundation
import Ports

/// What set_sync_limit changed.
public struct SyncLimitChange: Sendable, Codable, Equatable {
    public var namespace: String
    public var store: String
    public var configMap: String?
    public var key: String
    public var lock: String
    public var before: Int
    public var after: Int
    public var holders: [String]
    public var waiting: [String]
    public var notes: [String]
}

/// set_sync_limit: a semaphore's limit, changed through the SyncService (Argo v4.0+) after a preview of who holds
/// and waits for it.
public struct SyncLimitMutations: Sendable {
    let context: ArgoContext
    let runner: MutationRunner
    var gateway: any ArgoGateway { context.gateway }
    var reads: SynchronizationReads { SynchronizationReads(context) }

    public init(_ context: ArgoContext, runner: MutationRunner) {
        self.context = context
        self.runner = runner
    }

    public struct Request: Sendable {
        public var namespace: String?
        public var key: String
        public var store: SyncLimitStore
        public var configMap: String?
        public var limit: Int
        public var token: String?
        public var client: String?
        public var confirmer: (any Confirmer)?

        public init(
            namespace: String?, key: String, store: SyncLimitStore, configMap: String?, limit: Int, token: String?,
            client: String?, confirmer: (any Confirmer)?
        ) {
            self.namespace = namespace
            self.key = key
            self.store = store
            self.configMap = configMap
            self.limit = limit
            self.token = token
            self.client = client
            self.confirmer = confirmer
        }
    }

    /// The largest limit accepted (Argo's field is an int32; no real semaphore needs more).
    public static let maxLimit = 100_000

    /// What a new limit does to the holders and waiters, in words.
    /// Workflows of other namespaces can use the semaphore too (a reference with a namespace, v3.6+); the holders
    /// and waiters counted are those of the lock's namespace, and the text says so.
    static func impact(
        before: Int, after: Int, holders: Int, waiting: Int, store: SyncLimitStore, truncated: Bool, namespace: String
    ) -> String {
        var parts: [String] = []
        if after > before {
            let free = max(0, after - holders)
            parts.append(
                "in \(namespace), \(holders) workflow(s) hold it and \(waiting) wait: "
                    + (waiting == 0
                        ? "none waits there, so nothing there starts at once; later workflows find \(free) free place(s)"
                        : "up to \(min(free, waiting)) of the waiting can take it when the controller next reads the limit")
            )
        } else {
            parts.append(
                "in \(namespace), \(holders) workflow(s) hold it and \(waiting) wait: Argo does not take a held lock back, so the holders run on; no new holder until fewer than \(after) hold it"
            )
        }
        if store == .database {
            parts.append(
                "the controller caches database limits for synchronization.semaphoreLimitCacheSeconds, so it may act on the old limit that long"
            )
        }
        if truncated { parts.append("holders and waiters are counted over the first workflows read only") }
        return parts.joined(separator: "; ")
    }

    public func set(_ r: Request) async throws -> ConfirmableAnswer<SyncLimitChange> {
        var problems = SynchronizationReads.problems(
            namespace: r.namespace, key: r.key, store: r.store, configMap: r.configMap)
        if let p = rangeProblem("limit", r.limit, 1...Self.maxLimit) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(r.namespace)
        let query = SyncLimitQuery(namespace: ns, store: r.store, configMap: r.configMap, key: r.key)
        let lock = SyncLimit(namespace: ns, store: r.store, configMap: r.configMap, key: r.key, limit: r.limit).lock
            .description
        // The limit as the audit and the preview name it in its namespace: `<configMap>/<key>`, or the database key.
        let target = r.configMap.map { "\($0)/\(r.key)" } ?? r.key
        var args = ["namespace": ns, "key": r.key, "store": r.store.rawValue, "limit": String(r.limit)]
        if let cm = r.configMap { args["config_map"] = cm }

        var current: SyncLimit?
        var occupancy = SynchronizationReads.Occupancy()
        func inspect() async throws -> Inspection {
            let live: SyncLimit
            do {
                live = try await gateway.getSyncLimit(query)
            } catch let error as ArgoError where error.kind == .unimplemented {
                throw error.withHint(
                    "the SyncService came with Argo v4.0; on older servers change the limit in its ConfigMap with kubectl"
                )
            } catch let error as ArgoError where error.kind == .notFound {
                throw error.withHint(
                    "set_sync_limit changes a limit that exists; create it first (argo sync create, or the ConfigMap key)"
                )
            }
            current = live
            occupancy = try await reads.occupancy(namespace: ns)
            let holders = occupancy.holders[lock] ?? []
            let waiting = occupancy.waiting[lock] ?? []
            return Inspection(
                uid: nil, fingerprint: "limit \(live.limit)",
                refusal: live.limit == r.limit ? "the limit of \(lock) is already \(r.limit); nothing to change" : nil,
                preview: MutationPreview(
                    tool: Mutation.setSyncLimit.tool, namespace: ns, name: target, uid: nil,
                    phase: "limit \(live.limit)", startedAt: nil, activeNodes: [], activeNodeCount: 0,
                    pods: [],
                    effect:
                        "the limit of semaphore \(lock) becomes \(r.limit) (now \(live.limit))\(holders.isEmpty ? "" : "; holders: \(holders.prefix(10).joined(separator: ", "))")\(waiting.isEmpty ? "" : "; waiting: \(waiting.prefix(10).joined(separator: ", "))")",
                    impact: Self.impact(
                        before: live.limit, after: r.limit, holders: holders.count, waiting: waiting.count,
                        store: r.store, truncated: occupancy.truncated, namespace: ns),
                    confirmationToken: nil, expiresAt: nil))
        }

        let call = MutationRunner.Call(
            .setSyncLimit, target: "SyncLimit", namespace: ns, name: target, arguments: args,
            confirmationToken: r.token, client: r.client, confirmer: r.confirmer)
        let outcome = try await runner.run(call, inspect: inspect) {
            guard let before = current else {
                throw MutationRefused(reason: "the limit was not read", preview: nil)
            }
            let stored = try await gateway.updateSyncLimit(query, limit: r.limit)
            var notes: [String] = []
            if stored.limit != r.limit {
                notes.append("Argo stored \(stored.limit), not \(r.limit)")
            }
            return SyncLimitChange(
                namespace: ns, store: r.store.rawValue, configMap: r.configMap, key: r.key, lock: lock,
                before: before.limit, after: stored.limit, holders: occupancy.holders[lock] ?? [],
                waiting: occupancy.waiting[lock] ?? [], notes: notes)
        }
        return outcome.answer
    }
}
