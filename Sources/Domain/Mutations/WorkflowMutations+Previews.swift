import Foundation
import Ports

/// The previews of the workflow mutations that leave the workflow running or start it again: each states what
/// Argo does for this call, from the workflow as it is now.
extension WorkflowMutations {
    static func names(_ nodes: [NodeStatus], limit: Int = 5) -> String {
        let shown = nodes.prefix(limit).map { $0.displayName ?? $0.name }
        let more = nodes.count > limit ? " and \(nodes.count - limit) more" : ""
        return shown.joined(separator: ", ") + more
    }

    /// suspend_workflow: Argo's `SuspendWorkflow` sets `spec.suspend`; the controller then starts no new node
    /// (`operator.go` returns early for a suspended workflow) while running pods go on.
    func suspendPreview(_ wf: Workflow) -> MutationPreview {
        let active = wf.status.nodes.values.filter { $0.phase?.isActive == true && WorkflowShaping.isLeaf($0) }
        let running = active.filter(WorkflowShaping.runsInPod)
        let waiting = active.filter(\.isActiveSuspendNode)
        var effect =
            "spec.suspend is set: Argo starts no new step; "
            + (running.isEmpty
                ? "no pod is running now"
                : "the \(running.count) running step(s) go on; their pods are not stopped")
        if !waiting.isEmpty {
            effect += "; \(waiting.count) suspend step(s) (\(Self.names(waiting))) keep waiting"
        }
        return workflowPreview(
            Mutation.suspendWorkflow.tool, wf, pods: [], effect: effect,
            impact:
                "\(Self.progress(wf)) stays \(Self.phase(wf)) but starts no new step until resume_workflow is called")
    }

    /// resume_workflow: Argo's `ResumeWorkflow` clears `spec.suspend` and marks every waiting suspend node
    /// Succeeded, giving supplied outputs their defaults; with a node field selector (`updateSuspendedNode`) it
    /// only marks the matching nodes, and leaves `spec.suspend` and the outputs alone.
    func resumePreview(_ wf: Workflow, nodeFieldSelector: String?) -> MutationPreview {
        let waiting = wf.status.nodes.values.filter(\.isActiveSuspendNode).sorted { $0.name < $1.name }
        var parts: [String] = []
        if wf.spec.suspend == true {
            parts.append(
                nodeFieldSelector == nil
                    ? "spec.suspend is cleared: Argo starts the next steps again"
                    : "spec.suspend stays set (a node field selector releases steps only)")
        }
        if !waiting.isEmpty {
            if let nodeFieldSelector {
                parts.append(
                    "the waiting suspend step(s) matching \(nodeFieldSelector) (of \(waiting.count): \(Self.names(waiting))) are marked Succeeded and "
                        + (wf.spec.suspend == true
                            ? "the steps after them start only once the workflow itself is resumed"
                            : "the steps after them start") + "; outputs they were to be given stay unset"
                )
            } else {
                parts.append(
                    "\(waiting.count) waiting suspend step(s) (\(Self.names(waiting))) are marked Succeeded and the steps after them start; an output parameter they were to be given takes its default, and Argo refuses the whole resume if one has none"
                )
            }
        }
        return workflowPreview(
            Mutation.resumeWorkflow.tool, wf, pods: [],
            effect: parts.isEmpty ? "nothing is suspended" : parts.joined(separator: "; "),
            impact: "\(Self.progress(wf)) goes on")
    }

    /// retry_workflow: Argo's `FormulateRetryWorkflow` removes the failed and errored nodes (with
    /// `restart_successful`, also the succeeded ones the selector matches) and the exit handler's, deletes their
    /// pods and sets the workflow running again; succeeded nodes are kept and not run again.
    func retryPreview(
        _ wf: Workflow, restartSuccessful: Bool, nodeFieldSelector: String?, parameters: [String: String]
    ) -> MutationPreview {
        // Argo deletes the exit handler's nodes (`<name>.onExit…`) too: they run again, whatever their phase.
        let exitPrefix = "\(wf.metadata.name).onExit"
        let exitHandler = wf.status.nodes.values.filter { $0.name.hasPrefix(exitPrefix) }
        let nodes = wf.status.nodes.values.filter { !$0.name.hasPrefix(exitPrefix) }
        let failed = nodes.filter { $0.phase?.isFailure == true }
        let failedPods = failed.filter(WorkflowShaping.runsInPod).sorted { $0.name < $1.name }
        let succeeded = nodes.filter { $0.phase == .succeeded && WorkflowShaping.runsInPod($0) }
        let exitPods = exitHandler.filter(WorkflowShaping.runsInPod).sorted { $0.name < $1.name }
        var effect =
            "\(failedPods.count) failed step(s) (\(Self.names(failedPods))) are reset, their pods deleted, and they run again; "
            + "\(succeeded.count) succeeded step(s) are kept and not run again"
        if restartSuccessful, let nodeFieldSelector {
            effect += ", except those matching \(nodeFieldSelector), which run again too"
        }
        if !parameters.isEmpty {
            effect +=
                "; the workflow's arguments take "
                + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
        if !exitHandler.isEmpty {
            effect += "; the exit handler runs again (its \(exitPods.count) pod(s) deleted and run anew)"
        }
        effect += "; the workflow becomes Running and its finish time and message are cleared"
        return workflowPreview(
            Mutation.retryWorkflow.tool, wf, pods: (failedPods + exitPods).map { PodNames.podName(for: $0, in: wf) },
            effect: effect, impact: "\(Self.progress(wf)) runs again from its failed steps")
    }

    /// resubmit_workflow: Argo's `FormulateResubmitWorkflow` makes a new workflow from this one's spec, named
    /// from `generateName` `<name>-`; with `memoized`, the succeeded nodes are carried over and not run again.
    func resubmitPreview(_ wf: Workflow, memoized: Bool, parameters: [String: String]) -> MutationPreview {
        let name = wf.metadata.name
        var effect = "a new workflow named \(name)-<random> is created from \(name)'s spec and runs from the start"
        if memoized {
            let succeeded = wf.status.nodes.values.filter { $0.phase == .succeeded && WorkflowShaping.runsInPod($0) }
            effect =
                "a new workflow named \(name)-<random> is created from \(name)'s spec; its \(succeeded.count) succeeded step(s) are carried over and not run again"
        }
        if !parameters.isEmpty {
            effect +=
                "; its arguments take "
                + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
        return workflowPreview(
            Mutation.resubmitWorkflow.tool, wf, pods: [], effect: effect,
            impact: "\(name) (\(Self.phase(wf))) is left as it is; the new run is separate")
    }
}
