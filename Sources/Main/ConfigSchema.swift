import ArgoSimulator
import Domain
import Foundation

/// The config file's keys and the kind of value each takes. A key that is not here, a value of the wrong kind or
/// an unknown choice is a start-up error naming the file, the key path and the nearest known key: a misspelt
/// `permisions:` or `namespaces.alow:` must not silently drop a read-only switch or a deny rule.
indirect enum ConfigKey: Sendable {
    case string
    case bool
    case int
    case strings
    case choice([String])
    case section([String: ConfigKey])
    /// A mapping whose keys are names the user picks (callers, groups), each value of one kind.
    case map(ConfigKey)

    static let file: [String: ConfigKey] = [
        "argo": .section([
            "server": .string, "secure": .bool, "baseHref": .string, "token": .string, "insecureSkipVerify": .bool,
            "caFile": .string, "clientCert": .string, "clientKey": .string, "namespace": .string,
            "requestTimeoutSeconds": .int, "streams": .choice(["sse", "ndjson"]),
        ]),
        "simulator": .section(["seed": .string]),
        "logging": .section([
            "level": .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
            "auditFile": .string,
        ]),
        "permissions": .section([
            "readOnly": .bool, "allowMutations": .bool, "allowDestructive": .bool, "requireConfirmation": .bool,
        ]),
        "namespaces": .section([
            "allow": .strings, "deny": .strings,
            "callers": .map(.section(["allow": .strings, "deny": .strings])),
            "groups": .map(.section(["allow": .strings, "deny": .strings])),
        ]),
        "confirmation": .section([
            "ttlSeconds": .int, "mode": .choice(["token", "elicitation", "auto"]), "require": .strings,
        ]),
        "notifications": .section(["webhook": .string, "command": .string]),
        "output": .section(["maxResultBytes": .int]),
        "limits": .section(["maxManifestBytes": .int]),
        "http": .section([
            "listen": .string, "allowedHosts": .strings, "allowedOrigins": .strings, "maxSessions": .int,
            "maxSessionBytes": .int, "sessions": .choice(["stateful", "stateless"]), "maxConnections": .int,
            "headTimeoutSeconds": .int, "bodyTimeoutSeconds": .int, "idleTimeoutSeconds": .int,
        ]),
        "auth": AuthSettings.schema,
        "store": .section(["postgres": .string]),
    ]

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
        case (.string, .string), (.bool, .bool), (.int, .int):
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

    /// The known key closest to `name`, if any (`Text.nearest`).
    static func nearest(_ name: String, in known: [String]) -> String? { Text.nearest(name, in: known) }
}
