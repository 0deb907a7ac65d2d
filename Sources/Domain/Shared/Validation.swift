import Foundation
import Ports

/// Checks on Kubernetes-style arguments, before anything is sent to Argo.
public enum Validation {
    /// A namespace is a DNS-1123 label.
    public static func namespace(_ value: String, field: String = "namespace") -> ArgumentProblem? {
        guard isDNSLabel(value) else {
            return ArgumentProblem(
                field: field,
                message:
                    "'\(value)' is not a valid namespace (lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit)"
            )
        }
        return nil
    }

    /// An object name is a DNS-1123 subdomain.
    public static func objectName(_ value: String, field: String = "name") -> ArgumentProblem? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard !value.isEmpty, value.utf8.count <= 253, parts.allSatisfy({ isDNSLabel(String($0)) }) else {
            return ArgumentProblem(
                field: field,
                message:
                    "'\(value)' is not a valid Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253)"
            )
        }
        return nil
    }

    /// The problems of a namespaced object reference: the namespace (when given) and the name.
    public static func target(namespace: String?, name: String) -> [ArgumentProblem] {
        [namespace.flatMap { self.namespace($0) }, objectName(name)].compactMap { $0 }
    }

    /// Parses a workflow phase, case-insensitively, into its canonical spelling.
    public static func workflowPhase(_ value: String) -> WorkflowPhase? {
        WorkflowPhase.known.first { $0.rawValue.lowercased() == value.lowercased() }
    }

    /// Checks the syntax of a Kubernetes label selector (`a=b,c!=d,e in (f,g),!h,i`).
    public static func labelSelector(_ value: String, field: String = "label_selector") -> ArgumentProblem? {
        if case .failure(let error) = LabelSelector.parse(value) {
            let reason = error.reason
            return ArgumentProblem(field: field, message: "'\(value)' is not a valid label selector: \(reason)")
        }
        return nil
    }

    /// A duration such as `30s`, `10m`, `2h`, `1d` or a plain number of seconds.
    public static func durationSeconds(_ value: String) -> Int? {
        let text = value.trimmingCharacters(in: .whitespaces).lowercased()
        if let n = Int(text), n >= 0 { return n }
        var total = 0
        var number = ""
        for ch in text {
            if ch.isASCII && ch.isNumber {
                number.append(ch)
                continue
            }
            guard let n = Int(number) else { return nil }
            let unit: Int
            switch ch {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            // A duration too large to count in seconds is not a duration (and must not trap).
            guard let seconds = Checked.multiply(n, unit), let sum = Checked.add(total, seconds) else { return nil }
            total = sum
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }

    static func isDNSLabel(_ value: String) -> Bool { LabelSelector.isDNSLabel(value) }
}
