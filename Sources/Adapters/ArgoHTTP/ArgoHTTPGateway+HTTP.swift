import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOSSL
import Ports
import Synchronization
import Tracing

/// Requests, deadlines, decoding and the translation of failures into `ArgoError`.
extension ArgoHTTPGateway {
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

    /// Sends one request and waits for its response head. With `quietDeadline`, a head that does not come in time
    /// is `QuietHead` (a quiet watch) rather than a timeout.
    ///
    /// Traced as a client span named by its route (`GET /api/v1/workflows/{namespace}/{name}`: no namespace, name,
    /// query or credential in it), up to the response head, with the W3C trace context sent along.
    func execute(
        _ request: HTTPClientRequest, timeout: TimeAmount, client: HTTPClient? = nil, quietDeadline: Bool = false
    ) async throws -> HTTPClientResponse {
        logger.debug("argo request", metadata: ["url": "\(request.url)"])
        let started = ContinuousClock.now
        defer { ArgoRequestMetrics.duration.record(duration: ContinuousClock.now - started) }
        let route = Self.route(URLComponents(string: request.url)?.path ?? "")
        let outcome: Result<HTTPClientResponse, any Error> = await withSpan(
            "\(request.method.rawValue) \(route)", ofKind: .client
        ) { span in
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.template"] = route
            span.attributes["server.address"] = connectionSettings.baseURL.host ?? ""
            if let port = connectionSettings.baseURL.port { span.attributes["server.port"] = port }
            var traced = request
            if let context = ServiceContext.current {
                InstrumentationSystem.instrument.inject(context, into: &traced.headers, using: HeadersInjector())
            }
            do {
                let response = try await (client ?? self.client).execute(traced, timeout: timeout, logger: logger)
                span.attributes["http.response.status_code"] = Int(response.status.code)
                if response.status.code >= 400 {
                    span.attributes["error.type"] = "\(response.status.code)"
                    span.setStatus(SpanStatus(code: .error))
                }
                return .success(response)
            } catch let error as HTTPClientError where quietDeadline && error == .deadlineExceeded {
                return .failure(QuietHead())
            } catch {
                // The kind of failure, not its words (they name the server's address and objects).
                let translated = translate(error)
                span.attributes["error.type"] = "\(translated.kind)"
                span.setStatus(SpanStatus(code: .error))
                return .failure(translated)
            }
        }
        return try outcome.get()
    }

