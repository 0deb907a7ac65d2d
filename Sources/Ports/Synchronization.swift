import Foundation

/// `status.synchronization` of a workflow (`pkg/apis/workflow/v1alpha1/workflow_types.go`
/// `SynchronizationStatus`): the semaphores and mutexes it holds and waits for. A lock is named by its key,
/// `<ns>/ConfigMap/<configMap>/<key>`, `<ns>/Database/<key>` or `<ns>/Mutex/<name>` (`workflow/sync/lock_name.go`);
/// a holder is `<ns>/<workflow>` or, for a template-level lock, `<ns>/<workflow>/<nodeID>` (v3.5.11+; older
/// servers wrote the last segment only).
public struct SynchronizationStatus: Sendable, Decodable, Equatable {
    /// A semaphore or mutex and its holders. Under `holding`, this workflow's holders; under `waiting`, the lock's
    /// current holders (whoever this workflow waits behind).
    public struct Entry: Sendable, Equatable {
        public var lock: String
        public var holders: [String]

        public init(lock: String, holders: [String]) {
            self.lock = lock
            self.holders = holders
        }
    }

    public var semaphoreHolding: [Entry]
    public var semaphoreWaiting: [Entry]
    public var mutexHolding: [Entry]
    public var mutexWaiting: [Entry]

    public init(
        semaphoreHolding: [Entry] = [], semaphoreWaiting: [Entry] = [], mutexHolding: [Entry] = [],
        mutexWaiting: [Entry] = []
    ) {
        self.semaphoreHolding = semaphoreHolding
        self.semaphoreWaiting = semaphoreWaiting
        self.mutexHolding = mutexHolding
        self.mutexWaiting = mutexWaiting
    }

    public var isEmpty: Bool {
        semaphoreHolding.isEmpty && semaphoreWaiting.isEmpty && mutexHolding.isEmpty && mutexWaiting.isEmpty
    }

    enum Keys: String, CodingKey { case semaphore, mutex, holding, waiting }
    struct SemaphoreHolding: Decodable {
        var semaphore: String?
        var holders: [String]
        enum CodingKeys: String, CodingKey { case semaphore, holders }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            semaphore = c.lenient(String.self, forKey: .semaphore)
            holders = c.lenientList(String.self, forKey: .holders)
        }
    }
    struct MutexHolding: Decodable {
        var mutex: String?
        var holder: String?
    }
    struct Lists<Item: Decodable>: Decodable {
        var holding: [Item]
        var waiting: [Item]
        enum CodingKeys: String, CodingKey { case holding, waiting }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            holding = c.lenientList(Item.self, forKey: .holding)
            waiting = c.lenientList(Item.self, forKey: .waiting)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let semaphores = c.lenient(Lists<SemaphoreHolding>.self, forKey: .semaphore)
        let mutexes = c.lenient(Lists<MutexHolding>.self, forKey: .mutex)
        func semaphoreEntries(_ items: [SemaphoreHolding]) -> [Entry] {
            items.compactMap { item in item.semaphore.map { Entry(lock: $0, holders: item.holders) } }
        }
        func mutexEntries(_ items: [MutexHolding]) -> [Entry] {
            items.compactMap { item in item.mutex.map { Entry(lock: $0, holders: item.holder.map { [$0] } ?? []) } }
        }
        semaphoreHolding = semaphoreEntries(semaphores?.holding ?? [])
        semaphoreWaiting = semaphoreEntries(semaphores?.waiting ?? [])
        mutexHolding = mutexEntries(mutexes?.holding ?? [])
        mutexWaiting = mutexEntries(mutexes?.waiting ?? [])
    }
}

/// A lock key read into its parts (`workflow/sync/lock_name.go` `DecodeLockName`).
public struct LockName: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A semaphore whose limit is a ConfigMap key.
        case configMap = "ConfigMap"
        /// A semaphore or mutex kept in the controllers' database (v3.7+).
        case database = "Database"
        /// A mutex in the controller's memory.
        case mutex = "Mutex"
    }

    public var namespace: String
    public var kind: Kind
    /// The ConfigMap (configMap kind), else nil.
    public var configMap: String?
    /// The ConfigMap key, the database key, or the mutex's name.
    public var key: String

    public init(namespace: String, kind: Kind, configMap: String? = nil, key: String) {
        self.namespace = namespace
        self.kind = kind
        self.configMap = configMap
        self.key = key
    }

    /// nil when the text is not a lock key of a known kind.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, !parts[0].isEmpty, let kind = Kind(rawValue: parts[1]) else { return nil }
        namespace = parts[0]
        self.kind = kind
        switch kind {
        case .configMap:
            guard parts.count == 4, !parts[2].isEmpty, !parts[3].isEmpty else { return nil }
            configMap = parts[2]
            key = parts[3]
        case .database, .mutex:
            guard parts.count == 3, !parts[2].isEmpty else { return nil }
            configMap = nil
            key = parts[2]
        }
    }

    public var description: String {
        [namespace, kind.rawValue, configMap, key].compactMap { $0 }.joined(separator: "/")
    }
}

/// Where a semaphore's limit is kept, as the SyncService (`/api/v1/sync`, Argo v4.0+) names it.
public enum SyncLimitStore: String, Sendable, CaseIterable {
    /// A key of a ConfigMap (`SyncConfigType` CONFIGMAP, 0).
    case configMap = "configmap"
    /// A row of the controllers' `sync_limit` table (`SyncConfigType` DATABASE, 1).
    case database
}

/// One semaphore limit, as `SyncService` answers it (`pkg/apiclient/sync/sync.proto` `SyncLimitResponse`).
public struct SyncLimit: Sendable, Equatable {
    public var namespace: String
    public var store: SyncLimitStore
    /// The ConfigMap holding the limit (configMap store only).
    public var configMap: String?
    public var key: String
    public var limit: Int

    public init(namespace: String, store: SyncLimitStore, configMap: String?, key: String, limit: Int) {
        self.namespace = namespace
        self.store = store
        self.configMap = configMap
        self.key = key
        self.limit = limit
    }

    /// The key of the semaphore this limit sizes.
    public var lock: LockName {
        LockName(
            namespace: namespace, kind: store == .configMap ? .configMap : .database, configMap: configMap, key: key)
    }
}

/// Which limit a SyncService call is about.
public struct SyncLimitQuery: Sendable, Equatable {
    public var namespace: String
    public var store: SyncLimitStore
    public var configMap: String?
    public var key: String

    public init(namespace: String, store: SyncLimitStore, configMap: String?, key: String) {
        self.namespace = namespace
        self.store = store
        self.configMap = configMap
        self.key = key
    }

    /// The limit query for a semaphore's lock key; nil for a mutex (its limit is 1, kept nowhere).
    public init?(_ lock: LockName) {
        switch lock.kind {
        case .configMap:
            self.init(namespace: lock.namespace, store: .configMap, configMap: lock.configMap, key: lock.key)
        case .database:
            self.init(namespace: lock.namespace, store: .database, configMap: nil, key: lock.key)
        case .mutex:
            return nil
        }
    }
}
