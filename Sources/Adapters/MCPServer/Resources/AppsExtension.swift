import Foundation
import Logging
import MCP

/// The MCP Apps extension (`io.modelcontextprotocol/ui`, SEP-1865): which clients get the workflow view, and what
/// they get. Only a client that declares the extension with the view's MIME type sees any of it: the server's
/// `extensions` entry, the `ui://` resource in `resources/list`, and the `_meta.ui` link on the tools that show a
/// workflow. Every other client gets byte for byte what it got before; tool results are the same for both.
///
/// swift-sdk 0.12.1 knows no `extensions` in either side's capabilities, so this is the one place that reads and
/// writes them: from the raw `initialize` on the handshake era (``AppsNegotiation``), from each request's
/// `_meta` client capabilities on the 2026-07-28 revision. When the SDK learns them, this shrinks to a lookup.
enum AppsExtension {
    static let id = "io.modelcontextprotocol/ui"
    /// The tools whose result the view draws: a workflow, its graph, its progress, its failure.
    static let linkedTools: Set<String> = [
        "get_workflow", "render_workflow_graph", "watch_workflow", "analyze_failure",
    ]

    /// Whether client capabilities (`{"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": […]}}}`) declare
    /// the extension with a MIME type the view is served as.
    static func declared(_ capabilities: [String: Value]) -> Bool {
        guard case .object(let extensions)? = capabilities["extensions"],
            case .object(let ui)? = extensions[id], case .array(let types)? = ui["mimeTypes"]
        else { return false }
        return types.contains(.string(WorkflowAppView.mimeType))
    }

    /// What the server declares to such a client, under `capabilities.extensions`.
    static let serverEntry: [String: Value] = [id: .object([:])]

    /// The view's metadata on its `resources/list` entry and its `resources/read` content: no network at all (empty
    /// allow-lists: no fetch, no outside script, style, image or font), a border around it.
    static let resourceMeta = Metadata(additionalFields: [
        "ui": .object([
            "csp": .object(["connectDomains": .array([]), "resourceDomains": .array([])]),
            "prefersBorder": .bool(true),
        ])
    ])

    /// The view as `resources/list` names it.
    static let resource = Resource(
        name: "workflow-view", uri: WorkflowAppView.uri, title: "Workflow view",
        description:
            "A workflow's DAG drawn live beside the tool result (MCP Apps): boxes by phase, fan-outs collapsed, critical path and root causes marked, a node's details and logs on selection.",
        mimeType: WorkflowAppView.mimeType, _meta: resourceMeta)

    /// The view as `resources/read` returns it.
    static func read(_ uri: String) -> ReadResource.Result {
        ReadResource.Result(contents: [
            .text(WorkflowAppView.html, uri: uri, mimeType: WorkflowAppView.mimeType, _meta: resourceMeta)
        ])
    }

    /// The tools as a client with the extension sees them: those that show a workflow link to the view (under
    /// `_meta.ui.resourceUri`, and under the older `ui/resourceUri` that hosts before the extension's first stable
    /// release read). Everything else about each tool is the same.
    static func linked(_ tools: [Tool]) -> [Tool] {
        tools.map { tool in
            guard linkedTools.contains(tool.name) else { return tool }
            var linked = tool
            var fields = tool._meta?.fields ?? [:]
            fields["ui"] = .object(["resourceUri": .string(WorkflowAppView.uri)])
            fields["ui/resourceUri"] = .string(WorkflowAppView.uri)
            linked._meta = Metadata(additionalFields: fields)
            return linked
        }
    }

    /// The first page of `resources/list` with the view first (later pages are the `argo://` ones as they were).
    static func listing(_ page: ListResources.Result, cursor: String?) -> ListResources.Result {
        guard cursor == nil else { return page }
        return ListResources.Result(resources: [resource] + page.resources, nextCursor: page.nextCursor)
    }
}

/// The transport the SDK's server gets on the handshake era: the real one, read at `initialize` for the client's
/// `extensions` (which the SDK drops) and written at its answer to declare the server's. Nothing else is looked at:
/// once the answer to `initialize` is out, messages pass through untouched.
actor AppsNegotiation: Transport, HTTPContextProviding {
    let base: any Transport
    let client: ClientSession
    nonisolated let logger: Logger
    /// The `initialize` request's id while its answer is due, as JSON.
    private var initializeID: Data?
    /// Messages read so far, until `initialize` (a handshake-era client sends it first; a ping may come before).
    private var looked = 0
    private var negotiated = false

    /// The SDK logs through its transport's logger: the real transport's, so nothing changes there.
    init(base: any Transport, client: ClientSession) async {
        self.base = base
        self.client = client
        self.logger = await base.logger
    }

    func connect() async throws { try await base.connect() }

    /// The HTTP request behind a message, as the real transport has it (the SDK asks its transport for it).
    func httpRequestContext(for id: ID) async -> HTTPRequest? {
        await (base as? any HTTPContextProviding)?.httpRequestContext(for: id)
    }
    func disconnect() async { await base.disconnect() }

    func send(_ data: Data) async throws {
        // No suspension before the message is passed on: answers leave in the order the server gave them.
        guard let id = initializeID,
            var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["method"] == nil, let sent = object["id"],
            let sentID = try? JSONSerialization.data(withJSONObject: [sent]), sentID == id
        else {
            try await base.send(data)
            return
        }
        // The answer to `initialize`: an error (or anything but a result) passes as it is, and no later message
        // is looked at.
        initializeID = nil
        guard var result = object["result"] as? [String: Any] else {
            try await base.send(data)
            return
        }
        var capabilities = result["capabilities"] as? [String: Any] ?? [:]
        var extensions = capabilities["extensions"] as? [String: Any] ?? [:]
        extensions[AppsExtension.id] = [String: Any]()
        capabilities["extensions"] = extensions
        result["capabilities"] = capabilities
        object["result"] = result
        let rewritten =
            (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? data
        try await base.send(rewritten)
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let task = Task {
            do {
                for try await message in await base.receive() {
                    await self.look(at: message)
                    continuation.yield(message)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Reads the messages before `initialize` (a handshake-era client sends it first, perhaps after a ping) and
    /// `initialize` itself; nothing after it, nor after the first eight messages.
    private func look(at message: Data) async {
        guard !negotiated, looked < 8 else { return }
        looked += 1
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
            object["method"] as? String == "initialize", let id = object["id"],
            let idData = try? JSONSerialization.data(withJSONObject: [id])
        else { return }
        negotiated = true
        let params = object["params"] as? [String: Any]
        let capabilities = params?["capabilities"] as? [String: Any] ?? [:]
        let declared =
            (try? JSONSerialization.data(withJSONObject: capabilities)).flatMap {
                try? JSONDecoder().decode([String: Value].self, from: $0)
            }.map(AppsExtension.declared) ?? false
        if declared { initializeID = idData }
        await client.setShowsApps(declared)
    }
}
