import Foundation
import Ports

/// Argo's node field selector: Kubernetes' field selector syntax (`apimachinery` `fields.ParseSelector`: terms
/// `key=value`, `key==value` or `key!=value`, joined by `,`, with `\` escaping `,`, `=`, `!` and `\`) matched against
/// the fields of `workflow/util/util.go` `SelectorMatchesNode`.
struct NodeFieldSelector: Sendable {
    struct Term: Sendable {
        var key: String
        var value: String
        var equal: Bool
    }
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    let terms: [Term]

    init(_ selector: String) throws {
        var terms: [Term] = []
        for raw in Self.split(selector) where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            let (term, op) = Self.operatorRange(raw)
            guard let op else {
                throw Invalid(description: "invalid selector: '\(selector)'; can't understand '\(raw)'")
            }
            terms.append(
                Term(
                    key: Self.unescape(String(term[..<op.lowerBound])).trimmingCharacters(in: .whitespaces),
                    value: Self.unescape(String(term[op.upperBound...])),
                    equal: !term[op].hasPrefix("!")))
        }
        self.terms = terms
    }

    /// Splits on unescaped commas.
    static func split(_ s: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in s {
            if escaped {
                current.append("\\")
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        return parts
    }

    /// The first unescaped `!=`, `==` or `=`.
    static func operatorRange(_ term: String) -> (String, Range<String.Index>?) {
        var i = term.startIndex
        while i < term.endIndex {
            let c = term[i]
            if c == "\\" {
                i = term.index(i, offsetBy: 2, limitedBy: term.endIndex) ?? term.endIndex
                continue
            }
            let next = term.index(after: i)
            if c == "!", next < term.endIndex, term[next] == "=" {
                return (term, i..<term.index(after: next))
            }
            if c == "=" {
                if next < term.endIndex, term[next] == "=" { return (term, i..<term.index(after: next)) }
                return (term, i..<next)
            }
            i = next
        }
        return (term, nil)
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// `SelectorMatchesNode`'s field set of one node.
    static func fields(_ node: JSONValue) -> [String: String] {
        var fields: [String: String] = [
            "displayName": node["displayName"]?.string ?? "",
            "templateName": node["templateName"]?.string ?? node[path: "templateRef.template"]?.string ?? "",
            "phase": node["phase"]?.string ?? "",
            "name": node["name"]?.string ?? "",
            "id": node["id"]?.string ?? "",
        ]
        if node["templateRef"] != nil {
            fields["templateRef.name"] = node[path: "templateRef.name"]?.string ?? ""
            fields["templateRef.template"] = node[path: "templateRef.template"]?.string ?? ""
        }
        for parameter in node[path: "inputs.parameters"]?.array ?? [] {
            if let name = parameter["name"]?.string {
                fields["inputs.parameters.\(name).value"] = parameter["value"]?.string ?? ""
            }
        }
        return fields
    }

    /// Kubernetes' `Set.Get` gives "" for a missing field: `x!=y` then matches, `x=y` does not.
    func matches(_ node: JSONValue) -> Bool {
        let fields = Self.fields(node)
        return terms.allSatisfy { term in ((fields[term.key] ?? "") == term.value) == term.equal }
    }
}
