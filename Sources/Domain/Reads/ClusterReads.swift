import Foundation
import Ports

public struct NamespaceEntry: Sendable, Codable, Equatable {
    public var namespace: String
    /// Where it was learned: managed (the server's managed namespace), default (configuration), workflows,
    /// cron-workflows, workflow-templates (seen in an all-namespace listing).
    public var sources: [String]
}

public struct NamespaceList: Sendable, Codable, Equatable {
    public var namespaces: [NamespaceEntry]
    public var managedNamespace: String?
    public var defaultNamespace: String
    /// Listings that could not be read (e.g. 403 across namespaces), with the reason.
    public var notes: [String]
    public var truncated: Bool
    /// The namespace rules in force, when they restrict anything.
    public var rules: String?
}

public struct ClusterInfo: Sendable, Codable, Equatable {
    public var version: ArgoVersion?
    public var managedNamespace: String?
    public var links: [String]
    public var user: ArgoUserInfo?
    public var connection: ConnectionDescription
    public var defaultNamespace: String
    public var notes: [String]
    /// What argo-mcp lets this caller do: the safety ceiling and the confirmation settings.
    public var policy: PolicyDescription? = nil
}

/// The policy as `get_cluster_info` shows it.
public struct PolicyDescription: Sendable, Codable, Equatable {
    /// read-only, mutating or destructive.
    public var allowedUpTo: String
    public var confirmationMode: String
    /// `confirmation.require`: safety classes and tools (empty when confirmation is off).
    public var confirmationRequired: [String]
    /// `confirmation.rules`, one line each.
    public var confirmationRules: [String]
    public var confirmationFallback: String

    init(_ policy: Policy) {
        allowedUpTo = policy.ceiling.rawValue
        confirmationMode = policy.confirmationMode.rawValue
        let on = policy.requireConfirmation && policy.ceiling > .readOnly
        confirmationRequired = on ? policy.confirmationRequired.sorted() : []
        confirmationRules = on ? policy.confirmationRules.map(\.summary) : []
        confirmationFallback = policy.confirmationFallback.rawValue
    }
}

public struct HealthCheck: Sendable, Codable, Equatable {
    public var name: String
    public var ok: Bool
    public var detail: String
    public var latencyMilliseconds: Int?
}

public struct HealthReport: Sendable, Codable, Equatable {
    public var healthy: Bool
    public var checks: [HealthCheck]
    public var connection: ConnectionDescription
}

