import AsyncHTTPClient
import Foundation
import Synchronization
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Ports

/// The live Argo Server behind the gateway port, over its REST API.
public final class ArgoHTTPGateway: ArgoGateway {
    public let connectionSettings: ArgoConnection
    /// Unary calls: each request has a deadline and an idle read limit.
    let client: HTTPClient
    /// Streams (logs, watches) on a pool of their own, so that long watches never queue a unary call behind them
    /// (HTTP/1.1 allows only a few connections per host); no idle read limit, since Argo sends no keepalives on
    /// NDJSON streams and a quiet watch is a healthy one.
    let streamClient: HTTPClient
    let logger: Logger
    /// Whether the server predates `nameFilter` (v3.5), once known.
    let serverGeneration = Mutex<Bool?>(nil)

    /// Runs `body` with a gateway whose HTTP client is shut down afterwards, whether `body` returns or throws.
    public static func with<T: Sendable>(
        _ connection: ArgoConnection, logger: Logger, _ body: (ArgoHTTPGateway) async throws -> T
    ) async throws -> T {
        let gateway = try ArgoHTTPGateway(connection: connection, logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(gateway))
        } catch {
            result = .failure(error)
        }
        try? await gateway.client.shutdown()
        try? await gateway.streamClient.shutdown()
        return try result.get()
    }

    init(connection: ArgoConnection, logger: Logger) throws {
        self.connectionSettings = connection
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        let connect = TimeAmount.seconds(Int64(max(1, connectionSettings.connectTimeoutSeconds)))
        configuration.timeout = .init(
            connect: connect, read: .seconds(Int64(max(1, connectionSettings.requestTimeoutSeconds))))
        configuration.httpVersion = .automatic
        // A refused connection is final at once (nothing listens there); async-http-client would otherwise retry
        // it with backoff until the connect timeout, about 10 s a call. Silence still waits for the timeouts.
        configuration.connectionPool.retryConnectionEstablishment = false
        if connectionSettings.baseURL.scheme == "https" {
            configuration.tlsConfiguration = try Self.tlsConfiguration(connection)
        }
        var streams = configuration
        streams.timeout = .init(connect: connect, read: nil)
        streams.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Self.maxConcurrentStreams
        client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: configuration, backgroundActivityLogger: logger)
        streamClient = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: streams, backgroundActivityLogger: logger)
    }

    /// Streams open at once before a new one waits for a connection (watches last up to 30 minutes each).
    static let maxConcurrentStreams = 64

    static func tlsConfiguration(_ c: ArgoConnection) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if c.insecureSkipVerify { tls.certificateVerification = .none }
        if let ca = c.caFile {
            tls.trustRoots = .certificates(
                try load(ca, setting: "ARGO_CA_FILE (--ca-file, argo.caFile)", what: "CA bundle") {
                    try NIOSSLCertificate.fromPEMFile(ca)
                })
        }
        if let cert = c.clientCertFile {
            tls.certificateChain = try load(
                cert, setting: "ARGO_CLIENT_CERT (--client-cert, argo.clientCert)", what: "client certificate"
            ) { try NIOSSLCertificate.fromPEMFile(cert) }.map { .certificate($0) }
            guard let key = c.clientKeyFile else {
                throw ArgoError(
                    .tls, message: "a client certificate needs its key",
                    hint: "set the client key file (ARGO_CLIENT_KEY / tls.clientKey)")
            }
            tls.privateKey = .privateKey(
                try load(key, setting: "ARGO_CLIENT_KEY (--client-key, argo.clientKey)", what: "client key") {
                    try NIOSSLPrivateKey(file: key, format: .pem)
                })
        }
        return tls
    }

    /// Loads one TLS file; a failure names the file, the setting it came from and why (missing, unreadable, or
    /// not PEM), instead of NIOSSL's bare `failedToLoadCertificate`.
    static func load<T>(_ path: String, setting: String, what: String, _ body: () throws -> T) throws -> T {
        let why: String
        if !FileManager.default.fileExists(atPath: path) {
            why = "the file does not exist"
        } else if !FileManager.default.isReadableFile(atPath: path) {
            why = "the file cannot be read (permissions)"
        } else {
            do {
                return try body()
            } catch {
                why = "it is not a PEM \(what) (\(error))"
            }
        }
        throw ArgoError(
            .tls, message: "cannot load the \(what) \(path): \(why)",
            hint: "check \(setting); it must name a readable PEM file")
    }

    // MARK: Port

    /// Argo's field selector term that makes a workflow list count what is left (`server/utils/list_options.go`
    /// `BuildListOptions`). It is sent on every list: since v4.0 (`server/workflow/workflow_server.go`
    /// `ListWorkflows`, argo-workflows#14892) a list without it sets `metadata.continue` only when the *archive*
    /// has rows past the page, so a server without an archive never returns a second page; v3.5–v3.7 page either
    /// way, and count only with it.
    static let showRemainingItemCount = "ext.showRemainingItemCount=true"

    public func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        if query.nameContains != nil, await serverLacksNameFilter() {
            return try await listWorkflowsScanningNames(query)
        }
        return try await WorkflowPage.merged(query) { try await listWorkflowsPage($0) }
    }

    /// One page as the server answers it (no rows merged).
    func listWorkflowsPage(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        var items: [(String, String?)] = []
        if let selector = query.effectiveLabelSelector { items.append(("listOptions.labelSelector", selector)) }
        var fieldSelector = [Self.showRemainingItemCount]
        if let name = query.nameContains {
            fieldSelector.insert("metadata.name=\(name)", at: 0)
            items.append(("nameFilter", "Contains"))
        }
        items.append(("listOptions.fieldSelector", fieldSelector.joined(separator: ",")))
        if let limit = query.limit { items.append(("listOptions.limit", String(limit))) }
        items.append(("listOptions.continue", query.continueToken))
        items.append(("fields", query.fields.map(Self.withUID)))
        let data = try await get(path: "/api/v1/workflows/\(Self.segment(query.namespace ?? ""))", query: items)
        return try decode("workflow list") { try WorkflowPage.decode(from: data) }
    }

    /// Rows read per server page, and at most per call, when names are filtered here.
    static let nameScanPage = 200
    static let nameScanLimit = 2_000

    /// Argo v3.5 has no `nameFilter` (added in v3.6, argo-workflows#13160): its `BuildListOptions` reads
    /// `metadata.name=` as an exact name. So on v3.5 the name substring is matched here, over the server's pages;
    /// the continue token stays the server's row offset, pointing just past the last row examined.
    func listWorkflowsScanningNames(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        let needle = query.nameContains ?? ""
        let wanted = max(1, query.limit ?? Int.max)
        var offset = Int(query.continueToken ?? "0") ?? 0
        var found: [Workflow] = []
        var scanned = 0
        var unreadable = 0
        var next: String?
        scan: while true {
            var server = query
            server.nameContains = nil
            server.limit = Self.nameScanPage
            server.continueToken = offset == 0 ? nil : String(offset)
            let page = try await listWorkflowsPage(server)
            unreadable += page.unreadableItems
            for (index, wf) in page.items.enumerated() {
                scanned += 1
                guard wf.metadata.name.contains(needle) else { continue }
                found.append(wf)
                if found.count == wanted {
                    let rest = page.items.count - index - 1
                    if rest > 0 || page.continueToken != nil { next = String(offset + index + 1) }
                    break scan
                }
            }
            guard let token = page.continueToken, let serverOffset = Int(token) else { break }
            offset = serverOffset
            if scanned >= Self.nameScanLimit {
                next = token
                break
            }
        }
        var result = WorkflowPage(items: found, continueToken: next)
        result.unreadableItems = unreadable
        result.removeDuplicateUIDs()
        result.notes.append(
            "this Argo Server (v3.5) cannot filter by part of a name, so argo-mcp matched '\(needle)' itself over \(scanned) row(s)"
                + (next != nil && found.count < wanted ? "; continue to scan further" : ""))
        return result
    }

    /// Whether the server is v3.5 or older (read once from `/api/v1/version`; unknown versions count as newer).
    func serverLacksNameFilter() async -> Bool {
        if let known = serverGeneration.withLock({ $0 }) { return known }
        guard let version = try? await version() else { return false }
        let lacks = ArgoVersion.minor(version.version).map { $0.major < 3 || ($0.major == 3 && $0.minor <= 5) } ?? false
        serverGeneration.withLock { $0 = lacks }
        return lacks
    }

    /// A `fields=` selection that keeps `items.metadata.uid`, which telling live and archived copies apart needs.
    static func withUID(_ fields: String) -> String {
        guard !fields.isEmpty, !fields.hasPrefix("-") else { return fields }
        let parts = fields.split(separator: ",").map(String.init)
        if parts.contains(where: { $0 == "items" || $0 == "items.metadata" || $0 == "items.metadata.uid" }) {
            return fields
        }
        return fields + ",items.metadata.uid"
    }

    public func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow {
        let data = try await get(
            path: "/api/v1/workflows/\(Self.segment(namespace))/\(Self.segment(name))", query: [("fields", fields)])
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    public func listCronWorkflows(_ query: ResourceListQuery) async throws -> ResourcePage<CronWorkflow> {
        let data = try await get(
            path: ArgoKind.cronWorkflow.collectionPath(namespace: query.namespace.map(Self.segment)),
            query: Self.listItems(query))
        return try decode("cron workflow list") { try ResourcePage.decode(from: data) }
    }

    public func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow {
        let path = ArgoKind.cronWorkflow.collectionPath(namespace: Self.segment(namespace)) + "/" + Self.segment(name)
        let data = try await get(path: path, query: [])
        return try decode("cron workflow") { try CronWorkflow.decode(from: data) }
    }

    public func listWorkflowTemplates(_ query: ResourceListQuery, clusterScope: Bool) async throws -> ResourcePage<
        WorkflowTemplate
    > {
        let kind: ArgoKind = clusterScope ? .clusterWorkflowTemplate : .workflowTemplate
        let data = try await get(
            path: kind.collectionPath(namespace: query.namespace.map(Self.segment)), query: Self.listItems(query))
        return try decode("\(kind.phrase) list") { try ResourcePage.decode(from: data) }
    }

    public func getWorkflowTemplate(namespace: String?, name: String, clusterScope: Bool) async throws
        -> WorkflowTemplate
    {
        let kind: ArgoKind = clusterScope ? .clusterWorkflowTemplate : .workflowTemplate
        let path = kind.objectPath(namespace: namespace.map(Self.segment), name: Self.segment(name))
        let data = try await get(path: path, query: [])
        return try decode(kind.phrase) { try WorkflowTemplate.decode(from: data) }
    }

    public func info() async throws -> ArgoInfo {
        let data = try await get(path: "/api/v1/info", query: [])
        return try decode("info") { try JSONDecoder().decode(ArgoInfo.self, from: data) }
    }

    public func userInfo() async throws -> ArgoUserInfo {
        let data = try await get(path: "/api/v1/userinfo", query: [])
        return try decode("user info") { try JSONDecoder().decode(ArgoUserInfo.self, from: data) }
    }

    public var connection: ConnectionDescription {
        ConnectionDescription(
            backend: "Argo Server", url: connectionSettings.baseURL.absoluteString, tls: connectionSettings.tlsMode,
            auth: connectionSettings.authKind)
    }

    public func listArchivedWorkflows(_ query: ArchiveListQuery) async throws -> WorkflowPage {
        let items: [(String, String?)] = [
            ("namespace", query.namespace.flatMap { $0.isEmpty ? nil : $0 }),
            ("listOptions.labelSelector", query.labelSelector.flatMap { $0.isEmpty ? nil : $0 }),
            ("namePrefix", query.namePrefix.flatMap { $0.isEmpty ? nil : $0 }),
            ("listOptions.limit", query.limit.map(String.init)),
            ("listOptions.continue", query.continueToken.flatMap { $0.isEmpty ? nil : $0 }),
            ("listOptions.fieldSelector", Self.showRemainingItemCount),
        ]
        let data = try await get(path: "/api/v1/archived-workflows", query: items)
        return try decode("archived workflow list") { try WorkflowPage.decode(from: data) }
    }

    public func getArchivedWorkflow(uid: String) async throws -> Workflow {
        let data = try await get(path: "/api/v1/archived-workflows/\(Self.segment(uid))", query: [])
        return try decode("archived workflow") { try Workflow.decode(from: data) }
    }

    // MARK: Mutations

    func put<Body: Encodable>(_ path: String, _ body: Body) async throws -> Data {
        try await send(.PUT, path, body: try JSONEncoder().encode(body))
    }

    struct WorkflowAction: Encodable {
        var name: String
        var namespace: String
        var nodeFieldSelector: String?
        var message: String?
        var restartSuccessful: Bool?
        var parameters: [String]?
    }

    func workflowAction(_ action: String, _ body: WorkflowAction) async throws -> Workflow {
        let path = "/api/v1/workflows/\(Self.segment(body.namespace))/\(Self.segment(body.name))/\(action)"
        let data = try await put(path, body)
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    public func terminateWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await workflowAction("terminate", WorkflowAction(name: name, namespace: namespace))
    }

    public func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    {
        try await workflowAction(
            "stop",
            WorkflowAction(name: name, namespace: namespace, nodeFieldSelector: nodeFieldSelector, message: message))
    }

    public func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow {
        try await workflowAction(
            "retry",
            WorkflowAction(
                name: name, namespace: namespace, nodeFieldSelector: nodeFieldSelector,
                restartSuccessful: restartSuccessful,
                parameters: parameters.isEmpty ? nil : parameters))
    }

    public func suspendWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await workflowAction("suspend", WorkflowAction(name: name, namespace: namespace))
    }

    public func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow {
        try await workflowAction(
            "resume", WorkflowAction(name: name, namespace: namespace, nodeFieldSelector: nodeFieldSelector))
    }

    public func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow
    {
        let path =
            ArgoKind.cronWorkflow.collectionPath(namespace: Self.segment(namespace)) + "/" + Self.segment(name)
            + (suspended ? "/suspend" : "/resume")
        let data = try await put(path, ["name": name, "namespace": namespace])
        return try decode("cron workflow") { try CronWorkflow.decode(from: data) }
    }

    /// Argo's `DeleteWorkflow` builds its own `metav1.DeleteOptions` and drops the request's preconditions (every
    /// version from v3.5 to v4.1, `server/workflow/workflow_server.go`), so the uid is compared here, on a fresh
    /// read made just before the delete; the precondition is still sent for servers that honour it.
    public func deleteWorkflow(namespace: String, name: String, uid: String?) async throws {
        if let uid {
            let live = try await getWorkflow(namespace: namespace, name: name, fields: "metadata.uid,metadata.name")
            try ArgoError.requireSameUID(live.metadata.uid, uid, "workflow \(namespace)/\(name)")
        }
        _ = try await send(
            .DELETE, "/api/v1/workflows/\(Self.segment(namespace))/\(Self.segment(name))",
            query: [("deleteOptions.preconditions.uid", uid)])
    }

    public func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow
    {
        struct Body: Encodable {
            var name: String
            var namespace: String
            var memoized: Bool
            var parameters: [String]?
        }
        let path = "/api/v1/workflows/\(Self.segment(namespace))/\(Self.segment(name))/resubmit"
        let data = try await put(
            path,
            Body(
                name: name, namespace: namespace, memoized: memoized, parameters: parameters.isEmpty ? nil : parameters)
        )
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    func post(_ path: String, _ body: Data) async throws -> Data {
        try await send(.POST, path, body: body)
    }

    /// `{"namespace":…, "name":…, "<field>": <object>}` without re-encoding the object; nil members are left out.
    static func wrap(_ field: String, _ object: Data, namespace: String?, name: String? = nil) -> Data {
        var out = Data("{".utf8)
        for (key, value) in [("namespace", namespace), ("name", name)] {
            guard let value, let encoded = try? JSONEncoder().encode(value) else { continue }
            out += Data("\"\(key)\":".utf8) + encoded + Data(",".utf8)
        }
        out += Data("\"\(field)\":".utf8) + object + Data("}".utf8)
        return out
    }

    public func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        let path = kind.collectionPath(namespace: kind.isClusterScoped ? nil : Self.segment(namespace ?? "")) + "/lint"
        return try await post(
            path, Self.wrap(kind.requestField, manifest, namespace: kind.isClusterScoped ? nil : namespace))
    }

    public func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        let ns = kind.isClusterScoped ? nil : namespace
        let path = kind.collectionPath(namespace: ns.map(Self.segment))
        return try await post(path, Self.wrap(kind.requestField, manifest, namespace: ns))
    }

    public func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data {
        let ns = kind.isClusterScoped ? nil : namespace
        let path = kind.objectPath(namespace: ns.map(Self.segment), name: Self.segment(name))
        let body = Self.wrap(kind.requestField, manifest, namespace: ns, name: name)
        return try await send(.PUT, path, body: body)
    }

    /// Only `DeleteCronWorkflow` passes the request's `deleteOptions` on to Kubernetes; the WorkflowTemplate and
    /// ClusterWorkflowTemplate servers delete with empty options (`server/workflowtemplate`,
    /// `server/clusterworkflowtemplate`, v3.5–v4.1). The uid is therefore compared on a fresh read just before the
    /// delete, for every kind.
    public func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws {
        let ns = kind.isClusterScoped ? nil : namespace
        let path = kind.objectPath(namespace: ns.map(Self.segment), name: Self.segment(name))
        if let uid {
            struct Meta: Decodable { var metadata: ObjectMeta? }
            let data = try await get(path: path, query: [])
            let live = try decode(kind.phrase) { try JSONDecoder().decode(Meta.self, from: data) }
            try ArgoError.requireSameUID(
                live.metadata?.uid, uid, "\(kind.phrase) \(ns.map { "\($0)/\(name)" } ?? name)")
        }
        _ = try await send(.DELETE, path, query: [("deleteOptions.preconditions.uid", uid)])
    }

    public func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow {
        let data = try await post(
            "/api/v1/workflows/\(Self.segment(namespace))", Self.wrap("workflow", manifest, namespace: namespace))
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    public func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions)
        async throws -> Workflow
    {
        struct Body: Encodable {
            var namespace: String
            var resourceKind: String
            var resourceName: String
            var submitOptions: SubmitOptions
        }
        let body = try JSONEncoder().encode(
            Body(namespace: namespace, resourceKind: kind.rawValue, resourceName: name, submitOptions: options))
        let data = try await post("/api/v1/workflows/\(Self.segment(namespace))/submit", body)
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    static func listItems(_ query: ResourceListQuery) -> [(String, String?)] {
        [
            ("listOptions.labelSelector", query.labelSelector.flatMap { $0.isEmpty ? nil : $0 }),
            ("listOptions.limit", query.limit.map(String.init)),
            ("listOptions.continue", query.continueToken.flatMap { $0.isEmpty ? nil : $0 }),
        ]
    }

    public func version() async throws -> ArgoVersion {
        let data = try await get(path: "/api/v1/version", query: [])
        return try decode("version") { try ArgoVersion.decode(from: data) }
    }

    public func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error> {
        var items: [(String, String?)] = [
            ("podName", query.podName),
            ("logOptions.container", query.container),
            ("logOptions.follow", query.follow ? "true" : nil),
            ("logOptions.tailLines", query.tailLines.map(String.init)),
            ("logOptions.sinceSeconds", query.sinceSeconds.map(String.init)),
            ("logOptions.timestamps", query.timestamps ? "true" : nil),
            ("grep", query.grep.flatMap { $0.isEmpty ? nil : $0 }),
        ]
        items.removeAll { $0.1 == nil }
        let path = "/api/v1/workflows/\(Self.segment(query.namespace))/\(Self.segment(query.workflowName))/log"
        // A read that does not follow ends on its own; one quiet for the stream timeout is stuck. A follow is
        // quiet whenever the pods are.
        let idle: Duration? = query.follow ? nil : .seconds(max(1, connectionSettings.streamTimeoutSeconds))
        return stream(
            path: path, query: items, idleLimit: idle,
            missing: ArgoError.missingWorkflowHint(namespace: query.namespace, name: query.workflowName))
    }

    public func watchWorkflow(namespace: String, name: String, resourceVersion: String?) -> AsyncThrowingStream<
        WorkflowEvent, any Error
    > {
        let items: [(String, String?)] = [
            ("listOptions.fieldSelector", "metadata.name=\(name)"),
            ("listOptions.resourceVersion", resourceVersion),
        ]
        return stream(
            path: "/api/v1/workflow-events/\(Self.segment(namespace))", query: items, idleLimit: nil,
            missing: ArgoError.missingWorkflowHint(namespace: namespace, name: name))
    }

    /// A streamed endpoint's `result` frames (NDJSON, or SSE when configured).
    ///
    /// An error answered before the stream starts is read in either of grpc-gateway's shapes (see
    /// ``ArgoErrorBody``); a 404 there means the workflow does not exist, and gets the hint `missing`. In the stream, an error frame
    /// or a cut ends it with `streamBroken` (`expired` for a compacted resourceVersion), and Argo's own periodic end
    /// of a watch ends it cleanly. With `idleLimit`, a stream that sends nothing for that long ends with `timeout`.
    func stream<T: Decodable & Sendable>(
        path: String, query: [(String, String?)], idleLimit: Duration?, missing: String
    ) -> AsyncThrowingStream<T, any Error> {
        let request = makeRequest(
            path: path, query: query, accept: connectionSettings.preferSSE ? "text/event-stream" : "application/json")
        // Argo sends a stream's headers at once for a watch and once it has listed the pods for a log read; the
        // wait for them is bounded like a unary call, but never below 30 s.
        let headDeadline = TimeAmount.seconds(Int64(max(30, connectionSettings.requestTimeoutSeconds)))
        return AsyncThrowingStream { continuation in
            let activity = StreamActivity()
            let task = Task {
                do {
                    let response = try await self.execute(request, timeout: headDeadline, client: self.streamClient)
                    activity.touch()
                    guard response.status == .ok else {
                        let body = try await response.body.collect(upTo: 1 << 20)
                        var error = self.serverError(status: Int(response.status.code), body: Data(body.readableBytesView))
                        if error.kind == .notFound, ArgoErrorBody.parse(Data(body.readableBytesView)) != nil {
                            error = error.withHint(missing)
                        }
                        throw error
                    }
                    var parser = StreamFrameParser<T>()
                    /// Yields results; true when Argo ended the stream itself.
                    func emit(_ frames: [StreamFrameParser<T>.Frame]) throws -> Bool {
                        for frame in frames {
                            switch frame {
                            case .result(let value): continuation.yield(value)
                            case .error(let error): throw error
                            case .end: return true
                            }
                        }
                        return false
                    }
                    do {
                        for try await buffer in response.body {
                            activity.touch()
                            if try emit(parser.feed(buffer.readableBytesView)) {
                                continuation.finish()
                                return
                            }
                        }
                    } catch let error as ArgoError {
                        throw error
                    } catch is CancellationError {
                        throw activity.idled ? Self.idleError(idleLimit) : CancellationError()
                    } catch {
                        if activity.idled { throw Self.idleError(idleLimit) }
                        throw ArgoError(.streamBroken, message: "stream cut: \(error)")
                    }
                    _ = try emit(parser.finish())
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: activity.idled ? Self.idleError(idleLimit) : error)
                }
            }
            let watchdog = idleLimit.map { limit in
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: limit / 4)
                        if activity.started, activity.quietFor(longerThan: limit) {
                            activity.markIdled()
                            task.cancel()
                            return
                        }
                    }
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                watchdog?.cancel()
            }
        }
    }

    static func idleError(_ limit: Duration?) -> ArgoError {
        ArgoError(
            .timeout, message: "the stream sent nothing for \(limit.map { "\($0)" } ?? "too long") and was closed",
            hint: "the server or the pod's node may be overloaded; retry, or read fewer lines (tail_lines)")
    }

    // MARK: HTTP

    func makeRequest(path: String, query: [(String, String?)], accept: String = "application/json") -> HTTPClientRequest
    {
        var url = connectionSettings.baseURL.absoluteString
        while url.hasSuffix("/") { url.removeLast() }
        url += path
        let pairs = query.compactMap { key, value in value.map { "\(Self.encode(key))=\(Self.encode($0))" } }
        if !pairs.isEmpty { url += "?" + pairs.joined(separator: "&") }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "argo-mcp")
        if let token = connectionSettings.token, !token.isEmpty {
            request.headers.add(name: "Authorization", value: token)
        }
        return request
    }

    func get(path: String, query: [(String, String?)]) async throws -> Data {
        try await send(.GET, path, query: query)
    }

    /// One unary call: the request, the whole body, and Argo's error for anything but 200.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: Data? = nil) async throws
        -> Data
    {
        var request = makeRequest(path: path, query: query)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await execute(request, timeout: .seconds(Int64(connectionSettings.requestTimeoutSeconds)))
        let data: Data
        do {
            data = Data(try await response.body.collect(upTo: 256 << 20).readableBytesView)
        } catch {
            throw translate(error)
        }
        guard response.status == .ok else { throw serverError(status: Int(response.status.code), body: data) }
        return data
    }

    func execute(_ request: HTTPClientRequest, timeout: TimeAmount, client: HTTPClient? = nil) async throws
        -> HTTPClientResponse
    {
        logger.debug("argo request", metadata: ["url": "\(request.url)"])
        do {
            return try await (client ?? self.client).execute(request, timeout: timeout, logger: logger)
        } catch {
            throw translate(error)
        }
    }

    func decode<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw ArgoError(
                .malformedResponse, message: "the server's \(what) is not in Argo's shape: \(error)",
                hint: "is \(connectionSettings.baseURL.absoluteString) an Argo Server (check ARGO_BASE_HREF)?")
        }
    }

    /// Argo's error body (either grpc-gateway shape, see ``ArgoErrorBody``, or any text) into a typed error with a
    /// hint.
    func serverError(status: Int, body: Data) -> ArgoError {
        let parsed = ArgoErrorBody.parse(body)
        let message =
            parsed?.message
            ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let error = ArgoError.fromServer(
            httpStatus: status, grpcCode: parsed?.grpcCode, message: message.isEmpty ? "HTTP \(status)" : message)
        switch error.kind {
        case .unauthenticated:
            return error.withHint(
                connectionSettings.token == nil
                    ? "the server wants credentials: set ARGO_TOKEN (e.g. \"Bearer $(kubectl create token argo-server -n argo)\")"
                    : "ARGO_TOKEN was rejected: it may have expired or lack the 'Bearer ' prefix")
        case .permissionDenied:
            return error.withHint(
                "the credentials lack rights for this; check the service account's RBAC in that namespace")
        case .notFound where parsed == nil:
            return error.withHint(
                "no Argo API at \(connectionSettings.baseURL.absoluteString); check ARGO_SERVER and ARGO_BASE_HREF")
        default:
            return error
        }
    }

    func translate(_ error: any Error) -> ArgoError {
        if let argo = error as? ArgoError { return argo }
        let text = String(describing: error)
        let url = connectionSettings.baseURL.absoluteString
        if error is NIOSSLError || text.contains("SSL") || text.contains("handshake") || text.contains("certificate") {
            return ArgoError(
                .tls, message: "TLS with \(url) failed: \(text)",
                hint:
                    "give the server's CA (ARGO_CA_FILE), set ARGO_INSECURE_SKIP_VERIFY=true for a self-signed test server, or ARGO_SECURE=false if it speaks plain HTTP"
            )
        }
        if let client = error as? HTTPClientError,
            client == .deadlineExceeded || client == .readTimeout || client == .connectTimeout
        {
            return ArgoError(
                .timeout, message: "no answer from \(url) in time (\(text))",
                hint: "the server may be overloaded; retry, or raise the request timeout")
        }
        if text.contains("Timeout") || text.contains("timeout") {
            return ArgoError(
                .timeout, message: "no answer from \(url) in time (\(text))",
                hint: "the server may be overloaded; retry, or raise the request timeout")
        }
        if text.localizedCaseInsensitiveContains("refused") {
            return ArgoError(
                .unavailable, message: "nothing accepts connections at \(url) (connection refused)",
                hint:
                    "check ARGO_SERVER (host:port), that the Argo Server runs and that a port-forward to it is up (kubectl -n argo port-forward svc/argo-server 2746:2746)"
            )
        }
        return ArgoError(
            .unavailable, message: "cannot reach the Argo Server at \(url): \(text)",
            hint: "check ARGO_SERVER (host:port), that the server runs, and ARGO_SECURE=false if it speaks plain HTTP")
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static func segment(_ text: String) -> String { encode(text) }
}

/// When a stream last received bytes, and whether the idle watchdog closed it.
final class StreamActivity: Sendable {
    private struct State {
        var last = ContinuousClock.now
        var started = false
        var idled = false
    }
    private let state = Mutex(State())

    /// Bytes (or the response head) arrived: the idle clock starts again.
    func touch() {
        state.withLock {
            $0.last = ContinuousClock.now
            $0.started = true
        }
    }
    /// Whether the response head has arrived (the idle limit applies to the body only).
    var started: Bool { state.withLock { $0.started } }
    func quietFor(longerThan limit: Duration) -> Bool {
        state.withLock { ContinuousClock.now - $0.last > limit }
    }
    func markIdled() { state.withLock { $0.idled = true } }
    var idled: Bool { state.withLock { $0.idled } }
}
