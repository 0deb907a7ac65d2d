import Domain
import Foundation
import MCP
import Ports

/// get_workflow_locks, get_sync_limit, set_sync_limit: Argo's semaphores and mutexes.
enum SyncTools {
    static func all(_ useCases: UseCases) -> [ToolDefinition] {
        let (reads, defaultNamespace) = (useCases.synchronization, useCases.defaultNamespace)
        return [
            locks(reads, defaultNamespace), getLimit(reads, defaultNamespace),
            setLimit(useCases.syncLimits, defaultNamespace),
        ]
    }

    static let storeProperty = Schema.string(
        "Where the semaphore's limit is kept: configmap (a ConfigMap key, the usual configMapKeyRef) or database (synchronization.database).",
        enum: SyncLimitStore.allCases.map(\.rawValue), default: SyncLimitStore.configMap.rawValue)

    static func limitTarget(_ a: inout ToolArguments) -> (String?, String, SyncLimitStore, String?) {
        let namespace = a.string("namespace")
        let key = a.requiredString("key")
        let store = a.choice("store", default: SyncLimitStore.configMap)
        let configMap = a.string("config_map")
        return (namespace, key, store, configMap)
    }

    static let limitProperties: [String: Value] = [
        "namespace": CommonArguments.namespace,
        "key": Schema.string("The semaphore's key: the ConfigMap key, or the database key."),
        "store": storeProperty,
        "config_map": Schema.string("The ConfigMap holding the limit (store configmap)."),
    ]

    static func locks(_ reads: SynchronizationReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_workflow_locks",
            toolset: .sync,
            title: "Semaphores and mutexes of a workflow",
            description: """
                Which semaphores and mutexes a workflow holds and waits for (status.synchronization, and nodes waiting \
                for a template-level lock), each with its limit (from Argo's SyncService, v4.0+; 1 for a mutex) and who \
                else holds it and waits for it, read from the pending and running workflows of the lock's namespace. \
                Answers why a workflow sits in Pending with "Waiting for … lock".
                """,
            safety: .readOnly,
            inputSchema: Schema.object(
                ["namespace": CommonArguments.namespace, "name": Schema.string("Workflow name.")],
                required: ["name"]),
            describe: { "read the locks of workflow \(CommonArguments.qualifiedName($0, defaultNamespace))" },
            run: { args, _ in
                var a = args
                let namespace = a.string("namespace")
                let name = a.requiredString("name")
                try a.finish()
                let result = try await reads.locks(namespace: namespace, name: name)
                return try ToolOutput(result, text: Render.locks(result))
            }
        )
    }

    static func getLimit(_ reads: SynchronizationReads, _ defaultNamespace: String) -> ToolDefinition {
        ToolDefinition(
            name: "get_sync_limit",
            toolset: .sync,
            title: "A semaphore's limit",
            description: """
                One semaphore's limit as Argo's SyncService keeps it (a ConfigMap key, or the database; Argo v4.0+), \
                with the workflows that hold it and wait for it now.
                """,
            safety: .readOnly,
            inputSchema: Schema.object(limitProperties, required: ["key"]),
            describe: { args in
                var a = args
                return "read the semaphore limit \(a.string("key") ?? "?")"
            },
            run: { args, _ in
                var a = args
                let (namespace, key, store, configMap) = limitTarget(&a)
                try a.finish(
                    SynchronizationReads.problems(namespace: namespace, key: key, store: store, configMap: configMap))
                let result = try await reads.syncLimit(
                    namespace: namespace, key: key, store: store, configMap: configMap)
                return try ToolOutput(result, text: Render.syncLimit(result))
            }
        )
    }

    static func setLimit(_ mutations: SyncLimitMutations, _ defaultNamespace: String) -> ToolDefinition {
        var properties = limitProperties
        properties["limit"] = Schema.integer(
            "The new limit: how many holders at once.", minimum: 1, maximum: SyncLimitMutations.maxLimit)
        properties["confirmation_token"] = CommonArguments.confirmationToken
        return ToolDefinition(
            mutation: .setSyncLimit,
            toolset: .sync,
            title: "Change a semaphore's limit",
            description: """
                Change how many workflows (or steps) may hold a semaphore at once, through Argo's SyncService (v4.0+; \
                the limit must exist). The preview shows the current limit, who holds it and who waits, and what the new \
                limit lets happen: a higher one lets waiting workflows start; a lower one takes nothing back from the \
                holders. Needs mutations allowed; confirmed and audited like every change.
                """,
            inputSchema: Schema.object(properties, required: ["key", "limit"]),
            describe: { args in
                var a = args
                return "set the semaphore limit \(a.string("key") ?? "?") to \(a.int("limit").map(String.init) ?? "?")"
            },
            run: { args, context in
                var a = args
                let (namespace, key, store, configMap) = limitTarget(&a)
                let limit = a.int("limit", default: 0)
                let token = a.confirmationToken()
                try a.finish()
                let answer = try await mutations.set(
                    SyncLimitMutations.Request(
                        namespace: namespace, key: key, store: store, configMap: configMap, limit: limit, token: token,
                        client: context.client, confirmer: context.confirmer))
                switch answer {
                case .preview(let p): return try ToolOutput(p, text: Render.preview(p))
                case .result(let r): return try ToolOutput(r, text: Render.syncLimitChange(r))
                }
            }
        )
    }
}

extension Render {
    static func lockLine(_ v: LockView) -> String {
        var line = "  \(v.lock) (\(v.type), \(v.store))"
        if let limit = v.limit { line += " limit \(limit)" }
        line += ": \(v.holders.count) holder(s)"
        if !v.holders.isEmpty { line += " [\(v.holders.prefix(10).joined(separator: ", "))]" }
        if !v.waiting.isEmpty {
            line += "; \(v.waiting.count) waiting [\(v.waiting.prefix(10).joined(separator: ", "))]"
        }
        if let note = v.limitNote { line += " — \(note)" }
        return line
    }

    static func locks(_ l: WorkflowLocks) -> String {
        var lines = ["\(l.namespace)/\(l.name) (\(l.phase))"]
        if !l.holding.isEmpty {
            lines.append("holds:")
            lines += l.holding.map(lockLine)
        }
        if !l.waitingFor.isEmpty {
            lines.append("waits for:")
            lines += l.waitingFor.map(lockLine)
        }
        if !l.nodesWaiting.isEmpty {
            lines.append("nodes waiting: " + l.nodesWaiting.map { "\($0.node) → \($0.lock)" }.joined(separator: ", "))
        }
        lines.append(
            "(\(l.scanned) pending or running workflow(s) read for other holders\(l.truncated ? ", not all" : ""))")
        lines += l.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func syncLimit(_ s: SyncLimitView) -> String {
        var lines = [
            "\(s.lock): limit \(s.limit) (\(s.store)\(s.configMap.map { ", ConfigMap \($0)" } ?? ""))",
            "holders (\(s.holders.count)): \(s.holders.isEmpty ? "none" : s.holders.prefix(20).joined(separator: ", "))",
            "waiting (\(s.waiting.count)): \(s.waiting.isEmpty ? "none" : s.waiting.prefix(20).joined(separator: ", "))",
        ]
        lines += s.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func syncLimitChange(_ c: SyncLimitChange) -> String {
        var lines = [
            "\(c.lock): limit \(c.before) → \(c.after); \(c.holders.count) holder(s), \(c.waiting.count) waiting"
        ]
        lines += c.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
