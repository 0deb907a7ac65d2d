import Foundation
import Hummingbird
import Logging
import NIOCore
import Ports

/// The simulator's face in Argo's REST shape, so that any Argo client (including the live adapter) can talk to it.
public struct SimulatorHTTPServer: Sendable {
    public let simulator: ArgoSimulator
    public let host: String
    public let port: Int
    /// How long an SSE event stream may stay quiet before a `: keepalive` comment is sent.
    public let keepaliveInterval: Duration
    let logger: Logger

    public init(
        simulator: ArgoSimulator, host: String = "127.0.0.1", port: Int, keepaliveInterval: Duration = .seconds(10),
        logger: Logger
    ) {
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

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let sim = simulator
        let keepaliveInterval = self.keepaliveInterval
        router.get("/api/v1/version") { _, _ in try await Self.json { try await sim.versionJSON() } }
        router.get("/api/v1/info") { _, _ in try await Self.json { try await sim.infoJSON() } }
        router.get("/api/v1/userinfo") { _, _ in try await Self.json { try await sim.userInfoJSON() } }
        router.get("/api/v1/archived-workflows") { request, _ in
            let q = request.uri.queryParameters
            let listRequest = ArgoSimulator.ListRequest(
                namespace: q.get("namespace"),
                labelSelector: q.get("listOptions.labelSelector"),
                name: q.get("namePrefix"),
                nameFilter: .prefix,
                limit: q.get("listOptions.limit").flatMap { Int($0) },
                continueToken: q.get("listOptions.continue")
            )
            return try await Self.json { try await sim.listArchivedJSON(listRequest) }
        }
        router.get("/api/v1/archived-workflows/{uid}") { _, context in
            let uid = context.parameters.get("uid") ?? ""
            return try await Self.json { try await sim.archivedJSON(uid: uid) }
        }
        let list: @Sendable (Request, BasicRequestContext, String?) async throws -> Response = {
            request, _, namespace in
            let q = request.uri.queryParameters
            let fieldSelector = q.get("listOptions.fieldSelector")
            let name = fieldSelector.flatMap { selector in
                selector.split(separator: ",").first { $0.hasPrefix("metadata.name=") }.map {
                    String($0.dropFirst("metadata.name=".count))
                }
            }
            let listRequest = ArgoSimulator.ListRequest(
                namespace: namespace,
                labelSelector: q.get("listOptions.labelSelector"),
                name: name,
                nameFilter: q.get("nameFilter").flatMap(ArgoSimulator.ListRequest.NameFilter.init(rawValue:)) ?? .exact,
                limit: q.get("listOptions.limit").flatMap { Int($0) },
                continueToken: q.get("listOptions.continue"),
                fields: q.get("fields")
            )
            return try await Self.json { try await sim.listWorkflowsJSON(listRequest) }
        }
        router.get("/api/v1/workflows") { request, context in try await list(request, context, nil) }
        router.get("/api/v1/workflows/{namespace}") { request, context in
            try await list(request, context, context.parameters.get("namespace"))
        }
        router.get("/api/v1/workflows/{namespace}/{name}") { request, context in
            let ns = context.parameters.get("namespace") ?? ""
            let name = context.parameters.get("name") ?? ""
            return try await Self.json {
                try await sim.workflowJSON(namespace: ns, name: name, fields: request.uri.queryParameters.get("fields"))
            }
        }
        let listObjects: @Sendable (ArgoKind, Request, String?) async throws -> Response = { kind, request, namespace in
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
        router.get("/api/v1/workflow-events/{namespace}") { request, context in
            try await Self.events(sim, request, context, keepaliveInterval: keepaliveInterval)
        }
        router.get("/api/v1/workflows/{namespace}/{name}/log") { request, context in
            try await Self.logs(sim, request, context, podName: request.uri.queryParameters.get("podName"))
        }
        router.get("/api/v1/workflows/{namespace}/{name}/{podName}/log") { request, context in
            try await Self.logs(sim, request, context, podName: context.parameters.get("podName"))
        }
        return router
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
            follow: q.get("logOptions.follow") == "true"
        )
        let plan: ArgoSimulator.LogPlan
        do {
            plan = try await sim.logPlan(query)
        } catch let error as ArgoError {
            return errorResponse(error)
        }
        let sse = request.headers[.accept] == "text/event-stream"
        var headers = HTTPFields()
        headers[.contentType] = sse ? "text/event-stream" : "application/json"
        let body = ResponseBody { writer in
            func frame(_ payload: String) -> ByteBuffer {
                ByteBuffer(string: sse ? "data: \(payload)\n\n" : "\(payload)\n")
            }
            if sse { try await writer.write(ByteBuffer(string: ": keepalive\n\n")) }
            for (index, entry) in plan.entries.enumerated() {
                if let limit = plan.breakAfter, index >= limit { break }
                let result = String(decoding: try JSONEncoder().encode(["result": entry]), as: UTF8.self)
                try await writer.write(frame(result))
            }
            if plan.breakAfter != nil {
                if plan.cut {
                    // Let the lines already written reach the client, then drop the connection mid-body.
                    try await Task.sleep(for: .milliseconds(100))
                    throw SimulatorError("simulated connection cut")
                }
                let e = plan.breakError
                let payload =
                    #"{"error":{"grpc_code":\#(e.grpcCode ?? 13),"http_code":\#(e.httpStatus ?? 500),"message":\#(jsonString(e.message)),"http_status":"Internal Server Error"}}"#
                try await writer.write(frame(payload))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static func events(
        _ sim: ArgoSimulator, _ request: Request, _ context: BasicRequestContext, keepaliveInterval: Duration
    ) async throws -> Response {
        let q = request.uri.queryParameters
        let namespace = context.parameters.get("namespace") ?? ""
        let name =
            q.get("listOptions.fieldSelector").flatMap { selector in
                selector.split(separator: ",").first { $0.hasPrefix("metadata.name=") }.map {
                    String($0.dropFirst("metadata.name=".count))
                }
            } ?? ""
        let watch: (events: AsyncThrowingStream<Data, any Error>, breakAfter: Int?, cut: Bool)
        do {
            watch = try await sim.watchEvents(
                namespace: namespace, name: name, resourceVersion: q.get("listOptions.resourceVersion"))
        } catch let error as ArgoError {
            return errorResponse(error)
        }
        let sse = request.headers[.accept] == "text/event-stream"
        var headers = HTTPFields()
        headers[.contentType] = sse ? "text/event-stream" : "application/json"
        let body = ResponseBody { writer in
            func frame(_ payload: String) -> ByteBuffer {
                ByteBuffer(string: sse ? "data: \(payload)\n\n" : "\(payload)\n")
            }
            if sse { try await writer.write(ByteBuffer(string: ": keepalive\n\n")) }
            // Events and, for SSE, a keepalive comment whenever the stream has been quiet for a while.
            let (merged, mergedContinuation) = AsyncThrowingStream<Data?, any Error>.makeStream()
            let forward = Task {
                do {
                    for try await event in watch.events { mergedContinuation.yield(event) }
                    mergedContinuation.finish()
                } catch {
                    mergedContinuation.finish(throwing: error)
                }
            }
            let keepalive = Task {
                while sse && !Task.isCancelled {
                    try? await Task.sleep(for: keepaliveInterval)
                    mergedContinuation.yield(nil)
                }
            }
            defer {
                forward.cancel()
                keepalive.cancel()
            }
            var count = 0
            for try await item in merged {
                guard let event = item else {
                    try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                    continue
                }
                if let limit = watch.breakAfter, count >= limit {
                    if watch.cut { throw SimulatorError("simulated connection cut") }
                    try await writer.write(
                        frame(
                            #"{"error":{"grpc_code":14,"http_code":503,"message":"transport is closing","http_status":"Service Unavailable"}}"#
                        ))
                    break
                }
                try await writer.write(frame("{\"result\":" + String(decoding: event, as: UTF8.self) + "}"))
                count += 1
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
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

    /// grpc-gateway's error body: `{"code":N,"message":"…"}` with the mapped HTTP status.
    static func errorResponse(_ error: ArgoError) -> Response {
        let code = error.grpcCode ?? 13
        let body = #"{"code":\#(code),"message":\#(jsonString(error.message)),"details":[]}"#
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: error.httpStatus ?? Fault.httpStatus(forGRPC: code)),
            headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
