import Foundation

/// A parsed Kubernetes label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`).
///
/// The grammar lives here because both sides of the gateway need it: the domain rejects a bad selector before
/// sending it, and the simulator filters with it as the API server does.
public struct LabelSelector: Sendable, Equatable {
    public enum Requirement: Sendable, Equatable {
        case exists(String)
        case notExists(String)
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, [String])
        case notIn(String, [String])
    }

    public struct ParseError: Error, Sendable, Equatable {
        public var reason: String
    }

    public var requirements: [Requirement]

    public static func parse(_ text: String) -> Result<LabelSelector, ParseError> {
        let parts = splitTopLevel(text)
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return .success(LabelSelector(requirements: [])) }
        var requirements: [Requirement] = []
        for raw in parts {
            let req = raw.trimmingCharacters(in: .whitespaces)
            if req.isEmpty { return .failure(ParseError(reason: "empty requirement (stray comma?)")) }
            switch requirement(req) {
            case .success(let r): requirements.append(r)
            case .failure(let e): return .failure(ParseError(reason: "'\(req)': \(e.reason)"))
            }
        }
        return .success(LabelSelector(requirements: requirements))
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { req in
            switch req {
            case .exists(let k): return labels[k] != nil
            case .notExists(let k): return labels[k] == nil
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .in(let k, let vs): return labels[k].map(vs.contains) ?? false
            case .notIn(let k, let vs): return labels[k].map { !vs.contains($0) } ?? true
            }
        }
    }

    private static func splitTopLevel(_ s: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in s {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    private static func requirement(_ req: String) -> Result<Requirement, ParseError> {
        func fail(_ reason: String) -> Result<Requirement, ParseError> { .failure(ParseError(reason: reason)) }
        if req.hasPrefix("!") {
            let key = String(req.dropFirst()).trimmingCharacters(in: .whitespaces)
            if let p = keyProblem(key) { return fail(p) }
            return .success(.notExists(key))
        }
        for op in ["!=", "==", "="] {
            if let range = req.range(of: op) {
                let key = req[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = req[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if let p = keyProblem(key) ?? valueProblem(value) { return fail(p) }
                return .success(op == "!=" ? .notEquals(key, value) : .equals(key, value))
            }
        }
        let words = req.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        if words.count >= 2, words[1] == "in" || words[1] == "notin" {
            if let p = keyProblem(words[0]) { return fail(p) }
            guard words.count == 3 else { return fail("'\(words[1])' needs a list like (a,b)") }
            let list = words[2].trimmingCharacters(in: .whitespaces)
            guard list.hasPrefix("("), list.hasSuffix(")") else { return fail("'\(words[1])' needs a list like (a,b)") }
            let values = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if values.contains(where: \.isEmpty) { return fail("empty value in list") }
            if let p = values.lazy.compactMap(valueProblem).first { return fail(p) }
            return .success(words[1] == "in" ? .in(words[0], values) : .notIn(words[0], values))
        }
        if words.count == 1 {
            if let p = keyProblem(words[0]) { return fail(p) }
            return .success(.exists(words[0]))
        }
        return fail("expected key, !key, key=value, key!=value, key in (…) or key notin (…)")
    }

    private static func keyProblem(_ key: String) -> String? {
        guard !key.isEmpty else { return "missing key" }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "key '\(key)' has more than one '/'" }
        if parts.count == 2 {
            let prefix = String(parts[0])
            let labels = prefix.split(separator: ".", omittingEmptySubsequences: false)
            guard prefix.utf8.count <= 253, labels.allSatisfy({ isDNSLabel(String($0)) }) else {
                return "key prefix '\(prefix)' is not a DNS subdomain"
            }
        }
        guard isQualifiedName(String(parts.last!)) else {
            return
                "key '\(key)' must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        }
        return nil
    }

    private static func valueProblem(_ value: String) -> String? {
        if value.isEmpty || isQualifiedName(value) { return nil }
        return
            "value '\(value)' must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    }

    static func isQualifiedName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// A DNS-1123 label: lowercase letters, digits and '-', at most 63, alphanumeric at both ends.
    public static func isDNSLabel(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 45 }
    }
}
