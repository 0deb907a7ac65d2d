import Foundation
import Ports
import Testing

@testable import MCPHTTP

@Suite("fair use: token buckets and calls under way")
struct FairUseTests {
    static let alice = Caller(name: "alice", method: "bearer")
    static let bob = Caller(name: "bob", method: "bearer")

    static func meter(_ limits: FairUse.Limits) -> FairUseMeter {
        FairUseMeter(FairUse(limits: { _ in limits }, isMutation: { $0.hasPrefix("delete") }))
    }

    @Test("a bucket holds a minute's worth; past it the refusal says when one comes back; callers do not share")
    func buckets() throws {
        let meter = Self.meter(FairUse.Limits(callsPerMinute: 3))
        for _ in 0..<3 {
            #expect(throws: Never.self) { try meter.admit(Self.alice, method: "tools/call", tool: "get").get() }
        }
        let refusal = try #require(
            { () -> FairUseMeter.Refusal? in
                if case .failure(let r) = meter.admit(Self.alice, method: "tools/call", tool: "get") { return r }
                return nil
            }())
        // One call comes back every 20 s at 3 a minute.
        #expect(refusal.retryAfterSeconds > 0 && refusal.retryAfterSeconds <= 20, "\(refusal)")
        #expect(refusal.limit == "calls" && refusal.message.contains("limits.callsPerMinute"))
        #expect(throws: Never.self) { try meter.admit(Self.bob, method: "tools/call", tool: "get").get() }
        // What does not reach Argo is never counted.
        #expect(throws: Never.self) { try meter.admit(Self.alice, method: "tools/list", tool: nil).get() }
        #expect(throws: Never.self) { try meter.admit(Self.alice, method: "initialize", tool: nil).get() }
    }

    @Test("a refill adds calls at the minute's rate, never beyond the bucket")
    func refill() {
        let start = ContinuousClock.now
        let empty = FairUseMeter.Bucket(tokens: 0, last: start)
        #expect(abs(FairUseMeter.refill(empty, perMinute: 60, now: start + .seconds(2)).tokens - 2) < 0.001)
        #expect(FairUseMeter.refill(empty, perMinute: 60, now: start + .seconds(600)).tokens == 60)
        #expect(FairUseMeter.refill(nil, perMinute: 5, now: start).tokens == 5)
    }

    @Test("mutations draw on their own bucket too; calls under way are counted until their permit goes")
    func mutationsAndConcurrency() throws {
        let meter = Self.meter(FairUse.Limits(concurrentCalls: 2, mutationsPerMinute: 1))
        var first: FairUseMeter.Permit? = try meter.admit(Self.alice, method: "tools/call", tool: "delete_x").get()
        guard case .failure(let mutation) = meter.admit(Self.alice, method: "tools/call", tool: "delete_y") else {
            Issue.record("a second mutation in the minute was admitted")
            return
        }
        #expect(mutation.limit == "mutations")
        let second = try meter.admit(Self.alice, method: "resources/read", tool: nil).get()
        guard case .failure(let busy) = meter.admit(Self.alice, method: "tools/call", tool: "get") else {
            Issue.record("a third call under way was admitted")
            return
        }
        #expect(busy.limit == "concurrent" && busy.retryAfterSeconds == 1)
        first = nil
        #expect(first == nil)
        #expect(throws: Never.self) { try meter.admit(Self.alice, method: "tools/call", tool: "get").get() }
        withExtendedLifetime(second) {}
    }
}
