import Foundation

/// The parts of an Argo Workflow the domain works with, decoded tolerantly: every field is optional, unknown
/// fields are ignored and unknown phases or node types are kept as they are. `raw` holds the object as served.
public struct Workflow: Sendable, Decodable {
    public var metadata: ObjectMeta
    public var spec: WorkflowSpec
    public var status: WorkflowStatus
    /// The object exactly as the server sent it, for pass-through; nil for list items.
    public var raw: RawJSON?

    public init(
        metadata: ObjectMeta, spec: WorkflowSpec = .init(), status: WorkflowStatus = .init(), raw: RawJSON? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
        self.raw = raw
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.lenient(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = c.lenient(WorkflowSpec.self, forKey: .spec) ?? WorkflowSpec()
        status = c.lenient(WorkflowStatus.self, forKey: .status) ?? WorkflowStatus()
        raw = nil
    }
}

/// JSON text kept verbatim.
public struct RawJSON: Sendable, Equatable {
    public let data: Data
    public init(_ data: Data) { self.data = data }
    public var text: String { String(decoding: data, as: UTF8.self) }
}

public struct ObjectMeta: Sendable, Decodable, Equatable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var generateName: String?
    public var creationTimestamp: String?
    public var resourceVersion: String?
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(
        name: String = "", namespace: String? = nil, uid: String? = nil, generateName: String? = nil,
        creationTimestamp: String? = nil, resourceVersion: String? = nil, labels: [String: String] = [:],
        annotations: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.generateName = generateName
        self.creationTimestamp = creationTimestamp
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey {
        case name, namespace, uid, generateName, creationTimestamp, resourceVersion, labels, annotations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.lenient(String.self, forKey: .name) ?? ""
        namespace = c.lenient(String.self, forKey: .namespace)
        uid = c.lenient(String.self, forKey: .uid)
        generateName = c.lenient(String.self, forKey: .generateName)
        creationTimestamp = c.lenient(String.self, forKey: .creationTimestamp)
        resourceVersion = c.lenient(String.self, forKey: .resourceVersion)
        labels = c.lenientStringMap(forKey: .labels)
        annotations = c.lenientStringMap(forKey: .annotations)
    }
}

public struct WorkflowSpec: Sendable, Decodable, Equatable {
    public var entrypoint: String?
    public var parameters: [Parameter]
    public var templates: [TemplateSummary]
    public var onExit: String?
    public var serviceAccountName: String?
    public var suspend: Bool?
    public var activeDeadlineSeconds: Int?
    public var workflowTemplateRef: TemplateReference?
    /// `Terminate` or `Stop` once someone asked Argo to shut the workflow down; the controller then stops it.
    public var shutdown: String?

    public init(
        entrypoint: String? = nil, parameters: [Parameter] = [], templates: [TemplateSummary] = [],
        onExit: String? = nil, serviceAccountName: String? = nil, suspend: Bool? = nil,
        activeDeadlineSeconds: Int? = nil, workflowTemplateRef: TemplateReference? = nil
    ) {
        self.entrypoint = entrypoint
        self.parameters = parameters
        self.templates = templates
        self.onExit = onExit
        self.serviceAccountName = serviceAccountName
        self.suspend = suspend
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.workflowTemplateRef = workflowTemplateRef
    }

    enum CodingKeys: String, CodingKey {
        case entrypoint, arguments, templates, onExit, serviceAccountName, suspend, activeDeadlineSeconds,
            workflowTemplateRef, shutdown
    }
    struct Arguments: Decodable {
        var parameters: [Parameter]
        enum CodingKeys: String, CodingKey { case parameters }
        init(from decoder: any Decoder) throws {
            parameters = try decoder.container(keyedBy: CodingKeys.self).lenientList(
                Parameter.self, forKey: .parameters)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entrypoint = c.lenient(String.self, forKey: .entrypoint)
        parameters = c.lenient(Arguments.self, forKey: .arguments)?.parameters ?? []
        templates = c.lenientList(TemplateSummary.self, forKey: .templates)
        onExit = c.lenient(String.self, forKey: .onExit)
        serviceAccountName = c.lenient(String.self, forKey: .serviceAccountName)
        suspend = c.lenient(Bool.self, forKey: .suspend)
        activeDeadlineSeconds = try c.decodeLenientInt(forKey: .activeDeadlineSeconds)
        workflowTemplateRef = c.lenient(TemplateReference.self, forKey: .workflowTemplateRef)
        shutdown = c.lenient(String.self, forKey: .shutdown)
    }
}

public struct TemplateReference: Sendable, Decodable, Equatable {
    public var name: String?
    public var template: String?
    public var clusterScope: Bool?

    public init(name: String? = nil, template: String? = nil, clusterScope: Bool? = nil) {
        self.name = name
        self.template = template
        self.clusterScope = clusterScope
    }
}

/// A workflow parameter (argument or input).
public struct Parameter: Sendable, Codable, Equatable {
    public var name: String
    public var value: String?
    public var `default`: String?
    public var `enum`: [String]?
    public var description: String?

