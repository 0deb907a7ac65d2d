import Foundation
import Ports
import Testing

@Suite("ArgoTime: the fast RFC 3339 path agrees with Foundation")
struct ArgoTimeTests {
    @Test(
        "timestamps Kubernetes and Argo write",
        arguments: [
            "2026-11-25T10:00:00Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2024-12-31T23:59:59Z",
            "2019-01-03T01:23:18Z", "2026-03-01T00:00:00+01:00", "2026-06-30T12:30:00-07:30",
            "1999-12-31T23:59:59.5Z", "2026-11-25T10:00:00.123456Z",
        ])
    func agrees(_ text: String) throws {
        let fast = try #require(ArgoTime.parse(text))
        let foundation =
            (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        let expected = try #require(foundation)
        #expect(abs(fast.timeIntervalSince(expected)) < 0.001, "\(text)")
    }

    @Test(
        "what is not a timestamp is nil", arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-25 10:00:00"])
    func rejects(_ text: String) {
        #expect(ArgoTime.parse(text) == nil)
    }
}
