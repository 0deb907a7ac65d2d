import ArgoSimulator
import Domain
import Foundation
import MCPServer

/// One Argo Server of several (`contexts.NAME`): its name, its description, and the settings it is served with:
/// the top level's, with its own server, credentials, permissions and simulator choice, and whatever else it sets
/// itself.
struct ContextSettings: Sendable {
    var name: String
    var settings: Settings
    var description: String? { settings.contextDescription }
    var simulator: Bool { settings.simulatorEnabled }
}

/// Which contexts there are and which one a request without `context` goes to.
struct ContextPlan: Sendable {
    var defaultName: String
    var contexts: [ContextSettings]

    var names: [String] { contexts.map(\.name) }
}

extension Settings {
    /// The keys a context may set: where its server is and how to reach it, its permissions, namespace rules and
    /// confirmation rules, and its simulator. The rest (HTTP, authentication of callers, stores, limits, tools)
    /// is the whole process's.
    static let contextKeys: Set<String> = [
        "argo.server", "argo.secure", "argo.baseHref", "argo.tokenFile", "argo.tokenEnv", "argo.insecureSkipVerify",
        "argo.caFile", "argo.clientCert", "argo.clientKey", "argo.namespace", "argo.requestTimeoutSeconds",
        "argo.streams", "permissions.readOnly", "permissions.allowMutations", "permissions.allowDestructive",
        "permissions.requireConfirmation", "namespaces.allow", "namespaces.deny", "namespaces.callers",
        "namespaces.groups", "confirmation.require", "confirmation.fallback", "confirmation.rules", "simulator.seed",
    ]

    /// What only a context says of itself.
    static var contextOnlyOptions: [SettingOption] {
        [
            SettingOption(
                key: "description", kind: .string, meaning: "What the context is, for list_contexts.",
                apply: SettingsRegistry.set(\.contextDescription)),
            SettingOption(
                key: "simulator.enabled", kind: .bool, meaning: "Serve this context from a built-in simulator.",
                apply: SettingsRegistry.set(\.simulatorEnabled)),
            // Checked only to refuse it with the fix: a context's token comes from a file or the environment.
            SettingOption(key: "argo.token", kind: .string, meaning: nil, apply: { _, _, _ in }),
        ]
    }

    static var contextOptions: [SettingOption] {
        SettingsRegistry.all.filter { $0.key.map(contextKeys.contains) ?? false } + contextOnlyOptions
    }

