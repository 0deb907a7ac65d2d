import Foundation
import Ports

/// Several Argo Servers served side by side (`contexts`): each context's use cases, made over its own gateway,
/// policy and namespace rules, and the reads that span them. A context that does not answer is reported as such
/// and never fails the others.
public struct ArgoContexts: Sendable {
    public struct Entry: Sendable {
        public let name: String
        /// The operator's words for it (`contexts.NAME.description`), e.g. "production, eu-west-1".
        public let description: String?
        public let useCases: UseCases
        public let policy: Policy

        public init(name: String, description: String?, useCases: UseCases, policy: Policy) {
            self.name = name
            self.description = description
            self.useCases = useCases
            self.policy = policy
        }
    }

    public let defaultName: String
    /// In the configuration's order (by name), each name once.
    public let entries: [Entry]
    /// How long one context may take to answer a read that spans every context.
    public let deadline: Duration

    public init(defaultName: String, entries: [Entry], deadline: Duration = .seconds(10)) {
        self.defaultName = defaultName
        self.entries = entries
        self.deadline = deadline
    }

    public var names: [String] { entries.map(\.name) }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The entry a `field` argument names, or an argument problem listing the contexts.
    public func entry(named name: String, field: String) throws -> Entry {
        if let entry = entry(name) { return entry }
        var message = "'\(name.prefix(64))' is not a context; the contexts are \(names.joined(separator: ", "))"
        if let near = Text.nearest(name, in: names) { message += "; did you mean '\(near)'?" }
        throw InvalidArguments([ArgumentProblem(field: field, message: message)])
    }

    /// `body` for every context at once, each within the deadline; a context that throws or takes longer is its
    /// own failure, in the entries' order.
    public func each<T: Sendable>(_ body: @escaping @Sendable (Entry) async throws -> T) async -> [(
        entry: Entry, result: Result<T, any Error>
    )] {
        let deadline = self.deadline
        return await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (index, entry) in entries.enumerated() {
                group.addTask {
                    (index, await Self.within(deadline, context: entry.name) { try await body(entry) })
                }
            }
            var results = [Result<T, any Error>?](repeating: nil, count: entries.count)
            for await (index, result) in group { results[index] = result }
            return entries.enumerated().map { index, entry in
                (entry, results[index] ?? .failure(CancellationError()))
            }
        }
    }

    /// `body`'s result, or a timeout naming the context once `limit` has passed.
    public static func within<T: Sendable>(
        _ limit: Duration, context: String, _ body: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error> {
        await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await body()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return nil }
                return .failure(
                    ArgoError(
                        .timeout,
                        message:
                            "context \(context) did not answer within \(limit.components.seconds) s; the other contexts are answered without it"
                    ))
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .failure(CancellationError())
        }
    }

    /// `list_contexts`: each context with its server, whether it answers and its version, and what argo-mcp lets
    /// this caller do there.
    public func list() async -> ContextList {
        let results = await each { entry in
            let started = ContinuousClock.now
            let version = try await entry.useCases.cluster.version()
            return (version, ContinuousClock.now - started)
        }
        let rows = results.map { entry, result in
            var row = ContextSummary(
                name: entry.name, isDefault: entry.name == defaultName, description: entry.description,
                connection: entry.useCases.cluster.connection, reachable: false,
                defaultNamespace: entry.useCases.defaultNamespace, policy: PolicyDescription(entry.policy),
                namespaces: entry.useCases.namespaceRules.summary)
            switch result {
            case .success(let (version, took)):
                row.reachable = true
                row.version = version.version
                row.latencyMilliseconds = Int(
                    took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000)
            case .failure(let error):
                row.error = "\(error)"
            }
            return row
        }
        return ContextList(defaultContext: defaultName, contexts: rows)
    }

    /// `health_check` across contexts: each context's own report, a dead one included.
    public func health() async -> [ContextHealth] {
        await each { entry in await entry.useCases.cluster.health() }.map { entry, result in
            switch result {
            case .success(let report): ContextHealth(context: entry.name, report: report)
            case .failure(let error):
                ContextHealth(
                    context: entry.name,
                    report: HealthReport(
                        healthy: false,
                        checks: [
                            HealthCheck(name: "reachable", ok: false, detail: "\(error)", latencyMilliseconds: nil)
                        ],
                        connection: entry.useCases.cluster.connection))
            }
        }
    }

    /// `list_workflows` with `all_contexts`: the same listing in every context, each context's rows labelled with
    /// it; a context that fails is noted with its reason and the others are answered.
    public func listWorkflows(_ request: ListWorkflowsRequest) async -> ContextWorkflowLists {
        let results = await each { entry in try await entry.useCases.workflows.list(request) }
        return ContextWorkflowLists(
            contexts: results.map { entry, result in
                switch result {
                case .success(let list):
                    ContextWorkflowList(
                        context: entry.name, result: list,
                        simulator: entry.useCases.cluster.connection.isSimulator ? true : nil)
                case .failure(let error): ContextWorkflowList(context: entry.name, error: "\(error)")
                }
            })
    }
}

/// One context as `list_contexts` shows it.
public struct ContextSummary: Sendable, Codable, Equatable {
    public var name: String
    public var isDefault: Bool
    public var description: String?
    /// The server's address, TLS mode and kind of credentials (never the credentials).
    public var connection: ConnectionDescription
    public var reachable: Bool
    public var version: String?
    public var latencyMilliseconds: Int?
    /// Why it could not be reached.
    public var error: String?
    public var defaultNamespace: String
    /// What argo-mcp lets this caller do there.
    public var policy: PolicyDescription
    /// The namespace rules there, when they restrict anything.
    public var namespaces: String?

    enum CodingKeys: String, CodingKey {
        case name
        case isDefault = "default"
        case description, connection, reachable, version
        case latencyMilliseconds = "latency_ms"
        case error
        case defaultNamespace = "default_namespace"
        case policy, namespaces
    }
}

public struct ContextList: Sendable, Codable, Equatable {
    public var defaultContext: String
    public var contexts: [ContextSummary]

    enum CodingKeys: String, CodingKey {
        case defaultContext = "default_context"
        case contexts
    }
}

public struct ContextHealth: Sendable, Codable, Equatable {
    public var context: String
    public var report: HealthReport
}

/// One context's page of a listing across contexts: its rows, or why it could not be listed.
public struct ContextWorkflowList: Sendable, Codable, Equatable {
    public var context: String
    public var result: WorkflowListResult?
    public var error: String?
    /// True when the context is argo-mcp's built-in simulator: its rows are demo data.
    public var simulator: Bool?

    public init(context: String, result: WorkflowListResult? = nil, error: String? = nil, simulator: Bool? = nil) {
        self.context = context
        self.result = result
        self.error = error
        self.simulator = simulator
    }
}

public struct ContextWorkflowLists: Sendable, Codable, Equatable {
    public var contexts: [ContextWorkflowList]
}
