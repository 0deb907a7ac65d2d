import Foundation
import Ports

/// The SyncService (`server/sync`, Argo v4.0+): semaphore limits in ConfigMap keys (`sync_cm.go`
/// `configMapSyncProvider`) and, when the controller config has `synchronization.enableAPI`, in the database's
/// `sync_limit` table (`sync_db.go` `dbSyncProvider`). Errors are upstream's words and codes.
extension ArgoSimulator {
    /// One limit as `SyncLimitResponse` carries it; `type` is the `SyncConfigType` number (0 CONFIGMAP, 1 DATABASE).
    public struct SyncLimitRecord: Sendable, Equatable {
        public var type: Int
        public var namespace: String
        public var cmName: String?
        public var key: String
        public var limit: Int

        /// As Argo's `encoding/json` marshaler writes it: `type` and `cmName` omitted when empty.
        public var json: Data {
            var object: [String: JSONValue] = [
                "namespace": .string(namespace), "key": .string(key), "limit": .int(limit),
            ]
            if type != 0 { object["type"] = .int(type) }
            if let cmName, !cmName.isEmpty { object["cmName"] = .string(cmName) }
            return JSONValue.object(object).encoded()
        }
    }

    static func badRequest(_ message: String) -> ArgoError {
        ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: message)
    }

    static func notFoundError(_ message: String) -> ArgoError {
        ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: message)
    }

    /// A ConfigMap's data, as the ConfigMap provider reads and writes it (seeding; not an Argo call).
    public func setConfigMap(namespace: String, name: String, data: [String: String]) {
        syncConfigMaps["\(namespace)/\(name)"] = data
    }

    /// A database limit row (seeding; not an Argo call). Turns the database provider on.
    public func setDatabaseLimit(namespace: String, key: String, limit: Int) {
        syncDatabaseLimits = (syncDatabaseLimits ?? [:]).merging(["\(namespace)/\(key)": limit]) { $1 }
    }

    /// Whether the server has the database provider (`synchronization.enableAPI`); without it a DATABASE call
    /// answers "unsupported sync config type: DATABASE".
    public func setDatabaseSyncAPI(_ enabled: Bool) {
        syncDatabaseLimits = enabled ? (syncDatabaseLimits ?? [:]) : nil
    }

    /// `SyncServer` dispatch (`sync_server.go`): the provider of `type`, or 400.
    func syncProvider(_ type: Int) throws {
        switch type {
        case 0: return
        case 1:
            guard syncDatabaseLimits != nil else { throw Self.badRequest("unsupported sync config type: DATABASE") }
        default:
            throw Self.badRequest("unsupported sync config type: \(type)")
        }
    }

    /// `GetSyncLimit`.
    public func getSyncLimit(namespace: String, key: String, type: Int, cmName: String?) async throws
        -> SyncLimitRecord
    {
        _ = try await failIfInjected(.sync)
        try syncProvider(type)
        if type == 1 {
            guard let limit = syncDatabaseLimits?["\(namespace)/\(key)"] else {
                throw Self.notFoundError("Database sync limit not found in namespace \"\(namespace)\".")
            }
            return SyncLimitRecord(type: 1, namespace: namespace, cmName: nil, key: key, limit: limit)
        }
        let cm = cmName ?? ""
        guard let data = syncConfigMaps["\(namespace)/\(cm)"] else {
            throw Self.notFoundError("configmaps \"\(cm)\" not found")
        }
        guard let text = data[key] else {
            throw Self.notFoundError("key \(key) not found in configmap \(namespace)/\(cm)")
        }
        guard let limit = Int(text) else {
            throw Self.badRequest("invalid limit format for key \(key) in configmap \(namespace)/\(cm)")
        }
        return SyncLimitRecord(type: 0, namespace: namespace, cmName: cm, key: key, limit: limit)
    }

    /// `UpdateSyncLimit`: the limit must be positive and the key must exist.
    public func updateSyncLimit(namespace: String, key: String, type: Int, cmName: String?, limit: Int) async throws
        -> SyncLimitRecord
    {
        _ = try await failIfInjected(.sync)
        try syncProvider(type)
        guard limit > 0 else { throw Self.badRequest("limit must be greater than zero") }
        if type == 1 {
            guard syncDatabaseLimits?["\(namespace)/\(key)"] != nil else {
                throw Self.notFoundError("Database sync limit not found in namespace \"\(namespace)\".")
            }
            syncDatabaseLimits?["\(namespace)/\(key)"] = limit
            return SyncLimitRecord(type: 1, namespace: namespace, cmName: nil, key: key, limit: limit)
        }
        let cm = cmName ?? ""
        guard syncConfigMaps["\(namespace)/\(cm)"] != nil else {
            throw Self.notFoundError("configmaps \"\(cm)\" not found")
        }
        guard syncConfigMaps["\(namespace)/\(cm)"]?[key] != nil else {
            throw Self.notFoundError("key \(key) not found in configmap \(namespace)/\(cm) - please create it first")
        }
        syncConfigMaps["\(namespace)/\(cm)"]?[key] = String(limit)
        return SyncLimitRecord(type: 0, namespace: namespace, cmName: cm, key: key, limit: limit)
    }
}
