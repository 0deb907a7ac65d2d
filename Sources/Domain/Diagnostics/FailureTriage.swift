import Foundation
import Ports

/// The failed runs of a namespace since a time, each analyzed briefly, grouped by what caused them: the answer to
/// "what broke overnight?" (the `triage_failures` prompt).
public struct FailureTriage: Sendable {
    public struct Request: Sendable, Equatable {
        public var namespace: String?
        /// `24h`, `7d`, `90m`, or an RFC 3339 time.
        public var since: String
        /// At most this many runs are analyzed (newest first); the rest are counted.
        public var limit: Int

        public static let maxLimit = 50

        public init(namespace: String? = nil, since: String = "24h", limit: Int = 20) {
            self.namespace = namespace
            self.since = since
            self.limit = limit
        }
    }

    /// One failed run and its first root cause.
    public struct Run: Sendable, Codable, Equatable {
        public var name: String
        public var startedAt: String?
        public var category: String
        public var template: String?
        public var node: String?
        public var message: String?
    }

    /// Runs that failed the same way: the same category in the same template.
    public struct Group: Sendable, Codable, Equatable {
        public var category: String
        public var template: String?
        public var runs: [String]
        public var example: String?
    }

    public struct Report: Sendable, Codable, Equatable {
        public var namespace: String
        public var since: String
        public var failedRuns: Int
        public var analyzed: [Run]
        public var groups: [Group]
        /// Failed runs found but not analyzed (beyond the limit).
        public var notAnalyzed: Int
        public var notes: [String]
    }

    let context: ArgoContext

    public init(_ context: ArgoContext) {
        self.context = context
    }

    /// The cut-off `since` names, or nil when it is neither a duration nor a time.
    static func cutoff(_ since: String, now: Date) -> Date? {
        if let seconds = Validation.durationSeconds(since) { return now.addingTimeInterval(-Double(seconds)) }
        return ArgoTime.parse(since)
    }

    public func triage(_ request: Request) async throws -> Report {
        let namespace = request.namespace ?? context.defaultNamespace
        var problems: [ArgumentProblem] = []
        let cutoff = Self.cutoff(request.since, now: context.now())
        if cutoff == nil {
            problems.append(
                ArgumentProblem(
                    field: "since",
                    message: "'\(request.since)' is neither a duration (24h, 7d, 90m) nor an RFC 3339 time"))
        }
        if !(1...Request.maxLimit).contains(request.limit) {
            problems.append(
                ArgumentProblem(
                    field: "limit", message: "\(request.limit) is out of range; give 1 to \(Request.maxLimit)"))
        }
        guard problems.isEmpty, let cutoff else { throw InvalidArguments(problems) }

        // Newest first, page by page, until the runs start before the cut-off (bounded).
        let reads = WorkflowReads(context)
        var failed: [WorkflowRow] = []
        var continueToken: String?
        var notes: [String] = []
        pages: for page in 0..<10 {
            let result = try await reads.list(
                ListWorkflowsRequest(
                    namespace: namespace, phases: ["Failed", "Error"], limit: 100, continueToken: continueToken))
            for row in result.items {
                guard let started = ArgoTime.parse(row.startedAt) else { continue }
                if started < cutoff { continue }
                failed.append(row)
            }
            continueToken = result.continue
            if continueToken == nil { break pages }
            if page == 9 { notes.append("stopped after 1,000 failed runs; narrow 'since'") }
        }
        failed.sort { ($0.startedAt ?? "") > ($1.startedAt ?? "") }

        let diagnostics = Diagnostics(context)
        var runs: [Run] = []
        for row in failed.prefix(request.limit) {
            do {
                let analysis = try await diagnostics.analyzeFailure(
                    .init(
                        target: .init(namespace: row.namespace, name: row.name, uid: row.uid), maxCauses: 1,
                        logLines: 50))
                let cause = analysis.rootCauses.first
                runs.append(
                    Run(
                        name: row.name, startedAt: row.startedAt, category: cause?.category ?? "unknown",
                        template: cause?.template, node: cause?.node,
                        message: (cause?.message ?? analysis.message).map { Text.trim($0, to: 200).0 ?? $0 }))
            } catch {
                runs.append(
                    Run(
                        name: row.name, startedAt: row.startedAt, category: "not analyzed", template: nil, node: nil,
                        message: Text.trim("\(error)", to: 200).0))
            }
        }
        return Report(
            namespace: namespace, since: ArgoTime.format(cutoff), failedRuns: failed.count, analyzed: runs,
            groups: Self.groups(runs), notAnalyzed: max(0, failed.count - runs.count), notes: notes)
    }

    /// Runs with the same category and template together, largest group first.
    static func groups(_ runs: [Run]) -> [Group] {
        var order: [String] = []
        var byKey: [String: Group] = [:]
        for run in runs {
            let key = run.category + "\u{0}" + (run.template ?? "")
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = Group(category: run.category, template: run.template, runs: [], example: run.message)
            }
            byKey[key]?.runs.append(run.name)
        }
        return order.compactMap { byKey[$0] }.enumerated().sorted {
            ($0.element.runs.count, -$0.offset) > ($1.element.runs.count, -$1.offset)
        }.map(\.element)
    }
}
