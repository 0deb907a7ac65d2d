import Domain
import Foundation
import MCP

/// Reads one call's arguments, collecting every problem so that the caller hears about all of them at once.
public struct ToolArguments: Sendable {
    public let values: [String: Value]
    /// The tool these are the arguments of (the server hands it over; errors name it).
    public let tool: String
    private(set) var problems: [ArgumentProblem] = []
    private var seen: Set<String> = []

    public init(_ values: [String: Value]?, tool: String) {
        self.values = values ?? [:]
        self.tool = tool
    }

    /// A string; the SDK decodes strings that look like `data:` URLs as `.data`, so those are turned back.
    public mutating func string(_ key: String) -> String? {
        seen.insert(key)
        switch values[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .data(let mime, let data)?: return "data:\(mime ?? "");base64,\(data.base64EncodedString())"
        case .int(let i)?:
            // The schema says string: a number is named as a bad field, with the fix, not taken silently.
            problems.append(ArgumentProblem(field: key, message: "must be a string (write \"\(i)\" in quotes)"))
            return nil
        default:
            problems.append(ArgumentProblem(field: key, message: "must be a string"))
            return nil
        }
    }

    public mutating func requiredString(_ key: String) -> String {
        guard let s = string(key), !s.isEmpty else {
            if !problems.contains(where: { $0.field == key }) {
                problems.append(ArgumentProblem(field: key, message: "is required"))
            }
            return ""
        }
        return s
    }

    public mutating func int(_ key: String, default value: Int) -> Int {
        int(key) ?? value
    }

    public mutating func int(_ key: String) -> Int? {
        seen.insert(key)
        switch values[key] {
        case nil, .null?: return nil
        case .int(let i)?: return i
        case .double(let d)? where d.rounded() == d && abs(d) < 1e15: return Int(d)
        case .string(let s)? where Int(s.trimmingCharacters(in: .whitespaces)) != nil:
            return Int(s.trimmingCharacters(in: .whitespaces))
        default:
            problems.append(ArgumentProblem(field: key, message: "must be an integer"))
            return nil
        }
    }

    public mutating func bool(_ key: String) -> Bool? {
        seen.insert(key)
        switch values[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        default:
            problems.append(ArgumentProblem(field: key, message: "must be true or false"))
            return nil
        }
    }

    /// A list of strings, also accepted as one comma-separated string (or, with `splitting: false`, one string
    /// that is a one-item list).
    public mutating func strings(_ key: String, splitting: Bool = true) -> [String] {
        seen.insert(key)
        switch values[key] {
        case nil, .null?: return []
        case .string(let s)? where !splitting:
            return s.trimmingCharacters(in: .whitespaces).isEmpty ? [] : [s]
        case .string(let s)?:
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                if case .string(let s) = item {
                    out.append(s)
                } else {
                    problems.append(ArgumentProblem(field: key, message: "must be a list of strings"))
                    return []
                }
            }
            return out
        default:
            problems.append(ArgumentProblem(field: key, message: "must be a list of strings"))
            return []
        }
    }

    /// An object of string values (numbers and booleans are accepted and written as text).
    public mutating func stringMap(_ key: String) -> [String: String] {
        seen.insert(key)
        switch values[key] {
        case nil, .null?: return [:]
        case .object(let o)?:
            var out: [String: String] = [:]
            for (k, v) in o {
                switch v {
                case .string(let s): out[k] = s
                case .int(let i): out[k] = String(i)
                case .double(let d): out[k] = String(d)
                case .bool(let b): out[k] = String(b)
                default:
                    problems.append(ArgumentProblem(field: "\(key).\(k)", message: "must be a string"))
                }
            }
            return out
        default:
            problems.append(ArgumentProblem(field: key, message: "must be an object of name → value"))
            return [:]
        }
    }

    /// The `confirmation_token` of a destructive call; an empty one counts as none.
    public mutating func confirmationToken() -> String? {
        string("confirmation_token").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// One of `E`'s values, or nil when the argument is absent (a value outside them is a problem).
    public mutating func optionalChoice<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) -> E?
    where E.RawValue == String {
        guard let text = string(key) else { return nil }
        if let e = E(rawValue: text.lowercased()) ?? E(rawValue: text) { return e }
        let options = E.allCases.map(\.rawValue).joined(separator: ", ")
        problems.append(ArgumentProblem(field: key, message: "'\(text)' is not one of \(options)"))
        return nil
    }

    public mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) -> E
    where E.RawValue == String {
        optionalChoice(key, E.self) ?? value
    }

    /// Throws one error naming every problem: these, the use case's own, and arguments the tool does not take.
    public func finish(_ more: [ArgumentProblem] = []) throws {
        var all = problems
        for p in more where !all.contains(where: { $0.field == p.field }) { all.append(p) }
        for key in values.keys.sorted() where !seen.contains(key) {
            all.append(ArgumentProblem(field: key, message: "is not an argument of \(tool); see its input schema"))
        }
        if !all.isEmpty { throw InvalidArguments(all) }
    }
}
