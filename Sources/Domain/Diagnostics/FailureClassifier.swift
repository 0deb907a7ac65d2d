import Foundation
import Ports

/// A known cause of failure, recognised from the signals Argo and Kubernetes leave on a node.
public struct FailureCategory: Sendable, Equatable {
    public var id: String
    public var explanation: String
    public var nextSteps: [String]
}

/// Classifies a failed node from its message, exit code and timing. The rules are ordered: the most specific
/// signal (OOMKilled, an image that cannot be pulled) wins over the exit code it also produced.
public enum FailureClassifier {
    struct Rule {
        var id: String
        var any: [String]
        var explanation: String
        var nextSteps: [String]
    }

    static let rules: [Rule] = [
        Rule(
            id: "oom_killed", any: ["oomkilled", "out of memory", "oom-kill"],
            explanation: "the container used more memory than its limit and the kernel killed it (exit 137)",
            nextSteps: [
                "raise resources.limits.memory (and requests) of the failing template, or lower its memory use",
                "get_workflow_metrics shows which steps used the most memory-time",
            ]),
        Rule(
            id: "image_pull",
            any: ["imagepullbackoff", "errimagepull", "invalidimagename", "failed to pull image", "image pull"],
            explanation: "the node could not pull the container image",
            nextSteps: [
                "check the image name and tag exist in the registry",
                "check imagePullSecrets / the service account's registry credentials",
            ]),
        Rule(
            id: "deadline_exceeded",
            any: [
                "activedeadlineseconds", "deadline exceeded", "exceeded its deadline",
                "longer than the specified deadline",
                "max duration limit exceeded", "timeout", "timed out",
            ],
            explanation: "the step or workflow ran longer than its activeDeadlineSeconds/timeout and was stopped",
            nextSteps: [
                "raise activeDeadlineSeconds / timeout on the template or workflow, or find why it got slower (compare_workflows with the last success)"
            ]),
        Rule(
            id: "pod_deleted_or_evicted",
            any: [
                "pod deleted", "evicted", "the node was low on resource", "preempt", "node shutdown", "pod was deleted",
            ],
            explanation:
                "Kubernetes removed the pod (eviction under node pressure, preemption, node loss or a deletion)",
            nextSteps: [
                "add a retryStrategy with retryPolicy OnError/Always so lost pods are retried",
                "check node pressure and PodDisruptionBudgets around the failure time",
            ]),
        Rule(
            id: "unschedulable",
            any: [
                "unschedulable", "nodes are available", "insufficient cpu", "insufficient memory", "didn't match",
                "pending too long",
            ],
            explanation: "the pod could not be scheduled on any node",
            nextSteps: [
                "lower resources.requests, or fix nodeSelector/affinity/tolerations of the template",
                "check cluster capacity (kubectl describe pod shows the scheduler's reason)",
            ]),
        Rule(
            id: "parameter_resolution",
            any: [
                "failed to resolve", "unable to resolve", "unable to substitute", "unresolved", "invalid spec",
                "absent optional", "failed to evaluate expression",
            ],
            explanation: "a {{…}} expression or parameter could not be resolved when the step was created",
            nextSteps: [
                "check the parameter names and output references in the template (lint_manifest catches many of these)"
            ]),
        Rule(
            id: "missing_artifact",
            any: ["artifact", "nosuchkey", "key does not exist", "failed to load", "failed to save outputs"],
            explanation: "an input or output artifact could not be found, loaded or saved",
            nextSteps: [
                "check the producing step wrote the file at the declared path, and the artifact repository's credentials and bucket"
            ]),
    ]

    /// The category of a failure with this message and exit code.
    public static func classify(message: String?, exitCode: String?) -> FailureCategory {
        let text = (message ?? "").lowercased()
        let code = exitCode.flatMap { Int($0) } ?? exitCodeInMessage(text)
        for rule in rules where rule.any.contains(where: text.contains) {
            // An exit code that is not 0 with a generic artifact word is still the program's failure.
            if rule.id == "missing_artifact", let code, code != 0, !text.contains("artifact") { continue }
            return FailureCategory(id: rule.id, explanation: rule.explanation, nextSteps: rule.nextSteps)
        }
        switch code {
        case 137?:
            return FailureCategory(
                id: "killed",
                explanation:
                    "the container was killed with SIGKILL (exit 137): node-level OOM, eviction or a forced stop",
                nextSteps: ["check memory use and the node's events around the failure time"])
        case 143?:
            return FailureCategory(
                id: "terminated",
                explanation: "the container was stopped with SIGTERM (exit 143): a stop, a deadline or a node drain",
                nextSteps: ["check whether the workflow was stopped or hit a deadline"])
        case 127?:
            return FailureCategory(
                id: "command_not_found",
                explanation: "exit 127: the command was not found in the image",
                nextSteps: ["check command/args of the template and that the binary exists in the image (and its PATH)"]
            )
        case 126?:
            return FailureCategory(
                id: "not_executable",
                explanation: "exit 126: the command exists but cannot be executed (permissions or format)",
                nextSteps: ["check the file is executable (chmod +x) and built for the node's architecture"])
        case 2?:
            return FailureCategory(
                id: "usage_error",
                explanation: "exit 2: usually a shell or command-line usage error (bad flag, missing argument or file)",
                nextSteps: ["read the log excerpt for the usage message; check the template's command and args"])
        case 1?:
            return FailureCategory(
                id: "application_error",
                explanation: "exit 1: the program reported an error itself",
                nextSteps: ["read the log excerpt; get_workflow_logs with grep gives more context"])
        case let other? where other != 0:
            return FailureCategory(
                id: "exit_code_\(other)", explanation: "the program exited with code \(other)",
                nextSteps: ["read the log excerpt for what the program reported"])
        default:
            return FailureCategory(
                id: "error",
                explanation: message.map { "Argo reported: \(Text.trim($0, to: 160).0 ?? "")" }
                    ?? "no reason was recorded",
                nextSteps: ["get_workflow with include nodes shows the node's full state"])
        }
    }

    /// `… (exit code 137)` or `failed with exit code 2`.
    static func exitCodeInMessage(_ text: String) -> Int? {
        guard let range = text.range(of: "exit code ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Words that mark a log line as worth showing.
    static let errorWords = [
        "error", "exception", "traceback", "fatal", "panic", "killed", "denied", "refused", "not found",
        "no such file", "timed out", "failed", "oom",
    ]

    /// A few lines around the first error-looking line (or the last lines when none looks like an error).
    public static func excerpt(_ lines: [String], before: Int = 3, after: Int = 6, width: Int = 200) -> [String] {
        let first = lines.firstIndex { line in
            let lower = line.lowercased()
            return errorWords.contains(where: lower.contains)
        }
        let window: ArraySlice<String> =
            first.map { lines[max(0, $0 - before)..<min(lines.count, $0 + after + 1)] } ?? lines.suffix(before + after)
        return window.map { Text.trim($0, to: width).0 ?? "" }
    }
}
