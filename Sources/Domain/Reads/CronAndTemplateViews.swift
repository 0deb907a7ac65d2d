import Foundation
import Ports

public struct ConditionView: Sendable, Codable, Equatable {
    public var type: String
    public var status: String?
    public var message: String?
}

public struct CronWorkflowRow: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var schedules: [String]
    public var timezone: String?
    public var suspended: Bool
    public var lastScheduledTime: String?
    public var activeRuns: Int
    public var succeeded: Int?
    public var failed: Int?
    public var nextRun: String?
    /// A schedule that does not parse, or a SubmissionError condition.
    public var problem: String?
}

public struct CronWorkflowList: Sendable, Codable, Equatable {
    public var namespace: String
    public var items: [CronWorkflowRow]
    public var count: Int
    public var `continue`: String?
    public var hasMore: Bool
    /// Said when the server's page held objects that could not be read.
    public var note: String?
}

public struct CronWorkflowDetail: Sendable, Codable, Equatable {
    public var namespace: String
    public var name: String
    public var createdAt: String?
    /// Pass it to update_cron_schedule as resource_version to change exactly what you read.
    public var resourceVersion: String?
    public var schedules: [String]
    public var timezone: String
    /// True when the CronWorkflow names no time zone: Argo then uses the controller's local time, assumed UTC here.
    public var timezoneAssumed: Bool
    public var suspended: Bool
    public var concurrencyPolicy: String
    public var startingDeadlineSeconds: Int?
    public var successfulJobsHistoryLimit: Int?
    public var failedJobsHistoryLimit: Int?
    public var when: String?
    public var lastScheduledTime: String?
    public var activeRuns: [String]
    public var succeeded: Int?
    public var failed: Int?
    public var phase: String?
    public var conditions: [ConditionView]
    /// The next run times over every schedule, soonest first; empty while the cron workflow is suspended.
    public var nextRuns: [String]
    /// For a suspended cron workflow: the times it would run if it were resumed now.
    public var nextRunsIfResumed: [String]?
    public var scheduleErrors: [String]
    public var entrypoint: String?
    public var workflowTemplate: String?
    public var parameters: [ParameterValue]
}

public struct CronRun: Sendable, Codable, Equatable {
    public var name: String
    public var phase: String
    public var scheduledTime: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var durationSeconds: Int?
    public var duration: String?
    public var message: String?
    /// True for a run listed from the workflow archive (its object may still exist, or be gone).
    public var archived: Bool?
}

public struct CronHistory: Sendable, Codable, Equatable {
    public var namespace: String
    public var cronWorkflow: String
    public var runs: [CronRun]
    public var count: Int
    public var `continue`: String?
    public var hasMore: Bool
    /// Phases of this page's runs.
    public var phases: [String: Int]
    /// About the archived runs included on the first page.
    public var note: String?
}

public struct TemplateRow: Sendable, Codable, Equatable {
    public var namespace: String?
    public var name: String
    public var entrypoint: String?
    public var templateCount: Int
    public var parameters: [String]
    public var createdAt: String?
}

public struct TemplateList: Sendable, Codable, Equatable {
    public var scope: String
    public var namespace: String?
    public var items: [TemplateRow]
    public var count: Int
    public var `continue`: String?
    public var hasMore: Bool
}

public struct TemplateParameterView: Sendable, Codable, Equatable {
    public var name: String
    public var value: String?
    public var `default`: String?
    public var `enum`: [String]?
    public var description: String?
}

public struct TemplateKindView: Sendable, Codable, Equatable {
    public var name: String
    public var kind: String
    /// The container image, for container and script templates.
    public var image: String?
}

public struct TemplateDetail: Sendable, Codable, Equatable {
    public var scope: String
    public var namespace: String?
    public var name: String
    public var createdAt: String?
    public var entrypoint: String?
    public var templates: [TemplateKindView]
    public var templatesByKind: [String: Int]
    public var parameters: [TemplateParameterView]
    public var onExit: String?
    public var serviceAccountName: String?
    public var labels: [String: String]
    public var truncated: Bool
}
