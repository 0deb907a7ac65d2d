import Domain
import Foundation
import MCP
import Synchronization

/// `subscriptions/listen` (MCP 2026-07-28), the revision's replacement for `resources/subscribe` and the GET
/// stream: one long request whose answer stream carries the acknowledgement, then `notifications/resources/updated`
/// for each subscribed workflow that changes, each tagged with the listen request's id. Workflows are followed as
/// `resources/subscribe` follows them (`ResourceSubscriptions.follow`: Argo's watch, taken up again when Argo ends
/// it), by whichever replica receives the request; nothing is kept anywhere else. The answer ends the stream: when
/// every subscribed workflow has completed or been deleted (nothing more will change), or at a graceful shutdown
/// (`ArgoMCPServer.endListens`). The client ends it by closing the stream (HTTP) or cancelling the request (stdio).
extension ArgoMCPServer {
    func modernListen(
        _ request: ModernRequest, emit: @escaping @Sendable (Data) async -> Void, ending: ListenEnding?
    ) async throws -> [String: Value] {
        guard let resources else {
            throw ModernError(
                id: request.id, code: ModernProtocol.Code.methodNotFound, "this server offers no resources to follow")
        }
        let invalid = { (why: String) in ModernError(id: request.id, code: ModernProtocol.Code.invalidParams, why) }
        var filter: [String: Value] = [:]
        switch request.params["notifications"] {
        case .object(let given)?: filter = given
        case nil: break
        default: throw invalid("params.notifications must be an object (a SubscriptionFilter)")
        }
        var uris: [String] = []
        switch filter["resourceSubscriptions"] {
        case .array(let given)?:
            // Counted before anything else is done with them.
            guard given.count <= ResourceSubscriptions.maxSubscriptions else {
                throw invalid(
                    "at most \(ResourceSubscriptions.maxSubscriptions) resources per subscriptions/listen (each holds a watch on Argo); \(given.count) were asked for"
                )
            }
            var seen = Set<String>()
            for item in given {
                guard case .string(let uri) = item else {
                    throw invalid("params.notifications.resourceSubscriptions must hold URIs (strings)")
                }
                if seen.insert(uri).inserted { uris.append(uri) }
            }
        case nil: break
        default: throw invalid("params.notifications.resourceSubscriptions must be an array of URIs")
        }
        // Each open listen holds a watch on Argo per workflow: the process holds a bounded number of them.
        guard Listens.open.add(1, ordering: .relaxed).newValue <= Listens.maxOpen else {
            Listens.open.subtract(1, ordering: .relaxed)
            throw invalid(
                "\(Listens.maxOpen) subscriptions/listen are open on this server already; close one, or follow the workflow with watch_workflow"
            )
        }
        defer { Listens.open.subtract(1, ordering: .relaxed) }
        // Honoured: workflows this caller may read that exist now. The list of tools, prompts and resources
        // never changes while the server runs, so those kinds are not honoured (nothing would come).
        var honoured: [(uri: String, namespace: String, name: String, watch: WatchWorkflow)] = []
        for uri in uris {
            // With several Argo Servers, argo://CONTEXT/workflows/… is followed in that context.
            guard let (server, target) = try? routeResource(uri),
                case .workflow(let namespace, let name) = ArgoResources.Target(target)
            else {
                logger.info("subscriptions/listen: \(uri.prefix(200)) is not a workflow; not followed")
                continue
            }
            do {
                let readable = server.resources ?? resources
                _ = try await server.readResource(target, readable)
                honoured.append((uri, namespace, name, readable.useCases.watch))
            } catch {
                logger.info("subscriptions/listen: \(uri.prefix(200)) is not followed: \(error)")
            }
        }
        let id = request.id
        let tag: Value = .object([ModernProtocol.Meta.subscriptionID: id])
        let acknowledged: Value = .object([
            "jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
            "params": .object([
                "_meta": tag,
                "notifications": .object(["resourceSubscriptions": .array(honoured.map { .string($0.uri) })]),
            ]),
        ])
        if let data = Self.encode(acknowledged) { await emit(data) }
        let followed = honoured
        await withTaskGroup(of: Void.self) { group in
            // Ends every follower when the server shuts down gracefully.
            group.addTask {
                while !Task.isCancelled && !Listens.begun.load(ordering: .relaxed) && ending?.ended != true {
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            // Ends when every subscribed workflow has completed or been deleted.
            group.addTask {
                await withTaskGroup(of: Void.self) { followers in
                    for target in followed {
                        followers.addTask {
                            await ResourceSubscriptions.follow(
                                namespace: target.namespace, name: target.name, watch: target.watch
                            ) {
                                let updated: Value = .object([
                                    "jsonrpc": "2.0", "method": "notifications/resources/updated",
                                    "params": .object(["_meta": tag, "uri": .string(target.uri)]),
                                ])
                                if !Task.isCancelled, let data = Self.encode(updated) { await emit(data) }
                            }
                        }
                    }
                }
            }
            // Whichever ends first ends the other.
            _ = await group.next()
            group.cancelAll()
        }
        return ["_meta": tag]
    }

    /// Ends every `subscriptions/listen` of this process, each with its answer, as a graceful shutdown begins.
    public static func endListens() {
        Listens.begun.store(true, ordering: .relaxed)
    }
}

/// Ends the listens of one connection (its input ended), each with its answer.
public final class ListenEnding: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func end() { flag.store(true, ordering: .relaxed) }

    var ended: Bool { flag.load(ordering: .relaxed) }
}

/// The process's listens: whether it is shutting down (they end), and how many are open.
enum Listens {
    static let begun = Atomic<Bool>(false)
    static let open = Atomic<Int>(0)
    static let maxOpen = 256
}
