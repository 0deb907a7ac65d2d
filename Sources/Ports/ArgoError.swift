/// An error from talking to Argo, keeping the server's code and message.
///
/// The kinds are a struct over a private enum so new ones can be added without breaking callers.
public struct ArgoError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case notFound, permissionDenied, unauthenticated, conflict, invalidArgument, unavailable, timeout,
                tls, malformedResponse, streamBroken, unimplemented, expired, server
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The object or namespace does not exist (gRPC 5, HTTP 404).
        public static let notFound = Kind(.notFound)
        /// The credentials lack rights (gRPC 7, HTTP 403).
        public static let permissionDenied = Kind(.permissionDenied)
        /// No or invalid credentials (gRPC 16, HTTP 401).
        public static let unauthenticated = Kind(.unauthenticated)
        /// Already exists or a concurrent change (gRPC 6/10, HTTP 409).
        public static let conflict = Kind(.conflict)
        /// The server rejected the request's content (gRPC 3/9/11, HTTP 400/412/422).
        public static let invalidArgument = Kind(.invalidArgument)
        /// The server could not be reached or is overloaded (connect failure, gRPC 14, HTTP 502/503).
        public static let unavailable = Kind(.unavailable)
        /// The request took longer than allowed (gRPC 4, HTTP 504, client timeout).
        public static let timeout = Kind(.timeout)
        /// The TLS handshake failed (certificate, CA bundle, protocol).
        public static let tls = Kind(.tls)
        /// The server answered with something that is not Argo's shape.
        public static let malformedResponse = Kind(.malformedResponse)
        /// A stream ended with an error frame or was cut.
        public static let streamBroken = Kind(.streamBroken)
        /// The server does not offer this call (gRPC 12, HTTP 501), e.g. no archive configured.
        public static let unimplemented = Kind(.unimplemented)
        /// A watch was asked to resume from a resourceVersion the cluster no longer keeps ("too old resource
        /// version", Kubernetes' 410 Gone, which Argo passes on as gRPC 3 / HTTP 400): read the current state and
        /// watch from there instead of retrying the same version.
        public static let expired = Kind(.expired)
        /// Any other server-side failure.
        public static let server = Kind(.server)

        public var description: String { base.rawValue }
    }

    public let kind: Kind
    public let message: String
    /// The HTTP status the server answered with, when there was one.
    public let httpStatus: Int?
    /// The gRPC code from Argo's error body, when there was one.
    public let grpcCode: Int?
    /// What the user can do about it, when the adapter knows (e.g. "set ARGO_TOKEN").
    public var hint: String?

    public init(_ kind: Kind, message: String, httpStatus: Int? = nil, grpcCode: Int? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.grpcCode = grpcCode
        self.hint = hint
    }

    /// The same error with a hint for the user.
    public func withHint(_ hint: String?) -> ArgoError {
        var copy = self
        copy.hint = hint
        return copy
    }

    /// Builds the error for Argo's `{"code":N,"message":"…"}` body (or a bare HTTP status).
    public static func fromServer(httpStatus: Int?, grpcCode: Int?, message: String) -> ArgoError {
        let kind = isExpiredMessage(message) ? .expired : kind(grpcCode: grpcCode, httpStatus: httpStatus)
        return ArgoError(kind, message: message, httpStatus: httpStatus, grpcCode: grpcCode)
    }

    /// Checks, just before a delete, that the object under the name is still the one that was previewed. Argo
    /// drops Kubernetes' delete preconditions for workflows and templates, so gateways compare the uid of a fresh
    /// read themselves and refuse with this conflict.
    public static func requireSameUID(_ live: String?, _ expected: String, _ what: String) throws {
        guard live == expected else {
            throw ArgoError(
                .conflict,
                message:
                    "\(what) is no longer the object that was previewed (uid \(expected), now \(live ?? "unknown")); nothing was deleted",
                httpStatus: 409,
                hint: "it was deleted and created again under the same name; read it again and decide on the new object"
            )
        }
    }

    /// The hint for a log read or watch of a workflow the server does not know.
    public static func missingWorkflowHint(namespace: String, name: String) -> String {
        "workflow \(namespace)/\(name) was not found: it may have been deleted or never existed; list_workflows shows what exists, list_archived_workflows what was archived"
    }

    /// Kubernetes' text for a watch resumed from a compacted resourceVersion (`apimachinery` `NewResourceExpired`:
    /// "too old resource version: 123 (456)"); Argo's `ToStatusError` turns its 410 into gRPC 3, so the text is
    /// what still tells it apart.
    public static func isExpiredMessage(_ message: String) -> Bool {
        message.localizedCaseInsensitiveContains("too old resource version")
    }

    static func kind(grpcCode: Int?, httpStatus: Int?) -> Kind {
        if httpStatus == 410 { return .expired }
        switch grpcCode {
        case 5: return .notFound
        case 7: return .permissionDenied
        case 16: return .unauthenticated
        case 6, 10: return .conflict
        case 3, 9, 11: return .invalidArgument
        case 14: return .unavailable
        case 4: return .timeout
        case 12: return .unimplemented
        default: break
        }
        switch httpStatus {
        case 404: return .notFound
        case 403: return .permissionDenied
        case 401: return .unauthenticated
        case 409: return .conflict
        case 400, 412, 422: return .invalidArgument
        case 502, 503: return .unavailable
        case 504: return .timeout
        case 501: return .unimplemented
        default: return .server
        }
    }

    public var description: String {
        var head = kind.description
        if let httpStatus { head += " (HTTP \(httpStatus)" + (grpcCode.map { ", code \($0)" } ?? "") + ")" }
        return "\(head): \(message)" + (hint.map { " — \($0)" } ?? "")
    }
}
