import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Ports
import Synchronization

/// The simulator's face in Argo's REST shape, so that any Argo client (including the live adapter) can talk to it.
public struct SimulatorHTTPServer: Sendable {
    public let simulator: ArgoSimulator
    public let host: String
    public let port: Int
    /// How often an SSE stream gets a `:` keepalive comment (Argo: every 15 s, `argoproj/pkg`
    /// `grpc/http/forwarders.go` `keepalive`).
    public let keepaliveInterval: Duration
    /// When set, every API request must carry exactly this `Authorization` header, as an Argo Server in `client`
    /// auth mode checks the caller's token; anything else is refused with Argo's 401.
    public let requiredAuthorization: String?
    let logger: Logger

    public init(
        simulator: ArgoSimulator, host: String = "127.0.0.1", port: Int, keepaliveInterval: Duration = .seconds(15),
        requiredAuthorization: String? = nil, logger: Logger
    ) {
        self.requiredAuthorization = requiredAuthorization
        self.simulator = simulator
        self.host = host
        self.port = port
        self.keepaliveInterval = keepaliveInterval
        self.logger = logger
    }

    /// Serves until the task is cancelled; `onListening` receives the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "argo-mcp-simulator"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
        try await app.run()
    }

    /// grpc-gateway v1.16's matching (`runtime/mux.go` `ServeMux.ServeHTTP`): a path is split on `/`, so
    /// `/api/v1/workflows/` is the list with an empty namespace (every namespace) while `/api/v1/workflows` matches
    /// no pattern; an unmatched path is `ErrUnknownURI`, gRPC 12 "Not Implemented" with HTTP 501, not a 404.
    struct GatewayRouting<Context: RequestContext>: RouterMiddleware {
        static var collections: Set<String> {
            ["/api/v1/workflows", "/api/v1/cron-workflows", "/api/v1/workflow-templates", "/api/v1/workflow-events"]
        }

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            if Self.collections.contains(request.uri.path) { return Self.unknownURI() }
            do {
                return try await next(request, context)
            } catch let error as HTTPError where error.status == .notFound {
                return Self.unknownURI()
            }
        }

        static func unknownURI() -> Response {
            SimulatorHTTPServer.errorResponse(
                ArgoError(.unimplemented, message: "Not Implemented", httpStatus: 501, grpcCode: 12))
        }
    }

    /// Argo's gatekeeper (`server/auth/gatekeeper.go` `getClients`, v3.5–v4): a request whose `Authorization`
    /// header (or `authorization` cookie) is not a valid token is refused with gRPC 16 before any handler runs.
    struct Gatekeeper<Context: RequestContext>: RouterMiddleware {
        let required: String

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            guard request.headers[.authorization] == required else {
                return SimulatorHTTPServer.errorResponse(
                    ArgoError(
                        .unauthenticated,
                        message: "token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/",
                        httpStatus: 401, grpcCode: 16))
            }
            return try await next(request, context)
        }
    }

    /// The artifact service's handlers (`server/apiserver/argoserver.go` `newHTTPServer`: `/artifact-files/`,
    /// `/artifacts/`, `/input-artifacts/`, `/artifacts-by-uid/`, `/input-artifacts-by-uid/`), beside the gateway.
    /// With `/artifact-files/` turned off, that path gets the UI's page, as any unknown path does
    /// (`server/static/static.go` `ServerFiles`).
    struct ArtifactService<Context: RequestContext>: RouterMiddleware {
        let simulator: ArgoSimulator
        static var prefixes: [String] {
            ["/artifact-files/", "/artifacts/", "/input-artifacts/", "/artifacts-by-uid/", "/input-artifacts-by-uid/"]
        }
        static var uiPage: String {
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n    <meta charset=\"UTF-8\">\n    <title>Argo</title>\n</head>\n<body>\n    <div id=\"app\"></div>\n</body>\n</html>\n"
        }

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            let path = request.uri.path
            guard request.method == .get, Self.prefixes.contains(where: path.hasPrefix) else {
                return try await next(request, context)
            }
            if path.hasPrefix("/artifact-files/"), await !simulator.artifactFilesRoute {
                var headers = HTTPFields()
                headers[.contentType] = "text/html; charset=utf-8"
                return Response(
                    status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.uiPage)))
            }
            let answer: ArgoSimulator.ArtifactAnswer =
                if let address = ArgoSimulator.artifactAddress(path) {
                    await simulator.serveArtifact(address, requestPath: path)
                } else {
                    ArgoSimulator.ArtifactAnswer(status: 400, body: Data("Bad Request\n".utf8), headers: [])
                }
            var headers = HTTPFields()
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            return Response(
                status: .init(code: answer.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
    }

    /// Argo Server's REST routes, one function per service of `pkg/apiclient` (each names what it serves), with the
    /// middleware in front: the gateway's 404s, the bearer check, the artifact service.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: GatewayRouting())
        if let requiredAuthorization { router.add(middleware: Gatekeeper(required: requiredAuthorization)) }
        router.add(middleware: ArtifactService(simulator: simulator))
        let sim = simulator
        Self.infoRoutes(router, sim)
        Self.archivedWorkflowRoutes(router, sim)
        Self.workflowReadRoutes(router, sim)
        Self.workflowActionRoutes(router, sim)
        Self.workflowWriteRoutes(router, sim)
        Self.definitionRoutes(router, sim)
        Self.syncRoutes(router, sim)
        Self.streamRoutes(router, sim, keepaliveInterval: keepaliveInterval)
        return router
    }

    /// InfoService: version, info, userinfo.
    static func infoRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        router.get("/api/v1/version") { _, _ in try await Self.json { try await sim.versionJSON() } }
        router.get("/api/v1/info") { _, _ in try await Self.json { try await sim.infoJSON() } }
        router.get("/api/v1/userinfo") { _, _ in try await Self.json { try await sim.userInfoJSON() } }
    }

    /// ArchivedWorkflowService: the archive's list and one archived workflow by uid.
    static func archivedWorkflowRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        router.get("/api/v1/archived-workflows") { request, _ in
            let q = request.uri.queryParameters
            let listRequest = ArgoSimulator.ListRequest(
                namespace: q.get("namespace"),
                labelSelector: q.get("listOptions.labelSelector"),
                name: q.get("namePrefix"),
                nameFilter: .prefix,
                limit: q.get("listOptions.limit").flatMap { Int($0) },
                continueToken: q.get("listOptions.continue"),
                fields: q.get("fields"),
                showRemainingItemCount: Self.showRemainingItemCount(q.get("listOptions.fieldSelector"))
            )
            return try await Self.json { try await sim.listArchivedJSON(listRequest) }
        }
        router.get("/api/v1/archived-workflows/{uid}") { _, context in
            let uid = context.parameters.get("uid") ?? ""
            return try await Self.json { try await sim.archivedJSON(uid: uid) }
        }
    }

    /// WorkflowService reads: the list (all namespaces or one) and one workflow.
    static func workflowReadRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        @Sendable func list(_ request: Request, _ namespace: String?) async throws -> Response {
            let q = request.uri.queryParameters
            let name = Self.name(fromFieldSelector: q.get("listOptions.fieldSelector"))
            let listRequest = ArgoSimulator.ListRequest(
                namespace: namespace,
                labelSelector: q.get("listOptions.labelSelector"),
                name: name,
                nameFilter: q.get("nameFilter").flatMap(ArgoSimulator.ListRequest.NameFilter.init(rawValue:)) ?? .exact,
                limit: q.get("listOptions.limit").flatMap { Int($0) },
                continueToken: q.get("listOptions.continue"),
                fields: q.get("fields"),
                showRemainingItemCount: Self.showRemainingItemCount(q.get("listOptions.fieldSelector"))
            )
            return try await Self.json {
                var listRequest = listRequest
                listRequest.createdAfter = try Self.rfc3339(q.get("createdAfter"))
                listRequest.finishedBefore = try Self.rfc3339(q.get("finishedBefore"))
                return try await sim.listWorkflowsJSON(listRequest)
            }
        }
        router.get("/api/v1/workflows") { request, context in try await list(request, nil) }
        router.get("/api/v1/workflows/{namespace}") { request, context in
            try await list(request, context.parameters.get("namespace"))
        }
        router.get("/api/v1/workflows/{namespace}/{name}") { request, context in
            let ns = context.parameters.get("namespace") ?? ""
            let name = context.parameters.get("name") ?? ""
            return try await Self.json {
                try await sim.workflowJSON(namespace: ns, name: name, fields: request.uri.queryParameters.get("fields"))
            }
        }
    }

    /// WorkflowService actions on one workflow: set, terminate, stop, retry, suspend, resume, resubmit, delete.
    static func workflowActionRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        struct ActionBody: Decodable {
            var nodeFieldSelector: String?
            var message: String?
            var restartSuccessful: Bool?
            var parameters: [String]?
        }
        struct SetBody: Decodable {
            var nodeFieldSelector: String?
            var message: String?
            var phase: String?
            var outputParameters: String?
        }
        router.put("/api/v1/workflows/{namespace}/{name}/set") { request, context in
            let ns = context.parameters.get("namespace") ?? ""
            let name = context.parameters.get("name") ?? ""
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = (try? JSONDecoder().decode(SetBody.self, from: Data(buffer.readableBytesView))) ?? SetBody()
            return try await Self.json {
                // `SetWorkflow` parses outputParameters as a JSON object of strings (gRPC 3 when it is not one).
                var outputs: [String: String] = [:]
                if let text = body.outputParameters, !text.isEmpty {
                    guard let parsed = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
                        throw ArgoError.fromServer(
                            httpStatus: 400, grpcCode: 3,
                            message: "unable to parse output parameter set request: \(text.prefix(100))")
                    }
                    outputs = parsed
                }
                return try await sim.perform(
                    .set(
                        NodeUpdate(
                            nodeFieldSelector: body.nodeFieldSelector ?? "", phase: body.phase,
                            message: body.message, outputParameters: outputs)), namespace: ns, name: name)
            }
        }
        for verb in ["terminate", "stop", "retry", "suspend", "resume"] {
            router.put("/api/v1/workflows/{namespace}/{name}/\(verb)") { request, context in
                let ns = context.parameters.get("namespace") ?? ""
                let name = context.parameters.get("name") ?? ""
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let body =
                    (try? JSONDecoder().decode(ActionBody.self, from: Data(buffer.readableBytesView))) ?? ActionBody()
                let action: ArgoSimulator.WorkflowAction =
                    switch verb {
                    case "terminate": .terminate
                    case "stop": .stop(nodeFieldSelector: body.nodeFieldSelector, message: body.message)
                    case "retry":
                        .retry(
                            restartSuccessful: body.restartSuccessful ?? false,
                            nodeFieldSelector: body.nodeFieldSelector,
                            parameters: body.parameters ?? [])
                    case "suspend": .suspend
                    default: .resume(nodeFieldSelector: body.nodeFieldSelector)
                    }
                return try await Self.json { try await sim.perform(action, namespace: ns, name: name) }
            }
        }
        router.delete("/api/v1/workflows/{namespace}/{name}") { request, context in
            let ns = context.parameters.get("namespace") ?? ""
            let name = context.parameters.get("name") ?? ""
            let uid = request.uri.queryParameters.get("deleteOptions.preconditions.uid")
            return try await Self.json {
                try await sim.delete(namespace: ns, name: name, uid: uid)
                return Data("{}".utf8)
            }
        }
        router.put("/api/v1/workflows/{namespace}/{name}/resubmit") { request, context in
            struct Body: Decodable {
                var memoized: Bool?
                var parameters: [String]?
            }
            let ns = context.parameters.get("namespace") ?? ""
            let name = context.parameters.get("name") ?? ""
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = (try? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))) ?? Body()
            return try await Self.json {
                try await sim.resubmit(
                    namespace: ns, name: name, memoized: body.memoized ?? false, parameters: body.parameters ?? [])
            }
        }
    }

    /// WorkflowService creates and submits, and every service's lint.
    static func workflowWriteRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        /// The object under `field` of a request body, as JSON.
        @Sendable func member(_ request: Request, _ field: String) async throws -> Data {
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let body = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
            return (body?[field] ?? .null).encoded()
        }
        router.post("/api/v1/workflows/{namespace}") { request, context in
            let ns = context.parameters.get("namespace") ?? ""
            let manifest = try await member(request, "workflow")
            return try await Self.json { try await sim.create(namespace: ns, manifest: manifest) }
        }
        router.post("/api/v1/workflows/{namespace}/submit") { request, context in
            let ns = context.parameters.get("namespace") ?? ""
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))) ?? .null
            let options = SubmitOptions(
                entryPoint: body[path: "submitOptions.entryPoint"]?.string,
                parameters: body[path: "submitOptions.parameters"]?.array?.compactMap(\.string),
                labels: body[path: "submitOptions.labels"]?.string,
                serviceAccount: body[path: "submitOptions.serviceAccount"]?.string)
            let name = body["resourceName"]?.string ?? ""
            return try await Self.json {
                let kind = try ArgoSimulator.submitKind(body["resourceKind"]?.string ?? "")
                return try await sim.submit(namespace: ns, from: kind, name: name, options: options)
            }
        }
        for (kind, collection, field) in [
            (ArgoKind.workflow, "workflows", "workflow"), (.workflowTemplate, "workflow-templates", "template"),
            (.cronWorkflow, "cron-workflows", "cronWorkflow"),
        ] {
            router.post("/api/v1/\(collection)/{namespace}/lint") { request, context in
                let ns = context.parameters.get("namespace") ?? ""
                let manifest = try await member(request, field)
                return try await Self.json { try await sim.lint(kind: kind, namespace: ns, manifest: manifest) }
            }
        }
        router.post("/api/v1/cluster-workflow-templates/lint") { request, _ in
            let manifest = try await member(request, "template")
            return try await Self.json {
                try await sim.lint(kind: .clusterWorkflowTemplate, namespace: nil, manifest: manifest)
            }
        }
    }

    /// CronWorkflowService, WorkflowTemplateService and ClusterWorkflowTemplateService: lists, gets, creates, updates, deletes, and a cron workflow's suspend and resume.
    static func definitionRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        @Sendable func listObjects(_ kind: ArgoKind, _ request: Request, _ namespace: String?) async throws -> Response
        {
            let q = request.uri.queryParameters
            let listRequest = ArgoSimulator.ListRequest(
                namespace: namespace,
                labelSelector: q.get("listOptions.labelSelector"),
                limit: q.get("listOptions.limit").flatMap { Int($0) },
                continueToken: q.get("listOptions.continue")
            )
            return try await Self.json { try await sim.listJSON(kind, listRequest) }
        }
        for (kind, collection) in [
            (ArgoKind.cronWorkflow, "cron-workflows"), (.workflowTemplate, "workflow-templates"),
        ] {
            router.get("/api/v1/\(collection)") { request, _ in try await listObjects(kind, request, nil) }
            router.get("/api/v1/\(collection)/{namespace}") { request, context in
                try await listObjects(kind, request, context.parameters.get("namespace"))
            }
            router.get("/api/v1/\(collection)/{namespace}/{name}") { _, context in
                let ns = context.parameters.get("namespace") ?? ""
                let name = context.parameters.get("name") ?? ""
                return try await Self.json { try await sim.objectJSON(kind, namespace: ns, name: name) }
            }
        }
        router.get("/api/v1/cluster-workflow-templates") { request, _ in
            try await listObjects(.clusterWorkflowTemplate, request, nil)
        }
        router.get("/api/v1/cluster-workflow-templates/{name}") { _, context in
            let name = context.parameters.get("name") ?? ""
            return try await Self.json {
                try await sim.objectJSON(.clusterWorkflowTemplate, namespace: nil, name: name)
            }
        }
        for (verb, suspended) in [("suspend", true), ("resume", false)] {
            router.put("/api/v1/cron-workflows/{namespace}/{name}/\(verb)") { _, context in
                let ns = context.parameters.get("namespace") ?? ""
                let name = context.parameters.get("name") ?? ""
                return try await Self.json {
                    try await sim.setCronSuspended(namespace: ns, name: name, suspended: suspended)
                }
            }
        }
        /// The object under `field` of a request body, as JSON.
        @Sendable func member(_ request: Request, _ field: String) async throws -> Data {
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let body = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
            return (body?[field] ?? .null).encoded()
        }
        for (kind, collection) in [
            (ArgoKind.cronWorkflow, "cron-workflows"), (.workflowTemplate, "workflow-templates"),
            (.clusterWorkflowTemplate, "cluster-workflow-templates"),
        ] {
            let base = kind.isClusterScoped ? "/api/v1/\(collection)" : "/api/v1/\(collection)/{namespace}"
            router.post(RouterPath(base)) { request, context in
                let ns = context.parameters.get("namespace")
                let manifest = try await member(request, kind.requestField)
                return try await Self.json { try await sim.createObject(kind, namespace: ns, manifest: manifest) }
            }
            router.put(RouterPath(base + "/{name}")) { request, context in
                let ns = context.parameters.get("namespace")
                let name = context.parameters.get("name") ?? ""
                let manifest = try await member(request, kind.requestField)
                return try await Self.json {
                    try await sim.updateObject(kind, namespace: ns, name: name, manifest: manifest)
                }
            }
            router.delete(RouterPath(base + "/{name}")) { request, context in
                let ns = context.parameters.get("namespace")
                let name = context.parameters.get("name") ?? ""
                let uid = request.uri.queryParameters.get("deleteOptions.preconditions.uid")
                return try await Self.json {
                    try await sim.deleteObject(kind, namespace: ns, name: name, uid: uid)
                    return Data("{}".utf8)
                }
            }
        }
    }

    /// SyncService: a synchronization limit read and changed.
    static func syncRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator) {
        // The SyncService (`pkg/apiclient/sync/sync.pb.gw.go`): `type` is the enum's number in the query and the
        // body; a name in the query fails as grpc-gateway v1 parses an enum it has no name map for.
        @Sendable func syncType(_ text: String?) throws -> Int {
            guard let text, !text.isEmpty else { return 0 }
            guard let n = Int(text) else {
                throw ArgoError.fromServer(
                    httpStatus: 400, grpcCode: 3,
                    message: "strconv.ParseInt: parsing \(Self.jsonString(text)): invalid syntax")
            }
            return n
        }
        router.get("/api/v1/sync/{namespace}/{key}") { request, context in
            let q = request.uri.queryParameters
            return try await Self.json {
                try await sim.getSyncLimit(
                    namespace: context.parameters.get("namespace") ?? "", key: context.parameters.get("key") ?? "",
                    type: try syncType(q.get("type")), cmName: q.get("cmName")
                ).json
            }
        }
        router.put("/api/v1/sync/{namespace}/{key}") { request, context in
            struct Body: Decodable {
                var type: Int?
                var cmName: String?
                var limit: Int?
            }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            return try await Self.json {
                guard let body = try? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView)) else {
                    throw ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: "invalid request body")
                }
                return try await sim.updateSyncLimit(
                    namespace: context.parameters.get("namespace") ?? "", key: context.parameters.get("key") ?? "",
                    type: body.type ?? 0, cmName: body.cmName, limit: body.limit ?? 0
                ).json
            }
        }
    }

    /// The streams: workflow events and pod logs.
    static func streamRoutes(_ router: Router<BasicRequestContext>, _ sim: ArgoSimulator, keepaliveInterval: Duration) {
        router.get("/api/v1/workflow-events/{namespace}") { request, context in
            try await Self.events(sim, request, context, keepaliveInterval: keepaliveInterval)
        }
        router.get("/api/v1/workflows/{namespace}/{name}/log") { request, context in
            try await Self.logs(sim, request, context, podName: request.uri.queryParameters.get("podName"))
        }
        router.get("/api/v1/workflows/{namespace}/{name}/{podName}/log") { request, context in
            try await Self.logs(sim, request, context, podName: context.parameters.get("podName"))
        }
    }

    static func logs(_ sim: ArgoSimulator, _ request: Request, _ context: BasicRequestContext, podName: String?)
        async throws -> Response
    {
        let q = request.uri.queryParameters
        let query = LogQuery(
            namespace: context.parameters.get("namespace") ?? "",
            workflowName: context.parameters.get("name") ?? "",
            podName: podName,
            container: q.get("logOptions.container") ?? "main",
            tailLines: q.get("logOptions.tailLines").flatMap { Int($0) },
            grep: q.get("grep"),
            sinceSeconds: q.get("logOptions.sinceSeconds").flatMap { Int($0) },
            follow: q.get("logOptions.follow") == "true",
            timestamps: q.get("logOptions.timestamps") == "true",
            stream: q.get("logOptions.stream").flatMap(LogStream.init(rawValue:))
        )
        let plan: ArgoSimulator.LogPlan
        do {
            plan = try await sim.logPlan(query)
        } catch let error as ArgoError {
            return streamErrorResponse(error, request)
        }
        let lines = AsyncThrowingStream<String, any Error> { continuation in
            for entry in plan.entries {
                continuation.yield(
                    String(decoding: (try? JSONEncoder().encode(entry)) ?? Data("{}".utf8), as: UTF8.self))
            }
            continuation.finish()
        }
        return await stream(
            request, results: lines, breakAfter: plan.breakAfter, cut: plan.cut, breakError: plan.breakError,
            keepaliveInterval: nil)
    }

    static func events(
        _ sim: ArgoSimulator, _ request: Request, _ context: BasicRequestContext, keepaliveInterval: Duration
    ) async throws -> Response {
        let q = request.uri.queryParameters
        let namespace = context.parameters.get("namespace") ?? ""
        let name = Self.name(fromFieldSelector: q.get("listOptions.fieldSelector")) ?? ""
        let watch: (events: AsyncThrowingStream<Data, any Error>, breakAfter: Int?, cut: Bool)
        do {
            watch = try await sim.watchEvents(
                namespace: namespace, name: name, resourceVersion: q.get("listOptions.resourceVersion"))
        } catch let error as ArgoError {
            return streamErrorResponse(error, request)
        }
        let events = AsyncThrowingStream<String, any Error> { continuation in
            let forward = Task {
                do {
                    for try await event in watch.events { continuation.yield(String(decoding: event, as: UTF8.self)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in forward.cancel() }
        }
        let breakError = ArgoError(.streamBroken, message: "transport is closing", httpStatus: 503, grpcCode: 14)
        return await stream(
            request, results: events, breakAfter: watch.breakAfter, cut: watch.cut, breakError: breakError,
            keepaliveInterval: keepaliveInterval)
    }

    /// Argo's streaming shape (`argoproj/pkg` `grpc/http/forwarders.go` `NewStreamForwarder` over grpc-gateway
    /// v1.16 `runtime.ForwardResponseStream`): one `{"result":…}` frame per item, as newline-delimited JSON, or —
    /// when the client accepts exactly `text/event-stream` — as `data: <json> \n\n` plus the gateway's `\n`
    /// delimiter, with a `:\n` keepalive every `keepaliveInterval`. An error after the first frame is the gateway's
    /// `{"error":…}` chunk without a delimiter (`handleForwardResponseStreamError`); with `cut` the connection is
    /// dropped instead. A stream that ends with `ArgoSimulator.StreamEnd` gets Argo's end-of-watch frame.
    ///
    /// The response head waits, as Go's `net/http` does, for the first write: `ForwardResponseStream` writes nothing
    /// before the first message (the gRPC `SendHeader` of `WatchWorkflows` does not reach the HTTP client), so a
    /// quiet NDJSON stream sends no head at all; on SSE the first keepalive brings it.
    static func stream(
        _ request: Request, results: AsyncThrowingStream<String, any Error>, breakAfter: Int?, cut: Bool,
        breakError: ArgoError, keepaliveInterval: Duration?
    ) async -> Response {
        let sse = request.headers[.accept] == "text/event-stream"
        var headers = HTTPFields()
        headers[.contentType] = sse ? "text/event-stream" : "application/json"
        let (merged, continuation) = AsyncThrowingStream<String?, any Error>.makeStream()
        let (firstWrite, opened) = AsyncStream<Void>.makeStream()
        let forward = Task {
            do {
                for try await result in results {
                    continuation.yield(result)
                    opened.finish()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            opened.finish()
        }
        let keepalive = Task {
            guard sse, let keepaliveInterval else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: keepaliveInterval)
                continuation.yield(nil)
                opened.finish()
            }
        }
        // Go's server ends the handler when the client goes; Hummingbird does not tell a handler, so the wait is
        // bounded, and tasks whose response never started (the client left before the head) are stopped.
        let cap = Task {
            try? await Task.sleep(for: .seconds(600))
            opened.finish()
        }
        await withTaskCancellationHandler {
            for await _ in firstWrite {}
        } onCancel: {
            opened.finish()
        }
        cap.cancel()
        let started = BodyStarted()
        let orphanWatch = Task {
            try? await Task.sleep(for: .seconds(30))
            if !started.value {
                forward.cancel()
                keepalive.cancel()
            }
        }
        if Task.isCancelled {
            forward.cancel()
            keepalive.cancel()
        }
        let body = ResponseBody { writer in
            started.mark()
            orphanWatch.cancel()
            func frame(_ payload: String) -> ByteBuffer {
                ByteBuffer(string: sse ? "data: \(payload) \n\n\n" : "\(payload)\n")
            }
            func errorChunk(_ e: ArgoError) -> ByteBuffer {
                let payload = streamErrorJSON(e)
                return ByteBuffer(string: sse ? "data: \(payload) \n\n" : payload)
            }
            defer {
                forward.cancel()
                keepalive.cancel()
            }
            var count = 0
            var broke = false
            do {
                for try await item in merged {
                    guard let result = item else {
                        try await writer.write(ByteBuffer(string: ":\n"))
                        continue
                    }
                    if let breakAfter, count >= breakAfter {
                        broke = true
                        break
                    }
                    try await writer.write(frame("{\"result\":\(result)}"))
                    count += 1
                }
            } catch let error as ArgoError {
                try await writer.write(errorChunk(error))
                try await writer.finish(nil)
                return
            } catch is StreamEnd {
                try await writer.write(errorChunk(StreamEnd.error))
                try await writer.finish(nil)
                return
            }
            if broke || (breakAfter.map { count <= $0 } ?? false) {
                if cut {
                    // Let what was written reach the client, then drop the connection mid-body.
                    try await Task.sleep(for: .milliseconds(100))
                    throw SimulatorError("simulated connection cut")
                }
                try await writer.write(errorChunk(breakError))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// grpc-gateway's `internal.StreamError` as JSON (`runtime.DefaultHTTPStreamErrorHandler`).
    static func streamErrorJSON(_ e: ArgoError) -> String {
        let grpc = e.grpcCode ?? 13
        let http = e.httpStatus ?? Fault.httpStatus(forGRPC: grpc)
        let text = statusText(http)
        return
            #"{"error":{"grpc_code":\#(grpc),"http_code":\#(http),"message":\#(jsonString(e.message)),"http_status":\#(jsonString(text))}}"#
    }

    /// Go's `http.StatusText` for the statuses grpc-gateway maps gRPC codes to.
    static func statusText(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Internal Server Error"
        }
    }

    /// A stream call refused before its first message: grpc-gateway answers with the error's HTTP status and the
    /// `{"error":…}` chunk (`runtime/handler.go` `handleForwardResponseStreamError` with `wroteHeader == false`),
    /// `data: `-prefixed for SSE.
    static func streamErrorResponse(_ error: ArgoError, _ request: Request) -> Response {
        let sse = request.headers[.accept] == "text/event-stream"
        let payload = streamErrorJSON(error)
        var headers = HTTPFields()
        headers[.contentType] = sse ? "text/event-stream" : "application/json"
        let grpc = error.grpcCode ?? 13
        return Response(
            status: HTTPResponse.Status(code: error.httpStatus ?? Fault.httpStatus(forGRPC: grpc)), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: sse ? "data: \(payload) \n\n" : payload)))
    }

    /// Whether a field selector holds `ext.showRemainingItemCount=true` (`server/utils/list_options.go`).
    static func showRemainingItemCount(_ selector: String?) -> Bool {
        selector?.split(separator: ",").contains { $0 == "ext.showRemainingItemCount=true" } ?? false
    }

    /// The name in a `metadata.name=<name>` field selector.
    static func name(fromFieldSelector selector: String?) -> String? {
        selector?.split(separator: ",").first { $0.hasPrefix("metadata.name=") }.map {
            String($0.dropFirst("metadata.name=".count))
        }
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// `BuildListOptions` reads `createdAfter`/`finishedBefore` with `time.Parse(time.RFC3339, …)` and answers a bad
    /// one with Go's parse error as gRPC 13.
    static func rfc3339(_ text: String?) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count >= 20, text.dropFirst(10).first == "T", let date = ArgoTime.parse(text) else {
            throw ArgoError.fromServer(
                httpStatus: 500, grpcCode: 13,
                message:
                    "parsing time \(jsonString(text)) as \"2006-01-02T15:04:05Z07:00\": cannot parse \(jsonString(text)) as \"2006\""
            )
        }
        return date
    }

    static func ok(_ data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ produce: () async throws -> Data) async throws -> Response {
        do {
            return ok(try await produce())
        } catch let error as ArgoError {
            return errorResponse(error)
        } catch is MalformedBody {
            var headers = HTTPFields()
            headers[.contentType] = "text/html"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: "<html><body>Please sign in</body></html>")))
        }
    }

    /// A unary call's error: the gRPC status as Argo's `encoding/json` marshaler writes it, `{"code":N,"message":"…"}`
    /// (`details` is `omitempty`), with the HTTP status grpc-gateway maps the code to
    /// (`runtime/proto_errors.go` `DefaultHTTPProtoErrorHandler`, `runtime/errors.go` `HTTPStatusFromCode`).
    static func errorResponse(_ error: ArgoError) -> Response {
        let code = error.grpcCode ?? 13
        let body = #"{"code":\#(code),"message":\#(jsonString(error.message))}"#
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: error.httpStatus ?? Fault.httpStatus(forGRPC: code)),
            headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Whether a response's body has begun (its head was written).
final class BodyStarted: Sendable {
    private let state = Mutex(false)
    func mark() { state.withLock { $0 = true } }
    var value: Bool { state.withLock { $0 } }
}
