import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import Metrics
import NIOCore
import Ports
import ServiceLifecycle
import Synchronization

/// The JSON-RPC ids of one session's requests that are not answered yet; a claim holds its id until it is released
/// (when the answer's stream has been written, or dropped because the client went away).
final class InFlightIDs: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// The id, taken; nil when a request of the session already holds it.
    func claim(_ id: String) -> Claim? {
        ids.withLock { $0.insert(id).inserted } ? Claim(id: id, owner: self) : nil
    }

    var count: Int { ids.withLock { $0.count } }

    final class Claim: Sendable {
        let id: String
        let owner: InFlightIDs
        init(id: String, owner: InFlightIDs) {
            self.id = id
            self.owner = owner
        }
        deinit { _ = owner.ids.withLock { $0.remove(id) } }
    }
}

/// POST requests taken and not yet answered (also the `argo_mcp_http_open_requests` gauge).
final class OpenRequests: Sendable {
    private let value = Atomic<Int>(0)
    private let gauge = Gauge(label: "argo_mcp_http_open_requests")
    var count: Int { value.load(ordering: .relaxed) }

    func add(_ n: Int) {
        let now = value.add(n, ordering: .relaxed).newValue
        gauge.record(now)
    }
}

/// One open request: counted while this lives (its answer's stream holds it), released when it is written.
final class RequestOpen: Sendable {
    let requests: OpenRequests
    /// The request's place among its caller's calls under way (fair use), given back with this.
    let permit = Mutex<FairUseMeter.Permit?>(nil)

    init(_ requests: OpenRequests) {
        self.requests = requests
        requests.add(1)
    }

    func hold(_ permit: FairUseMeter.Permit?) {
        self.permit.withLock { $0 = permit }
    }

    deinit { requests.add(-1) }
}