/// Reads about the Argo installation itself: namespaces, identity, version, health.
public struct ClusterReads: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    let rules: NamespaceRules
    let clock: @Sendable () -> ContinuousClock.Instant

    /// What `info` reports of the policy (nil: nothing).
    let policy: Policy?

    public init(_ context: ArgoContext, rules: NamespaceRules = NamespaceRules(), policy: Policy? = nil) {
        self.context = context
        self.rules = rules
        self.policy = policy
        self.clock = { ContinuousClock.now }
    }

    /// At most this many objects are scanned per kind to collect namespaces.
    static let scanLimit = 2_000

    public func namespaces() async throws -> NamespaceList {
        var sources: [String: [String]] = [:]
        func add(_ namespace: String?, _ source: String) {
            guard let namespace, !namespace.isEmpty, rules.permits(namespace) else { return }
            if !(sources[namespace]?.contains(source) ?? false) { sources[namespace, default: []].append(source) }
        }
        var notes: [String] = []
        var truncated = false
        let managed = try? await gateway.info().managedNamespace
        add(managed, "managed")
        add(context.defaultNamespace, "default")
        for namespace in rules.literalAllowed { add(namespace, "allowed") }
        if let managed, !rules.permits(managed) {
            // The server sees only its managed namespace, and the rules deny it: there is nothing to scan.
            notes.append(
                "the Argo Server manages only namespace \(managed), which this server's namespace rules deny; no objects are listed"
            )
            return NamespaceList(
                namespaces: sources.sorted { $0.key < $1.key }.map {
                    NamespaceEntry(namespace: $0.key, sources: $0.value)
                },
                managedNamespace: managed, defaultNamespace: context.defaultNamespace, notes: notes, truncated: false,
                rules: rulesText)
        }
        do {
            var token: String?
            var seen = 0
            repeat {
                let page = try await gateway.listWorkflows(
                    WorkflowListQuery(
                        namespace: managed, limit: 500, continueToken: token,
                        fields: "metadata,items.metadata.namespace"))
                for wf in page.items { add(wf.metadata.namespace, "workflows") }
                seen += page.items.count
                token = page.continueToken
            } while token != nil && seen < Self.scanLimit
            if token != nil { truncated = true }
        } catch {
            notes.append("workflows could not be listed across namespaces: \(error)")
        }
        do {
            let crons = try await gateway.listCronWorkflows(DefinitionListQuery(namespace: managed, limit: 500))
            for c in crons.items { add(c.metadata.namespace, "cron-workflows") }
        } catch {
            notes.append("cron workflows could not be listed: \(error)")
        }
        do {
            let templates = try await gateway.listWorkflowTemplates(
                DefinitionListQuery(namespace: managed, limit: 500), clusterScope: false)
            for t in templates.items { add(t.metadata.namespace, "workflow-templates") }
        } catch {
            notes.append("workflow templates could not be listed: \(error)")
        }
        return NamespaceList(
            namespaces: sources.sorted { $0.key < $1.key }.map { NamespaceEntry(namespace: $0.key, sources: $0.value) },
            managedNamespace: managed, defaultNamespace: context.defaultNamespace, notes: notes, truncated: truncated,
            rules: rulesText
        )
    }

    /// For an answer that found nothing in `namespace`: when no Argo object argo-mcp can see lives there (a typo,
    /// a namespace the Argo Server does not manage), the namespaces that do hold some; nil when it is one of them.
    public func unknownNamespaceHint(_ namespace: String) async -> String? {
        guard let list = try? await namespaces() else { return nil }
        let known = list.namespaces.map(\.namespace)
        guard !known.isEmpty, !known.contains(namespace) else { return nil }
        let near = Text.nearest(namespace, in: known).map { "did you mean \($0)? " } ?? ""
        return
            "no Argo object argo-mcp can see is in namespace \(namespace); \(near)namespaces with some: \(known.prefix(10).joined(separator: ", "))\(known.count > 10 ? ", …" : "") (list_namespaces)"
    }

    var rulesText: String? {
        rules.isUnrestricted
            ? nil
            : "allow \(rules.allow.joined(separator: ", ")); deny \(rules.deny.isEmpty ? "none" : rules.deny.joined(separator: ", "))"
    }

    public func info() async throws -> ClusterInfo {
        var notes: [String] = []
        // The version is the reachability proof: if even that fails, the call fails with Argo's error.
        let version = try await gateway.version()
        var info: ArgoInfo?
        var user: ArgoUserInfo?
        do { info = try await gateway.info() } catch { notes.append("info: \(error)") }
        do { user = try await gateway.userInfo() } catch { notes.append("userinfo: \(error)") }
        return ClusterInfo(
            version: version, managedNamespace: info?.managedNamespace,
            links: (info?.links ?? []).map { "\($0.name ?? "link") (\($0.scope ?? "any")): \($0.url ?? "")" },
            user: user, connection: gateway.connection, defaultNamespace: context.defaultNamespace, notes: notes,
            policy: policy.map(PolicyDescription.init))
    }

    /// The server's version (one request: whether it answers).
    public func version() async throws -> ArgoVersion { try await gateway.version() }

    /// How argo-mcp is connected (address, TLS mode, kind of credentials; never the credentials).
    public var connection: ConnectionDescription { gateway.connection }

    public func health() async -> HealthReport {
        var checks: [HealthCheck] = []
        let (reachability, unreachable) = await reachabilityChecks()
        checks.append(contentsOf: reachability)
        if unreachable {
            return HealthReport(healthy: false, checks: checks, connection: gateway.connection)
        }
        checks.append(await authenticationCheck())
        let (list, sample) = await listWorkflowsCheck()
        checks.append(list)
        checks.append(await archiveCheck())
        checks.append(await logStreamingCheck(sample))
        return HealthReport(healthy: checks.allSatisfy(\.ok), checks: checks, connection: gateway.connection)
    }
}

/// The steps of `health()`.
extension ClusterReads {
    /// The body's result, and how long it took in milliseconds.
    private func timed<T>(_ body: () async throws -> T) async -> (Result<T, any Error>, Int) {
        let start = clock()
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        let elapsed = clock() - start
        return (
            result, Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        )
    }

