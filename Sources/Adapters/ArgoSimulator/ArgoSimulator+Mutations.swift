import Foundation
import Ports

extension ArgoSimulator {
    /// What a workflow action asks for, in Argo's terms.
    public enum WorkflowAction: Sendable {
        case terminate
        case stop(nodeFieldSelector: String?, message: String?)
        case retry(restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String])
        case suspend
        case resume(nodeFieldSelector: String?)
        case set(NodeUpdate)
    }

    /// Five characters as Kubernetes appends to a `generateName`.
    static func nameSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<5).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// Applies Argo's `name=value` parameter overrides to a workflow spec's arguments. With `declaredBy`, a name the
    /// spec does not declare is an error (as `/submit` answers); without it, it is added (as retry and resubmit do).
    static func override(_ spec: inout JSONValue, with pairs: [String], declaredBy source: String? = nil) throws {
        guard !pairs.isEmpty else { return }
        var params = spec[path: "arguments.parameters"]?.array ?? []
        for pair in pairs {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            if let i = params.firstIndex(where: { $0["name"]?.string == kv[0] }) {
                params[i]["value"] = .string(kv[1])
            } else if let source {
                throw invalid("parameter '\(kv[0])' is not declared by \(source)")
            } else {
                params.append(.object(["name": .string(kv[0]), "value": .string(kv[1])]))
            }
        }
        spec.set(["arguments", "parameters"], .array(params))
    }

    static func precondition(_ message: String) -> ArgoError {
        ArgoError.fromServer(httpStatus: 400, grpcCode: 9, message: message)
    }

    /// Applies an action the way Argo's controller would, and returns the workflow as it is afterwards.
    public func perform(_ action: WorkflowAction, namespace: String, name: String) async throws -> Data {
        _ = try await failIfInjected(.mutateWorkflow)
        materialize()
        let key = "\(namespace)/\(name)"
        guard var wf = storedJSON(key) else {
            throw ArgoError.fromServer(
                httpStatus: 404, grpcCode: 5, message: "workflows.argoproj.io \"\(name)\" not found")
        }
        let phase = wf[path: "status.phase"]?.string ?? "Pending"
        let completed = ["Succeeded", "Failed", "Error"].contains(phase)
        let now = ArgoTime.format(Date())
        var nodes = wf[path: "status.nodes"]?.object ?? [:]
        // What the simulated controller does next: run a retry's reset nodes, or go on past a released step.
        var retried: Set<String>?
        var carryOn = false

        switch action {
        case .terminate:
            try requestShutdown("Terminate", of: &wf, namespace: namespace, name: name, completed: completed)
        case .stop:
            try requestShutdown("Stop", of: &wf, namespace: namespace, name: name, completed: completed)
        case .suspend:
            try Self.suspend(&wf, completed: completed)
        case .resume(let selector):
            guard try Self.resume(&wf, nodes: &nodes, selector: selector, now: now) else {
                return storedData(key) ?? wf.encoded()
            }
            carryOn = true
        case .set(let update):
            try Self.setNodes(&wf, nodes: &nodes, update: update, now: now)
            carryOn = true
        case .retry(let restartSuccessful, let selector, let parameters):
            retried = try Self.retry(
                &wf, nodes: &nodes, name: name, phase: phase, restartSuccessful: restartSuccessful, selector: selector,
                parameters: parameters, now: now)
        }
        wf.set(["status", "nodes"], .object(nodes))
        replace(wf, key: key)
        if let retried {
            stopEvolution(key)
            if Self.isStepsWorkflow(wf) {
                // The steps go on from the group that failed, as the controller runs them (later groups included).
                continuing.insert(key)
            } else {
                follow(Self.retryRun(wf, reset: retried, now: Date(), tick: tickSeconds), key: key)
            }
        } else if carryOn, evolutionFollows(key) == false, Self.isStepsWorkflow(wf) {
            continuing.insert(key)
        }
        return storedData(key) ?? wf.encoded()
    }

    /// `workflow/util/util.go` `patchShutdownStrategy`: a completed workflow is refused with a plain error,
    /// which `ToStatusError(err, codes.Internal)` sends as gRPC 13 / HTTP 500; otherwise only `spec.shutdown`
    /// is patched and the server answers with the workflow still running. The controller fails it later
    /// (here: `shutdownDelay` after the call).
    func requestShutdown(
        _ strategy: String, of wf: inout JSONValue, namespace: String, name: String, completed: Bool
    ) throws {
        guard !completed else {
            throw ArgoError.fromServer(
                httpStatus: 500, grpcCode: 13,
                message: "cannot shutdown a completed workflow: workflow: \"\(name)\", namespace: \"\(namespace)\"")
        }
        let key = "\(namespace)/\(name)"
        wf.set(["spec", "shutdown"], .string(strategy))
        stopEvolution(key)
        scheduleShutdown(key, strategy: strategy)
    }

    /// Marks the workflow suspended; a completed one is refused.
    static func suspend(_ wf: inout JSONValue, completed: Bool) throws {
        // `errSuspendedCompletedWorkflow`: CodeBadRequest, so gRPC 3 / HTTP 400.
        guard !completed else {
            throw ArgoError.fromServer(httpStatus: 400, grpcCode: 3, message: "cannot suspend completed workflows")
        }
        wf.set(["spec", "suspend"], true)
    }

    /// Resumes the workflow or, with a selector, the waiting suspend nodes it matches; false when there was
    /// nothing to resume (the workflow is left as it is).
    static func resume(
        _ wf: inout JSONValue, nodes: inout [String: JSONValue], selector: String?, now: String
    ) throws -> Bool {
        // `workflow/util/util.go` `ResumeWorkflow`: with a node field selector, `updateSuspendedNode` marks the
        // matching waiting suspend nodes Succeeded and leaves `spec.suspend` alone; without one, the workflow's
        // suspension ends and every waiting suspend node succeeds.
        if let selector, !selector.isEmpty {
            let matcher = try NodeFieldSelector(selector)
            try Self.updateSuspended(
                &nodes, matcher, selector: selector, NodeUpdate(nodeFieldSelector: selector, phase: "Succeeded"),
                now: now, workflow: &wf)
            return true
        }
        // A workflow that is not suspended is left as it is, without an error. Each waiting node's supplied
        // outputs take their defaults first (`OverrideOutputParametersWithDefault`); one without a default
        // fails the whole resume, before anything is saved.
        let suspendedNodes = nodes.filter { Self.isActiveSuspendNode($0.value) }
        if wf[path: "spec.suspend"] != .bool(true) && suspendedNodes.isEmpty {
            return false
        }
        wf.set(["spec", "suspend"], nil)
        for (id, node) in suspendedNodes.sorted(by: { $0.key < $1.key }) {
            var n = node
            var parameters = node[path: "outputs.parameters"]?.array ?? []
            for i in parameters.indices where parameters[i][path: "valueFrom.supplied"] != nil {
                guard let fallback = parameters[i][path: "valueFrom.default"] else {
                    throw ArgoError.fromServer(
                        httpStatus: 500, grpcCode: 13,
                        message:
                            "raw output parameter '\(parameters[i]["name"]?.string ?? "")' has not been set and does not have a default value"
                    )
                }
                parameters[i]["value"] = fallback
                parameters[i]["valueFrom"] = nil
            }
            if !parameters.isEmpty { n.set(["outputs", "parameters"], .array(parameters)) }
            n["phase"] = "Succeeded"
            n["finishedAt"] = .string(now)
            nodes[id] = n
        }
        return true
    }

    /// Sets the phase, message or outputs of the waiting suspend nodes the update's selector matches.
    static func setNodes(
        _ wf: inout JSONValue, nodes: inout [String: JSONValue], update: NodeUpdate, now: String
    ) throws {
        // `server/workflow/workflow_server.go` `SetWorkflow`: the phase must be Succeeded, Failed, Error or
        // empty (gRPC 3 otherwise); `workflow/util/util.go` `SetWorkflow` needs a node field selector, and its
        // failures are plain errors the server sends as gRPC 13 / HTTP 500.
        if let phase = update.phase, !["Succeeded", "Failed", "Error", ""].contains(phase) {
            throw ArgoError.fromServer(
                httpStatus: 400, grpcCode: 3, message: "\(phase) is an invalid phase to set to")
        }
        guard !update.nodeFieldSelector.isEmpty else {
            throw ArgoError.fromServer(
                httpStatus: 500, grpcCode: 13,
                message: "'set' currently only targets suspend nodes, use a node field selector to target them")
        }
        let matcher: NodeFieldSelector
        do {
            matcher = try NodeFieldSelector(update.nodeFieldSelector)
        } catch {
            throw ArgoError.fromServer(httpStatus: 500, grpcCode: 13, message: "\(error)")
        }
        try Self.updateSuspended(
            &nodes, matcher, selector: update.nodeFieldSelector, update, now: now, workflow: &wf)
    }

    /// Resets the workflow's failed nodes (and what their failure omitted) to run again, and the workflow with
    /// them; returns the nodes reset.
    static func retry(
        _ wf: inout JSONValue, nodes: inout [String: JSONValue], name: String, phase: String,
        restartSuccessful: Bool, selector: String?, parameters: [String], now: String
    ) throws -> Set<String> {
        try checkRetryable(phase: phase, restartSuccessful: restartSuccessful, selector: selector)
        let reset = try retryResets(nodes, name: name, restartSuccessful: restartSuccessful, selector: selector)
        for id in reset {
            guard let n = nodes[id] else { continue }
            nodes[id] = resetForRetry(n)
        }
        var spec = wf["spec"] ?? .object([:])
        try Self.override(&spec, with: parameters)
        wf["spec"] = spec
        wf.set(["spec", "shutdown"], nil)
        wf.set(["status", "phase"], "Running")
        wf.set(["status", "message"], nil)
        wf.set(["status", "finishedAt"], nil)
        wf.set(["status", "startedAt"], .string(now))
        wf.set(["metadata", "labels", ArgoLabels.phase], "Running")
        wf.set(["metadata", "labels", ArgoLabels.completed], nil)
        // `workflow/util/util.go` `createNewRetryWorkflow` drops the archiving status too: the retried run is
        // archived again when it completes, not left pointing at the copy of the run before.
        wf.set(["metadata", "labels", ArgoLabels.archivingStatus], nil)
        return reset
    }

    /// `workflow/util/util.go` `FormulateRetryWorkflow`: Failed and Error retry; Succeeded only with
    /// restartSuccessful and a node field selector; anything else is a bad request (gRPC 3 / HTTP 400).
    static func checkRetryable(phase: String, restartSuccessful: Bool, selector: String?) throws {
        switch phase {
        case "Failed", "Error": break
        case "Succeeded":
            guard restartSuccessful, !(selector ?? "").isEmpty else {
                throw ArgoError.fromServer(
                    httpStatus: 400, grpcCode: 3,
                    message:
                        "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector")
            }
        default:
            throw ArgoError.fromServer(
                httpStatus: 400, grpcCode: 3, message: "Cannot retry a workflow in phase \(phase)")
        }
    }

    /// The nodes a retry resets: the failed and errored nodes (with restartSuccessful, also the pods the selector
    /// matches) and what hangs off them: the dependents their failure omitted run this time.
    static func retryResets(
        _ nodes: [String: JSONValue], name: String, restartSuccessful: Bool, selector: String?
    ) throws -> Set<String> {
        let matcher =
            try restartSuccessful ? selector.flatMap { $0.isEmpty ? nil : try NodeFieldSelector($0) } : nil
        var reset = Set<String>()
        for (id, node) in nodes {
            let p = node["phase"]?.string ?? ""
            if p == "Failed" || p == "Error" || (node["type"]?.string == "Pod" && matcher?.matches(node) == true) {
                reset.insert(id)
            }
        }
        var queue = Array(reset)
        while let id = queue.popLast() {
            for child in nodes[id]?["children"]?.array?.compactMap(\.string) ?? []
            where nodes[child]?["phase"]?.string == "Omitted" && reset.insert(child).inserted {
                queue.append(child)
            }
        }
        // `FormulateRetryWorkflow` also deletes the exit handler's nodes (`<name>.onExit…`): it runs again.
        for (id, node) in nodes where (node["name"]?.string ?? "").hasPrefix("\(name).onExit") { reset.insert(id) }
        return reset
    }

    /// A node as a retry leaves it: waiting to run again (a pod Pending, a grouping node Running), without the
    /// outcome of the run before.
    static func resetForRetry(_ node: JSONValue) -> JSONValue {
        var n = node
        let type = n["type"]?.string
        let isPod = type == "Pod" || n["phase"]?.string == "Omitted"
        if n["phase"]?.string == "Omitted" || type == "Skipped" {
            n["type"] = "Pod"
            if n["templateName"] == nil { n["templateName"] = "work" }
        }
        // `resetNode`: a suspend step waits again, its supplied outputs unset.
        if type == "Suspend" {
            let supplied = (n[path: "outputs.parameters"]?.array ?? []).compactMap { p -> JSONValue? in
                guard let pname = p["name"] else { return nil }
                return .object(["name": pname, "valueFrom": .object(["supplied": .object([:])])])
            }
            n["outputs"] = supplied.isEmpty ? nil : .object(["parameters": .array(supplied)])
            n["phase"] = "Running"
        } else {
            n["phase"] = isPod ? "Pending" : "Running"
            n["outputs"] = nil
        }
        n["message"] = nil
        n["finishedAt"] = nil
        return n
    }

    /// A workflow whose entrypoint is a steps template with its groups written out: the simulated controller can
    /// carry it on.
    static func isStepsWorkflow(_ wf: JSONValue) -> Bool {
        guard let entry = wf[path: "spec.entrypoint"]?.string else { return false }
        return wf[path: "spec.templates"]?.array?.contains {
            $0["name"]?.string == entry && ($0["steps"]?.array?.isEmpty == false)
        } ?? false
    }

    /// `pkg/apis/workflow/v1alpha1/workflow_types.go` `IsActiveSuspendNode`: a Suspend node still Running.
    static func isActiveSuspendNode(_ node: JSONValue) -> Bool {
        node["type"]?.string == "Suspend" && node["phase"]?.string == "Running"
    }

    /// `workflow/util/util.go` `updateSuspendedNode`: every waiting suspend node (`IsActiveSuspendNode`) that the
    /// selector matches gets the phase (and `finishedAt` once fulfilled), the message, and its supplied output
    /// parameters, each of which must be declared with `valueFrom.supplied` and not set yet; the values also reach
    /// the global scope when the parameter has a `globalName` (`AddParamToGlobalScope`). No match is an error.
    static func updateSuspended(
        _ nodes: inout [String: JSONValue], _ matcher: NodeFieldSelector, selector: String, _ update: NodeUpdate,
        now: String, workflow wf: inout JSONValue
    ) throws {
        func internalError(_ message: String) -> ArgoError {
            ArgoError.fromServer(httpStatus: 500, grpcCode: 13, message: message)
        }
        var updated = false
        for (id, node) in nodes.sorted(by: { $0.key < $1.key })
        where Self.isActiveSuspendNode(node) && matcher.matches(node) {
            var n = node
            if let phase = update.phase, !phase.isEmpty {
                n["phase"] = .string(phase)
                n["finishedAt"] = .string(now)
                updated = true
            }
            if let message = update.message, !message.isEmpty {
                n["message"] = .string(message)
                updated = true
            }
            if !update.outputParameters.isEmpty {
                guard var parameters = n[path: "outputs.parameters"]?.array else {
                    throw internalError(
                        "cannot set output parameters because node is not expecting any raw parameters")
                }
                for (name, value) in update.outputParameters.sorted(by: { $0.key < $1.key }) {
                    guard let i = parameters.firstIndex(where: { $0["name"]?.string == name }) else {
                        throw internalError("node is not expecting output parameter '\(name)'")
                    }
                    guard parameters[i][path: "valueFrom.supplied"] != nil else {
                        throw internalError(
                            "cannot set output parameter '\(name)' because it does not use valueFrom.raw or it was already set"
                        )
                    }
                    parameters[i]["value"] = .string(value)
                    parameters[i]["valueFrom"] = nil
                    if let global = parameters[i]["globalName"]?.string {
                        var outputs = wf[path: "status.outputs.parameters"]?.array ?? []
                        outputs.removeAll { $0["name"]?.string == global }
                        outputs.append(.object(["name": .string(global), "value": .string(value)]))
                        wf.set(["status", "outputs", "parameters"], .array(outputs))
                    }
                    updated = true
                }
                n.set(["outputs", "parameters"], .array(parameters))
            }
            nodes[id] = n
        }
        guard updated else {
            throw internalError(
                "currently, set only targets suspend nodes: no suspend nodes matching nodeFieldSelector: \(selector)")
        }
    }

    /// Fails a workflow whose shutdown was requested, as the controller does once its pods are stopped: active
    /// nodes fail with the controller's message, and the workflow ends Failed.
    func completeShutdown(_ key: String, strategy: String) {
        guard var wf = storedJSON(key) else { return }
        let now = ArgoTime.format(Date())
        var nodes = wf[path: "status.nodes"]?.object ?? [:]
        for (id, node) in nodes where ["Running", "Pending"].contains(node["phase"]?.string ?? "") {
            var n = node
            n["phase"] = "Failed"
            n["message"] = .string("workflow shutdown with strategy:  \(strategy)")
            n["finishedAt"] = .string(now)
            nodes[id] = n
        }
        wf.set(["status", "nodes"], .object(nodes))
        wf.set(["status", "phase"], "Failed")
        wf.set(["status", "message"], .string("Stopped with strategy '\(strategy)'"))
        wf.set(["status", "finishedAt"], .string(now))
        wf.set(["metadata", "labels", ArgoLabels.phase], "Failed")
        wf.set(["metadata", "labels", ArgoLabels.completed], "true")
        replace(wf, key: key)
    }

    /// Suspends or resumes a CronWorkflow's scheduling.
    public func setCronSuspended(namespace: String, name: String, suspended: Bool) async throws -> Data {
        _ = try await failIfInjected(.mutateCronWorkflow)
        guard var cron = object(.cronWorkflow, namespace: namespace, name: name) else {
            throw ArgoError.fromServer(
                httpStatus: 404, grpcCode: 5, message: "cronworkflows.argoproj.io \"\(name)\" not found")
        }
        cron.set(["spec", "suspend"], .bool(suspended))
        return storeObject(.cronWorkflow, cron, namespace: namespace, name: name)
    }

    /// Deletes a workflow. A finished one was archived when it completed (`archivedOnCompletion`) and stays there;
    /// one deleted before it completes never reaches the archive.
    /// `uid` is accepted and ignored: Argo's `DeleteWorkflow` deletes with `metav1.DeleteOptions` of its own and
    /// drops the request's preconditions (`server/workflow/workflow_server.go`, v3.5–v4.1).
    public func delete(namespace: String, name: String, uid: String? = nil) async throws {
        _ = try await failIfInjected(.mutateWorkflow)
        materialize()
        let key = "\(namespace)/\(name)"
        guard storedJSON(key) != nil else {
            throw ArgoError.fromServer(
                httpStatus: 404, grpcCode: 5, message: "workflows.argoproj.io \"\(name)\" not found")
        }
        remove(key)
    }

    /// Creates `<name>-xxxxx` from the workflow's spec (parameters overridden), Pending, then running to Succeeded.
    public func resubmit(namespace: String, name: String, memoized: Bool, parameters: [String]) async throws -> Data {
        _ = try await failIfInjected(.mutateWorkflow)
        materialize()
        guard let original = storedJSON("\(namespace)/\(name)") else {
            throw ArgoError.fromServer(
                httpStatus: 404, grpcCode: 5, message: "workflows.argoproj.io \"\(name)\" not found")
        }
        let phase = original[path: "status.phase"]?.string ?? "Pending"
        if memoized && phase != "Failed" {
            throw Self.precondition("workflow must be Failed to be resubmitted with memoization")
        }
        let newName = "\(name)-\(Self.nameSuffix())"
        var copy: JSONValue = .object([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": .object([
                "name": .string(newName), "namespace": .string(namespace),
                "uid": .string(UUID().uuidString.lowercased()),
                "creationTimestamp": .string(ArgoTime.format(Date())),
                "labels": .object(["workflows.argoproj.io/resubmitted-from-workflow": .string(name)]),
            ]),
            "spec": original["spec"] ?? .object([:]),
            "status": .object(["phase": "Pending"]),
        ])
        copy.set(["spec", "shutdown"], nil)
        copy.set(["spec", "suspend"], nil)
        var spec = copy["spec"] ?? .object([:])
        try Self.override(&spec, with: parameters)
        copy["spec"] = spec
        var running = copy
        running.set(["status", "phase"], "Running")
        running.set(["status", "startedAt"], .string(ArgoTime.format(Date())))
        running.set(["metadata", "labels", ArgoLabels.phase], "Running")
        var done = running
        done.set(["status", "phase"], "Succeeded")
        done.set(["status", "finishedAt"], .string(ArgoTime.format(Date().addingTimeInterval(2))))
        done.set(["metadata", "labels", ArgoLabels.phase], "Succeeded")
        done.set(["metadata", "labels", ArgoLabels.completed], "true")
        addEvolving(states: [copy, running, done], key: "\(namespace)/\(newName)")
        return storedData("\(namespace)/\(newName)") ?? copy.encoded()
    }
}
