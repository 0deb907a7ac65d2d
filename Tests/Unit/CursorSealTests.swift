import Foundation
import Testing

@testable import Domain

@Suite("sealed continue tokens")
struct CursorSealTests {
    static let key = Data((0..<32).map { UInt8($0) })

    @Test("a sealed token opens for its binding only, under the same key; altered or foreign text is refused")
    func roundTrip() throws {
        let seal = CursorSeal(key: Self.key)
        let argo = #"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJzdGFydCI6ImFyZ28vbmlnaHRseSJ9"#
        let sealed = try seal.seal(argo, binding: "bearer:bob|data-*")
        #expect(sealed.hasPrefix("amcur1."))
        #expect(!sealed.contains(argo))
        #expect(try seal.open(sealed, binding: "bearer:bob|data-*") == argo)
        // Another replica with the same key reads it; one with another key does not.
        #expect(try CursorSeal(key: Self.key).open(sealed, binding: "bearer:bob|data-*") == argo)
        #expect(throws: ReadFailure.self) { try CursorSeal().open(sealed, binding: "bearer:bob|data-*") }
        #expect(throws: ReadFailure.self) { try seal.open(sealed, binding: "bearer:carol|") }
        var altered = Array(sealed)
        altered[altered.count - 3] = altered[altered.count - 3] == "A" ? "B" : "A"
        #expect(throws: ReadFailure.self) { try seal.open(String(altered), binding: "bearer:bob|data-*") }
        #expect(throws: ReadFailure.self) { try seal.open("amcur1.not-base64!", binding: "bearer:bob|data-*") }
        // A token that was never sealed passes as it is (an unfiltered listing's), except where a sealed one is due.
        #expect(try seal.open("plain-argo-token", binding: "x") == "plain-argo-token")
        #expect(throws: ReadFailure.self) { try seal.open("plain-argo-token", binding: "x", requireSealed: true) }
    }

    @Test("ARGO_MCP_STATE_KEY must be 32 bytes of base64")
    func keys() throws {
        #expect(try CursorSeal.key(base64: Self.key.base64EncodedString()) == Self.key)
        #expect(throws: PolicyDenied.self) { try CursorSeal.key(base64: "c2hvcnQ=") }
        #expect(throws: PolicyDenied.self) { try CursorSeal.key(base64: "not base64 at all") }
    }
}