    /// Puts the W3C trace context into request headers (replacing any already there).
    struct HeadersInjector: Injector {
        func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
            headers.replaceOrAdd(name: key, value: value)
        }
    }

    /// Words of Argo's REST paths that name an operation, not an object; every other segment after the resource
    /// becomes a placeholder.
    static let routeWords: Set<String> = [
        "lint", "submit", "log", "retry", "resubmit", "stop", "terminate", "suspend", "resume", "set", "workflows",
        "archived-workflows", "inputs", "outputs",
    ]

    /// A request path as a route: `/api/v1/workflows/argo/etl-1/retry` is `/api/v1/workflows/{namespace}/{name}/retry`,
    /// so a span names what was asked for without naming which object.
    static func route(_ path: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        if parts.count >= 3, parts[0] == "api", parts[1] == "v1" {
            let resource = parts[2]
            let names: [String] =
                switch resource {
                case "cluster-workflow-templates": ["{name}"]
                case "archived-workflows": ["{uid}"]
                case "sync": ["{namespace}", "{key}"]
                case "workflow-events", "events", "stream": ["{namespace}"]
                default: ["{namespace}", "{name}"]
                }
            var out = ["api", "v1", resource]
            for (index, segment) in parts.dropFirst(3).enumerated() {
                if index == 1 && ["lint", "submit"].contains(segment) {
                    out.append(segment)
                } else if index < names.count {
                    out.append(names[index])
                } else {
                    out.append(routeWords.contains(segment) ? segment : "{…}")
                }
            }
            return "/" + out.joined(separator: "/")
        }
        guard let first = parts.first else { return "/" }
        // /artifact-files/{namespace}/workflows/{name}/{node}/outputs/{artifact}…
        return "/"
            + ([first] + parts.dropFirst().map { routeWords.contains($0) ? $0 : "{…}" }).joined(separator: "/")
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
        if parsed == nil, let page = ProxyPage(body) {
            let message =
                "a proxy in front of the Argo Server answered \(status)\(page.title.map { " (\($0))" } ?? ""), with an HTML page instead of Argo's JSON"
            // A proxy's 404 is a route it lacks, not a missing object (which would read as a deleted workflow).
            let error =
                status == 404
                ? ArgoError(.malformedResponse, message: message, httpStatus: status)
                : ArgoError.fromServer(httpStatus: status, grpcCode: nil, message: message)
            ArgoRequestMetrics.failed(error.kind)
            return error.withHint(page.hint(status: status, baseURL: connectionSettings.baseURL.absoluteString))
        }
        // `persist/sqldb/null_workflow_archive.go`: a server without persistence answers archive reads with these
        // words and gRPC 13 (`ToStatusError(err, codes.Internal)` in `server/workflowarchive`).
        if let message = parsed?.message, ArgoErrorBody.noArchiveMessages.contains(message) {
            ArgoRequestMetrics.failed(.unimplemented)
            return ArgoError(
                .unimplemented, message: message, httpStatus: status, grpcCode: parsed?.grpcCode,
                hint:
                    "this Argo Server has no workflow archive: persistence (with archive: true) is not configured in the workflow-controller ConfigMap"
            )
        }
        let message =
            parsed?.message
            ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let error = ArgoError.fromServer(
            httpStatus: status, grpcCode: parsed?.grpcCode, message: message.isEmpty ? "HTTP \(status)" : message)
        ArgoRequestMetrics.failed(error.kind)
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
        let translated = translateTransport(error)
        ArgoRequestMetrics.failed(translated.kind)
        return translated
    }

    private func translateTransport(_ error: any Error) -> ArgoError {
        let text = String(describing: error)
        let url = connectionSettings.baseURL.absoluteString
        if error is NIOSSLError || text.contains("SSL") || text.contains("handshake") || text.contains("certificate") {
            return ArgoError(
                .tls, message: "TLS with \(url) failed: \(Self.tlsReason(text))",
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

    /// A TLS failure in words: the reason BoringSSL or NIOSSL gives, without the build paths their descriptions
    /// carry (`…/.build/checkouts/swift-nio-ssl/Sources/…:393`).
    static func tlsReason(_ text: String) -> String {
        let known: [(String, String)] = [
            ("WRONG_VERSION_NUMBER", "the server did not answer in TLS (does it speak plain HTTP?)"),
            (
                "CERTIFICATE_VERIFY_FAILED",
                "the server's certificate is not trusted (unknown CA, self-signed or expired)"
            ),
            ("failedToValidateHostname", "the server's certificate is for another host name"),
            ("unableToValidateCertificate", "the server's certificate could not be validated"),
            ("CERTIFICATE_REQUIRED", "the server wants a client certificate (ARGO_CLIENT_CERT and ARGO_CLIENT_KEY)"),
            ("UNKNOWN_CA", "the server does not trust the client certificate's CA"),
            ("BAD_CERTIFICATE", "the server refused the client certificate"),
            ("PROTOCOL_VERSION", "no TLS version in common with the server"),
            ("HANDSHAKE_FAILURE", "no TLS version or cipher in common with the server"),
            (
                "uncleanShutdown",
                "the server closed the TLS connection without a TLS goodbye (it stopped, or a proxy cut it)"
            ),
        ]
        for (needle, words) in known where text.contains(needle) { return words }
        if let token = text.firstMatch(of: /[A-Z][A-Z0-9]*_[A-Z0-9_]{3,}/) {
            return "the TLS handshake failed (\(token.output))"
        }
        return "the TLS handshake failed"
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static func segment(_ text: String) -> String { encode(text) }
}

/// An HTML page where Argo's JSON was expected, as proxies and ingresses answer their own errors.
struct ProxyPage {
    var title: String?

    init?(_ body: Data) {
        let text = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        let lower = text.lowercased()
        guard lower.contains("<html") || lower.contains("<!doctype html") || lower.contains("<title") else {
            return nil
        }
        if let open = text.range(of: "<title", options: .caseInsensitive),
            let end = text.range(of: ">", range: open.upperBound..<text.endIndex),
            let close = text.range(of: "</title>", options: .caseInsensitive, range: end.upperBound..<text.endIndex)
        {
            let words = text[end.upperBound..<close.lowerBound].split(whereSeparator: \.isWhitespace).joined(
                separator: " ")
            title = words.isEmpty ? nil : String(words.prefix(120))
        }
    }

    func hint(status: Int, baseURL: String) -> String {
        switch status {
        case 502, 503, 504:
            "the proxy could not get an answer from the Argo Server: check that the server runs (kubectl -n argo get pods -l app=argo-server) and the proxy's route to it; retry once it is back"
        case 401, 403:
            "the proxy refused the request before it reached Argo: it may need its own login (an OAuth proxy's cookie or header); point ARGO_SERVER at the Argo Server itself, or give credentials the proxy accepts"
        case 404:
            "the proxy has no route for this path: check ARGO_BASE_HREF and ARGO_SERVER (\(baseURL))"
        case 413:
            "the proxy limits request sizes: raise its body limit, or send a smaller manifest"
        default:
            "check the proxy or ingress in front of the Argo Server (\(baseURL))"
        }
    }
}

/// A stream's response head did not come within its quiet time.
struct QuietHead: Error {}

/// Prometheus-style metrics of the requests to the Argo Server (swift-metrics; exported when Main bootstraps a
/// backend, no-ops otherwise).
enum ArgoRequestMetrics {
    /// Looked up per request (the backend keeps one per label), so one made before the backend is bootstrapped is
    /// not kept as a no-op.
    static var duration: Metrics.Timer { Metrics.Timer(label: "argo_mcp_argo_request_duration_seconds") }

    /// One failed request, by the kind of failure (`unavailable`, `timeout`, `permissionDenied`, …): a bounded set.
    static func failed(_ kind: ArgoError.Kind) {
        Counter(label: "argo_mcp_argo_request_errors_total", dimensions: [("kind", kind.description)]).increment()
    }
}
