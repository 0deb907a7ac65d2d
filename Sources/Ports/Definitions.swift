import Foundation

/// The query behind a list of CronWorkflows or templates.
public struct DefinitionListQuery: Sendable, Equatable {
    /// nil = every namespace (ignored for cluster-scoped kinds).
    public var namespace: String?
    public var labelSelector: String?
    public var limit: Int?
    public var continueToken: String?

    public init(namespace: String?, labelSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.limit = limit
        self.continueToken = continueToken
    }
}

public struct DefinitionPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var continueToken: String?
    /// Items of the server's page that could not be read at all (not objects), left out of `items`.
    public var unreadableItems = 0

    public init(items: [Item], continueToken: String?) {
        self.items = items
        self.continueToken = continueToken
    }
}

extension DefinitionPage where Item: Decodable {
    private struct Body: Decodable {
        struct Meta: Decodable { var `continue`: String? }
        var items: [Lenient<Item>]?
        var metadata: Meta?
    }

    /// Decodes a Kubernetes-style list (`items` may be null when empty); an item that is not an object is left out
    /// and counted.
    public static func decode(from data: Data) throws -> DefinitionPage {
        let body = try JSONDecoder().decode(Body.self, from: data)
        let items = body.items?.compactMap(\.value) ?? []
        var page = DefinitionPage(
            items: items, continueToken: body.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 })
        page.unreadableItems = (body.items?.count ?? 0) - items.count
        return page
    }
}

/// A CronWorkflow: v4's `schedules` list and the older single `schedule` are both read.
public struct CronWorkflow: Sendable, Decodable {
    public var metadata: ObjectMeta
    public var schedules: [String]
    public var timezone: String?
    public var suspend: Bool
    public var concurrencyPolicy: String?
    public var startingDeadlineSeconds: Int?
    public var successfulJobsHistoryLimit: Int?
    public var failedJobsHistoryLimit: Int?
    public var when: String?
    public var workflowSpec: WorkflowSpec
    public var status: CronWorkflowStatus
    public var raw: RawJSON?

    public struct CronWorkflowStatus: Sendable, Decodable {
        public struct ActiveRef: Sendable, Decodable, Equatable {
            public var name: String?
            public var namespace: String?
            public var uid: String?
        }
        public var active: [ActiveRef]
        public var lastScheduledTime: String?
        public var succeeded: Int?
        public var failed: Int?
        public var phase: String?
        public var conditions: [Condition]

        enum CodingKeys: String, CodingKey { case active, lastScheduledTime, succeeded, failed, phase, conditions }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            active = c.lenientList(ActiveRef.self, forKey: .active)
            lastScheduledTime = c.lenient(String.self, forKey: .lastScheduledTime)
            succeeded = try c.decodeLenientInt(forKey: .succeeded)
            failed = try c.decodeLenientInt(forKey: .failed)
            phase = c.lenient(String.self, forKey: .phase)
            conditions = c.lenientList(Condition.self, forKey: .conditions)
        }

        init() {
            active = []
            conditions = []
        }
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey {
        case schedule, schedules, timezone, suspend, concurrencyPolicy, startingDeadlineSeconds,
            successfulJobsHistoryLimit, failedJobsHistoryLimit, when, workflowSpec
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.lenient(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        status = c.lenient(CronWorkflowStatus.self, forKey: .status) ?? CronWorkflowStatus()
        raw = nil
        guard let s = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec) else {
            schedules = []
            suspend = false
            workflowSpec = WorkflowSpec()
            return
        }
        var list = s.lenientList(String.self, forKey: .schedules)
        if let single = s.lenient(String.self, forKey: .schedule), !single.isEmpty, !list.contains(single) {
            list.insert(single, at: 0)
        }
        schedules = list
        timezone = s.lenient(String.self, forKey: .timezone)
        suspend = s.lenient(Bool.self, forKey: .suspend) ?? false
        concurrencyPolicy = s.lenient(String.self, forKey: .concurrencyPolicy)
        startingDeadlineSeconds = try s.decodeLenientInt(forKey: .startingDeadlineSeconds)
        successfulJobsHistoryLimit = try s.decodeLenientInt(forKey: .successfulJobsHistoryLimit)
        failedJobsHistoryLimit = try s.decodeLenientInt(forKey: .failedJobsHistoryLimit)
        when = s.lenient(String.self, forKey: .when)
        workflowSpec = s.lenient(WorkflowSpec.self, forKey: .workflowSpec) ?? WorkflowSpec()
    }

    public static func decode(from data: Data) throws -> CronWorkflow {
        var cron = try JSONDecoder().decode(CronWorkflow.self, from: data)
        cron.raw = RawJSON(data)
        return cron
    }
}

/// A WorkflowTemplate or ClusterWorkflowTemplate (their spec is a workflow spec).
public struct WorkflowTemplate: Sendable, Decodable {
    public var metadata: ObjectMeta
    public var spec: WorkflowSpec
    public var raw: RawJSON?

    enum CodingKeys: String, CodingKey { case metadata, spec }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.lenient(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = c.lenient(WorkflowSpec.self, forKey: .spec) ?? WorkflowSpec()
        raw = nil
    }

    public static func decode(from data: Data) throws -> WorkflowTemplate {
        var template = try JSONDecoder().decode(WorkflowTemplate.self, from: data)
        template.raw = RawJSON(data)
        return template
    }
}

/// The four kinds of Argo object argo-mcp reads, with their REST collection paths.
public enum ArgoKind: String, Sendable, CaseIterable {
    case workflow = "Workflow"
    case cronWorkflow = "CronWorkflow"
    case workflowTemplate = "WorkflowTemplate"
    case clusterWorkflowTemplate = "ClusterWorkflowTemplate"

    public var isClusterScoped: Bool { self == .clusterWorkflowTemplate }

    /// The REST collection, e.g. `/api/v1/cron-workflows/{namespace}`.
    public func collectionPath(namespace: String?) -> String {
        switch self {
        case .workflow: "/api/v1/workflows/\(namespace ?? "")"
        case .cronWorkflow: "/api/v1/cron-workflows/\(namespace ?? "")"
        case .workflowTemplate: "/api/v1/workflow-templates/\(namespace ?? "")"
        case .clusterWorkflowTemplate: "/api/v1/cluster-workflow-templates"
        }
    }

    /// The REST path of one object.
    public func objectPath(namespace: String?, name: String) -> String {
        collectionPath(namespace: isClusterScoped ? nil : namespace) + "/" + name
    }

    /// The member of Argo's create, update and lint request bodies that holds the object.
    public var requestField: String {
        switch self {
        case .workflow: "workflow"
        case .cronWorkflow: "cronWorkflow"
        case .workflowTemplate, .clusterWorkflowTemplate: "template"
        }
    }

    /// A human name for messages: "cron workflow", "workflow template".
    public var phrase: String {
        switch self {
        case .workflow: "workflow"
        case .cronWorkflow: "cron workflow"
        case .workflowTemplate: "workflow template"
        case .clusterWorkflowTemplate: "cluster workflow template"
        }
    }

    /// Argo's resource name in "not found" messages.
    public var resource: String {
        switch self {
        case .workflow: "workflows.argoproj.io"
        case .cronWorkflow: "cronworkflows.argoproj.io"
        case .workflowTemplate: "workflowtemplates.argoproj.io"
        case .clusterWorkflowTemplate: "clusterworkflowtemplates.argoproj.io"
        }
    }
}
