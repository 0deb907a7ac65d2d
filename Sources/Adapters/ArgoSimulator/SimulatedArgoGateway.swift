import Foundation
import Ports

/// The simulator behind the gateway port, in-process. It answers with the same JSON the HTTP face serves and decodes
/// it the way the live adapter does, so both paths exercise Argo's shape.
public struct SimulatedArgoGateway: ArgoGateway {
    public let simulator: ArgoSimulator

    public init(simulator: ArgoSimulator) {
        self.simulator = simulator
    }

    public func listWorkflows(_ query: WorkflowListQuery) async throws -> WorkflowPage {
        let data = try await simulator.listWorkflowsJSON(.init(query))
        return try WorkflowPage.decode(from: data)
    }

    public func getWorkflow(namespace: String, name: String, fields: String?) async throws -> Workflow {
        try Workflow.decode(from: await simulator.workflowJSON(namespace: namespace, name: name, fields: fields))
    }

    public func workflowLogs(_ query: LogQuery) -> AsyncThrowingStream<LogEntry, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let plan = try await simulator.logPlan(query)
                    // Like the HTTP face: at most `breakAfter` lines, then the break.
                    for entry in plan.entries.prefix(plan.breakAfter ?? .max) { continuation.yield(entry) }
                    if plan.breakAfter != nil { throw plan.breakError }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func version() async throws -> ArgoVersion {
        try ArgoVersion.decode(from: await simulator.versionJSON())
    }
}

extension ArgoSimulator.ListRequest {
    init(_ query: WorkflowListQuery) {
        self.init(
            namespace: query.namespace,
            labelSelector: query.effectiveLabelSelector,
            name: query.nameContains,
            nameFilter: query.nameContains == nil ? .exact : .contains,
            limit: query.limit,
            continueToken: query.continueToken,
            fields: query.fields
        )
    }
}
