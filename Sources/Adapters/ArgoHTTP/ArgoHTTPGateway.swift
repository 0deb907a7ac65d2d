import ArgoWire
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Ports
import Synchronization
import Tracing

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
        // argo-mcp makes its own client spans (`execute`), named by route: the client's would carry full URLs.
        configuration.tracing.tracer = nil
        streams.tracing.tracer = nil
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
            items.append(("nameFilter", query.nameMatch.rawValue))
        }
        // Argo v3.7+ (`BuildListOptions`, RFC 3339; its live store compares the text, so UTC); older servers ignore
        // them, and the domain filters the rows again.
        items.append(("createdAfter", query.createdAfter.map(ArgoTime.format)))
        items.append(("finishedBefore", query.finishedBefore.map(ArgoTime.format)))
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
                guard query.nameMatch.matches(wf.metadata.name, needle) else { continue }
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

    public func listCronWorkflows(_ query: DefinitionListQuery) async throws -> DefinitionPage<CronWorkflow> {
        let data = try await get(
            path: ArgoKind.cronWorkflow.collectionPath(namespace: query.namespace.map(Self.segment)),
            query: Self.listItems(query))
        return try decode("cron workflow list") { try DefinitionPage.decode(from: data) }
    }

    public func getCronWorkflow(namespace: String, name: String) async throws -> CronWorkflow {
        let path = ArgoKind.cronWorkflow.collectionPath(namespace: Self.segment(namespace)) + "/" + Self.segment(name)
        let data = try await get(path: path, query: [])
        return try decode("cron workflow") { try CronWorkflow.decode(from: data) }
    }

    public func listWorkflowTemplates(_ query: DefinitionListQuery, clusterScope: Bool) async throws -> DefinitionPage<
        WorkflowTemplate
    > {
        let kind: ArgoKind = clusterScope ? .clusterWorkflowTemplate : .workflowTemplate
        let data = try await get(
            path: kind.collectionPath(namespace: query.namespace.map(Self.segment)), query: Self.listItems(query))
        return try decode("\(kind.phrase) list") { try DefinitionPage.decode(from: data) }
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

    public func version() async throws -> ArgoVersion {
        let data = try await get(path: "/api/v1/version", query: [])
        return try decode("version") { try ArgoVersion.decode(from: data) }
    }
}
