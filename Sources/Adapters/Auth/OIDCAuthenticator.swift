import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import Ports

/// OIDC access tokens (JWTs): the signature against the issuer's published keys (JWKS), then the issuer, the
/// audience, expiry and not-before, with a small leeway for clock skew. The caller's name and groups come from
/// configured top-level claims.
public struct OIDCAuthenticator: CallerAuthenticator {
    public struct Settings: Sendable, Equatable {
        /// The `iss` every token must carry, e.g. `https://dex.example.com`.
        public var issuer: String
        /// A value the token's `aud` must contain (this server's identifier at the issuer).
        public var audience: String
        /// Where the keys are; nil: read `jwks_uri` from the issuer's `/.well-known/openid-configuration`.
        public var jwksURL: String?
        /// The claim that names the caller (`sub`, `email`, `preferred_username`…).
        public var nameClaim: String
        /// The claim listing the caller's groups.
        public var groupsClaim: String
        public var leewaySeconds: Int

        public init(
            issuer: String, audience: String, jwksURL: String? = nil, nameClaim: String = "sub",
            groupsClaim: String = "groups", leewaySeconds: Int = 60
        ) {
            self.issuer = issuer
            self.audience = audience
            self.jwksURL = jwksURL
            self.nameClaim = nameClaim
            self.groupsClaim = groupsClaim
            self.leewaySeconds = leewaySeconds
        }
    }

    let settings: Settings
    let keys: JWKSCache
    let now: @Sendable () -> Date

    /// The longest token read; longer ones are refused before any parsing.
    static let maxTokenBytes = 16 << 10

    public init(
        _ settings: Settings, httpClient: HTTPClient = .shared, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.settings = settings
        self.keys = JWKSCache(settings: settings, httpClient: httpClient, logger: logger)
        self.now = now
    }

    public var method: String { "oidc" }

    public func authenticate(bearerToken token: String) async -> Result<Caller, AuthenticationFailure> {
        guard token.utf8.count <= Self.maxTokenBytes else {
            return .failure(.init(.invalid, "the access token is longer than \(Self.maxTokenBytes) bytes"))
        }
        let header: TokenHeader
        do {
            header = try TokenHeader(token)
        } catch {
            return .failure(.init(.invalid, "the access token is not a JWT (\(error))"))
        }
        let collection: JWTKeyCollection
        do {
            collection = try await keys.collection(for: header.kid)
        } catch let failure as AuthenticationFailure {
            return .failure(failure)
        } catch {
            return .failure(.init(.unavailable, "the issuer's signing keys could not be read: \(error)"))
        }
        let claims: AccessClaims
        do {
            claims = try await collection.verify(token, as: AccessClaims.self)
        } catch {
            return .failure(.init(.invalid, "the access token's signature does not verify against the issuer's keys"))
        }
        return check(claims)
    }

    /// The claims after the signature: who issued it, for whom, when it is valid, and who it names.
    func check(_ claims: AccessClaims) -> Result<Caller, AuthenticationFailure> {
        let now = self.now().timeIntervalSince1970
        let leeway = Double(settings.leewaySeconds)
        guard Self.sameIssuer(claims.issuer, settings.issuer) else {
            return .failure(
                .init(.invalid, "the access token was issued by \(claims.issuer ?? "nobody"), not \(settings.issuer)"))
        }
        guard claims.audience.contains(settings.audience) else {
            return .failure(
                .init(
                    .invalid,
                    "the access token is for \(claims.audience.isEmpty ? "no audience" : claims.audience.joined(separator: ", ")), not \(settings.audience)"
                ))
        }
        guard let expiry = claims.expiry else {
            return .failure(.init(.invalid, "the access token has no expiry (exp)"))
        }
        guard expiry + leeway > now else {
            return .failure(
                .init(.invalid, "the access token expired at \(ArgoTime.format(Date(timeIntervalSince1970: expiry)))"))
        }
        if let notBefore = claims.notBefore, notBefore - leeway > now {
            return .failure(
                .init(
                    .invalid,
                    "the access token is not valid before \(ArgoTime.format(Date(timeIntervalSince1970: notBefore)))"))
        }
        guard let name = claims.strings[settings.nameClaim], !name.isEmpty else {
            return .failure(.init(.invalid, "the access token has no '\(settings.nameClaim)' claim to name the caller"))
        }
        let groups = claims.lists[settings.groupsClaim] ?? claims.strings[settings.groupsClaim].map { [$0] } ?? []
        return .success(Caller(name: name, groups: groups, method: method))
    }

    static func sameIssuer(_ a: String?, _ b: String) -> Bool {
        guard let a else { return false }
        func trimmed(_ s: String) -> Substring { s.hasSuffix("/") ? s.dropLast() : Substring(s) }
        return trimmed(a) == trimmed(b)
    }
}

