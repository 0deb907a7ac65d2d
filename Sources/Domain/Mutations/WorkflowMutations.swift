import Foundation
import Ports

/// What a mutation changed.
public struct MutationResult: Sendable, Codable, Equatable {
    public var tool: String
    public var namespace: String
    public var name: String
    public var phaseBefore: String
    public var phaseAfter: String
    public var suspendedBefore: Bool?
    public var suspendedAfter: Bool?
    public var changes: [String]
    /// The id of the token that confirmed the call, as the runner redeemed it (`MutationRunner.Outcome.answer`):
    /// none when a dialog confirmed it or nothing needed confirming, even if a token was passed.
    public var tokenID: String?
}

/// The answer of a mutation tool: either a preview waiting for confirmation, or the result.
public typealias MutationAnswer = ConfirmableAnswer<MutationResult>

/// terminate, stop, retry, suspend, resume, and cron suspension.
public struct WorkflowMutations: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    var now: @Sendable () -> Date { context.now }
    let runner: MutationRunner

    public init(
        _ context: ArgoContext, runner: MutationRunner
    ) {
        self.context = context
        self.runner = runner
    }

    func validate(_ namespace: String?, _ name: String) throws -> String {
        var problems: [ArgumentProblem] = []
        problems += Validation.target(namespace: namespace, name: name)
        if !problems.isEmpty { throw InvalidArguments(problems) }
        return context.namespace(namespace)
    }

    static func phase(_ wf: Workflow) -> String { WorkflowShaping.phaseName(wf) }

    /// What a workflow token is bound to: what the preview showed that decides what the call does. A suspend,
    /// resume, stop or terminate by someone else between preview and confirmation voids the token.
    static func boundState(_ wf: Workflow) -> String {
        "phase \(phase(wf)), \(wf.spec.suspend == true ? "suspended" : "not suspended"), "
            + (wf.spec.shutdown.map { "shutdown \($0) requested" } ?? "no shutdown requested")
    }

    /// The preview of a workflow mutation: the workflow as it is now, with the effect and impact that this
    /// mutation states for itself (each caller says what it does; there is no shared default text).
    /// `pods` lists the pods the call stops or deletes (empty when it touches none).
    func workflowPreview(
        _ tool: String, _ wf: Workflow, pods: [String], effect: String, impact: String
    ) -> MutationPreview {
        let shaping = WorkflowShaping(now: now())
        let active = wf.status.nodes.values.filter { $0.phase?.isActive == true }
        let leaves = active.filter(WorkflowShaping.isLeaf).sorted {
            ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name)
        }
        return MutationPreview(
            tool: tool, namespace: context.namespace(wf.metadata.namespace), name: wf.metadata.name,
            uid: wf.metadata.uid, phase: Self.phase(wf), startedAt: wf.status.startedAt,
            activeNodes: leaves.prefix(20).map { shaping.nodeRow($0, in: wf) },
            activeNodeCount: active.count, pods: Array(pods.prefix(20)), effect: effect, impact: impact,
            confirmationToken: nil, expiresAt: nil)
    }

    /// The pods of the workflow's running or pending leaf nodes, oldest first.
    static func activePods(_ wf: Workflow) -> [String] {
        wf.status.nodes.values.filter { $0.phase?.isActive == true && WorkflowShaping.isLeaf($0) }
            .filter(WorkflowShaping.runsInPod)
            .sorted { ($0.startedAt ?? "", $0.name) < ($1.startedAt ?? "", $1.name) }
            .map { PodNames.podName(for: $0, in: wf) }
    }

    static func progress(_ wf: Workflow) -> String {
        "\(wf.metadata.name) (\(phase(wf))\(wf.status.progress.map { ", progress \($0)" } ?? ""))"
    }

    /// The preview of stopping a workflow (`Stop` or `Terminate`, as Argo's `spec.shutdown`): what runs now and
    /// would stop.
    func shutdownInspection(_ tool: String, _ wf: Workflow, strategy: String) -> Inspection {
        let active = wf.status.nodes.values.filter { $0.phase?.isActive == true }
        let pods = Self.activePods(wf)
        let phase = Self.phase(wf)
        let effect =
            strategy == "Stop"
            ? "\(active.count) running or pending node(s) are marked Failed and their \(pods.count) pod(s) stopped; exit handlers still run"
            : "\(active.count) running or pending node(s) are marked Failed and their \(pods.count) pod(s) killed at once; exit handlers do not run"
        let target = "\(wf.metadata.namespace ?? "")/\(wf.metadata.name)"
        var refusal: String?
        if wf.status.phase?.isCompleted == true {
            refusal = "\(target) already \(phase); there is nothing to \(strategy.lowercased())"
        } else if let requested = wf.spec.shutdown, requested == strategy {
            // Stop, then Terminate, is an escalation Argo allows; the same request twice changes nothing.
            refusal =
                "\(target) is already being shut down (\(requested) was requested); Argo's controller is stopping it — watch_workflow shows when it ends"
        }
        return Inspection(
            uid: wf.metadata.uid, fingerprint: Self.boundState(wf), refusal: refusal, labels: wf.metadata.labels,
            preview: workflowPreview(
                tool, wf, pods: pods, effect: effect,
                impact: "\(Self.progress(wf)) ends Failed with strategy \(strategy)"))
    }

    func changeReport(_ tool: String, _ before: Workflow, _ after: Workflow) -> MutationResult {
        let failedBefore = before.status.nodes.values.filter { $0.phase?.isFailure == true }.count
        let failedAfter = after.status.nodes.values.filter { $0.phase?.isFailure == true }.count
        let activeAfter = after.status.nodes.values.filter { $0.phase?.isActive == true }.count
        var changes: [String] = []
        if Self.phase(before) != Self.phase(after) {
            changes.append("phase \(Self.phase(before)) → \(Self.phase(after))")
        }
        if failedAfter != failedBefore { changes.append("failed nodes \(failedBefore) → \(failedAfter)") }
        if (before.spec.suspend ?? false) != (after.spec.suspend ?? false) {
            changes.append(after.spec.suspend == true ? "suspended" : "resumed")
        }
        if let shutdown = after.spec.shutdown, before.spec.shutdown != shutdown,
            after.status.phase?.isCompleted != true
        {
            // Argo answers a terminate or stop as soon as `spec.shutdown` is set; the controller stops the pods
            // and fails the workflow afterwards (`workflow/util/util.go` `patchShutdownStrategy`).
            changes.append(
                "shutdown (\(shutdown)) requested: Argo's controller now stops its \(activeAfter) active node(s) and the workflow then ends as Failed; get_workflow or watch_workflow shows when"
            )
        }
        if changes.isEmpty {
            changes.append("no visible change yet (\(activeAfter) node(s) active); Argo applies it asynchronously")
        }
        return MutationResult(
            tool: tool, namespace: after.metadata.namespace ?? context.namespace(before.metadata.namespace),
            name: after.metadata.name.isEmpty ? before.metadata.name : after.metadata.name,
            phaseBefore: Self.phase(before), phaseAfter: Self.phase(after),
            suspendedBefore: before.spec.suspend ?? false,
            suspendedAfter: after.spec.suspend ?? false, changes: changes, tokenID: nil)
    }

    /// terminate_workflow: running nodes fail at once, exit handlers do not run.
    public func terminate(
        namespace: String?, name: String, token: String?, client: String?, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        try await shutdown(
            .terminateWorkflow, strategy: "Terminate", namespace: namespace, name: name, extra: [:], token: token,
            client: client, confirmer: confirmer
        ) { ns in try await gateway.terminateWorkflow(namespace: ns, name: name) }
    }

    /// stop_workflow: running nodes fail, exit handlers still run.
    public func stop(
        namespace: String?, name: String, nodeFieldSelector: String?, message: String?, token: String?,
        client: String?, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        var extra: [String: String] = [:]
        if let nodeFieldSelector { extra["node_field_selector"] = nodeFieldSelector }
        if let message { extra["message"] = message }
        return try await shutdown(
            .stopWorkflow, strategy: "Stop", namespace: namespace, name: name, extra: extra, token: token,
            client: client, confirmer: confirmer
        ) { ns in
            try await gateway.stopWorkflow(
                namespace: ns, name: name, nodeFieldSelector: nodeFieldSelector, message: message)
        }
    }

    /// What terminate and stop share: the preview, the state check and the result; `call` asks Argo.
    private func shutdown(
        _ mutation: Mutation, strategy: String, namespace: String?, name: String, extra: [String: String],
        token: String?, client: String?, confirmer: (any Confirmer)?,
        call argo: @escaping @Sendable (String) async throws -> Workflow
    ) async throws -> MutationAnswer {
        let ns = try validate(namespace, name)
        let args = ["namespace": ns, "name": name].merging(extra) { a, _ in a }
        let call = MutationRunner.Call(
            mutation, kind: .workflow, namespace: ns, name: name, arguments: args, confirmationToken: token,
            client: client, confirmer: confirmer)
        var before: Workflow?
        let outcome = try await runner.run(call) {
            let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
            before = wf
            return shutdownInspection(mutation.tool, wf, strategy: strategy)
        } perform: {
            let after = try await argo(ns)
            return changeReport(mutation.tool, before ?? after, after)
        }
        return outcome.answer
    }

    /// retry_workflow: only a Failed or Error workflow.
    public func retry(
        namespace: String?, name: String, restartSuccessful: Bool, nodeFieldSelector: String?,
        parameters: [String: String],
        client: String?, token: String? = nil, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        let ns = try validate(namespace, name)
        var args = ["namespace": ns, "name": name, "restart_successful": String(restartSuccessful)]
        if let nodeFieldSelector { args["node_field_selector"] = nodeFieldSelector }
        for (k, v) in parameters { args["parameter.\(k)"] = v }
        let call = MutationRunner.Call(
            .retryWorkflow, kind: .workflow, namespace: ns, name: name, arguments: args,
            confirmationToken: token, client: client, confirmer: confirmer)
        var before: Workflow?
        let outcome = try await runner.run(call) {
            let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
            before = wf
            let phase = Self.phase(wf)
            var refusal =
                wf.status.phase == .failed || wf.status.phase == .error
                ? nil
                : "\(ns)/\(name) is \(phase); retry applies to Failed or Error workflows (wait for it to end, or terminate it first)"
            if wf.isArchivedCopy {
                // Argo's RetryWorkflow reads the archive's copy but then updates the live object, which is gone:
                // the call would fail only after it was confirmed.
                refusal =
                    "\(ns)/\(name) exists only in the workflow archive\(wf.metadata.uid.map { " (uid \($0))" } ?? ""): a retry updates the live Workflow object, which was deleted; resubmit_workflow runs it again as a new workflow"
            }
            return Inspection(
                uid: wf.metadata.uid, fingerprint: Self.boundState(wf), refusal: refusal, labels: wf.metadata.labels,
                preview: retryPreview(
                    wf, restartSuccessful: restartSuccessful, nodeFieldSelector: nodeFieldSelector,
                    parameters: parameters))
        } perform: {
            let after = try await gateway.retryWorkflow(
                namespace: ns, name: name, restartSuccessful: restartSuccessful, nodeFieldSelector: nodeFieldSelector,
                parameters: parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            var result = changeReport(Mutation.retryWorkflow.tool, before ?? after, after)
            let reset = (before ?? after).status.nodes.values.filter { node in
                node.phase?.isFailure == true && after.status.nodes[node.id]?.phase?.isFailure != true
            }.count
            result.changes.append("\(reset) failed node(s) reset to run again")
            return result
        }
        return outcome.answer
    }

    /// suspend_workflow: no new steps start until it is resumed.
    public func suspend(
        namespace: String?, name: String, client: String?, token: String? = nil, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        try await setSuspended(
            .suspendWorkflow, namespace: namespace, name: name, nodeFieldSelector: nil, client: client, token: token,
            confirmer: confirmer)
    }

    /// resume_workflow: a suspended workflow goes on, or its waiting suspend steps are released.
    public func resume(
        namespace: String?, name: String, nodeFieldSelector: String?, client: String?, token: String? = nil,
        confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        try await setSuspended(
            .resumeWorkflow, namespace: namespace, name: name, nodeFieldSelector: nodeFieldSelector, client: client,
            token: token, confirmer: confirmer)
    }

    /// What suspend and resume share.
    private func setSuspended(
        _ mutation: Mutation, namespace: String?, name: String, nodeFieldSelector: String?, client: String?,
        token: String?, confirmer: (any Confirmer)?
    ) async throws
        -> MutationAnswer
    {
        let ns = try validate(namespace, name)
        let suspend = mutation == .suspendWorkflow
        let tool = mutation.tool
        var args = ["namespace": ns, "name": name]
        if let nodeFieldSelector { args["node_field_selector"] = nodeFieldSelector }
        let call = MutationRunner.Call(
            mutation, kind: .workflow, namespace: ns, name: name, arguments: args,
            confirmationToken: token, client: client, confirmer: confirmer)
        var before: Workflow?
        let outcome = try await runner.run(call) {
            let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
            before = wf
            let phase = Self.phase(wf)
            let suspended = wf.spec.suspend == true
            let waitingNodes = wf.status.nodes.values.contains(where: \.isActiveSuspendNode)
            var refusal: String?
            if wf.status.phase?.isCompleted == true {
                refusal =
                    "\(ns)/\(name) already \(phase); only a running workflow can be \(suspend ? "suspended" : "resumed")"
            } else if suspend && suspended {
                refusal = "\(ns)/\(name) is already suspended"
            } else if !suspend && !suspended && !waitingNodes {
                refusal = "\(ns)/\(name) is not suspended and has no suspend step waiting; there is nothing to resume"
            } else if !suspend, nodeFieldSelector == nil, let (step, output) = Self.unsuppliedOutput(wf) {
                // Argo's ResumeWorkflow gives each waiting step's supplied outputs their defaults and refuses the
                // whole resume (HTTP 500) when one has none: say so before it is confirmed.
                refusal =
                    "resuming \(ns)/\(name) would fail: the waiting step \(step) expects its output '\(output)', which has no value and no default, and Argo then refuses the whole resume; give it with approve_step or set_step_outputs"
            }
            return Inspection(
                uid: wf.metadata.uid, fingerprint: Self.boundState(wf), refusal: refusal, labels: wf.metadata.labels,
                preview: suspend
                    ? suspendPreview(wf) : resumePreview(wf, nodeFieldSelector: nodeFieldSelector))
        } perform: {
            let after =
                suspend
                ? try await gateway.suspendWorkflow(namespace: ns, name: name)
                : try await gateway.resumeWorkflow(namespace: ns, name: name, nodeFieldSelector: nodeFieldSelector)
            var result = changeReport(tool, before ?? after, after)
            if !suspend {
                let resumedSteps = (before ?? after).status.nodes.values.filter { node in
                    node.isActiveSuspendNode && after.status.nodes[node.id]?.phase != .running
                }.count
                if resumedSteps > 0 { result.changes.append("\(resumedSteps) suspend step(s) released") }
            }
            return result
        }
        return outcome.answer
    }

    /// The first waiting suspend step with a supplied output that has neither a value nor a default.
    static func unsuppliedOutput(_ wf: Workflow) -> (step: String, output: String)? {
        for node in wf.status.nodes.values.filter(\.isActiveSuspendNode).sorted(by: { $0.name < $1.name }) {
            let io = wf.nodeIO(id: node.id) ?? NodeIO()
            if let missing = io.outputs.parameters.first(where: {
                $0.supplied && $0.value == nil && $0.suppliedDefault == nil
            }) {
                return (node.displayName ?? node.name, missing.name)
            }
        }
        return nil
    }

    /// toggle_cron_suspension: flips (or sets) whether a CronWorkflow schedules new runs.
    public func toggleCron(
        namespace: String?, name: String, suspend: Bool?, client: String?, token: String? = nil,
        confirmer: (any Confirmer)? = nil
    ) async throws
        -> MutationAnswer
    {
        let ns = try validate(namespace, name)
        var args = ["namespace": ns, "name": name]
        if let suspend { args["suspend"] = String(suspend) }
        let call = MutationRunner.Call(
            .toggleCronSuspension, kind: .cronWorkflow, namespace: ns, name: name,
            arguments: args,
            confirmationToken: token, client: client, confirmer: confirmer)
        var wasSuspended = false
        var target = false
        let outcome = try await runner.run(call) {
            let cron = try await gateway.getCronWorkflow(namespace: ns, name: name)
            wasSuspended = cron.suspend
            target = suspend ?? !cron.suspend
            let refusal =
                suspend != nil && suspend == cron.suspend
                ? "\(ns)/\(name) is already \(cron.suspend ? "suspended" : "active"); nothing to change" : nil
            let state = cron.suspend ? "suspended" : "active"
            return Inspection(
                uid: cron.metadata.uid, fingerprint: state, refusal: refusal, labels: cron.metadata.labels,
                preview: MutationPreview(
                    tool: Mutation.toggleCronSuspension.tool, namespace: ns, name: name, uid: cron.metadata.uid,
                    phase: state,
                    startedAt: nil,
                    activeNodes: [], activeNodeCount: cron.status.active.count, pods: [],
                    effect: target ? "no new runs are scheduled; running ones continue" : "runs are scheduled again",
                    impact: "\(name) becomes \(target ? "suspended" : "active")", confirmationToken: nil, expiresAt: nil
                ))
        } perform: {
            let after = try await gateway.setCronWorkflowSuspended(namespace: ns, name: name, suspended: target)
            return MutationResult(
                tool: Mutation.toggleCronSuspension.tool, namespace: ns, name: name,
                phaseBefore: wasSuspended ? "suspended" : "active",
                phaseAfter: after.suspend ? "suspended" : "active", suspendedBefore: wasSuspended,
                suspendedAfter: after.suspend,
                changes: ["\(wasSuspended ? "suspended" : "active") → \(after.suspend ? "suspended" : "active")"],
                tokenID: nil)
        }
        return outcome.answer
    }

    /// What a delete of this kind guarantees against an object replaced under the same name after the preview,
    /// as real Argo behaves (v3.5–v4.1):
    /// - `DeleteCronWorkflow` passes the request's `DeleteOptions` on to Kubernetes, so the uid precondition holds;
    /// - `DeleteWorkflow`, `DeleteWorkflowTemplate` and `DeleteClusterWorkflowTemplate` delete by name with options
    ///   of their own; argo-mcp compares the uid on a read made just before, which for templates (v3.7 and later)
    ///   comes from the Argo Server's informer cache and can lag the cluster.
    static func replacementGuard(_ kind: ArgoKind, uid: String?) -> String {
        guard let uid, !uid.isEmpty else { return "" }
        switch kind {
        case .cronWorkflow:
            return
                "; the delete carries a uid precondition (\(uid)) that Argo passes on to Kubernetes: if the cron workflow was replaced since this preview, nothing is deleted"
        case .workflow:
            return
                "; Argo deletes workflows by name (it drops uid preconditions): just before deleting, argo-mcp reads the workflow again and stops if its uid is no longer \(uid), but one re-created under this name in the instant between that read and the delete would be deleted"
        default:
            return
                "; Argo deletes \(kind.phrase)s by name (it drops uid preconditions), and from v3.7 the Argo Server reads them from a cache that can lag the cluster by seconds: argo-mcp checks the uid (\(uid)) on a read just before deleting, but a \(kind.phrase) replaced in the last few seconds can still look like this one, and the replacement would be deleted"
        }
    }

    /// delete_workflow: the Workflow object and its pods go; a finished workflow may live on in the archive.
    public func delete(
        namespace: String?, name: String, token: String?, client: String?, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        let ns = try validate(namespace, name)
        let call = MutationRunner.Call(
            .deleteWorkflow, kind: .workflow, namespace: ns, name: name,
            arguments: ["namespace": ns, "name": name], confirmationToken: token, client: client, confirmer: confirmer)
        var before: Workflow?
        let outcome = try await runner.run(call) {
            let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
            before = wf
            let refusal =
                wf.isArchivedCopy
                ? "\(ns)/\(name) is already deleted: what Argo answers for that name is the workflow archive's copy"
                    + (wf.metadata.uid.map { " (uid \($0))" } ?? "") + ", which delete_workflow does not remove"
                : nil
            let archive = await Self.archiveFate(of: wf, gateway: gateway)
            let created =
                ArgoTime.parse(wf.metadata.creationTimestamp).flatMap {
                    Text.duration(Int(now().timeIntervalSince($0))).map { "created \($0) ago" }
                } ?? "creation time unknown"
            let pods = wf.status.nodes.values.filter(WorkflowShaping.runsInPod).count
            let phase = Self.phase(wf)
            let effect =
                "the Workflow object is deleted with its \(pods) pod(s) and their logs"
                + (wf.status.phase?.isCompleted == true ? "" : "; it is still \(phase), so its running pods are killed")
                + "; " + archive + Self.replacementGuard(.workflow, uid: wf.metadata.uid)
            let inspection = Inspection(
                uid: wf.metadata.uid, fingerprint: Self.boundState(wf), refusal: refusal, labels: wf.metadata.labels,
                preview: workflowPreview(
                    Mutation.deleteWorkflow.tool, wf, pods: Self.activePods(wf), effect: effect,
                    impact: "\(name) (\(phase), \(created)) is deleted"))
            return inspection
        } perform: {
            try await gateway.deleteWorkflow(namespace: ns, name: name, uid: before?.metadata.uid)
            return MutationResult(
                tool: Mutation.deleteWorkflow.tool, namespace: ns, name: name,
                phaseBefore: before.map(Self.phase) ?? "Unknown",
                phaseAfter: "Deleted",
                suspendedBefore: nil, suspendedAfter: nil, changes: ["workflow deleted"],
                tokenID: nil)
        }
        return outcome.answer
    }

    /// What becomes of a workflow's record when its object is deleted, from what the server says: the live
    /// object's `workflow-archiving-status` label (set by the controller as it archives), and for a completed
    /// workflow without one, the archive itself (Argo's `GetArchivedWorkflow` answers NotFound when the archive
    /// lacks the workflow and "not supported" when the server has no archive).
    public static func archiveFate(of wf: Workflow, gateway: any ArgoGateway) async -> String {
        let lost = "so its record (spec, status, node tree) is lost"
        switch wf.archiving {
        case .archived:
            return "the workflow archive keeps a copy"
                + (wf.metadata.uid.map { " (get_archived_workflow with uid \($0))" } ?? "")
        case .pending:
            return "it has completed but the controller has yet to archive it: deleted now, it may never reach the "
                + "archive"
        case .copy:
            return "the workflow archive keeps its copy"
        case .unlabelled:
            guard wf.status.phase?.isCompleted == true else {
                return "it has not completed, and Argo archives only completed workflows, \(lost)"
            }
            guard let uid = wf.metadata.uid, !uid.isEmpty else {
                return "whether the workflow archive keeps a copy is unknown (the workflow has no uid)"
            }
            do {
                _ = try await gateway.getArchivedWorkflow(uid: uid)
                return "the workflow archive keeps a copy (get_archived_workflow with uid \(uid))"
            } catch let error as ArgoError where ArchiveReads.isNoArchive(error) {
                return "the Argo Server has no workflow archive, \(lost)"
            } catch let error as ArgoError where error.kind == .notFound {
                return "the server's workflow archive did not take it (its archiveLabelSelector excludes it), \(lost)"
            } catch {
                return "whether the workflow archive keeps a copy could not be checked (\(error))"
            }
        }
    }

    /// resubmit_workflow: a new workflow from this one's spec.
    public func resubmit(
        namespace: String?, name: String, memoized: Bool, parameters: [String: String], client: String?,
        token: String? = nil, confirmer: (any Confirmer)? = nil
    ) async throws
        -> MutationAnswer
    {
        let ns = try validate(namespace, name)
        var args = ["namespace": ns, "name": name, "memoized": String(memoized)]
        for (k, v) in parameters { args["parameter.\(k)"] = v }
        let call = MutationRunner.Call(
            .resubmitWorkflow, kind: .workflow, namespace: ns, name: name, arguments: args,
            confirmationToken: token, client: client, confirmer: confirmer)
        var before: Workflow?
        let outcome = try await runner.run(call) {
            let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
            before = wf
            var inspection = Inspection(
                uid: wf.metadata.uid, fingerprint: Self.boundState(wf), refusal: nil, labels: wf.metadata.labels,
                preview: resubmitPreview(wf, memoized: memoized, parameters: parameters))
            inspection.refusal =
                wf.status.phase?.isCompleted != true
                ? "\(ns)/\(name) is \(Self.phase(wf)); resubmit a finished workflow (or stop this one first)"
                : (memoized && wf.status.phase != .failed
                    ? "memoized resubmit applies to Failed workflows; \(name) is \(Self.phase(wf))" : nil)
            return inspection
        } perform: {
            let created = try await gateway.resubmitWorkflow(
                namespace: ns, name: name, memoized: memoized,
                parameters: parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            return MutationResult(
                tool: Mutation.resubmitWorkflow.tool, namespace: ns, name: created.metadata.name,
                phaseBefore: before.map(Self.phase) ?? "Unknown",
                phaseAfter: Self.phase(created), suspendedBefore: nil, suspendedAfter: nil,
                changes: ["created \(created.metadata.name) from \(name); follow it with watch_workflow"], tokenID: nil)
        }
        return outcome.answer
    }
}
