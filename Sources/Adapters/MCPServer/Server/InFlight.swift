import Foundation

/// Counts tool calls under way, so that shutdown can wait for their answers.
public actor InFlight {
    private var count = 0
    public init() {}
    public func begin() { count += 1 }
    public func end() { count -= 1 }

    /// Returns when no call is under way, after `timeout` at the latest, or when the task is cancelled.
    public func drained(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while count > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
