import Foundation
import Ports

/// The SyncService (`pkg/apiclient/sync/sync.proto`, `server/sync`, Argo v4.0+): semaphore limits kept in a
/// ConfigMap or in the controllers' database.
///
/// `type` is Argo's `SyncConfigType` enum, which Argo's `encoding/json` marshaler writes as a number (CONFIGMAP = 0,
/// omitted; DATABASE = 1), and which the gateway reads from the query as a number (upstream's own e2e test sends
/// `type=1`); `cmName` names the ConfigMap.
extension ArgoHTTPGateway {
    struct SyncLimitBody: Codable {
        var type: Int?
        var namespace: String?
        var cmName: String?
        var key: String?
        var limit: Int?

        enum CodingKeys: String, CodingKey { case type, namespace, cmName, key, limit }

        init(type: Int?, namespace: String?, cmName: String?, key: String?, limit: Int?) {
            self.type = type
            self.namespace = namespace
            self.cmName = cmName
            self.key = key
            self.limit = limit
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // A gateway that writes enums by name says "DATABASE".
            type =
                (try? c.decodeIfPresent(Int.self, forKey: .type))
                ?? ((try? c.decodeIfPresent(String.self, forKey: .type)) == "DATABASE" ? 1 : nil)
            namespace = try? c.decodeIfPresent(String.self, forKey: .namespace)
            cmName = try? c.decodeIfPresent(String.self, forKey: .cmName)
            key = try? c.decodeIfPresent(String.self, forKey: .key)
            limit = try? c.decodeIfPresent(Int.self, forKey: .limit)
        }
    }

    static func syncType(_ store: SyncLimitStore) -> Int? { store == .database ? 1 : nil }

    func syncLimit(from data: Data, _ query: SyncLimitQuery) throws -> SyncLimit {
        let body = try decode("sync limit") { try JSONDecoder().decode(SyncLimitBody.self, from: data) }
        guard let limit = body.limit else {
            throw ArgoError(
                .malformedResponse, message: "the server's sync limit for \(query.key) carries no limit",
                hint: "is \(connectionSettings.baseURL.absoluteString) an Argo Server v4.0 or later?")
        }
        return SyncLimit(
            namespace: body.namespace ?? query.namespace, store: body.type == 1 ? .database : .configMap,
            configMap: body.cmName ?? query.configMap, key: body.key ?? query.key, limit: limit)
    }

    static func syncPath(_ query: SyncLimitQuery) -> String {
        "/api/v1/sync/\(segment(query.namespace))/\(segment(query.key))"
    }

    public func getSyncLimit(_ query: SyncLimitQuery) async throws -> SyncLimit {
        let data = try await get(
            path: Self.syncPath(query),
            query: [("type", Self.syncType(query.store).map(String.init)), ("cmName", query.configMap)])
        return try syncLimit(from: data, query)
    }

    public func updateSyncLimit(_ query: SyncLimitQuery, limit: Int) async throws -> SyncLimit {
        let body = SyncLimitBody(
            type: Self.syncType(query.store), namespace: nil, cmName: query.configMap, key: nil, limit: limit)
        let data = try await put(Self.syncPath(query), body)
        return try syncLimit(from: data, query)
    }
}
