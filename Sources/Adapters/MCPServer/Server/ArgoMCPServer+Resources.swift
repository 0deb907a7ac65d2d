import Domain
import Foundation
import MCP
import Ports
import Tracing

/// Resources (`resources/list`, `resources/templates/list`, `resources/read`, subscriptions) and completions.
/// A read of an Argo object takes the tool path (`answer`): the same cap, notice and error words as a tool call.
extension ArgoMCPServer {
    func registerResources(_ resources: ArgoResources, _ state: SessionState) async {
        let (server, inFlight, subscriptions, lasting, client) = (
            state.server, state.inFlight, state.subscriptions, state.lasting, state.client
        )
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: current.resourceTemplates)
        }
        let revision = Self.handshakeRevision
        // Each request reads the server as the configuration is now (a reload changes its namespace rules).
        await server.withMethodHandler(ListResources.self) { params in
            let me = current
            return try await Traces.request("resources/list", meta: nil, caller: me.caller, revision: revision) { _ in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                let page = try await (me.resources ?? resources).list(cursor: params.cursor)
                return await client.showsApps && me.offersView
                    ? AppsExtension.listing(page, cursor: params.cursor) : page
            }
        }
        await server.withMethodHandler(ReadResource.self) { params in
            let me = current
            return try await Traces.request(
                "resources/read", target: params.uri, meta: nil, caller: me.caller, revision: revision
            ) { _ in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                return try await me.routedRead(params.uri, fallback: resources)
            }
        }
        await server.withMethodHandler(ResourceSubscribe.self) { [weak server] params in
            guard lasting else {
                throw MCPError.invalidRequest(
                    "resources/subscribe needs a session, and this server keeps none (http.sessions: stateless, for replicas behind a balancer): read the resource again, or call watch_workflow, which streams progress in its own answer"
                )
            }
            let notify: @Sendable (String) async -> Void = { [weak server] uri in
                try? await server?.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
            }
            let (me, target) = try current.routeResource(params.uri)
            let now = me.resources ?? resources
            try await subscriptions.subscribe(
                params.uri, target: target, resources: now, check: { _ = try await me.readResource(target, now) },
                notify: notify)
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            await subscriptions.unsubscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(Complete.self) { params in
            let me = current
            return try await Traces.request(
                "completion/complete", meta: nil, caller: me.caller, revision: revision
            ) { _ in
                await inFlight.begin()
                defer { Task { await inFlight.end() } }
                if let inContext = try await me.completeInContext(params) { return inContext }
                guard me.completes(params.ref) else { return Self.noCompletion }
                return try await ArgoCompletions((me.resources ?? resources).useCases).complete(params)
            }
        }
    }

    /// One `resources/read`. An Argo object's JSON is its structured content (within the cap, with the notice
    /// under `simulator`); a log is text (with the notice as its last line). An error is a JSON-RPC error in the
    /// words a tool would use: "resource not found" for an object Argo does not have, "invalid params" for a URI
    /// argo-mcp refuses, "internal error" for the rest (a namespace rule, Argo unreachable).
    func routedRead(_ uri: String, fallback: ArgoResources) async throws -> ReadResource.Result {
        // The workflow view is the same document in every context, and for any client that asks for it.
        if uri == WorkflowAppView.uri { return AppsExtension.read(uri) }
        let (server, target) = try routeResource(uri)
        let result = try await server.readResource(target, server.resources ?? fallback)
        return target == uri ? result : Self.relabelled(result, uri: uri)
    }

    func readResource(_ uri: String, _ resources: ArgoResources) async throws -> ReadResource.Result {
        if let refusal = resourceRefusal(uri) { throw MCPError.invalidRequest(refusal) }
        switch try resources.reading(uri) {
        case .document(let text, let mimeType):
            return ReadResource.Result(contents: [.text(text, uri: uri, mimeType: mimeType)])
        case .argo(let tool, let namespace, let mimeType):
            let arguments = namespace.map { ["namespace": Value.string($0)] }
            switch await Self.answer(
                tool, arguments, context: baseContext(), logger: logger, maxResultBytes: maxResultBytes,
                notice: notice)
            {
            case .output(let output):
                let text =
                    mimeType == ArgoResources.json
                    ? try Self.jsonText(Self.noticed(output.structured, notice)) : Self.noticed(output.text, notice)
                return ReadResource.Result(contents: [.text(text, uri: uri, mimeType: mimeType)])
            case .failure(let message, _, let error):
                let said = Self.noticed(message, notice)
                switch error {
                case let argo as ArgoError where argo.kind == .notFound:
                    throw MCPError.serverError(code: ArgoResources.resourceNotFound, message: said)
                case is InvalidArguments:
                    throw MCPError.invalidParams(said)
                default:
                    throw MCPError.internalError(said)
                }
            }
        }
    }

    /// Structured content as the text of a JSON resource (keys sorted, slashes as they are).
    static func jsonText(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