    public init(
        name: String, value: String? = nil, default: String? = nil, enum: [String]? = nil, description: String? = nil
    ) {
        self.name = name
        self.value = value
        self.default = `default`
        self.enum = `enum`
        self.description = description
    }

    enum CodingKeys: String, CodingKey { case name, value, `default`, `enum`, description }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.lenient(String.self, forKey: .name) ?? ""
        value = try c.decodeScalarString(forKey: .value)
        `default` = try c.decodeScalarString(forKey: .default)
        // An absent or empty list means any value: nil, never an empty "one of".
        let choices = c.lenientList(ScalarString.self, forKey: .enum).map(\.value)
        `enum` = choices.isEmpty ? nil : choices
        description = c.lenient(String.self, forKey: .description)
    }
}

/// A template's name and what kind of template it is.
public struct TemplateSummary: Sendable, Decodable, Equatable {
    public var name: String
    /// container, script, dag, steps, resource, suspend, http, containerSet, data, plugin — or "unknown".
    public var kind: String

    /// The image of a container or script template.
    public var image: String?
    /// The containers its pod runs beside Argo's own `init` and `wait`: `main` for a container or script
    /// template, a container set's containers, sidecars and init containers (empty for templates that run no pod).
    public var containers: [String]

    public init(name: String, kind: String, image: String? = nil, containers: [String] = []) {
        self.name = name
        self.kind = kind
        self.image = image
        self.containers = containers
    }

    static let kinds = [
        "container", "script", "dag", "steps", "resource", "suspend", "http", "containerSet", "data", "plugin",
    ]

    struct ImageHolder: Decodable { var image: String? }
    struct Named: Decodable { var name: String? }
    struct ContainerSet: Decodable { var containers: [Named]? }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        name = c.lenient(String.self, forKey: AnyKey("name")) ?? ""
        let keys = Set(c.allKeys.map(\.stringValue))
        kind = Self.kinds.first(where: keys.contains) ?? "unknown"
        var containers: [String] = []
        if kind == "container" || kind == "script" {
            image = try? c.decodeIfPresent(ImageHolder.self, forKey: AnyKey(kind))?.image
            containers.append("main")
        }
        if kind == "containerSet" {
            let set = try? c.decodeIfPresent(ContainerSet.self, forKey: AnyKey("containerSet"))
            containers += (set?.containers ?? []).prefix(100).compactMap(\.name)
        }
        for key in ["sidecars", "initContainers"] {
            let list = (try? c.decodeIfPresent([Named].self, forKey: AnyKey(key))) ?? nil
            containers += (list ?? []).prefix(100).compactMap(\.name)
        }
        self.containers = containers
    }
}

public struct WorkflowStatus: Sendable, Decodable {
    public var phase: WorkflowPhase?
    public var startedAt: String?
    public var finishedAt: String?
    public var progress: String?
    public var message: String?
    public var estimatedDuration: Int?
    public var nodes: [String: NodeStatus]
    public var resourcesDuration: [String: Int]
    public var conditions: [Condition]
    /// The semaphores and mutexes the workflow holds and waits for (absent when it uses none).
    public var synchronization: SynchronizationStatus?

    public init(
        phase: WorkflowPhase? = nil, startedAt: String? = nil, finishedAt: String? = nil, progress: String? = nil,
        message: String? = nil, estimatedDuration: Int? = nil, nodes: [String: NodeStatus] = [:],
        resourcesDuration: [String: Int] = [:], conditions: [Condition] = []
    ) {
        self.phase = phase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.progress = progress
        self.message = message
        self.estimatedDuration = estimatedDuration
        self.nodes = nodes
        self.resourcesDuration = resourcesDuration
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey {
        case phase, startedAt, finishedAt, progress, message, estimatedDuration, nodes, resourcesDuration, conditions,
            synchronization
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = c.lenient(String.self, forKey: .phase).flatMap {
            $0.isEmpty ? nil : WorkflowPhase(rawValue: $0)
        }
        startedAt = c.lenient(String.self, forKey: .startedAt)
        finishedAt = c.lenient(String.self, forKey: .finishedAt)
        progress = c.lenient(String.self, forKey: .progress)
        message = c.lenient(String.self, forKey: .message)
        estimatedDuration = try c.decodeLenientInt(forKey: .estimatedDuration)
        nodes = c.lenient([String: Lenient<NodeStatus>].self, forKey: .nodes)?.compactMapValues(\.value) ?? [:]
        for (key, node) in nodes where node.id.isEmpty { nodes[key]?.id = key }
        resourcesDuration = c.lenientIntMap(forKey: .resourcesDuration)
        conditions = c.lenientList(Condition.self, forKey: .conditions)
        synchronization = c.lenient(SynchronizationStatus.self, forKey: .synchronization)
    }
}

public struct Condition: Sendable, Codable, Equatable {
    public var type: String?
    public var status: String?
    public var message: String?
}

public struct NodeStatus: Sendable, Decodable, Equatable {
    public var id: String
    public var name: String
    public var displayName: String?
    public var type: NodeType
    public var templateName: String?
    public var templateRef: TemplateReference?
    public var phase: NodePhase?
    public var boundaryID: String?
    public var children: [String]
    public var message: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var progress: String?
    public var hostNodeName: String?
    public var exitCode: String?
    public var resourcesDuration: [String: Int]
    /// The lock this node waits for (`synchronizationStatus.waiting`), for a template-level semaphore or mutex.
    public var waitingForLock: String?