    /// A context name: a DNS label (it is a URI's host, `argo://prod/workflows/…`), and none of the resource
    /// kinds that the URIs without a context begin with.
    static func checkContextName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard !name.isEmpty, name.count <= 63, name.allSatisfy(allowed.contains), name.first != "-",
            name.last != "-"
        else {
            throw ConfigError(
                "contexts.\(name.prefix(80)): a context's name is lower-case letters, digits and '-' (at most 63, not starting or ending with '-'), e.g. prod or eu-west-1"
            )
        }
        guard !ArgoResources.uriKinds.contains(name) else {
            throw ConfigError(
                "contexts.\(name): '\(name)' names a kind of resource (argo://\(name)/…); call the context something else"
            )
        }
    }

    /// The contexts, or nil when none is configured (one Argo Server, as the top level says).
    func contextPlan(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ContextPlan? {
        if contextsGiven && contexts.isEmpty {
            throw ConfigError(
                "contexts is given but names no context; give at least one (contexts.NAME.argo.server), or remove it")
        }
        guard !contexts.isEmpty else {
            if let defaultContext {
                throw ConfigError(
                    "defaultContext is '\(defaultContext.prefix(80))' but no contexts are configured; remove it, or add contexts"
                )
            }
            return nil
        }
        if server != nil {
            throw ConfigError(
                "argo.server (ARGO_SERVER, --argo-server) is set and so are contexts: with contexts every Argo Server is named in its own context; move the server into one (contexts.NAME.argo.server), or unset it"
            )
        }
        let names = contexts.keys.sorted()
        var plan: [ContextSettings] = []
        for name in names {
            try Self.checkContextName(name)
            guard let entry = contexts[name] else { continue }
            plan.append(ContextSettings(name: name, settings: try context(name, entry, environment: environment)))
        }
        let defaultName: String
        if let given = defaultContext {
            guard names.contains(given) else {
                var message =
                    "defaultContext '\(given.prefix(80))' is not a context (\(names.joined(separator: ", ")))"
                if let near = ConfigKey.nearest(given, in: names) { message += "; did you mean '\(near)'?" }
                throw ConfigError(message)
            }
            defaultName = given
        } else if names.count == 1, let only = names.first {
            defaultName = only
        } else {
            throw ConfigError(
                "contexts: \(names.count) contexts are configured; name the one a request without context goes to with defaultContext (one of \(names.joined(separator: ", ")))"
            )
        }
        return ContextPlan(defaultName: defaultName, contexts: plan)
    }

    /// One context's settings: these, without a server or credentials, with what `entry` sets.
    func context(_ name: String, _ entry: JSONValue, environment: [String: String]) throws -> Settings {
        if entry.value(at: ["argo", "token"]) != nil {
            throw ConfigError(
                "contexts.\(name).argo.token: a context's token is not written in the config file; put it in a file (argo.tokenFile, e.g. a mounted Secret) or an environment variable (argo.tokenEnv)"
            )
        }
        var s = self
        s.contexts = [:]
        s.defaultContext = nil
        s.server = nil
        s.secure = true
        s.baseHref = nil
        s.token = nil
        s.tokenFile = nil
        s.tokenEnv = nil
        s.insecureSkipVerify = false
        s.caFile = nil
        s.clientCert = nil
        s.clientKey = nil
        s.seedDirectory = nil
        s.contextDescription = nil
        s.simulatorEnabled = false
        // Permissions are each context's own (a real Argo Server's context is read-only until it says otherwise);
        // only a read-only top level holds for every context.
        s.readOnly = readOnly == true ? true : nil
        s.allowMutations = nil
        s.allowDestructive = nil
        for option in Self.contextOptions {
            guard let key = option.key, let value = entry.value(at: key.split(separator: ".").map(String.init)),
                value != .null, let setting = option.kind.value(of: value)
            else { continue }
            try option.apply(&s, setting, "contexts.\(name).\(key)")
        }
        if readOnly == true { s.readOnly = true }
        if let server = s.server, let url = URL(string: server.contains("://") ? server : "https://" + server),
            url.user != nil || url.password != nil
        {
            throw ConfigError(
                "contexts.\(name).argo.server holds credentials; give the address alone and the credentials in argo.tokenFile or argo.tokenEnv"
            )
        }
        if s.simulatorEnabled && s.server != nil {
            throw ConfigError(
                "contexts.\(name): both argo.server and simulator.enabled are set; a context is one Argo Server or a simulator"
            )
        }
        if !s.simulatorEnabled && s.server == nil {
            throw ConfigError(
                "contexts.\(name): give its Argo Server (contexts.\(name).argo.server), or simulator.enabled: true for demo data"
            )
        }
        if s.server != nil {
            do {
                _ = try s.connection(environment: environment)
            } catch let error as ConfigError {
                throw ConfigError("contexts.\(name): \(error.description)")
            }
        }
        return s
    }

    /// The largest token file read.
    static let maxTokenFileBytes = 65_536

    /// The token from `argo.tokenFile` or `argo.tokenEnv`, as the `Authorization` header's value: a bare token
    /// (a Kubernetes service account's) gets `Bearer ` in front. Nil when neither is set.
    func credential(environment: [String: String]) throws -> String? {
        if tokenFile != nil && tokenEnv != nil {
            throw ConfigError("argo.tokenFile and argo.tokenEnv are both set; give one")
        }
        let raw: String
        if let tokenFile {
            let data: Data
            do {
                // A mounted Secret is a symlink to the file; a FIFO or a device would hang the read.
                let resolved = URL(fileURLWithPath: tokenFile).resolvingSymlinksInPath()
                let type = try FileManager.default.attributesOfItem(atPath: resolved.path)[.type] as? FileAttributeType
                guard type == .typeRegular else {
                    throw ConfigError("argo.tokenFile \(tokenFile) is not a regular file")
                }
                let handle = try FileHandle(forReadingFrom: resolved)
                defer { try? handle.close() }
                data = try handle.read(upToCount: Self.maxTokenFileBytes + 1) ?? Data()
            } catch let error as ConfigError {
                throw error
            } catch {
                throw ConfigError("argo.tokenFile \(tokenFile) cannot be read: \(error.localizedDescription)")
            }
            guard data.count <= Self.maxTokenFileBytes, let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(
                    "argo.tokenFile \(tokenFile) is not a token (UTF-8 text of at most \(Self.maxTokenFileBytes) bytes)"
                )
            }
            raw = text
        } else if let tokenEnv {
            guard let text = environment[tokenEnv], !text.isEmpty else {
                throw ConfigError("argo.tokenEnv names \(tokenEnv.prefix(80)), which is not set or empty")
            }
            raw = text
        } else {
            return nil
        }
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw ConfigError(
                "argo.\(tokenFile != nil ? "tokenFile" : "tokenEnv") holds \(token.isEmpty ? "nothing" : "more than one line"); it must hold one token"
            )
        }
        let lower = token.lowercased()
        return lower.hasPrefix("bearer ") || lower.hasPrefix("basic ") ? token : "Bearer " + token
    }
}
