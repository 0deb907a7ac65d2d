import Foundation
import Ports

/// What every use case works in: the gateway it reaches Argo through, the namespace a call without one means, and
/// the clock.
public struct ArgoContext: Sendable {
    public let gateway: any ArgoGateway
    public let defaultNamespace: String
    public let now: @Sendable () -> Date

    public init(gateway: any ArgoGateway, defaultNamespace: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.gateway = gateway
        self.defaultNamespace = defaultNamespace
        self.now = now
    }

    /// `namespace`, or the default namespace when the caller named none.
    public func namespace(_ namespace: String?) -> String {
        namespace ?? defaultNamespace
    }
}
