import Ports

/// A call that changes Argo, declared once: the tool that offers it, its safety class, and the class one of its
/// arguments raises it to. The MCP tool declaration and the mutation runner (policy, confirmation, audit) read
/// the same value, so neither the name nor the class is written twice.
public struct Mutation: Sendable, Hashable, CustomStringConvertible {
    /// The MCP tool's name, also the `tool` of audit records and confirmation tokens.
    public let tool: String
    public let safety: SafetyClass
    /// The class of a call whose escalating argument is set (`update: true` replaces an object; `notify: true`
    /// sends a notification from a read).
    public let escalatedSafety: SafetyClass?

    init(_ tool: String, _ safety: SafetyClass, escalatesTo escalated: SafetyClass? = nil) {
        self.tool = tool
        self.safety = safety
        self.escalatedSafety = escalated
    }

    public var description: String { tool }

    /// The class of one call: escalated or not.
    public func safety(escalated: Bool) -> SafetyClass {
        escalated ? (escalatedSafety ?? safety) : safety
    }

    public static let terminateWorkflow = Mutation("terminate_workflow", .destructive)
    public static let stopWorkflow = Mutation("stop_workflow", .destructive)
    public static let retryWorkflow = Mutation("retry_workflow", .mutating)
    public static let suspendWorkflow = Mutation("suspend_workflow", .mutating)
    public static let resumeWorkflow = Mutation("resume_workflow", .mutating)
    public static let approveStep = Mutation("approve_step", .mutating)
    public static let setStepOutputs = Mutation("set_step_outputs", .mutating)
    public static let toggleCronSuspension = Mutation("toggle_cron_suspension", .mutating)
    public static let deleteWorkflow = Mutation("delete_workflow", .destructive)
    public static let resubmitWorkflow = Mutation("resubmit_workflow", .mutating)
    public static let submitWorkflow = Mutation("submit_workflow", .mutating)
    public static let updateCronSchedule = Mutation("update_cron_schedule", .mutating)
    public static let createTemplate = Mutation("create_template", .mutating, escalatesTo: .destructive)
    public static let createCronWorkflow = Mutation("create_cron_workflow", .mutating, escalatesTo: .destructive)
    public static let deleteCronWorkflow = Mutation("delete_cron_workflow", .destructive)
    public static let deleteWorkflowTemplate = Mutation("delete_workflow_template", .destructive)
    public static let setSyncLimit = Mutation("set_sync_limit", .mutating)
    /// `watch_workflow` is a read; with `notify: true` it sends the outcome to a webhook or command.
    public static let watchNotify = Mutation("watch_workflow", .readOnly, escalatesTo: .mutating)

    /// Creating or replacing an object of `kind` (a CronWorkflow, or a template of either scope).
    public static func apply(_ kind: ArgoKind) -> Mutation {
        kind == .cronWorkflow ? .createCronWorkflow : .createTemplate
    }

    /// Deleting an object of `kind` (a CronWorkflow, or a template of either scope).
    public static func delete(_ kind: ArgoKind) -> Mutation {
        kind == .cronWorkflow ? .deleteCronWorkflow : .deleteWorkflowTemplate
    }
}
