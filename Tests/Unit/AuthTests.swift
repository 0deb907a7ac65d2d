import Foundation
import Logging
import Testing

@testable import ArgoMCP
@testable import Auth
@testable import Domain
@testable import Ports

@Suite("Authentication and per-caller rules")
struct AuthTests {
    static let base = NamespaceRules(allow: ["*"], deny: ["kube-system"])
    static let table = CallerNamespaceRules(
        byCaller: ["alice": .init(source: "namespaces.callers.alice", allow: ["team-a", "shared"], deny: [])],
        byGroup: [
            "data": .init(source: "namespaces.groups.data", allow: ["data-*"], deny: ["data-secret"]),
            "audit": .init(source: "namespaces.groups.audit", allow: ["*-secret"], deny: []),
        ])

    @Test("a caller gets the union of its entries, each with its own denies, within the server-wide rules")
    func callerRules() {
        let alice = Self.table.rules(for: Caller(name: "alice", groups: ["data"], method: "bearer"), within: Self.base)
        #expect(alice.permits("team-a"))
        #expect(alice.permits("data-x"))
        #expect(!alice.permits("data-secret"), "the data entry denies it and no other entry of alice allows it")
        #expect(!alice.permits("team-b"))
        #expect(!alice.isUnrestricted)
        #expect(alice.literalAllowed == ["team-a", "shared"])

        let auditor = Self.table.rules(
            for: Caller(name: "x", groups: ["data", "audit"], method: "oidc"), within: Self.base)
        #expect(auditor.permits("data-secret"), "another of the caller's entries allows it")
        #expect(auditor.permits("kube-secret"), "the audit entry allows every *-secret")
        let kube = Self.table.rules(
            for: Caller(name: "x", groups: ["audit"], method: "oidc"),
            within: NamespaceRules(allow: ["*"], deny: ["kube-*"]))
        #expect(!kube.permits("kube-secret"), "the server-wide deny wins over every caller entry")
        #expect(kube.refusal("kube-secret").contains("namespaces.deny 'kube-*'"))

        let stranger = Self.table.rules(for: Caller(name: "zed", method: "bearer"), within: Self.base)
        #expect(!stranger.permits("default"))
        #expect(stranger.refusal("default").contains("bearer:zed matches no entry"))
        #expect(stranger.literalAllowed.isEmpty)
    }

    @Test("without a caller or without per-caller entries the server-wide rules apply unchanged")
    func noCallerRules() {
        #expect(Self.table.rules(for: nil, within: Self.base) == Self.base)
        #expect(CallerNamespaceRules().rules(for: Caller(name: "a", method: "bearer"), within: Self.base) == Self.base)
        let everyone = CallerNamespaceRules(byCaller: [
            "*": .init(source: "namespaces.callers.*", allow: ["*"], deny: [])
        ])
        let anyone = everyone.rules(for: Caller(name: "a", method: "bearer"), within: Self.base)
        #expect(anyone.permits("default"))
        #expect(!anyone.permits("kube-system"))
    }

    static func claims(_ json: String) throws -> AccessClaims {
        try JSONDecoder().decode(AccessClaims.self, from: Data(json.utf8))
    }

    static let authenticator = OIDCAuthenticator(
        .init(issuer: "https://idp.example/", audience: "argo-mcp", nameClaim: "email"),
        logger: .init(label: "t") { _ in SwiftLogNoOpLogHandler() },
        now: { Date(timeIntervalSince1970: 1_000_000) })

    @Test("OIDC claims: leeway on expiry, not-before, a single-string audience and groups, the name claim")
    func oidcClaims() throws {
        let ok = try Self.claims(
            #"{"iss":"https://idp.example","aud":"argo-mcp","exp":999970,"email":"e@x","groups":"ops","nested":{"a":[1]}}"#
        )
        let caller = try Self.authenticator.check(ok).get()
        #expect(caller == Caller(name: "e@x", groups: ["ops"], method: "oidc"))

        let early = try Self.claims(
            #"{"iss":"https://idp.example","aud":["argo-mcp"],"exp":1000600,"nbf":1000300,"email":"e"}"#)
        guard case .failure(let notYet) = Self.authenticator.check(early) else {
            Issue.record("a token not yet valid was accepted")
            return
        }
        #expect(notYet.reason.contains("not valid before"))

        let stale = try Self.claims(#"{"iss":"https://idp.example","aud":["argo-mcp"],"exp":999900,"email":"e"}"#)
        #expect((try? Self.authenticator.check(stale).get()) == nil, "100 s past expiry is beyond the 60 s leeway")

        let noExpiry = try Self.claims(#"{"iss":"https://idp.example","aud":["argo-mcp"],"email":"e"}"#)
        #expect((try? Self.authenticator.check(noExpiry).get()) == nil)

        let unnamed = try Self.claims(#"{"iss":"https://idp.example","aud":["argo-mcp"],"exp":1000600,"sub":"u"}"#)
        guard case .failure(let noName) = Self.authenticator.check(unnamed) else {
            Issue.record("a token without the name claim was accepted")
            return
        }
        #expect(noName.reason.contains("no 'email' claim"))
    }

    @Test("a JWT header with alg none or an HMAC algorithm is refused before any key is looked up")
    func tokenHeaders() {
        func header(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        #expect(throws: TokenHeader.Malformed.self) { try TokenHeader(header(#"{"alg":"none"}"#) + ".e30.") }
        #expect(throws: TokenHeader.Malformed.self) {
            try TokenHeader(header(#"{"alg":"HS256","kid":"k"}"#) + ".e30.x")
        }
        #expect(throws: TokenHeader.Malformed.self) { try TokenHeader("only.two") }
        #expect((try? TokenHeader(header(#"{"alg":"ES256","kid":"k1"}"#) + ".e30.x"))?.kid == "k1")
    }

    @Test("bearer tokens: hashes only, 'sha256:' prefixes accepted, duplicates and bad hashes refused")
    func bearerEntries() async throws {
        let hash = BearerTokenAuthenticator.sha256("amt_x")
        let entries = try AuthSettings.parseTokens(
            "- name: a\n  sha256: sha256:\(hash.uppercased())\n  groups: [g]\n", source: "test")
        let auth = try BearerTokenAuthenticator(entries)
        #expect(
            try await auth.authenticate(bearerToken: "amt_x").get()
                == Caller(name: "a", groups: ["g"], method: "bearer"))
        #expect((try? await auth.authenticate(bearerToken: "amt_y").get()) == nil)
        #expect(throws: BearerTokenError.self) {
            try BearerTokenAuthenticator([
                .init(name: "a", sha256: hash), .init(name: "a", sha256: String(repeating: "0", count: 64)),
            ])
        }
        #expect(throws: BearerTokenError.self) {
            try BearerTokenAuthenticator([.init(name: "a", sha256: hash), .init(name: "b", sha256: hash)])
        }
        #expect(throws: ConfigError.self) { try AuthSettings.parseTokens("name: a", source: "test") }
        #expect(BearerTokenAuthenticator.newToken() != BearerTokenAuthenticator.newToken())
    }
}