    /// Whether the server answers and its version; `unreachable` when nothing answers there, so no other check runs.
    private func reachabilityChecks() async -> (checks: [HealthCheck], unreachable: Bool) {
        var checks: [HealthCheck] = []
        let (version, ms) = await timed { try await gateway.version() }
        switch version {
        case .success(let v):
            checks.append(
                HealthCheck(
                    name: "reachable", ok: true, detail: "the server answered /api/v1/version", latencyMilliseconds: ms)
            )
            checks.append(HealthCheck(name: "version", ok: true, detail: v.version, latencyMilliseconds: nil))
        case .failure(let e):
            checks.append(HealthCheck(name: "reachable", ok: false, detail: "\(e)", latencyMilliseconds: ms))
            // Nothing answers there: every other check would fail the same way, each after its own wait.
            if let argo = e as? ArgoError, [.unavailable, .timeout, .tls].contains(argo.kind) {
                checks.append(
                    HealthCheck(
                        name: "other checks", ok: false,
                        detail: "not run: the server cannot be reached (fix the connection first, as said above)",
                        latencyMilliseconds: nil))
                return (checks, true)
            }
        }
        return (checks, false)
    }

    /// Whether the server accepts the credentials, and as whom.
    private func authenticationCheck() async -> HealthCheck {
        let (user, userMs) = await timed { try await gateway.userInfo() }
        switch user {
        case .success(let u):
            return HealthCheck(
                name: "authenticated", ok: true, detail: "as \(u.subject ?? u.serviceAccountName ?? "anonymous")",
                latencyMilliseconds: userMs)
        case .failure(let e):
            return HealthCheck(name: "authenticated", ok: false, detail: "\(e)", latencyMilliseconds: userMs)
        }
    }

    /// Whether the default namespace's workflows can be listed, and one of them to read logs from.
    private func listWorkflowsCheck() async -> (check: HealthCheck, sample: Workflow?) {
        let (list, listMs) = await timed {
            try await gateway.listWorkflows(
                WorkflowListQuery(
                    namespace: context.defaultNamespace, limit: 1, fields: WorkflowListQuery.compactListFields))
        }
        switch list {
        case .success(let page):
            return (
                HealthCheck(
                    name: "list workflows", ok: true,
                    detail:
                        "namespace \(context.defaultNamespace): \(page.items.isEmpty ? "no workflows" : "readable")",
                    latencyMilliseconds: listMs),
                page.items.first
            )
        case .failure(let e):
            return (
                HealthCheck(
                    name: "list workflows", ok: false, detail: "namespace \(context.defaultNamespace): \(e)",
                    latencyMilliseconds: listMs),
                nil
            )
        }
    }

    /// Whether the workflow archive answers for the default namespace.
    private func archiveCheck() async -> HealthCheck {
        let (archive, archiveMs) = await timed {
            try await gateway.listArchivedWorkflows(ArchiveListQuery(namespace: context.defaultNamespace, limit: 1))
        }
        switch archive {
        case .success(let page):
            return HealthCheck(
                name: "archive", ok: true,
                detail: page.items.isEmpty
                    ? "answers, but holds nothing for \(context.defaultNamespace) (or no archive is configured)"
                    : "answers",
                latencyMilliseconds: archiveMs)
        case .failure(let e):
            return HealthCheck(name: "archive", ok: false, detail: "\(e)", latencyMilliseconds: archiveMs)
        }
    }

    /// Whether a log stream of `sample` opens, when there is a workflow to read.
    private func logStreamingCheck(_ sample: Workflow?) async -> HealthCheck {
        if let sample {
            let (logs, logMs) = await timed { () async throws -> Int in
                var n = 0
                for try await _ in gateway.workflowLogs(
                    LogQuery(
                        namespace: context.namespace(sample.metadata.namespace), workflowName: sample.metadata.name,
                        tailLines: 1))
                {
                    n += 1
                    if n >= 1 { break }
                }
                return n
            }
            switch logs {
            case .success(let n):
                return HealthCheck(
                    name: "log streaming", ok: true,
                    detail:
                        "\(sample.metadata.name): \(n == 0 ? "stream opened, no lines (pods may be gone)" : "lines arrive")",
                    latencyMilliseconds: logMs)
            case .failure(let e):
                return HealthCheck(
                    name: "log streaming", ok: false, detail: "\(sample.metadata.name): \(e)",
                    latencyMilliseconds: logMs)
            }
        } else {
            return HealthCheck(
                name: "log streaming", ok: true,
                detail: "not checked: no workflow in \(context.defaultNamespace) to read",
                latencyMilliseconds: nil)
        }
    }
}
