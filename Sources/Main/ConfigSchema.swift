import ArgoSimulator
import Domain
import Foundation

/// The config file's keys and the kind of value each takes. A key that is not here, a value of the wrong kind or
/// an unknown choice is a start-up error naming the file, the key path and the nearest known key: a misspelt
/// `permisions:` or `namespaces.alow:` must not silently drop a read-only switch or a deny rule.
indirect enum ConfigKey: Sendable {
    case string
    case bool
    /// A whole number within `range`, counted in `unit` (for the error that names the range).
    case int(ClosedRange<Int>, unit: String)
    case strings
    case choice([String])
    case section([String: ConfigKey])
    /// A mapping whose keys are names the user picks (callers, groups), each value of one kind.
    case map(ConfigKey)
    /// A list whose items are each of one kind (`confirmation.rules`).
    case list(ConfigKey)

    /// The config file's keys, from the settings registry (one declaration per setting).
    static var file: [String: ConfigKey] { SettingsRegistry.fileKeys }

    /// Every problem of `value` against `keys`, each naming its key path.
    static func problems(_ value: JSONValue, keys: [String: ConfigKey], path: String = "") -> [String] {
        guard case .object(let object) = value else {
            return ["\(path.isEmpty ? "the file" : path) must be a mapping of keys"]
        }
        var out: [String] = []
        for name in object.keys.sorted() {
            let full = path.isEmpty ? name : "\(path).\(name)"
            guard let kind = keys[name] else {
                var message = "unknown key '\(full)'"
                if let near = nearest(name, in: Array(keys.keys)) {
                    message += "; did you mean '\(path.isEmpty ? near : "\(path).\(near)")'?"
                } else {
                    message += "; known keys here: \(keys.keys.sorted().joined(separator: ", "))"
                }
                out.append(message)
                continue
            }
            guard let v = object[name], v != .null else { continue }
            out += kind.problems(v, path: full)
        }
        return out
    }

    func problems(_ v: JSONValue, path: String) -> [String] {
        switch (self, v) {
        case (.section(let keys), _):
            return Self.problems(v, keys: keys, path: path)
        case (.map(let kind), .object(let object)):
            return object.keys.sorted().flatMap { name in
                object[name].map { $0 == .null ? [] : kind.problems($0, path: "\(path).\(name)") } ?? []
            }
        case (.map, _):
            return ["\(path) must be a mapping of names"]
        case (.list(let kind), .array(let items)):
            return items.enumerated().flatMap { index, item in kind.problems(item, path: "\(path)[\(index)]") }
        case (.list, _):
            return ["\(path) must be a list"]
        case (.int(let range, let unit), .int(let n)):
            return range.contains(n) ? [] : [Self.outOfRange("\(path)=\(n)", range, unit)]
        case (.string, .string), (.bool, .bool):
            return []
        case (.string, _):
            return ["\(path) must be a string"]
        case (.bool, _):
            return ["\(path) must be true or false"]
        case (.int, _):
            return ["\(path) must be a whole number"]
        case (.strings, .array(let list)) where list.allSatisfy({ if case .string = $0 { true } else { false } }):
            return []
        case (.strings, _):
            return ["\(path) must be a list of strings"]
        case (.choice(let options), _):
            guard case .string(let s) = v else { return ["\(path) must be one of \(options.joined(separator: ", "))"] }
            guard options.contains(s.lowercased()) else {
                var message = "\(path): '\(s)' is not one of \(options.joined(separator: ", "))"
                if let near = Self.nearest(s.lowercased(), in: options) { message += "; did you mean '\(near)'?" }
                return [message]
            }
            return []
        }
    }

    /// "X=n is out of range; give a to b unit" (or "at least a unit" for a range without a useful top).
    static func outOfRange(_ what: String, _ range: ClosedRange<Int>, _ unit: String) -> String {
        range.upperBound == Int.max
            ? "\(what) is too small; give at least \(range.lowerBound) \(unit)"
            : "\(what) is out of range; give \(range.lowerBound) to \(range.upperBound) \(unit)"
    }

    /// A checked file value as a setting's value (choices lower-cased, as they are compared).
    func value(of v: JSONValue) -> SettingValue? {
        switch (self, v) {
        case (.string, .string(let s)): return .string(s)
        case (.choice, .string(let s)): return .string(s.lowercased())
        case (.bool, .bool(let b)): return .bool(b)
        case (.int, .int(let n)): return .int(n)
        case (.strings, .array(let list)):
            return .strings(list.compactMap { if case .string(let s) = $0 { s } else { nil } })
        case (.map, .object(let object)):
            return .mapping(object)
        case (.list, .array(let items)): return .items(items)
        default: return nil
        }
    }

    /// An environment variable's text as a setting's value: lists are comma-separated, flags true/false (or
    /// 1/0, yes/no), numbers within their range.
    func value(fromEnvironment text: String, name: String) throws -> SettingValue {
        switch self {
        case .string:
            return .string(text)
        case .bool:
            switch text.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: throw ConfigError("\(name)=\(text.lowercased()) is not true or false")
            }
        case .int(let range, let unit):
            guard let n = Int(text) else { throw ConfigError("\(name)=\(text) is not a number of \(unit)") }
            guard range.contains(n) else { throw ConfigError(Self.outOfRange("\(name)=\(n)", range, unit)) }
            return .int(n)
        case .strings:
            return .strings(
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        case .choice(let options):
            guard options.contains(text.lowercased()) else {
                var message = "\(name)=\(text) is not one of \(options.joined(separator: ", "))"
                if let near = Self.nearest(text.lowercased(), in: options) { message += "; did you mean \(near)?" }
                throw ConfigError(message)
            }
            return .string(text.lowercased())
        case .section, .map, .list:
            throw ConfigError("\(name) cannot be set from the environment; use the config file")
        }
    }

    /// The known key closest to `name`, if any (`Text.nearest`).
    static func nearest(_ name: String, in known: [String]) -> String? { Text.nearest(name, in: known) }
}
