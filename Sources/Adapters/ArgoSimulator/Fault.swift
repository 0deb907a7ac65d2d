import Foundation
import Ports

/// A fault the simulator injects into one kind of call.
public struct Fault: Sendable, Equatable {
    /// Answer with this Argo (gRPC) code and message instead of the real answer.
    public var grpcCode: Int?
    public var message: String?
    /// Wait this long before answering.
    public var latencyMilliseconds: Int
    /// For streams: break after this many lines.
    public var breakAfterLines: Int?
    /// How the stream breaks: an `{"error":…}` frame, or the connection is cut.
    public var cutConnection: Bool
    /// Fire this many times, then disappear; nil = every time.
    public var remaining: Int?
    /// Over HTTP: answer 200 with a body that is not Argo's JSON (a proxy's login page, say).
    public var malformedBody: Bool = false

    public init(
        grpcCode: Int? = nil, message: String? = nil, latencyMilliseconds: Int = 0, breakAfterLines: Int? = nil,
        cutConnection: Bool = false, remaining: Int? = nil
    ) {
        self.grpcCode = grpcCode
        self.message = message
        self.latencyMilliseconds = latencyMilliseconds
        self.breakAfterLines = breakAfterLines
        self.cutConnection = cutConnection
        self.remaining = remaining
    }

    /// The simulated calls faults attach to.
    public enum Operation: String, Sendable, CaseIterable {
        case listWorkflows = "list_workflows"
        case getWorkflow = "get_workflow"
        case workflowLogs = "workflow_logs"
        case version
        case listCronWorkflows = "list_cron_workflows"
        case getCronWorkflow = "get_cron_workflow"
        /// Both template scopes.
        case listWorkflowTemplates = "list_workflow_templates"
        case getWorkflowTemplate = "get_workflow_template"
        case info
        case userInfo = "userinfo"
        case listArchivedWorkflows = "list_archived_workflows"
        case getArchivedWorkflow = "get_archived_workflow"
        /// The `workflow-events` watch stream.
        case workflowEvents = "workflow_events"
        /// terminate, stop, retry, suspend, resume.
        case mutateWorkflow = "mutate_workflow"
        /// Cron suspend, resume, create, update and delete.
        case mutateCronWorkflow = "mutate_cron_workflow"
        /// WorkflowTemplate and ClusterWorkflowTemplate create, update and delete.
        case mutateTemplate = "mutate_template"
        case lint
        /// The SyncService (`/api/v1/sync`).
        case sync
        /// Create and submit.
        case submit
    }

    /// Parses `OPERATION:key=value[,key=value…]`, e.g. `get_workflow:code=7,message=denied`,
    /// `workflow_logs:break_after=5,cut=true`, `list_workflows:latency_ms=200,times=1`.
    public static func parse(_ spec: String) throws -> (Operation, Fault) {
        let head = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard head.count == 2, let op = Operation(rawValue: head[0]) else {
            let ops = Operation.allCases.map(\.rawValue).joined(separator: ", ")
            throw SimulatorError("fault '\(spec)': expected OPERATION:key=value,… with OPERATION one of \(ops)")
        }
        var fault = Fault()
        for pair in head[1].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw SimulatorError("fault '\(spec)': '\(pair)' is not key=value") }
            switch kv[0] {
            case "code": fault.grpcCode = Int(kv[1])
            case "message": fault.message = kv[1]
            case "latency_ms": fault.latencyMilliseconds = Int(kv[1]) ?? 0
            case "break_after": fault.breakAfterLines = Int(kv[1])
            case "cut": fault.cutConnection = kv[1] == "true"
            case "times": fault.remaining = Int(kv[1])
            case "malformed": fault.malformedBody = kv[1] == "true"
            default:
                throw SimulatorError(
                    "fault '\(spec)': unknown key '\(kv[0])' (code, message, latency_ms, break_after, cut, times, malformed)"
                )
            }
        }
        return (op, fault)
    }

    /// The HTTP status grpc-gateway v1.16 uses for a gRPC code, the mapping, which Argo's HTTP face uses (`runtime/errors.go` `HTTPStatusFromCode`):
    /// Canceled is 408 there (v2 says 499), FailedPrecondition and OutOfRange 400.
    public static func httpStatus(forGRPC code: Int) -> Int {
        switch code {
        case 0: 200
        case 1: 408
        case 3, 9, 11: 400
        case 4: 504
        case 5: 404
        case 6, 10: 409
        case 7: 403
        case 8: 429
        case 12: 501
        case 14: 503
        case 16: 401
        default: 500
        }
    }

    static func defaultMessage(forGRPC code: Int) -> String {
        switch code {
        case 5: "not found"
        case 7: "permission denied"
        case 16: "token not valid"
        case 14: "service unavailable"
        default: "injected fault"
        }
    }

    var error: ArgoError? {
        grpcCode.map {
            ArgoError.fromServer(
                httpStatus: Self.httpStatus(forGRPC: $0), grpcCode: $0,
                message: message ?? Self.defaultMessage(forGRPC: $0))
        }
    }
}

public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
