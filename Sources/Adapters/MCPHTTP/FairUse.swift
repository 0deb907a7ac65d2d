import Foundation
import Metrics
import Ports
import Synchronization

/// Fair use over HTTP: per caller, a token bucket of calls per minute, one of mutations per minute, and a cap on
/// calls under way at once. A request over a limit is answered 429 with `Retry-After` and a JSON-RPC error that
/// says when to retry, before any of its work is done; other callers are not slowed by it.
///
/// A "call" is a request that reaches Argo: `tools/call`, `resources/read`, `prompts/get`, `completion/complete`,
/// `subscriptions/listen` (the handshake, listings, pings and notifications are free). The buckets live in this
/// process: with several replicas behind a balancer, each replica holds its own (see the README).
public struct FairUse: Sendable {
    /// One caller's limits; nil: no limit of that kind.
    public struct Limits: Sendable, Equatable, CustomStringConvertible {
        public var callsPerMinute: Int?
        public var concurrentCalls: Int?
        public var mutationsPerMinute: Int?
        /// Where they come from (`limits`, `limits.callers.alice`, `limits.groups.ci`), for the refusal.
        public var source: String
        /// Where one field comes from, when not from `source` (by field name: `concurrentCalls`).
        public var sources: [String: String] = [:]

        /// The setting a refusal names: `limits.groups.ci.concurrentCalls`.
        func setting(_ field: String) -> String { "\(sources[field] ?? source).\(field)" }

        public init(
            callsPerMinute: Int? = nil, concurrentCalls: Int? = nil, mutationsPerMinute: Int? = nil,
            source: String = "limits"
        ) {
            self.callsPerMinute = callsPerMinute
            self.concurrentCalls = concurrentCalls
            self.mutationsPerMinute = mutationsPerMinute
            self.source = source
        }

        public var isUnlimited: Bool { callsPerMinute == nil && concurrentCalls == nil && mutationsPerMinute == nil }

        public var description: String {
            [
                callsPerMinute.map { "\($0) calls/min" }, concurrentCalls.map { "\($0) at once" },
                mutationsPerMinute.map { "\($0) mutations/min" },
            ].compactMap { $0 }.joined(separator: ", ")
        }
    }

    /// The limits of a caller (nil: no authentication, one anonymous caller).
    public var limits: @Sendable (Caller?) -> Limits
    /// Whether a tool changes Argo (its calls also count against `mutationsPerMinute`).
    public var isMutation: @Sendable (String) -> Bool

    public init(
        limits: @escaping @Sendable (Caller?) -> Limits, isMutation: @escaping @Sendable (String) -> Bool
    ) {
        self.limits = limits
        self.isMutation = isMutation
    }

    /// The methods that count as calls.
    static let counted: Set<String> = [
        "tools/call", "resources/read", "prompts/get", "completion/complete", "subscriptions/listen",
    ]
}

/// The buckets and counts of every caller seen, and the decision for each request.
final class FairUseMeter: Sendable {
    let policy: FairUse
    private let state = Mutex<[String: CallerState]>([:])
    /// Callers kept at most; past it, those at rest (full buckets, nothing under way) are forgotten.
    private let maxCallers: Int
    private let clock = ContinuousClock()

    struct Bucket {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    struct CallerState {
        var calls: Bucket?
        var mutations: Bucket?
        var running = 0
    }

    /// A request over a limit: when to retry, and why.
    struct Refusal: Error, Sendable {
        var retryAfterSeconds: Int
        var message: String
        var limit: String
    }

    init(_ policy: FairUse, maxCallers: Int = 10_000) {
        self.policy = policy
        self.maxCallers = maxCallers
    }

