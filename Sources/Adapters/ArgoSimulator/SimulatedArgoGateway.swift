import ArgoWire
import Foundation
import Ports

/// The simulator behind the gateway port, in-process. It answers with the same JSON the HTTP face serves and decodes
/// it the way the live adapter does, so both paths exercise Argo's shape.
public struct SimulatedArgoGateway: ArgoGateway {
    public let simulator: ArgoSimulator

    /// Runs one simulator call, reporting an injected malformed body the way the live adapter would.
    func call<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch is MalformedBody {
            throw ArgoError(.malformedResponse, message: "the server's \(what) is not in Argo's shape (simulated)")
        }
    }

    public init(simulator: ArgoSimulator) {
        self.simulator = simulator
    }

    public func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        try await WorkflowPage.merged(query) { try await listWorkflowsPage($0) }
    }

    /// One page as the simulated server answers it (no rows merged).
    func listWorkflowsPage(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        let data = try await call("response") { try await simulator.listWorkflowsJSON(.init(query)) }
        return try WorkflowPage.decode(from: data)
    }

    public func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow {
        try await call("response") {
            try Workflow.decode(from: await simulator.workflowJSON(namespace: namespace, name: name, fields: fields))
        }
    }

    public func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let plan: ArgoSimulator.LogPlan
                    do {
                        plan = try await simulator.logPlan(query)
                    } catch let error as ArgoError where error.kind == .notFound {
                        throw error.withHint(
                            ArgoError.missingWorkflowHint(namespace: query.namespace, name: query.workflowName))
                    }
                    // Like the HTTP face: at most `breakAfter` lines, then the break.
                    for entry in plan.entries.prefix(plan.breakAfter ?? .max) { continuation.yield(entry) }
                    if plan.breakAfter != nil { throw plan.breakError }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func listCronWorkflows(_ query: DefinitionListQuery) async throws -> DefinitionPage<CronWorkflow> {
        try await call("response") {
            try DefinitionPage.decode(from: await simulator.listJSON(.cronWorkflow, .init(query)))
        }
    }

    public func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow {
        try await call("response") {
            try CronWorkflow.decode(from: await simulator.objectJSON(.cronWorkflow, namespace: namespace, name: name))
        }
    }

    public func listWorkflowTemplates(_ query: DefinitionListQuery, clusterScope: Bool) async throws -> DefinitionPage<
        WorkflowTemplate
    > {
        try DefinitionPage.decode(
            from: await simulator.listJSON(clusterScope ? .clusterWorkflowTemplate : .workflowTemplate, .init(query)))
    }

    public func getWorkflowTemplate(namespace: String?, name: String, clusterScope: Bool) async throws
        -> WorkflowTemplate
    {
        let kind: ArgoKind = clusterScope ? .clusterWorkflowTemplate : .workflowTemplate
        return try await call("response") {
            try WorkflowTemplate.decode(from: await simulator.objectJSON(kind, namespace: namespace, name: name))
        }
    }

    public func info() async throws -> ArgoInfo {
        try await call("response") { try JSONDecoder().decode(ArgoInfo.self, from: await simulator.infoJSON()) }
    }

    public func userInfo() async throws -> ArgoUserInfo {
        try await call("response") { try JSONDecoder().decode(ArgoUserInfo.self, from: await simulator.userInfoJSON()) }
    }

    public var connection: ConnectionDescription {
        ConnectionDescription(
            backend: ConnectionDescription.simulatorBackend, url: nil, tls: "in-process", auth: "none")
    }

    public func getSyncLimit(_ query: SyncLimitQuery) async throws -> SyncLimit {
        try await call("response") {
            Self.syncLimit(
                try await simulator.getSyncLimit(
                    namespace: query.namespace, key: query.key, type: query.store == .database ? 1 : 0,
                    cmName: query.configMap))
        }
    }

    public func updateSyncLimit(_ query: SyncLimitQuery, limit: Int) async throws -> SyncLimit {
        try await call("response") {
            Self.syncLimit(
                try await simulator.updateSyncLimit(
                    namespace: query.namespace, key: query.key, type: query.store == .database ? 1 : 0,
                    cmName: query.configMap, limit: limit))
        }
    }

    static func syncLimit(_ r: ArgoSimulator.SyncLimitRecord) -> SyncLimit {
        SyncLimit(
            namespace: r.namespace, store: r.type == 1 ? .database : .configMap, configMap: r.cmName, key: r.key,
            limit: r.limit)
    }

    public func listArchivedWorkflows(_ query: ArchiveListQuery) async throws -> WorkflowPage {
        let request = ArgoSimulator.ListRequest(
            namespace: query.namespace, labelSelector: query.labelSelector, name: query.namePrefix, nameFilter: .prefix,
            limit: query.limit, continueToken: query.continueToken, showRemainingItemCount: true)
        return try await call("response") { try WorkflowPage.decode(from: await simulator.listArchivedJSON(request)) }
    }

    public func getArchivedWorkflow(uid: String) async throws -> Workflow {
        try await call("response") { try Workflow.decode(from: await simulator.archivedJSON(uid: uid)) }
    }

    public func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    > {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let watch: (events: AsyncThrowingStream<Data, any Error>, breakAfter: Int?, cut: Bool)
                    do {
                        watch = try await simulator.watchEvents(
                            namespace: namespace, name: name, resourceVersion: resourceVersion)
                    } catch let error as ArgoError where error.kind == .notFound {
                        throw error.withHint(ArgoError.missingWorkflowHint(namespace: namespace, name: name))
                    }
                    var count = 0
                    for try await data in watch.events {
                        if let limit = watch.breakAfter, count >= limit {
                            throw ArgoError(
                                .streamBroken, message: "simulated stream failure: transport is closing", grpcCode: 14)
                        }
                        continuation.yield(try JSONDecoder().decode(WorkflowEvent.self, from: data))
                        count += 1
                    }
                    continuation.finish()
                } catch is StreamEnd {
                    // Argo's periodic end of a watch: the stream ends cleanly (as the HTTP adapter reads it).
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func perform(_ action: ArgoSimulator.WorkflowAction, _ namespace: String, _ name: String) async throws -> Workflow {
        try Workflow.decode(from: await simulator.perform(action, namespace: namespace, name: name))
    }

    public func terminateWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await perform(.terminate, namespace, name)
    }

    public func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    {
        try await perform(.stop(nodeFieldSelector: nodeFieldSelector, message: message), namespace, name)
    }

    public func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow {
        try await perform(
            .retry(restartSuccessful: restartSuccessful, nodeFieldSelector: nodeFieldSelector, parameters: parameters),
            namespace, name)
    }

    public func suspendWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await perform(.suspend, namespace, name)
    }

    public func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow {
        try await perform(.resume(nodeFieldSelector: nodeFieldSelector), namespace, name)
    }

    public func setWorkflow(namespace: String, name: String, update: NodeUpdate) async throws -> Workflow {
        try await perform(.set(update), namespace, name)
    }

    /// The artifact service in-process: `/artifact-files/…` when the simulated server has it, else the older route.
    public func artifact(_ request: ArtifactRequest) async throws -> ArtifactBytes {
        let filesRoute = await simulator.artifactFilesRoute || request.file != nil
        let address = ArgoSimulator.ArtifactAddress(
            namespace: request.namespace, workflowName: request.archivedUID == nil ? request.workflowName : nil,
            uid: request.archivedUID, nodeID: request.nodeID, inputs: request.direction == .inputs,
            artifactName: request.artifactName, file: request.file, directory: true, filesRoute: filesRoute)
        let route =
            filesRoute
            ? "/artifact-files/\(request.namespace)/\(request.archivedUID == nil ? "workflows" : "archived-workflows")/\(request.archivedUID ?? request.workflowName)/\(request.nodeID)/\(request.direction.rawValue)/\(request.artifactName)"
            : "/\(request.direction == .inputs ? "input-artifacts" : "artifacts")/\(request.namespace)/\(request.workflowName)/\(request.nodeID)/\(request.artifactName)"
        let answer = await simulator.serveArtifact(address, requestPath: route)
        guard answer.status == 200 else {
            let text = String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ArgoError.fromServer(
                httpStatus: answer.status, grpcCode: nil, message: "HTTP \(answer.status) \(text)")
        }
        let header = { (name: String) in answer.headers.first { $0.0 == name }?.1 }
        let disposition = header("Content-Disposition")?.components(separatedBy: "filename=").last?
            .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return ArtifactBytes(
            data: answer.body.prefix(request.limit), complete: answer.body.count <= request.limit,
            contentType: header("Content-Type"), fileName: disposition, route: route)
    }

    public func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow
    {
        try CronWorkflow.decode(
            from: await simulator.setCronSuspended(namespace: namespace, name: name, suspended: suspended))
    }

    public func deleteWorkflow(namespace: String, name: String, uid: String?) async throws {
        if let uid {
            let live = try await getWorkflow(namespace: namespace, name: name, fields: "metadata.uid,metadata.name")
            try ArgoError.requireSameUID(live.metadata.uid, uid, "workflow \(namespace)/\(name)")
        }
        try await simulator.delete(namespace: namespace, name: name, uid: uid)
    }

    public func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow
    {
        try Workflow.decode(
            from: await simulator.resubmit(namespace: namespace, name: name, memoized: memoized, parameters: parameters)
        )
    }

    public func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        try await simulator.lint(kind: kind, namespace: namespace, manifest: manifest)
    }

    public func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        try await simulator.createObject(kind, namespace: namespace, manifest: manifest)
    }

    public func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data {
        try await simulator.updateObject(kind, namespace: namespace, name: name, manifest: manifest)
    }

    /// Like the HTTP adapter: the server ignores the uid precondition for templates (and workflows), so the uid
    /// is compared on a fresh read just before the delete.
    public func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws {
        if let uid {
            struct Meta: Decodable { var metadata: ObjectMeta? }
            let data = try await simulator.objectJSON(kind, namespace: namespace, name: name)
            try ArgoError.requireSameUID(
                (try? JSONDecoder().decode(Meta.self, from: data))?.metadata?.uid, uid,
                "\(kind.phrase) \(namespace.map { "\($0)/\(name)" } ?? name)")
        }
        try await simulator.deleteObject(kind, namespace: namespace, name: name, uid: uid)
    }

    public func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow {
        try Workflow.decode(from: await simulator.create(namespace: namespace, manifest: manifest))
    }

    public func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions)
        async throws -> Workflow
    {
        try Workflow.decode(
            from: await simulator.submit(namespace: namespace, from: kind, name: name, options: options))
    }

    public func version() async throws -> ArgoVersion {
        try await call("response") { try ArgoVersion.decode(from: await simulator.versionJSON()) }
    }
}

extension ArgoSimulator.ListRequest {
    init(_ query: WorkflowListQuery) {
        self.init(
            namespace: query.namespace,
            labelSelector: query.effectiveLabelSelector,
            name: query.nameContains,
            nameFilter: query.nameContains == nil
                ? .exact : Self.NameFilter(rawValue: query.nameMatch.rawValue) ?? .contains,
            limit: query.limit,
            continueToken: query.continueToken,
            fields: query.fields,
            // As the HTTP adapter asks (see `ArgoHTTPGateway.showRemainingItemCount`).
            showRemainingItemCount: true
        )
        createdAfter = query.createdAfter
        finishedBefore = query.finishedBefore
    }
}

extension ArgoSimulator.ListRequest {
    init(_ query: DefinitionListQuery) {
        self.init(
            namespace: query.namespace, labelSelector: query.labelSelector, limit: query.limit,
            continueToken: query.continueToken)
    }
}
