import Foundation

/// How a workflow list matches a name (Argo's `nameFilter`, v3.6+).
public enum NameMatch: String, Sendable, CaseIterable {
    case contains = "Contains"
    case prefix = "Prefix"
    case exact = "Exact"

    public func matches(_ name: String, _ text: String) -> Bool {
        switch self {
        case .contains: name.contains(text)
        case .prefix: name.hasPrefix(text)
        case .exact: name == text
        }
    }
}

/// The query behind one `list workflows` call.
public struct WorkflowListQuery: Sendable, Equatable {
    /// `nil` means all namespaces.
    public var namespace: String?
    public var labelSelector: String?
    /// Filtered server-side through the `workflows.argoproj.io/phase` label.
    public var phases: [WorkflowPhase]
    /// Text the workflow name must contain (Argo's `nameFilter=Contains`), or start with or equal, as `nameMatch`
    /// says.
    public var nameContains: String?
    public var nameMatch: NameMatch = .contains
    /// Only workflows created at or after this time (Argo v3.7's `createdAfter`).
    public var createdAfter: Date?
    /// Only workflows that finished at or before this time (Argo v3.7's `finishedBefore`).
    public var finishedBefore: Date?
    public var limit: Int?
    public var continueToken: String?
    /// Argo's `fields=` selector; adapters fill in a compact default when nil.
    public var fields: String?

    public init(
        namespace: String?, labelSelector: String? = nil, phases: [WorkflowPhase] = [], nameContains: String? = nil,
        limit: Int? = nil, continueToken: String? = nil, fields: String? = nil
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.phases = phases
        self.nameContains = nameContains
        self.limit = limit
        self.continueToken = continueToken
        self.fields = fields
    }

    /// The label selector sent to Argo: the caller's selector plus the phase filter.
    public var effectiveLabelSelector: String? {
        var parts: [String] = []
        if let labelSelector, !labelSelector.isEmpty { parts.append(labelSelector) }
        if !phases.isEmpty {
            let values = phases.map(\.rawValue).joined(separator: ",")
            parts.append("\(ArgoLabels.phase) in (\(values))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// The fields a compact listing needs; also what the Argo CLI asks for.
    public static let compactListFields = [
        "metadata",
        "items.metadata.uid", "items.metadata.name", "items.metadata.namespace",
        "items.metadata.creationTimestamp", "items.metadata.labels", "items.metadata.annotations",
        "items.status.phase", "items.status.message", "items.status.finishedAt", "items.status.startedAt",
        "items.status.estimatedDuration", "items.status.progress", "items.spec.suspend",
    ].joined(separator: ",")
}

public struct WorkflowPage: Sendable {
    public var items: [Workflow]
    /// Present when more items exist; pass it back as `continueToken`.
    public var continueToken: String?
    public var remainingItemCount: Int?
    /// Items of the server's page that could not be read at all (not objects), left out of `items`.
    public var unreadableItems = 0
    /// Rows left out because an earlier row of the page has the same uid: Argo's list appends archived rows to the
    /// live ones without removing workflows that are in both (`server/workflow/workflow_server.go` `ListWorkflows`).
    public var duplicateItems = 0
    /// What the gateway did to answer that the caller should know (e.g. a filter applied on this side).
    public var notes: [String] = []

    public init(items: [Workflow], continueToken: String?, remainingItemCount: Int? = nil) {
        self.items = items
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}
