import Foundation
import Ports

/// One compact line of a workflow listing.
public struct WorkflowRow: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var uid: String?
    public var phase: String
    public var progress: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Int?
    public var duration: String?
    public var message: String?
    public var suspended: Bool?
    /// True for a row Argo took from the workflow archive (see `Workflow.isArchivedCopy`): Argo v3.5.7+ lists every
    /// workflow its controller has archived from the archive, whether its object still exists or is gone.
    public var archived: Bool?
}

public struct WorkflowListResult: Sendable, Codable, Equatable {
    public var namespace: String
    public var items: [WorkflowRow]
    public var count: Int
    /// Pass back as `continue` for the next page; absent on the last page.
    public var `continue`: String?
    public var hasMore: Bool
    public var remainingItemCount: Int?
    /// Said when a result needs explaining (e.g. an empty archive).
    public var note: String?
}

/// A node as the summary shows it.
public struct NodeRow: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var type: String
    public var template: String?
    public var phase: String
    public var message: String?
    public var exitCode: String?
    public var podName: String?
    public var startedAt: String?
    public var durationSeconds: Int?
    /// True for a failed attempt whose retry later succeeded: not the cause of anything.
    public var recovered: Bool?
}

public struct ParameterValue: Sendable, Codable, Equatable {
    public var name: String
    public var value: String?
}

/// The default answer of `get_workflow`: everything that matters, nothing that is large.
public struct WorkflowSummary: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var uid: String?
    public var phase: String
    public var progress: String?
    public var createdAt: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Int?
    public var duration: String?
    public var estimatedDurationSeconds: Int?
    public var message: String?
    public var entrypoint: String?
    public var workflowTemplate: String?
    public var cronWorkflow: String?
    public var suspended: Bool?
    public var parameters: [ParameterValue]
    public var nodeCount: Int
    public var nodesByPhase: [String: Int]
    public var failedNodes: [NodeRow]
    public var failedNodeCount: Int
    public var runningNodes: [NodeRow]
    public var runningNodeCount: Int
    /// True when a list above (nodes, parameters, messages) was cut to stay compact.
    public var truncated: Bool
    public var resourcesDuration: [String: Int]?
    /// True when Argo answered with the archive's copy: the live object is gone (see `Workflow.isArchivedCopy`).
    public var archived: Bool?
}

/// One row of the node tree (`include: nodes`), in depth-first order.
public struct NodeTreeRow: Sendable, Codable, Equatable {
    public var depth: Int
    public var id: String
    public var name: String
    public var type: String
    public var phase: String
    public var template: String?
    public var message: String?
    public var exitCode: String?
    public var podName: String?
    public var durationSeconds: Int?
    public var children: Int
}

public struct NodeTreePage: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var phase: String
    public var nodeCount: Int
    public var offset: Int
    public var nodes: [NodeTreeRow]
    public var `continue`: String?
    public var truncated: Bool
}

/// A slice of an object's JSON text (`include: spec | raw`, or `fields`).
public struct JSONTextPage: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var section: String
    public var offset: Int
    public var totalBytes: Int
    public var text: String
    public var `continue`: String?
    public var truncated: Bool
}

public struct PodLog: Sendable, Codable, Equatable {
    public var podName: String
    public var node: String?
    public var lines: [String]
}

public struct WorkflowLogs: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var container: String
    public var node: String?
    public var pods: [PodLog]
    public var lineCount: Int
    public var bytes: Int
    /// True when older lines were dropped to stay within `max_bytes`, or pods were left out.
    public var truncated: Bool
    public var droppedLines: Int
    /// Pods under the node that were not read (a node reads at most 20 pods, the oldest first).
    public var omittedPods: Int?
    /// Set when the stream broke after some lines arrived; the lines above are what arrived.
    public var streamError: String?
    /// stdout or stderr when one stream was selected.
    public var stream: String? = nil
    public var note: String? = nil
}
