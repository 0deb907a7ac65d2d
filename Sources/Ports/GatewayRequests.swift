import Foundation

/// Argo's submit options.
public struct SubmitOptions: Sendable, Equatable, Encodable {
    public var entryPoint: String?
    /// `name=value` pairs.
    public var parameters: [String]?
    /// `key=value,key=value`.
    public var labels: String?
    public var serviceAccount: String?

    public init(
        entryPoint: String? = nil, parameters: [String]? = nil, labels: String? = nil, serviceAccount: String? = nil
    ) {
        self.entryPoint = entryPoint
        self.parameters = parameters
        self.labels = labels
        self.serviceAccount = serviceAccount
    }
}

/// What Argo's `set` changes on the suspend nodes a selector matches.
public struct NodeUpdate: Sendable, Equatable {
    public var nodeFieldSelector: String
    /// `Succeeded`, `Failed` or `Error`; nil leaves the phase alone.
    public var phase: String?
    public var message: String?
    public var outputParameters: [String: String]

    public init(
        nodeFieldSelector: String, phase: String? = nil, message: String? = nil,
        outputParameters: [String: String] = [:]
    ) {
        self.nodeFieldSelector = nodeFieldSelector
        self.phase = phase
        self.message = message
        self.outputParameters = outputParameters
    }
}
