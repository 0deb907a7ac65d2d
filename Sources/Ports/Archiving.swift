import Foundation

/// Well-known Argo labels and annotations.
public enum ArgoLabels {
    public static let phase = "workflows.argoproj.io/phase"
    public static let completed = "workflows.argoproj.io/completed"
    public static let cronWorkflow = "workflows.argoproj.io/cron-workflow"
    /// Annotation on a cron-created workflow: the time it was scheduled for.
    public static let scheduledTime = "workflows.argoproj.io/scheduled-time"
    public static let workflowTemplate = "workflows.argoproj.io/workflow-template"
    public static let podNameFormat = "workflows.argoproj.io/pod-name-format"
    /// On the live object: absent until the workflow completes (and ever after when the server has no archive or
    /// its `archiveLabelSelector` excludes the workflow), `Pending` from completion until the controller has
    /// archived it, then `Archived` (`workflow/controller/operator.go` `markWorkflowPhase`,
    /// `workflow/controller/controller.go` `archiveWorkflowAux`). On the archive's copy: `Persisted`
    /// (`persist/sqldb/workflow_archive.go` `ArchiveWorkflow`, `GetWorkflow`, `ListWorkflows`; v3.5–v4.1).
    public static let archivingStatus = "workflows.argoproj.io/workflow-archiving-status"
}

extension Workflow {
    /// Whether this is most likely the archive's copy rather than the live object.
    ///
    /// Argo v3.5+ answers `GET /api/v1/workflows/{ns}/{name}` with the archived workflow when the live object is
    /// gone, and merges archived rows into workflow lists, without saying which is which. The archive labels
    /// every workflow it stores or hands back `workflow-archiving-status: Persisted`, a value no live object
    /// carries.
    public var isArchivedCopy: Bool {
        metadata.labels[ArgoLabels.archivingStatus] == "Persisted"
    }

    /// What the live object's labels say about its place in the workflow archive.
    public var archiving: ArchivingState {
        switch metadata.labels[ArgoLabels.archivingStatus] {
        case "Archived": .archived
        case "Pending": .pending
        case "Persisted": .copy
        default: .unlabelled
        }
    }
}

/// A workflow's place in the archive, as its `workflow-archiving-status` label says.
public enum ArchivingState: String, Sendable {
    /// No label: not completed yet, or the server does not archive it (no archive, or `archiveLabelSelector`).
    case unlabelled
    /// Completed; the controller has yet to archive it.
    case pending
    /// The archive holds a copy.
    case archived
    /// This is the archive's copy.
    case copy
}
