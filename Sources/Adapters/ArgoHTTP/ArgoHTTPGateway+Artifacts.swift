import ArgoWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Ports

/// Argo's `set` and the artifact service. The artifact service is plain HTTP beside the gRPC gateway
/// (`server/apiserver/argoserver.go` `newHTTPServer`): its errors are `http.Error` text, not grpc-gateway JSON.
extension ArgoHTTPGateway {
    struct SetRequest: Encodable {
        var name: String
        var namespace: String
        var nodeFieldSelector: String
        var message: String?
        var phase: String?
        /// A JSON object as a string (`WorkflowSetRequest.outputParameters`), as the CLI and the UI send it.
        var outputParameters: String?
    }

    public func setWorkflow(namespace: String, name: String, update: NodeUpdate) async throws -> Workflow {
        var outputs: String?
        if !update.outputParameters.isEmpty {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            outputs = String(decoding: try encoder.encode(update.outputParameters), as: UTF8.self)
        }
        let path = "/api/v1/workflows/\(Self.segment(namespace))/\(Self.segment(name))/set"
        let data = try await put(
            path,
            SetRequest(
                name: name, namespace: namespace, nodeFieldSelector: update.nodeFieldSelector,
                message: update.message, phase: update.phase, outputParameters: outputs))
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    /// The two routes Argo serves an artifact on: `/artifact-files/…` (since v3.4; used by today's UI, and the one
    /// that knows archived workflows by uid) and the older `/artifacts/…` / `/input-artifacts/…` (by uid:
    /// `/artifacts-by-uid/…`), which every version through v4 still serves (`server/artifacts/artifact_server.go`).
    static func artifactRoutes(_ r: ArtifactRequest) -> [String] {
        let (ns, node, art) = (segment(r.namespace), segment(r.nodeID), segment(r.artifactName))
        let inputs = r.direction == .inputs
        if let uid = r.archivedUID {
            if let file = r.file {
                let path = file.split(separator: "/").map { segment(String($0)) }.joined(separator: "/")
                return [
                    "/artifact-files/\(ns)/archived-workflows/\(segment(uid))/\(node)/\(r.direction.rawValue)/\(art)/\(path)"
                ]
            }
            return [
                "/artifact-files/\(ns)/archived-workflows/\(segment(uid))/\(node)/\(r.direction.rawValue)/\(art)",
                "/\(inputs ? "input-artifacts-by-uid" : "artifacts-by-uid")/\(segment(uid))/\(node)/\(art)",
            ]
        }
        let wf = segment(r.workflowName)
        if let file = r.file {
            // Only `/artifact-files/` reaches into a directory artifact (`GetArtifactFile`'s fileName).
            let path = file.split(separator: "/").map { segment(String($0)) }.joined(separator: "/")
            return ["/artifact-files/\(ns)/workflows/\(wf)/\(node)/\(r.direction.rawValue)/\(art)/\(path)"]
        }
        return [
            "/artifact-files/\(ns)/workflows/\(wf)/\(node)/\(r.direction.rawValue)/\(art)",
            "/\(inputs ? "input-artifacts" : "artifacts")/\(ns)/\(wf)/\(node)/\(art)",
        ]
    }

    /// Tries `/artifact-files/…` first; when that route fails in a way the older one may not (a server without it
    /// answers with the UI's page; a driver without `IsDirectory` support makes it answer 500), the older route.
    public func artifact(_ request: ArtifactRequest) async throws -> ArtifactBytes {
        let routes = Self.artifactRoutes(request)
        var failures: [String] = []
        for (index, route) in routes.enumerated() {
            do {
                return try await fetchArtifact(route, limit: request.limit)
            } catch let error as ArgoError
                where index < routes.count - 1 && ![.unauthenticated, .permissionDenied].contains(error.kind)
            {
                failures.append("\(Self.routeName(route)): \(error.message)")
            } catch let error as ArgoError {
                failures.append("\(Self.routeName(route)): \(error.message)")
                throw ArgoError(
                    error.kind,
                    message: "the artifact service could not serve it (" + failures.joined(separator: "; ") + ")",
                    httpStatus: error.httpStatus, hint: error.hint)
            }
        }
        throw ArgoError(.unavailable, message: "no artifact route answered")
    }

    static func routeName(_ route: String) -> String {
        "/" + (route.split(separator: "/").first.map(String.init) ?? "") + "/…"
    }

    /// One route: the body up to `limit` bytes. Redirects are followed (a directory answers 307 to its listing).
    func fetchArtifact(_ route: String, limit: Int) async throws -> ArtifactBytes {
        var request = makeRequest(path: route, query: [], accept: "*/*")
        request.method = .GET
        let response = try await execute(request, timeout: .seconds(Int64(connectionSettings.requestTimeoutSeconds)))
        var data = Data()
        var complete = true
        // At least enough to tell the UI's page from an artifact, whatever the limit.
        let cap = max(limit, 4096)
        do {
            for try await chunk in response.body {
                let room = cap - data.count
                if chunk.readableBytes > room {
                    data.append(contentsOf: chunk.readableBytesView.prefix(room))
                    complete = false
                    break
                }
                data.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            throw translate(error)
        }
        let contentType = response.headers.first(name: "Content-Type")
        guard response.status == .ok else {
            let text = String(decoding: data.prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let error = ArgoError.fromServer(
                httpStatus: Int(response.status.code), grpcCode: nil,
                message: text.isEmpty ? "HTTP \(response.status.code)" : "HTTP \(response.status.code) \(text)")
            ArgoRequestMetrics.failed(error.kind)
            throw error
        }
        if Self.isArgoUIPage(data, contentType: contentType) {
            throw ArgoError(
                .notFound,
                message:
                    "the server answered with the Argo UI's page: this route is not served here (an Argo Server before v3.4, or its artifact service is turned off with ARGO_ARTIFACT_SERVER=false)",
                httpStatus: 404)
        }
        if data.count > max(0, limit) {
            data = data.prefix(max(0, limit))
            complete = false
        }
        return ArtifactBytes(
            data: data, complete: complete, contentType: contentType,
            fileName: Self.fileName(response.headers.first(name: "Content-Disposition")),
            route: route)
    }

    /// The UI's `index.html`, which the Argo Server's static file handler answers any unknown path with
    /// (`server/static/static.go` `ServerFiles`).
    static func isArgoUIPage(_ data: Data, contentType: String?) -> Bool {
        guard contentType?.lowercased().hasPrefix("text/html") == true else { return false }
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        return text.contains("<title>Argo</title>") && text.contains("id=\"app\"")
    }

    /// `filename="main.log"` from `returnArtifact`'s Content-Disposition.
    static func fileName(_ disposition: String?) -> String? {
        guard let disposition, let range = disposition.range(of: "filename=") else { return nil }
        let value = disposition[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" ;"))
        return value.isEmpty ? nil : value
    }
}