    public init(
        id: String, name: String, displayName: String? = nil, type: NodeType, templateName: String? = nil,
        templateRef: TemplateReference? = nil, phase: NodePhase? = nil, boundaryID: String? = nil,
        children: [String] = [], message: String? = nil, startedAt: String? = nil, finishedAt: String? = nil,
        progress: String? = nil, hostNodeName: String? = nil, exitCode: String? = nil,
        resourcesDuration: [String: Int] = [:]
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.type = type
        self.templateName = templateName
        self.templateRef = templateRef
        self.phase = phase
        self.boundaryID = boundaryID
        self.children = children
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.progress = progress
        self.hostNodeName = hostNodeName
        self.exitCode = exitCode
        self.resourcesDuration = resourcesDuration
    }

    enum CodingKeys: String, CodingKey {
        case id, name, displayName, type, templateName, templateRef, phase, boundaryID, children, message, startedAt,
            finishedAt, progress, hostNodeName, outputs, resourcesDuration, synchronizationStatus
    }
    struct NodeSynchronization: Decodable {
        var waiting: String?
    }
    struct Outputs: Decodable {
        var exitCode: ScalarString?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = c.lenient(String.self, forKey: .id) ?? ""
        name = c.lenient(String.self, forKey: .name) ?? ""
        displayName = c.lenient(String.self, forKey: .displayName)
        type = NodeType(rawValue: c.lenient(String.self, forKey: .type) ?? "")
        templateName = c.lenient(String.self, forKey: .templateName)
        templateRef = c.lenient(TemplateReference.self, forKey: .templateRef)
        phase = c.lenient(String.self, forKey: .phase).flatMap {
            $0.isEmpty ? nil : NodePhase(rawValue: $0)
        }
        boundaryID = c.lenient(String.self, forKey: .boundaryID)
        children = c.lenientList(String.self, forKey: .children)
        message = c.lenient(String.self, forKey: .message)
        startedAt = c.lenient(String.self, forKey: .startedAt)
        finishedAt = c.lenient(String.self, forKey: .finishedAt)
        progress = c.lenient(String.self, forKey: .progress)
        hostNodeName = c.lenient(String.self, forKey: .hostNodeName)
        exitCode = c.lenient(Outputs.self, forKey: .outputs)?.exitCode?.value
        resourcesDuration = c.lenientIntMap(forKey: .resourcesDuration)
        waitingForLock = c.lenient(NodeSynchronization.self, forKey: .synchronizationStatus)?.waiting
    }
}

extension NodeStatus {
    /// A suspend step still waiting (Argo's `IsActiveSuspendNode`: type Suspend, phase Running), which resume and
    /// `set` act on.
    public var isActiveSuspendNode: Bool { type == .suspend && phase == .running }
}

/// A workflow phase; unknown values are kept as they are.
public struct WorkflowPhase: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pending = WorkflowPhase(rawValue: "Pending")
    public static let running = WorkflowPhase(rawValue: "Running")
    public static let succeeded = WorkflowPhase(rawValue: "Succeeded")
    public static let failed = WorkflowPhase(rawValue: "Failed")
    public static let error = WorkflowPhase(rawValue: "Error")
    public static let known: [WorkflowPhase] = [.pending, .running, .succeeded, .failed, .error]

    public var isCompleted: Bool { self == .succeeded || self == .failed || self == .error }
    public var description: String { rawValue }
}

/// A node phase; unknown values are kept as they are.
public struct NodePhase: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pending = NodePhase(rawValue: "Pending")
    public static let running = NodePhase(rawValue: "Running")
    public static let succeeded = NodePhase(rawValue: "Succeeded")
    public static let skipped = NodePhase(rawValue: "Skipped")
    public static let failed = NodePhase(rawValue: "Failed")
    public static let error = NodePhase(rawValue: "Error")
    public static let omitted = NodePhase(rawValue: "Omitted")

    public var isFailure: Bool { self == .failed || self == .error }
    public var isActive: Bool { self == .running || self == .pending }
    public var description: String { rawValue }
}

/// A node type; unknown values are kept as they are.
public struct NodeType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pod = NodeType(rawValue: "Pod")
    public static let container = NodeType(rawValue: "Container")
    public static let steps = NodeType(rawValue: "Steps")
    public static let stepGroup = NodeType(rawValue: "StepGroup")
    public static let dag = NodeType(rawValue: "DAG")
    public static let taskGroup = NodeType(rawValue: "TaskGroup")
    public static let retry = NodeType(rawValue: "Retry")
    public static let skipped = NodeType(rawValue: "Skipped")
    public static let suspend = NodeType(rawValue: "Suspend")
    public static let http = NodeType(rawValue: "HTTP")
    public static let plugin = NodeType(rawValue: "Plugin")

    public var description: String { rawValue }
}