/// The JOSE header fields read before verification: which key (`kid`) and algorithm.
struct TokenHeader: Decodable {
    var kid: String?
    var alg: String?

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Malformed(description: "it has \(parts.count) parts, not 3") }
        var base64 = parts[0].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else {
            throw Malformed(description: "its header is not base64url")
        }
        do {
            self = try JSONDecoder().decode(TokenHeader.self, from: data)
        } catch {
            throw Malformed(description: "its header is not a JSON object")
        }
        if let alg, alg.lowercased() == "none" || alg.hasPrefix("HS") {
            throw Malformed(description: "algorithm \(alg) is not accepted (only the issuer's public keys are)")
        }
    }
}

/// The claims argo-mcp reads: the registered ones, and every top-level string or list of strings (for the
/// configured name and groups claims). Anything else in the payload is skipped.
struct AccessClaims: JWTPayload {
    var issuer: String?
    var audience: [String]
    var expiry: Double?
    var notBefore: Double?
    var strings: [String: String]
    var lists: [String: [String]]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var strings: [String: String] = [:]
        var lists: [String: [String]] = [:]
        var expiry: Double?
        var notBefore: Double?
        for key in c.allKeys {
            if let s = try? c.decode(String.self, forKey: key) {
                strings[key.stringValue] = s
            } else if let l = try? c.decode([String].self, forKey: key) {
                lists[key.stringValue] = l
            } else if let n = try? c.decode(Double.self, forKey: key) {
                if key.stringValue == "exp" { expiry = n }
                if key.stringValue == "nbf" { notBefore = n }
            }
        }
        self.strings = strings
        self.lists = lists
        self.issuer = strings["iss"]
        self.audience = lists["aud"] ?? strings["aud"].map { [$0] } ?? []
        self.expiry = expiry
        self.notBefore = notBefore
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (k, v) in strings { try c.encode(v, forKey: Key(stringValue: k)) }
        for (k, v) in lists { try c.encode(v, forKey: Key(stringValue: k)) }
    }

    /// The claims are checked after the signature, with argo-mcp's own messages (`OIDCAuthenticator.check`).
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The issuer's keys, fetched on first use and again when a token names a key not seen yet (at most every 30 s)
/// or after an hour.
actor JWKSCache {
    let settings: OIDCAuthenticator.Settings
    let httpClient: HTTPClient
    let logger: Logger
    private var collection: JWTKeyCollection?
    private var kids: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?
    private var jwksURL: String?

    static let maxDocumentBytes = 1 << 20
    static let refreshAfter = Duration.seconds(3600)
    static let minimumRefetch = Duration.seconds(30)

    init(settings: OIDCAuthenticator.Settings, httpClient: HTTPClient, logger: Logger) {
        self.settings = settings
        self.httpClient = httpClient
        self.logger = logger
        self.jwksURL = settings.jwksURL
    }

    func collection(for kid: String?) async throws -> JWTKeyCollection {
        let now = ContinuousClock.now
        let age = fetchedAt.map { now - $0 }
        let unknownKey = kid.map { !kids.contains($0) } ?? false
        if let collection, let age, age < Self.refreshAfter, !(unknownKey && age > Self.minimumRefetch) {
            return collection
        }
        do {
            try await refresh()
        } catch  where collection != nil {
            // Keep serving the keys we have when the issuer is briefly unreachable.
            logger.warning("could not refresh the issuer's keys", metadata: ["error": "\(error)"])
        }
        guard let collection else {
            throw AuthenticationFailure(.unavailable, "the issuer's signing keys could not be read")
        }
        return collection
    }

    private func refresh() async throws {
        let url = try await keysURL()
        let data = try await get(url)
        let fresh = JWTKeyCollection()
        let jwks = try JSONDecoder().decode(JWKS.self, from: data)
        var kids = Set<String>()
        for key in jwks.keys {
            // A key argo-mcp cannot use (an unknown type, no kid) is skipped, not fatal: issuers publish several.
            guard let kid = key.keyIdentifier else { continue }
            do {
                try await fresh.add(jwk: key)
                kids.insert(kid.string)
            } catch {
                logger.debug("skipping a JWKS key", metadata: ["kid": "\(kid.string)", "error": "\(error)"])
            }
        }
        guard !kids.isEmpty else {
            throw AuthenticationFailure(.unavailable, "the issuer's JWKS at \(url) holds no usable key")
        }
        collection = fresh
        self.kids = kids
        fetchedAt = .now
        logger.info("read the issuer's signing keys", metadata: ["jwks": "\(url)", "keys": "\(kids.count)"])
    }

    private func keysURL() async throws -> String {
        if let jwksURL { return jwksURL }
        let issuer = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let discovery = issuer + "/.well-known/openid-configuration"
        struct Configuration: Decodable {
            var jwksURI: String
            enum CodingKeys: String, CodingKey { case jwksURI = "jwks_uri" }
        }
        let document = try JSONDecoder().decode(Configuration.self, from: try await get(discovery))
        jwksURL = document.jwksURI
        return document.jwksURI
    }

    private func get(_ url: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await httpClient.execute(request, timeout: .seconds(10))
        guard response.status == .ok else {
            throw AuthenticationFailure(.unavailable, "\(url) answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: Self.maxDocumentBytes)
        return Data(body.readableBytesView)
    }
}