    /// Admits one request of `caller` (its method, and the tool it calls), or refuses it. An admitted call holds
    /// its place among the calls under way until the returned permit is released.
    func admit(_ caller: Caller?, method: String, tool: String?) -> Result<Permit?, Refusal> {
        guard FairUse.counted.contains(method) else { return .success(nil) }
        let limits = policy.limits(caller)
        guard !limits.isUnlimited else { return .success(nil) }
        let key = caller?.description ?? "-"
        let who = caller?.description ?? "this caller"
        let mutation = method == "tools/call" && tool.map(policy.isMutation) == true
        let now = clock.now
        let decision: Result<Void, Refusal> = state.withLock { table in
            if table[key] == nil && table.count >= maxCallers { Self.forgetResting(&table, now: now, limits: limits) }
            var entry = table[key] ?? CallerState()
            defer { table[key] = entry }
            if let cap = limits.concurrentCalls, entry.running >= cap {
                return .failure(
                    Refusal(
                        retryAfterSeconds: 1,
                        message:
                            "\(who) has \(entry.running) calls under way, the most \(limits.setting("concurrentCalls")) allows (\(cap)); wait for one to finish and retry",
                        limit: "concurrent"))
            }
            var calls = limits.callsPerMinute.map { Self.refill(entry.calls, perMinute: $0, now: now) }
            var mutations =
                mutation ? limits.mutationsPerMinute.map { Self.refill(entry.mutations, perMinute: $0, now: now) } : nil
            for (bucket, perMinute, kind, setting) in [
                (calls, limits.callsPerMinute, "calls", "callsPerMinute"),
                (mutations, limits.mutationsPerMinute, "mutations", "mutationsPerMinute"),
            ] {
                guard let bucket, let perMinute, bucket.tokens < 1 else { continue }
                let wait = Int(((1 - bucket.tokens) * 60 / Double(perMinute)).rounded(.up))
                entry.calls = calls ?? entry.calls
                entry.mutations = mutations ?? entry.mutations
                return .failure(
                    Refusal(
                        retryAfterSeconds: max(1, wait),
                        message:
                            "\(who) made its \(perMinute) \(kind) of the last minute (\(limits.setting(setting))); retry after \(max(1, wait)) s",
                        limit: kind))
            }
            calls?.tokens -= 1
            mutations?.tokens -= 1
            entry.calls = calls ?? entry.calls
            entry.mutations = mutations ?? entry.mutations
            entry.running += 1
            return .success(())
        }
        switch decision {
        case .success:
            return .success(Permit(meter: self, key: key))
        case .failure(let refusal):
            Counter(label: "argo_mcp_rate_limited_total", dimensions: [("limit", refusal.limit)]).increment()
            return .failure(refusal)
        }
    }

    /// The bucket after refilling at `perMinute` a minute (at most `perMinute` tokens).
    static func refill(_ bucket: Bucket?, perMinute: Int, now: ContinuousClock.Instant) -> Bucket {
        let capacity = Double(max(1, perMinute))
        guard var bucket else { return Bucket(tokens: capacity, last: now) }
        let elapsed = now - bucket.last
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(capacity, bucket.tokens + seconds * capacity / 60)
        bucket.last = now
        return bucket
    }

    /// Forgets callers with nothing under way whose buckets have refilled (they would start full anyway).
    private static func forgetResting(
        _ table: inout [String: CallerState], now: ContinuousClock.Instant, limits: FairUse.Limits
    ) {
        table = table.filter { _, entry in
            entry.running > 0
                || [entry.calls, entry.mutations].contains { bucket in
                    guard let bucket else { return false }
                    return now - bucket.last < .seconds(60)
                }
        }
    }

    fileprivate func release(_ key: String) {
        state.withLock { table in
            if var entry = table[key] {
                entry.running = max(0, entry.running - 1)
                table[key] = entry
            }
        }
    }

    /// One admitted call's place among its caller's calls under way, given back when this is released.
    final class Permit: Sendable {
        let meter: FairUseMeter
        let key: String
        init(meter: FairUseMeter, key: String) {
            self.meter = meter
            self.key = key
        }
        deinit { meter.release(key) }
    }
}
