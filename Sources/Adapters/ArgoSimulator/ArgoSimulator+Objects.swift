import Foundation
import Ports

/// Create, update and delete of CronWorkflows and templates, with Kubernetes' rules: names are unique, an update
/// must carry the resourceVersion it read (a stale one is a conflict), a delete may name the uid it expects.
extension ArgoSimulator {
    static func faultOperation(_ kind: ArgoKind) -> Fault.Operation {
        kind == .cronWorkflow ? .mutateCronWorkflow : .mutateTemplate
    }

    static func notFound(_ kind: ArgoKind, _ name: String) -> ArgoError {
        ArgoError.fromServer(httpStatus: 404, grpcCode: 5, message: "\(kind.resource) \"\(name)\" not found")
    }

    /// The object as Argo would store it: kind, apiVersion and namespace filled in, status dropped.
    func normalized(_ manifest: Data, kind: ArgoKind, namespace: String?) throws -> (JSONValue, String) {
        guard kind != .workflow else { throw Self.invalid("workflows are created with create(namespace:manifest:)") }
        var object = try Self.parse(manifest)
        if let problem = lintProblems(object, kind: kind) { throw Self.invalid(problem) }
        guard let name = object[path: "metadata.name"]?.string, !name.isEmpty else {
            throw Self.invalid("metadata.name: Required value: name is required")
        }
        object["kind"] = .string(kind.rawValue)
        object["apiVersion"] = "argoproj.io/v1alpha1"
        if let namespace, !kind.isClusterScoped { object.set(["metadata", "namespace"], .string(namespace)) }
        return (object, name)
    }

    public func createObject(_ kind: ArgoKind, namespace: String?, manifest: Data) async throws -> Data {
        _ = try await failIfInjected(Self.faultOperation(kind))
        var (object, name) = try normalized(manifest, kind: kind, namespace: namespace)
        if self.object(kind, namespace: namespace, name: name) != nil {
            throw ArgoError.fromServer(
                httpStatus: 409, grpcCode: 6, message: "\(kind.resource) \"\(name)\" already exists")
        }
        object.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
        object.set(["metadata", "creationTimestamp"], .string(ArgoTime.format(Date())))
        object["status"] = nil
        return storeObject(kind, object, namespace: namespace, name: name)
    }

    public func updateObject(_ kind: ArgoKind, namespace: String?, name: String, manifest: Data) async throws -> Data {
        _ = try await failIfInjected(Self.faultOperation(kind))
        var (object, given) = try normalized(manifest, kind: kind, namespace: namespace)
        guard given == name else {
            throw Self.invalid("metadata.name '\(given)' does not match the name in the request, '\(name)'")
        }
        guard let stored = self.object(kind, namespace: namespace, name: name) else {
            throw Self.notFound(kind, name)
        }
        guard let version = object[path: "metadata.resourceVersion"]?.string, !version.isEmpty else {
            throw ArgoError.fromServer(
                httpStatus: 422, grpcCode: 3,
                message:
                    "\(kind.resource) \"\(name)\" is invalid: metadata.resourceVersion: must be specified for an update"
            )
        }
        guard version == stored[path: "metadata.resourceVersion"]?.string else {
            throw ArgoError.fromServer(
                httpStatus: 409, grpcCode: 10,
                message:
                    "Operation cannot be fulfilled on \(kind.resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"
            )
        }
        // What the server owns stays the server's.
        for key in ["uid", "creationTimestamp"] {
            object.set(["metadata", key], stored[path: "metadata.\(key)"] ?? .null)
        }
        object["status"] = stored["status"]
        return storeObject(kind, object, namespace: namespace, name: name)
    }

    /// Deletes a CronWorkflow or template. A CronWorkflow owns the workflows it created, so Kubernetes' garbage
    /// collector deletes them with it (finished ones were archived when they completed and stay there).
    ///
    /// Only `DeleteCronWorkflow` hands the request's `deleteOptions` to Kubernetes; the WorkflowTemplate and
    /// ClusterWorkflowTemplate servers delete with empty options, so their uid precondition is ignored
    /// (`server/cronworkflow/cron_workflow_server.go`, `server/workflowtemplate/workflow_template_server.go`,
    /// `server/clusterworkflowtemplate/cluster_workflow_template_server.go`, v3.5–v4.1). A failed precondition is
    /// Kubernetes' 409, which Argo's `ToStatusError` maps to gRPC 6 (AlreadyExists).
    public func deleteObject(_ kind: ArgoKind, namespace: String?, name: String, uid: String?) async throws {
        _ = try await failIfInjected(Self.faultOperation(kind))
        // `DeleteWorkflowTemplate`/`DeleteClusterWorkflowTemplate` first read through the informer
        // (`getTemplateAndValidate`), then delete by name with empty `DeleteOptions`: the precondition is dropped.
        // `DeleteCronWorkflow` reads the API server and passes the request's `DeleteOptions` on.
        guard informerView(kind, Self.key(kind.isClusterScoped ? nil : namespace, name)) != nil,
            let stored = object(kind, namespace: namespace, name: name)
        else { throw Self.notFound(kind, name) }
        if kind == .cronWorkflow, let uid, !uid.isEmpty, let actual = stored[path: "metadata.uid"]?.string,
            actual != uid
        {
            throw ArgoError.fromServer(
                httpStatus: 409, grpcCode: 6,
                message:
                    "Precondition failed: UID in precondition: \(uid), UID in object meta: \(actual)")
        }
        removeObject(kind, namespace: namespace, name: name)
        if kind == .cronWorkflow, let namespace {
            for key in workflowKeys(namespace: namespace, label: ArgoLabels.cronWorkflow, value: name) { remove(key) }
        }
    }
}
