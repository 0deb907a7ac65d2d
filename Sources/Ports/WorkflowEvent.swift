import Foundation

/// One event of a workflow watch.
public struct WorkflowEvent: Sendable, Decodable {
    /// ADDED, MODIFIED, DELETED (or anything newer Argo sends).
    public var type: String
    public var workflow: Workflow

    public init(type: String, workflow: Workflow) {
        self.type = type
        self.workflow = workflow
    }

    enum CodingKeys: String, CodingKey { case type, object }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.lenient(String.self, forKey: .type) ?? "MODIFIED"
        workflow = c.lenient(Workflow.self, forKey: .object) ?? Workflow(metadata: ObjectMeta())
    }
}
