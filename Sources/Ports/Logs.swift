import Foundation

/// The query behind one log read.
public struct LogQuery: Sendable, Equatable {
    public var namespace: String
    public var workflowName: String
    /// A pod name (not a node id); nil reads every pod of the workflow.
    public var podName: String?
    public var container: String
    public var tailLines: Int?
    public var grep: String?
    public var sinceSeconds: Int?
    public var follow: Bool
    public var timestamps: Bool
    /// One of the container's output streams (`logOptions.stream`); nil reads both, interleaved.
    public var stream: LogStream?

    public init(
        namespace: String, workflowName: String, podName: String? = nil, container: String = "main",
        tailLines: Int? = nil, grep: String? = nil, sinceSeconds: Int? = nil, follow: Bool = false,
        timestamps: Bool = false, stream: LogStream? = nil
    ) {
        self.stream = stream
        self.namespace = namespace
        self.workflowName = workflowName
        self.podName = podName
        self.container = container
        self.tailLines = tailLines
        self.grep = grep
        self.sinceSeconds = sinceSeconds
        self.follow = follow
        self.timestamps = timestamps
    }
}

/// A container output stream, as Kubernetes' `PodLogOptions.stream` names it (behind the `PodLogsQuerySplitStreams`
/// feature gate, alpha since Kubernetes 1.32; Argo passes it through from v3.6.6).
public enum LogStream: String, Sendable, CaseIterable {
    case stdout = "Stdout"
    case stderr = "Stderr"
}

/// One line of pod output as Argo streams it.
///
/// Argo marshals its `LogEntry` with Go's `encoding/json` and the generated `json:"content,omitempty"` tags, so a
/// blank line arrives as `{"podName":"…"}` with no `content` at all: a missing field reads as an empty line, not
/// as an error (upstream: `util/logs/workflow-logger.go` `WorkflowLogs`, `pkg/apiclient/workflow/workflow.pb.go`).
public struct LogEntry: Sendable, Equatable, Codable {
    public var podName: String
    public var content: String

    public init(podName: String, content: String) {
        self.podName = podName
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case podName, content }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        podName = c.lenient(String.self, forKey: .podName) ?? ""
        content = c.lenient(String.self, forKey: .content) ?? ""
    }

    /// Encodes as Argo does: an empty `content` is left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !podName.isEmpty { try c.encode(podName, forKey: .podName) }
        if !content.isEmpty { try c.encode(content, forKey: .content) }
    }
}
