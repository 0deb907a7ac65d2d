import ArgoWire
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Ports
import Synchronization

/// The calls that change Argo: workflow actions, deletes, CronWorkflow and template writes, lint and submit.
extension ArgoHTTPGateway {
    func put<Body: Encodable>(_ path: String, _ body: Body) async throws -> Data {
        try await send(.PUT, path, body: try JSONEncoder().encode(body))
    }

    struct WorkflowAction: Encodable {
        var name: String
        var namespace: String
        var nodeFieldSelector: String?
        var message: String?
        var restartSuccessful: Bool?
        var parameters: [String]?
    }

    func workflowAction(_ action: String, _ body: WorkflowAction) async throws -> Workflow {
        let path = "/api/v1/workflows/\(Self.segment(body.namespace))/\(Self.segment(body.name))/\(action)"
        let data = try await put(path, body)
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    public func terminateWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await workflowAction("terminate", WorkflowAction(name: name, namespace: namespace))
    }

    public func stopWorkflow(namespace: String, name: String, nodeFieldSelector: String?, message: String?) async throws
        -> Workflow
    {
        try await workflowAction(
            "stop",
            WorkflowAction(name: name, namespace: namespace, nodeFieldSelector: nodeFieldSelector, message: message))
    }

    public func retryWorkflow(
        namespace: String, name: String, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String]
    ) async throws -> Workflow {
        try await workflowAction(
            "retry",
            WorkflowAction(
                name: name, namespace: namespace, nodeFieldSelector: nodeFieldSelector,
                restartSuccessful: restartSuccessful,
                parameters: parameters.isEmpty ? nil : parameters))
    }

    public func suspendWorkflow(namespace: String, name: String) async throws -> Workflow {
        try await workflowAction("suspend", WorkflowAction(name: name, namespace: namespace))
    }

    public func resumeWorkflow(namespace: String, name: String, nodeFieldSelector: String?) async throws -> Workflow {
        try await workflowAction(
            "resume", WorkflowAction(name: name, namespace: namespace, nodeFieldSelector: nodeFieldSelector))
    }

    public func setCronWorkflowSuspended(namespace: String, name: String, suspended: Bool) async throws -> CronWorkflow
    {
        let path =
            ArgoKind.cronWorkflow.collectionPath(namespace: Self.segment(namespace)) + "/" + Self.segment(name)
            + (suspended ? "/suspend" : "/resume")
        let data = try await put(path, ["name": name, "namespace": namespace])
        return try decode("cron workflow") { try CronWorkflow.decode(from: data) }
    }

    /// Argo's `DeleteWorkflow` builds its own `metav1.DeleteOptions` and drops the request's preconditions (every
    /// version from v3.5 to v4.1, `server/workflow/workflow_server.go`), so the uid is compared here, on a fresh
    /// read made just before the delete; the precondition is still sent for servers that honour it.
    public func deleteWorkflow(namespace: String, name: String, uid: String?) async throws {
        if let uid {
            let live = try await getWorkflow(namespace: namespace, name: name, fields: "metadata.uid,metadata.name")
            try ArgoError.requireSameUID(live.metadata.uid, uid, "workflow \(namespace)/\(name)")
        }
        _ = try await send(
            .DELETE, "/api/v1/workflows/\(Self.segment(namespace))/\(Self.segment(name))",
            query: [("deleteOptions.preconditions.uid", uid)])
    }

    public func resubmitWorkflow(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws
        -> Workflow
    {
        struct Body: Encodable {
            var name: String
            var namespace: String
            var memoized: Bool
            var parameters: [String]?
        }
        let path = "/api/v1/workflows/\(Self.segment(namespace))/\(Self.segment(name))/resubmit"
        let data = try await put(
            path,
            Body(
                name: name, namespace: namespace, memoized: memoized, parameters: parameters.isEmpty ? nil : parameters)
        )
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    func post(_ path: String, _ body: Data) async throws -> Data {
        try await send(.POST, path, body: body)
    }

    /// `{"namespace":…, "name":…, "<field>": <object>}` without re-encoding the object; nil members are left out.
    static func wrap(_ field: String, _ object: Data, namespace: String?, name: String? = nil) -> Data {
        var out = Data("{".utf8)
        for (key, value) in [("namespace", namespace), ("name", name)] {
            guard let value, let encoded = try? JSONEncoder().encode(value) else { continue }
            out += Data("\"\(key)\":".utf8) + encoded + Data(",".utf8)
        }
        out += Data("\"\(field)\":".utf8) + object + Data("}".utf8)
        return out
    }

    public func lint(kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        let path = kind.collectionPath(namespace: kind.isClusterScoped ? nil : Self.segment(namespace ?? "")) + "/lint"
        return try await post(
            path, Self.wrap(kind.requestField, manifest, namespace: kind.isClusterScoped ? nil : namespace))
    }

    public func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        let ns = kind.isClusterScoped ? nil : namespace
        let path = kind.collectionPath(namespace: ns.map(Self.segment))
        return try await post(path, Self.wrap(kind.requestField, manifest, namespace: ns))
    }

    public func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data {
        let ns = kind.isClusterScoped ? nil : namespace
        let path = kind.objectPath(namespace: ns.map(Self.segment), name: Self.segment(name))
        let body = Self.wrap(kind.requestField, manifest, namespace: ns, name: name)
        return try await send(.PUT, path, body: body)
    }

    /// Only `DeleteCronWorkflow` passes the request's `deleteOptions` on to Kubernetes; the WorkflowTemplate and
    /// ClusterWorkflowTemplate servers delete with empty options (`server/workflowtemplate`,
    /// `server/clusterworkflowtemplate`, v3.5–v4.1). The uid is therefore compared on a fresh read just before the
    /// delete, for every kind.
    public func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws {
        let ns = kind.isClusterScoped ? nil : namespace
        let path = kind.objectPath(namespace: ns.map(Self.segment), name: Self.segment(name))
        if let uid {
            struct Meta: Decodable { var metadata: ObjectMeta? }
            let data = try await get(path: path, query: [])
            let live = try decode(kind.phrase) { try JSONDecoder().decode(Meta.self, from: data) }
            try ArgoError.requireSameUID(
                live.metadata?.uid, uid, "\(kind.phrase) \(ns.map { "\($0)/\(name)" } ?? name)")
        }
        _ = try await send(.DELETE, path, query: [("deleteOptions.preconditions.uid", uid)])
    }

    public func createWorkflow(namespace: String, manifest: Data) async throws -> Workflow {
        let data = try await post(
            "/api/v1/workflows/\(Self.segment(namespace))", Self.wrap("workflow", manifest, namespace: namespace))
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    public func submitWorkflow(namespace: String, from kind: ArgoKind, name: String, options: SubmitOptions)
        async throws -> Workflow
    {
        struct Body: Encodable {
            var namespace: String
            var resourceKind: String
            var resourceName: String
            var submitOptions: SubmitOptions
        }
        let body = try JSONEncoder().encode(
            Body(namespace: namespace, resourceKind: kind.rawValue, resourceName: name, submitOptions: options))
        let data = try await post("/api/v1/workflows/\(Self.segment(namespace))/submit", body)
        return try decode("workflow") { try Workflow.decode(from: data) }
    }

    static func listItems(_ query: DefinitionListQuery) -> [(String, String?)] {
        [
            ("listOptions.labelSelector", query.labelSelector.flatMap { $0.isEmpty ? nil : $0 }),
            ("listOptions.limit", query.limit.map(String.init)),
            ("listOptions.continue", query.continueToken.flatMap { $0.isEmpty ? nil : $0 }),
        ]
    }
}
