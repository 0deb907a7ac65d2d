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

/// Who calls: the bearer token of every request, checked before anything of the request is read.
extension MCPHTTPServer {
    /// The caller of `request`, or the answer refusing it: 401 with a `WWW-Authenticate` challenge (RFC 6750 §3)
    /// for a missing or refused token, 503 when the verifier cannot work.
    func authenticate(_ request: Request, _ authentication: Authentication) async -> Result<Caller, RefusedRequest> {
        var challenge = "Bearer realm=\"argo-mcp\""
        if let url = authentication.resourceMetadataURL { challenge += ", resource_metadata=\"\(url)\"" }
        guard let header = request.headers[.authorization] else {
            Self.refusedCallers(.missing)
            return .failure(Self.unauthorized(challenge, "an Authorization: Bearer token is required"))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            Self.refusedCallers(.invalid)
            return .failure(
                Self.unauthorized(
                    challenge + ", error=\"invalid_request\"", "the Authorization header is not 'Bearer TOKEN'"))
        }
        switch await authentication.authenticator.authenticate(bearerToken: String(parts[1])) {
        case .success(let caller):
            return .success(caller)
        case .failure(let failure) where failure.kind == .unavailable:
            Self.refusedCallers(.unavailable)
            logger.error("cannot authenticate callers", metadata: ["reason": "\(failure.reason)"])
            return .failure(
                .init(response: Self.plain(.serviceUnavailable, "cannot check credentials now: \(failure.reason)")))
        case .failure(let failure):
            Self.refusedCallers(.invalid)
            logger.info("refused a caller", metadata: ["reason": "\(failure.reason)"])
            let description = failure.reason.replacingOccurrences(of: "\"", with: "'")
            return .failure(
                Self.unauthorized(
                    challenge + ", error=\"invalid_token\", error_description=\"\(description)\"", failure.reason))
        }
    }

    static func refusedCallers(_ kind: AuthenticationFailure.Kind) {
        Counter(label: "argo_mcp_http_auth_failures_total", dimensions: [("reason", "\(kind)")]).increment()
    }

    struct RefusedRequest: Error {
        var response: Response
    }

    static func unauthorized(_ challenge: String, _ text: String) -> RefusedRequest {
        var response = plain(.unauthorized, text)
        response.headers[.wwwAuthenticate] = challenge
        return RefusedRequest(response: response)
    }
}
