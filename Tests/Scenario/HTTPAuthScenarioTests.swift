import AsyncHTTPClient
import Foundation
import Hummingbird
import JWTKit
import Logging
import MCP
import NIOCore
import Testing

/// Authentication over Streamable HTTP, against the built binary: bearer tokens and OIDC access tokens, the
/// caller's identity in sessions, audit records, confirmation tokens and namespace rules.
@Suite("HTTP authentication", .serialized, .timeLimit(.minutes(3)))
struct HTTPAuthScenarioTests {
    typealias Caller = HTTPServerProcess.BearerCaller
    static let alice = Caller(name: "alice", token: "amt_alice-\(UUID().uuidString)", groups: ["ops"])
    static let bob = Caller(name: "bob", token: "amt_bob-\(UUID().uuidString)", groups: ["data"])
    static let carol = Caller(name: "carol", token: "amt_carol-\(UUID().uuidString)")

    static func temporaryFile(_ name: String, _ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-\(name)-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The simulator served over HTTP with `config` as its config file and a fresh audit file; returns both.
    static func serve(config: String, callers: [Caller], extra: [String] = []) async throws -> (
        HTTPServerProcess, URL
    ) {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-audit-\(UUID().uuidString).jsonl")
        // Kept while the server runs: it watches its config file, and would log and audit a refused reload if the
        // file went away.
        let file = try temporaryFile("config.yaml", config)
        let server = try await HTTPServerProcess(
            ["serve", "--simulator", "--config", file.path] + extra, environment: ["ARGO_MCP_AUDIT_FILE": audit.path],
            callers: callers)
        return (server, audit)
    }

    static func remove(_ audit: URL) {
        for url in [audit, URL(fileURLWithPath: audit.path + ".tokens.json")] {
            try? FileManager.default.removeItem(at: url)
        }
    }

    static func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let t, _, _) = $0 { t } else { nil } }.joined(separator: "\n")
    }

    static func call(_ client: Client, _ name: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    @Test("bearer: no token and a wrong token get 401 with a Bearer challenge; the right one opens a session")
    func bearerChallenge() async throws {
        let server = try await HTTPServerProcess(["serve", "--simulator"], callers: [Self.alice])
        let missing = try await HTTPTransportScenarioTests.post(server.url, HTTPTransportScenarioTests.initialize)
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"] == #"Bearer realm="argo-mcp""#)
        #expect(missing.body.contains("Authorization: Bearer token is required"))

        let wrong = try await HTTPTransportScenarioTests.post(
            server.url, HTTPTransportScenarioTests.initialize, headers: [("Authorization", "Bearer amt_not-a-token")])
        #expect(wrong.status == 401)
        #expect(wrong.headers["www-authenticate"]?.contains(#"error="invalid_token""#) == true)
        #expect(!wrong.body.contains("amt_not-a-token"), "the refusal never repeats the credential")

        let basic = try await HTTPTransportScenarioTests.post(
            server.url, HTTPTransportScenarioTests.initialize, headers: [("Authorization", "Basic YTpi")])
        #expect(basic.status == 401)
        #expect(basic.body.contains("not 'Bearer TOKEN'"))

        let opened = try await HTTPTransportScenarioTests.post(
            server.url, HTTPTransportScenarioTests.initialize,
            headers: [("Authorization", "Bearer \(Self.alice.token)")])
        #expect(opened.status == 200)
        let session = try #require(opened.headers["mcp-session-id"])

        // The session is alice's: bob's valid token does not let him use it, and no token is not enough either.
        let list =
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}"#
        let sessionHeaders = [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25")]
        let anonymous = try await HTTPTransportScenarioTests.post(server.url, list, headers: sessionHeaders)
        #expect(anonymous.status == 401)
        _ = await server.stop()

        let shared = try await HTTPServerProcess(["serve", "--simulator"], callers: [Self.alice, Self.bob])
        let aliceSession = try await HTTPTransportScenarioTests.post(
            shared.url, HTTPTransportScenarioTests.initialize,
            headers: [("Authorization", "Bearer \(Self.alice.token)")])
        let aliceID = try #require(aliceSession.headers["mcp-session-id"])
        let hijack = try await HTTPTransportScenarioTests.post(
            shared.url, list,
            headers: [
                ("Mcp-Session-Id", aliceID), ("MCP-Protocol-Version", "2025-11-25"),
                ("Authorization", "Bearer \(Self.bob.token)"),
            ])
        #expect(hijack.status == 403)
        #expect(hijack.body.contains("belongs to another caller"))
        _ = await shared.stop()
    }

    @Test(
        "bearer: namespace rules per caller and group, the caller in every audit record, tokens only for their caller"
    )
    func callerPolicy() async throws {
        let (server, audit) = try await Self.serve(
            config: """
                namespaces:
                  callers:
                    alice: {allow: ["*"]}
                  groups:
                    data: {allow: ["data-*"]}
                """, callers: [Self.alice, Self.bob, Self.carol])
        defer { Self.remove(audit) }
        let alice = try await server.connectedClient(bearerToken: Self.alice.token)
        let bob = try await server.connectedClient(bearerToken: Self.bob.token)
        let carol = try await server.connectedClient(bearerToken: Self.carol.token)

        // alice sees every namespace; bob (group data) only data-*; carol matches no entry and sees none.
        let all = try await Self.call(alice, "list_workflows", ["all_namespaces": true, "limit": 50])
        let aliceNamespaces = Set(
            (all.structuredContent?.objectValue?["items"]?.arrayValue ?? []).compactMap {
                $0.objectValue?["namespace"]?.stringValue
            })
        #expect(aliceNamespaces == ["argo", "data-team"])
        let bobs = try await Self.call(bob, "list_workflows", ["all_namespaces": true, "limit": 50])
        let bobNamespaces = Set(
            (bobs.structuredContent?.objectValue?["items"]?.arrayValue ?? []).compactMap {
                $0.objectValue?["namespace"]?.stringValue
            })
        #expect(bobNamespaces == ["data-team"])
        let refused = try await Self.call(bob, "get_workflow", ["name": "nightly-etl-7x2kq", "namespace": "argo"])
        #expect(refused.isError == true)
        #expect(Self.text(refused).contains("namespace argo is not open to bearer:bob"))
        let nobody = try await Self.call(
            carol, "get_workflow", ["name": "report-weekly-h3k8s", "namespace": "data-team"])
        #expect(nobody.isError == true)
        #expect(Self.text(nobody).contains("bearer:carol matches no entry of namespaces.callers or namespaces.groups"))

        // A confirmation token is the caller's own: alice's preview cannot be carried out by bob.
        let preview = try await Self.call(
            alice, "delete_workflow", ["name": "report-weekly-h3k8s", "namespace": "data-team"])
        let token = try #require(preview.structuredContent?.objectValue?["confirmation_token"]?.stringValue)
        let stolen = try await Self.call(
            bob, "delete_workflow",
            ["name": "report-weekly-h3k8s", "namespace": "data-team", "confirmation_token": .string(token)])
        #expect(stolen.isError == true)
        #expect(Self.text(stolen).contains("issued to a different caller"))
        // bob's attempt did not use alice's token up: she still confirms with it.
        let confirmed = try await Self.call(
            alice, "delete_workflow",
            ["name": "report-weekly-h3k8s", "namespace": "data-team", "confirmation_token": .string(token)])
        #expect(confirmed.isError == false, "\(Self.text(confirmed))")
        // The token handed to bob with his refusal has its preview record, like every issued token.
        let bobsToken = try #require(stolen.structuredContent?.objectValue?["confirmation_token"]?.stringValue)

        // Every audit record names its caller.
        let records = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(
            records.contains { $0["decision"] as? String == "preview" && $0["caller"] as? String == "bearer:alice" })
        #expect(
            records.contains {
                $0["decision"] as? String == "refused" && $0["caller"] as? String == "bearer:bob"
                    && ($0["reason"] as? String)?.contains("different caller") == true
            })
        #expect(records.allSatisfy { $0["caller"] is String })
        #expect(
            records.contains {
                $0["decision"] as? String == "preview" && $0["caller"] as? String == "bearer:bob"
                    && $0["tokenID"] as? String == SharedStoreScenarioTests.tokenID(bobsToken)
            })
        #expect(
            records.filter { $0["tokenID"] as? String == SharedStoreScenarioTests.tokenID(token) }.compactMap {
                $0["decision"] as? String
            } == ["preview", "refused", "allowed", "succeeded"])
        for client in [alice, bob, carol] { await client.disconnect() }
        _ = await server.stop()
    }

    @Test("with authentication configured, listening beyond loopback is allowed")
    func beyondLoopback() async throws {
        let server = try await HTTPServerProcess(
            ["serve", "--simulator"], callers: [Self.alice], listen: "0.0.0.0:0")
        _ = try await server.connect()
        let listed = try await server.call("list_workflows", ["limit": 1])
        #expect(listed.isError == false)
        _ = await server.stop()
    }

    @Test("bearer misconfiguration stops start-up with the setting to fix")
    func bearerMisconfigured() throws {
        let (none, noneErr) = try ServerProcess.runToExit(
            ["serve", "--simulator", "--http", "127.0.0.1:0"], environment: ["ARGO_MCP_AUTH_MODE": "bearer"])
        #expect(none == 2)
        #expect(noneErr.contains("no token is configured"))
        let (bad, badErr) = try ServerProcess.runToExit(
            ["serve", "--simulator", "--http", "127.0.0.1:0"],
            environment: ["ARGO_MCP_AUTH_MODE": "bearer", "ARGO_MCP_BEARER_TOKENS": "- name: a\n  sha256: abc\n"])
        #expect(bad == 2)
        #expect(badErr.contains("sha256 must be the 64 hex digits"))
    }

    @Test("new-token prints a token and a tokens-file entry that the server accepts")
    func newToken() async throws {
        let (status, stdout, _) = try ServerProcess.runCapturing(["new-token", "dana", "--group", "data"])
        #expect(status == 0)
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let token = try #require(lines.first { $0.hasPrefix("amt_") })
        let entry = try #require(stdout.range(of: "- name: dana")).lowerBound
        let server = try await HTTPServerProcess(
            ["serve", "--simulator"], environment: ["ARGO_MCP_BEARER_TOKENS": String(stdout[entry...])],
            callers: [Caller(name: "dana", token: token)])
        _ = try await server.connect()
        #expect(try await server.call("list_workflows", ["limit": 1]).isError == false)
        _ = await server.stop()
    }

    // MARK: - OIDC

    /// A stand-in identity provider on loopback: OpenID discovery and a JWKS with one ES256 key.
    actor IdentityProvider {
        let key = ES256PrivateKey()
        let signer = JWTKeyCollection()
        var issuer = ""
        var task: Task<Void, any Error>?

        func start() async throws -> String {
            await signer.add(ecdsa: key, kid: "k1")
            let (x, y) = try #require(key.publicKey.parameters)
            let jwks =
                #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"k1","x":"\#(x)","y":"\#(y)"}]}"#
            let router = Router()
            let port = AsyncStream<Int>.makeStream()
            router.get("/jwks") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: jwks)))
            }
            let issuerBox = IssuerBox()
            router.get("/.well-known/openid-configuration") { _, _ in
                let issuer = await issuerBox.value
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(string: #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/jwks"}"#)))
            }
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in port.continuation.yield(channel.localAddress?.port ?? 0) },
                logger: Logger(label: "identity-provider") { _ in SwiftLogNoOpLogHandler() })
            task = Task { try await app.runService() }
            var iterator = port.stream.makeAsyncIterator()
            let bound = await iterator.next() ?? 0
            issuer = "http://127.0.0.1:\(bound)"
            await issuerBox.set(issuer)
            return issuer
        }

        actor IssuerBox {
            var value = ""
            func set(_ v: String) { value = v }
        }

        struct Claims: JWTPayload {
            var iss: String
            var aud: [String]
            var sub: String
            var email: String
            var groups: [String]
            var exp: Int
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }

        func token(
            audience: [String] = ["argo-mcp"], issuer: String? = nil, expiresIn: Int = 600, groups: [String] = ["data"]
        ) async throws -> String {
            try await signer.sign(
                Claims(
                    iss: issuer ?? self.issuer, aud: audience, sub: "u-123", email: "erin@example.com", groups: groups,
                    exp: Int(Date().timeIntervalSince1970) + expiresIn), kid: "k1")
        }

        func stop() { task?.cancel() }
    }

    @Test(
        "oidc: a valid access token opens a session named by its claim; expired, wrong audience, wrong issuer and a foreign signature get 401; RFC 9728 metadata is served"
    )
    func oidc() async throws {
        let provider = IdentityProvider()
        let issuer = try await provider.start()
        let (server, audit) = try await Self.serve(
            config: """
                auth:
                  mode: oidc
                  publicUrl: https://argo-mcp.example.com/mcp
                  oidc:
                    issuer: \(issuer)
                    audience: argo-mcp
                    nameClaim: email
                namespaces:
                  groups:
                    data: {allow: ["data-*"]}
                """, callers: [])
        defer { Self.remove(audit) }

        // Discovery: the metadata names this resource and its authorization server; a 401 points at it.
        let metadataURL = server.url.replacingOccurrences(of: "/mcp", with: "/.well-known/oauth-protected-resource")
        let metadata = try await HTTPTransportScenarioTests.get(metadataURL)
        #expect(metadata.status == 200)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(metadata.body.utf8)) as? [String: Any])
        #expect(document["resource"] as? String == "https://argo-mcp.example.com/mcp")
        #expect((document["authorization_servers"] as? [String])?.first?.hasPrefix(issuer) == true)
        let missing = try await HTTPTransportScenarioTests.post(server.url, HTTPTransportScenarioTests.initialize)
        #expect(missing.status == 401)
        #expect(
            missing.headers["www-authenticate"]?.contains(
                #"resource_metadata="https://argo-mcp.example.com/.well-known/oauth-protected-resource""#) == true)

        func refusal(_ token: String) async throws -> (Int, String) {
            let answer = try await HTTPTransportScenarioTests.post(
                server.url, HTTPTransportScenarioTests.initialize, headers: [("Authorization", "Bearer \(token)")])
            return (answer.status, answer.body)
        }
        let expired = try await refusal(provider.token(expiresIn: -3600))
        #expect(expired.0 == 401)
        #expect(expired.1.contains("the access token expired at"))
        let wrongAudience = try await refusal(provider.token(audience: ["another-api"]))
        #expect(wrongAudience.0 == 401)
        #expect(wrongAudience.1.contains("is for another-api, not argo-mcp"))
        let wrongIssuer = try await refusal(provider.token(issuer: "https://evil.example"))
        #expect(wrongIssuer.0 == 401)
        #expect(wrongIssuer.1.contains("issued by https://evil.example"))
        let foreign = IdentityProvider()
        _ = try await foreign.start()
        let forged = try await refusal(foreign.token())
        #expect(forged.0 == 401)
        #expect(forged.1.contains("signature does not verify"))
        await foreign.stop()
        let garbage = try await refusal("not.a.jwt")
        #expect(garbage.0 == 401)

        // A valid token: the session's caller is the email claim, with the groups claim for namespace rules.
        let client = try await server.connectedClient(bearerToken: try await provider.token())
        let refused = try await Self.call(client, "get_workflow", ["name": "nightly-etl-7x2kq", "namespace": "argo"])
        #expect(Self.text(refused).contains("namespace argo is not open to oidc:erin@example.com"))
        let allowed = try await Self.call(
            client, "get_workflow", ["name": "report-weekly-h3k8s", "namespace": "data-team"])
        #expect(allowed.isError != true)
        _ = try await Self.call(client, "delete_workflow", ["name": "report-weekly-h3k8s", "namespace": "data-team"])
        let records = try String(contentsOf: audit, encoding: .utf8)
        #expect(records.contains(#""caller":"oidc:erin@example.com""#))
        await client.disconnect()
        _ = await server.stop()
        await provider.stop()
    }
}
