import Foundation

/// Who makes the calls of an MCP session, as the transport's authentication established it. Over stdio there is
/// none: the caller is whoever started the process.
public struct Caller: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The name the audit trail and the namespace rules know the caller by (a bearer token's name, or the
    /// configured claim of an OIDC access token).
    public var name: String
    /// Groups the caller belongs to (a bearer token's groups, or the OIDC groups claim), for namespace rules.
    public var groups: [String]
    /// How the caller was recognised: `bearer` or `oidc`.
    public var method: String

    public init(name: String, groups: [String] = [], method: String) {
        self.name = name
        self.groups = groups
        self.method = method
    }

    public var description: String { "\(method):\(name)" }
}

/// Why a request carries no acceptable credentials; `description` is safe to show the caller (it never repeats the
/// credential).
public struct AuthenticationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No `Authorization: Bearer …` header.
        case missing
        /// A credential that is not accepted (unknown, expired, wrong audience, bad signature…).
        case invalid
        /// The verifier could not do its work (e.g. the issuer's keys cannot be fetched); not the caller's fault.
        case unavailable
    }

    public var kind: Kind
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}

/// Turns the bearer credential of an HTTP request into a `Caller`.
public protocol CallerAuthenticator: Sendable {
    /// `bearer` or `oidc`, for logs and the `WWW-Authenticate` challenge.
    var method: String { get }
    /// The caller the token stands for, or the reason it is refused.
    func authenticate(bearerToken: String) async -> Result<Caller, AuthenticationFailure>
}
