import Auth
import BoundedYAML
import Domain
import Foundation
import Logging
import MCP
import MCPHTTP
import Ports

/// Who may call over HTTP (`auth.*`), which Host and Origin values are accepted (`http.allowedHosts`,
/// `http.allowedOrigins`), and what each caller may see (`namespaces.callers`, `namespaces.groups`).
struct AuthSettings: Sendable {
    /// none, bearer or oidc (nil: none).
    var mode: String?
    /// A YAML or JSON list of `{name, sha256, groups}` (bearer).
    var tokensFile: String?
    /// The same list as text, from `ARGO_MCP_BEARER_TOKENS` (e.g. a Secret mapped to the environment).
    var tokensText: String?
    var oidcIssuer: String?
    var oidcAudience: String?
    var oidcJWKSURL: String?
    var oidcNameClaim: String?
    var oidcGroupsClaim: String?
    /// The public URL of `/mcp` (e.g. https://argo-mcp.example.com/mcp): the resource in the RFC 9728 metadata.
    var publicURL: String?
    var allowedHosts: [String]?
    var allowedOrigins: [String]?
    var namespacesByCaller: [String: CallerRules] = [:]
    var namespacesByGroup: [String: CallerRules] = [:]

    /// Whether callers must authenticate.
    var authenticates: Bool { (mode ?? "none").lowercased() != "none" }

    /// `namespaces.callers` and `namespaces.groups` as the domain's rules.
    var callerRules: CallerNamespaceRules {
        func entries(_ table: [String: CallerRules], _ key: String) -> [String: NamespaceRules.CallerEntry] {
            var out: [String: NamespaceRules.CallerEntry] = [:]
            for (name, rules) in table {
                out[name] = .init(
                    source: "namespaces.\(key).\(name)", allow: rules.allow ?? ["*"], deny: rules.deny ?? [])
            }
            return out
        }
        return CallerNamespaceRules(
            byCaller: entries(namespacesByCaller, "callers"), byGroup: entries(namespacesByGroup, "groups"))
    }

    /// The HTTP transport's authentication as configured; nil for `none`.
    func authentication(logger: Logger) throws -> MCPHTTPServer.Authentication? {
        switch (mode ?? "none").lowercased() {
        case "none":
            return nil
        case "bearer":
            let entries = try bearerEntries()
            guard !entries.isEmpty else {
                throw ConfigError(
                    "auth.mode is bearer but no token is configured: set auth.tokensFile (ARGO_MCP_BEARER_TOKENS_FILE) or ARGO_MCP_BEARER_TOKENS to a list of {name, sha256, groups}; argo-mcp new-token NAME makes one"
                )
            }
            do {
                return .init(authenticator: try BearerTokenAuthenticator(entries))
            } catch {
                throw ConfigError("bearer tokens: \(error)")
            }
        case "oidc":
            guard let issuer = oidcIssuer, let issuerURL = URL(string: issuer), issuerURL.scheme != nil else {
                throw ConfigError(
                    "auth.mode is oidc but auth.oidc.issuer (ARGO_MCP_OIDC_ISSUER) is not set to the issuer's URL")
            }
            guard let audience = oidcAudience else {
                throw ConfigError(
                    "auth.mode is oidc but auth.oidc.audience (ARGO_MCP_OIDC_AUDIENCE) is not set; give the audience the issuer puts in tokens for argo-mcp"
                )
            }
            guard let publicURL, let resource = URL(string: publicURL), let host = resource.host else {
                throw ConfigError(
                    "auth.mode is oidc but auth.publicUrl (ARGO_MCP_PUBLIC_URL) is not the URL hosts reach /mcp at, e.g. https://argo-mcp.example.com/mcp; it is named in the OAuth metadata hosts discover"
                )
            }
            var metadataURL = URLComponents()
            metadataURL.scheme = resource.scheme
            metadataURL.host = host
            metadataURL.port = resource.port
            metadataURL.path = "/.well-known/oauth-protected-resource"
            let settings = OIDCAuthenticator.Settings(
                issuer: issuer, audience: audience, jwksURL: oidcJWKSURL, nameClaim: oidcNameClaim ?? "sub",
                groupsClaim: oidcGroupsClaim ?? "groups")
            return .init(
                authenticator: OIDCAuthenticator(settings, logger: logger),
                resourceMetadata: OAuthProtectedResourceServerMetadata(
                    resource: publicURL, authorizationServers: [issuerURL]),
                resourceMetadataURL: metadataURL.string)
        case let other:
            throw ConfigError("auth.mode '\(other)' is not none, bearer or oidc")
        }
    }

    /// The Host and Origin values accepted: loopback, plus the public URL's host, plus what is configured.
    var hostRules: MCPHTTPServer.HostRules {
        var rules = MCPHTTPServer.HostRules.loopback
        if let publicURL, let url = URL(string: publicURL), let host = url.host {
            rules.allowedHosts.append(url.port.map { "\(host):\($0)" } ?? host)
            rules.allowedHosts.append("\(host):*")
            rules.allowedOrigins.append("\(url.scheme ?? "https")://\(host)" + (url.port.map { ":\($0)" } ?? ""))
        }
        rules.allowedHosts += allowedHosts ?? []
        rules.allowedOrigins += allowedOrigins ?? []
        return rules
    }

    /// The bearer entries from the tokens file and `ARGO_MCP_BEARER_TOKENS`, together.
    func bearerEntries() throws -> [BearerTokenAuthenticator.Entry] {
        var entries: [BearerTokenAuthenticator.Entry] = []
        if let tokensFile {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: tokensFile))
            } catch {
                throw ConfigError("cannot read auth.tokensFile \(tokensFile): \(error.localizedDescription)")
            }
            entries += try Self.parseTokens(
                String(decoding: data, as: UTF8.self), source: "auth.tokensFile \(tokensFile)")
        }
        if let tokensText { entries += try Self.parseTokens(tokensText, source: "ARGO_MCP_BEARER_TOKENS") }
        return entries
    }

    struct TokenEntry: Decodable {
        var name: String
        var sha256: String
        var groups: [String]?
    }

    static func parseTokens(_ text: String, source: String) throws -> [BearerTokenAuthenticator.Entry] {
        do {
            let documents = try YAMLToJSON.documents(text, limits: YAMLLimits(maxBytes: 1 << 20))
            guard documents.count == 1, let json = documents.first else {
                throw ConfigError("\(source) must hold one YAML or JSON list of {name, sha256, groups}")
            }
            return try JSONDecoder().decode([TokenEntry].self, from: json).map {
                var hash = $0.sha256.trimmingCharacters(in: .whitespaces)
                if hash.lowercased().hasPrefix("sha256:") { hash.removeFirst(7) }
                return BearerTokenAuthenticator.Entry(name: $0.name, sha256: hash, groups: $0.groups ?? [])
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(
                "\(source) is not a list of {name, sha256, groups} (e.g. '- name: alice\\n  sha256: <64 hex digits>'): \(error)"
            )
        }
    }
}
