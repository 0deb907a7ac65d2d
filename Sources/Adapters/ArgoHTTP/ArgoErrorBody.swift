import Foundation
import Ports

/// The error bodies an Argo Server answers with, read into one typed error.
///
/// Argo's HTTP face is grpc-gateway v1.16 (`server/apiserver/argoserver.go` registers
/// `runtime.DefaultHTTPProtoErrorHandler`), which writes two shapes:
/// - unary calls, and stream calls refused before the gRPC stream opened: the gRPC status as JSON,
///   `{"code":5,"message":"…"}` (`runtime/proto_errors.go` `DefaultHTTPProtoErrorHandler`);
/// - stream calls whose first message is an error (`runtime/handler.go` `handleForwardResponseStreamError`): the
///   HTTP status of the error and `{"error":{"grpc_code":5,"http_code":404,"message":"…","http_status":"Not Found"}}`,
///   prefixed `data: ` when the client asked for `text/event-stream`.
/// Older gateways also wrote `{"error":"…","code":…,"message":"…"}` (`DefaultHTTPError`).
enum ArgoErrorBody {
    /// What `nullWorkflowArchive` (`persist/sqldb/null_workflow_archive.go`) answers when the server has no archive;
    /// every archive call but the lists (which answer empty) goes through `GetWorkflow` first.
    static let noArchiveMessages: Set<String> = [
        "getting archived workflows not supported", "deleting archived workflows not supported",
    ]

    /// grpc-gateway's `internal.StreamError`.
    struct StreamError: Decodable, Sendable {
        var grpcCode: Int?
        var httpCode: Int?
        var message: String?
        var httpStatus: String?

        enum CodingKeys: String, CodingKey {
            case grpcCode = "grpc_code"
            case httpCode = "http_code"
            case code, message
            case httpStatus = "http_status"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            grpcCode = c.lenient(Int.self, forKey: .grpcCode) ?? c.lenient(Int.self, forKey: .code)
            httpCode = c.lenient(Int.self, forKey: .httpCode)
            message = c.lenient(String.self, forKey: .message)
            httpStatus = c.lenient(String.self, forKey: .httpStatus)
        }

        var error: ArgoError {
            ArgoError.fromServer(
                httpStatus: httpCode, grpcCode: grpcCode, message: message ?? httpStatus ?? "stream error")
        }

        /// Argo's watch ended because the Kubernetes watch under it closed (gRPC 8 with message "EOF").
        var isPeriodicEnd: Bool { grpcCode == 8 && (message ?? "") == "EOF" }
    }

    /// What a body says, when it is one of the shapes above.
    struct Parsed: Sendable {
        var grpcCode: Int?
        var httpCode: Int?
        var message: String?
    }

    private struct Body: Decodable {
        var code: Int?
        var message: String?
        var errorText: String?
        var streamError: StreamError?

        enum CodingKeys: String, CodingKey { case code, message, error }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            code = c.lenient(Int.self, forKey: .code)
            message = c.lenient(String.self, forKey: .message)
            errorText = c.lenient(String.self, forKey: .error)
            streamError = c.lenient(StreamError.self, forKey: .error)
        }
    }

    /// Reads any of the shapes; nil when the body is not an Argo error (an HTML page, a proxy's text, nothing).
    static func parse(_ data: Data) -> Parsed? {
        var bytes = data[...]
        while let first = bytes.first, first == 32 || first == 10 || first == 13 { bytes = bytes.dropFirst() }
        if bytes.starts(with: "data:".utf8) { bytes = bytes.dropFirst(5) }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)) else { return nil }
        if let e = body.streamError, e.grpcCode != nil || e.httpCode != nil || e.message != nil {
            return Parsed(grpcCode: e.grpcCode, httpCode: e.httpCode, message: e.message ?? e.httpStatus)
        }
        guard body.code != nil || body.message != nil || body.errorText != nil else { return nil }
        return Parsed(grpcCode: body.code, httpCode: nil, message: body.message ?? body.errorText)
    }
}
