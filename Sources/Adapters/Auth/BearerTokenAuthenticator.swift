import Crypto
import Foundation
import Ports

/// Static bearer tokens, each with a name and groups, kept only as SHA-256 hashes (the tokens file or environment
/// variable holds hashes, so a leaked configuration gives nobody access).
public struct BearerTokenAuthenticator: CallerAuthenticator {
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// Lower-case hex SHA-256 of the token.
        public var sha256: String
        public var groups: [String]

        public init(name: String, sha256: String, groups: [String] = []) {
            self.name = name
            self.sha256 = sha256.lowercased()
            self.groups = groups
        }
    }

    let byHash: [String: Entry]

    /// - Throws: `BearerTokenError` when two entries share a hash or a name, or a hash is not 64 hex digits.
    public init(_ entries: [Entry]) throws {
        var byHash: [String: Entry] = [:]
        var names = Set<String>()
        for (index, entry) in entries.enumerated() {
            guard entry.sha256.count == 64, entry.sha256.allSatisfy(\.isHexDigit) else {
                throw BearerTokenError(
                    "entry \(index + 1) (\(entry.name)): sha256 must be the 64 hex digits of the token's SHA-256 (argo-mcp new-token prints one)"
                )
            }
            guard !entry.name.isEmpty else { throw BearerTokenError("entry \(index + 1): name is empty") }
            guard names.insert(entry.name).inserted else {
                throw BearerTokenError("entry \(index + 1): the name \(entry.name) is used twice")
            }
            guard byHash[entry.sha256] == nil else {
                throw BearerTokenError("entry \(index + 1) (\(entry.name)): the same token hash is listed twice")
            }
            byHash[entry.sha256] = entry
        }
        self.byHash = byHash
    }

    public var method: String { "bearer" }

    public func authenticate(bearerToken: String) async -> Result<Caller, AuthenticationFailure> {
        guard let entry = byHash[Self.sha256(bearerToken)] else {
            return .failure(AuthenticationFailure(.invalid, "the bearer token is not one of this server's tokens"))
        }
        return .success(Caller(name: entry.name, groups: entry.groups, method: method))
    }

    public static func sha256(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A fresh token: `amt_` and 256 random bits, base64url.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "amt_"
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

public struct BearerTokenError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
