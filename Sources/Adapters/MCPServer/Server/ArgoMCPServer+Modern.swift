import Domain
import Foundation
import MCP
import Tracing

/// The 2026-07-28 revision (`Modern/ModernProtocol.swift`): one request in, one answer out, nothing remembered
/// between them. Every method is served by what the 2025-11-25 path uses: the same tool registry and policy filter,
/// the same answer path (`answer`), resources, prompts and completions.
extension ArgoMCPServer {
    /// Serves one message of the revision. A request gets its answer; a notification (there is nothing a client
    /// notifies that this server keeps) gets nil. `emit` sends a notification of the request (progress, and log
    /// messages when the client opted in) before the answer, where the transport can carry one.
    /// `ending`, when given, ends the request's `subscriptions/listen` (with its answer) once set: a stdio
    /// connection's end of input. A graceful shutdown of the process ends every listen (`endListens`).
    public func serveModern(
        _ message: Data, emit: @escaping @Sendable (Data) async -> Void = { _ in }, ending: ListenEnding? = nil
    ) async -> ModernReply? {
        // Parsed once, without the SDK's `Value` decoder (it runs a regular expression on every string).
        guard let any = try? JSONSerialization.jsonObject(with: message),
            case .object(let object) = JSONValueBridge.convert(any)
        else {
            return Self.reply(ModernError(id: .null, code: ModernProtocol.Code.parseError, "the message is not JSON"))
        }
        if object["id"] == nil, object["method"] != nil { return nil }
        if case .string("initialize")? = object["method"] {
            // A handshake on a connection that began in this revision.
            var requested = ""
            if case .object(let params)? = object["params"], case .string(let version)? = params["protocolVersion"] {
                requested = version
            }
            return Self.reply(
                ModernError(
                    id: object["id"] ?? .null, code: ModernProtocol.Code.unsupportedVersion,
                    "this connection speaks \(ModernProtocol.version); initialize begins a connection of the handshake era",
                    data: [
                        "supported": .array(ModernProtocol.supportedVersions.map(Value.string)),
                        "requested": .string(requested),
                    ]))
        }
        let request: ModernRequest
        switch ModernRequest.read(object) {
        case .success(let read): request = read
        case .failure(let error): return Self.reply(error)
        }
        do {
            var requestMeta: [String: Value]?
            if case .object(let given)? = request.params["_meta"] { requestMeta = given }
            let target = request.params["name"]?.stringValue ?? request.params["uri"]?.stringValue
            let result = try await Traces.request(
                request.method, target: target, meta: requestMeta, caller: caller, revision: ModernProtocol.version
            ) { span in
                let result = try await dispatchModern(request, emit: emit, ending: ending)
                if request.method == "tools/call" {
                    Traces.outcome(
                        span, structured: result["structuredContent"], isError: result["isError"] == .bool(true))
                }
                return result
            }
            var object = result
            object["resultType"] = object["resultType"] ?? "complete"
            var meta: [String: Value] = [:]
            if case .object(let existing)? = object["_meta"] { meta = existing }
            meta[ModernProtocol.Meta.serverInfo] = .object(["name": "argo-mcp", "version": .string(version)])
            object["_meta"] = .object(meta)
            return Self.reply(.object(["jsonrpc": "2.0", "id": request.id, "result": .object(object)]), errorCode: nil)
        } catch let error as ModernError {
            return Self.reply(error)
        } catch let error as MCPError {
            return Self.reply(
                ModernError(id: request.id, code: error.code, error.errorDescription ?? "\(error)"))
        } catch {
            return Self.reply(
                ModernError(id: request.id, code: ModernProtocol.Code.internalError, "\(error)"))
        }
    }

    static func reply(_ error: ModernError) -> ModernReply {
        reply(error.json, errorCode: error.code)
    }

    static func reply(_ message: Value, errorCode: Int?) -> ModernReply {
        let data =
            encode(message)
            ?? Data(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"unencodable answer"}}"#.utf8)
        return ModernReply(message: data, errorCode: errorCode)
    }

    /// A message of this revision as bytes: keys sorted, so the same answer is the same bytes (what a cache keyed on
    /// `ttlMs` compares, and what a deterministic `tools/list` promises).
    static func encode(_ message: Value) -> Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try? encoder.encode(message)
    }

    /// How long a list or a document may be kept (`ttlMs`), and by whom (`cacheScope`). What the policy and the
    /// caller's rules decide (the tool list) is private; argo-mcp's own documents never change within a version.
    enum Caching {
        static let tools: [String: Value] = ["ttlMs": .int(3_600_000), "cacheScope": "private"]
        static let documents: [String: Value] = ["ttlMs": .int(86_400_000), "cacheScope": "public"]
        static let live: [String: Value] = ["ttlMs": .int(0), "cacheScope": "private"]
    }

    /// The result object of `request` (without `resultType` and `_meta`, which every answer gets).
    func dispatchModern(
        _ request: ModernRequest, emit: @escaping @Sendable (Data) async -> Void, ending: ListenEnding? = nil
    ) async throws -> [String: Value] {
        switch request.method {
        case "server/discover":
            return discoverResult(showsApps: showsApps(request))
        case "tools/list":
            let tools = showsApps(request) ? listedWithView : listed
            return try ["tools": JSONValueBridge.value(tools)].merging(Caching.tools) { a, _ in a }
        case "tools/call":
            return try await modernToolCall(request, emit: emit)
        case "subscriptions/listen":
            return try await modernListen(request, emit: emit, ending: ending)
        case "prompts/list":
            return try ["prompts": JSONValueBridge.value(listedPrompts)].merging(Caching.documents) {
                a, _ in a
            }
        case "prompts/get":
            var arguments: [String: String] = [:]
            if case .object(let given)? = request.params["arguments"] {
                for (key, value) in given { if case .string(let s) = value { arguments[key] = s } }
            }
            do {
                return try Self.object(try await getPrompt(request.string("name") ?? "", arguments))
            } catch let error as MCPError {
                if case .invalidParams(let message) = error {
                    throw ModernError(
                        id: request.id, code: ModernProtocol.Code.invalidParams, message ?? "invalid params")
                }
                throw error
            }
        case "resources/templates/list" where resources != nil:
            return try ["resourceTemplates": JSONValueBridge.value(resourceTemplates)].merging(Caching.documents) {
                a, _ in a
            }
        case "resources/list":
            guard let resources else { break }
            let cursor = request.string("cursor")
            var page = try await resources.list(cursor: cursor)
            if showsApps(request) { page = AppsExtension.listing(page, cursor: cursor) }
            return try Self.object(page).merging(Caching.live) { a, _ in a }
        case "resources/read":
            guard let resources else { break }
            return try await modernRead(request, resources)
        case "completion/complete":
            guard let resources else { break }
            let params: Complete.Parameters
            do {
                params = try JSONDecoder().decode(Complete.Parameters.self, from: JSONEncoder().encode(request.params))
            } catch {
                throw ModernError(
                    id: request.id, code: ModernProtocol.Code.invalidParams,
                    "completion/complete needs params.ref ({type, name} or {type, uri}) and params.argument ({name, value})"
                )
            }
            if let inContext = try await completeInContext(params) { return try Self.object(inContext) }
            guard completes(params.ref) else { return try Self.object(Self.noCompletion) }
            return try Self.object(try await ArgoCompletions(resources.useCases).complete(params))
        default:
            break
        }
        throw ModernError(
            id: request.id, code: ModernProtocol.Code.methodNotFound,
            "method \(request.method.prefix(100)) is not served in \(ModernProtocol.version)")
    }

    /// Whether this request's client capabilities declare the MCP Apps extension (and the view can be read): it is
    /// offered the workflow view. Decided per request, as the revision decides everything.
    func showsApps(_ request: ModernRequest) -> Bool {
        offersView && AppsExtension.declared(request.capabilities)
    }

    /// `server/discover`: the versions, capabilities, instructions and identity, as the handshake era's
    /// `initialize` gives them (the simulator's notice included).
    func discoverResult(showsApps: Bool = false) -> [String: Value] {
        var capabilities: [String: Value] = [
            "tools": .object(["listChanged": false]), "prompts": .object(["listChanged": false]),
            // Log messages of a request, when it asks for them (`_meta` logLevel).
            "logging": .object([:]),
        ]
        if resources != nil {
            // Workflows can be followed through subscriptions/listen.
            capabilities["resources"] = .object(["subscribe": true, "listChanged": false])
            capabilities["completions"] = .object([:])
        }
        if showsApps { capabilities["extensions"] = .object(AppsExtension.serverEntry) }
        return [
            "supportedVersions": .array(ModernProtocol.supportedVersions.map(Value.string)),
            "capabilities": .object(capabilities), "instructions": .string(instructions),
        ].merging(Caching.tools) { a, _ in a }
    }

    /// `tools/call`: a listed tool runs through `answer`, as over the handshake era; a withheld one is refused
    /// with the settings that would offer it; an unknown one is invalid params.
    func modernToolCall(_ request: ModernRequest, emit: @escaping @Sendable (Data) async -> Void) async throws
        -> [String: Value]
    {
        let name = request.string("name") ?? ""
        var given: [String: Value]?
        if case .object(let object)? = request.params["arguments"] { given = object }
        // With several Argo Servers, the context's own server answers (its tools, policy and rules).
        switch route(given) {
        case .to(let target, let arguments, let explicit):
            return try await target.modernToolCall(
                request, name, arguments, contextNamed: explicit, ceilings: contextCeilings, emit: emit)
        case .unknown(let why):
            guard byName[name] != nil || withheld[name] != nil else {
                throw ModernError(
                    id: request.id, code: ModernProtocol.Code.invalidParams, "unknown tool '\(name.prefix(100))'")
            }
            return try Self.object(contextRefusal(name, why))
        }
    }

    /// `tools/call` in the server that answers it.
    func modernToolCall(
        _ request: ModernRequest, _ name: String, _ given: [String: Value]?, contextNamed: Bool,
        ceilings: [String: SafetyClass] = [:], emit: @escaping @Sendable (Data) async -> Void
    ) async throws -> [String: Value] {
        guard let tool = byName[name] else {
            if withheld[name] != nil { return try Self.object(try refuseUnlisted(name)) }
            throw ModernError(
                id: request.id, code: ModernProtocol.Code.invalidParams, "unknown tool '\(name.prefix(100))'")
        }
        var arguments = given
        if let refusal = refuseEscalation(tool, arguments) { return try Self.object(refusal) }
        var context = baseContext()
        context.contextNamed = contextNamed
        context.contextCeilings = ceilings
        context.client = request.clientName
        // A client that can show a form is asked in a later round (multi round-trip): then only the user's answer
        // confirms, as with the handshake era's dialog, and a token in the arguments is not one.
        let roundTrip = try Self.roundTrip(request, mode: confirmationMode)
        if let roundTrip {
            context.confirmer = roundTrip
            arguments?["confirmation_token"] = nil
        }
        // The host's model, asked in a later round too (a sampling request among the input requests).
        let sampling = request.canSample ? try ModernSampling(request) : nil
        if let sampling { context.sampler = sampling.sampler }
        if let token = request.progressToken {
            context.progress = { progress, total, message in
                var params: [String: Value] = [
                    "progressToken": token, "progress": .double(progress), "message": .string(message),
                ]
                if let total { params["total"] = .double(total) }
                let note: Value = .object([
                    "jsonrpc": "2.0", "method": "notifications/progress", "params": .object(params),
                ])
                if let data = Self.encode(note) { await emit(data) }
            }
        }
        if let level = request.logLevel, ClientSession.order(.info) >= ClientSession.order(level) {
            context.log = { message in
                let note: Value = .object([
                    "jsonrpc": "2.0", "method": "notifications/message",
                    "params": .object(["level": "info", "logger": "argo-mcp", "data": .string(message)]),
                ])
                if let data = Self.encode(note) { await emit(data) }
            }
        }
        let started = ContinuousClock.now
        let result = await Self.call(
            tool, arguments, context: context, logger: logger, maxResultBytes: maxResultBytes, notice: notice)
        ToolMetrics.record(tool.name, failed: result.isError == true, since: started)
        if let question = roundTrip?.asked {
            return Self.inputRequired(question)
        }
        if let question = sampling?.asked {
            return [
                "resultType": "input_required",
                "inputRequests": .object([ModernSampling.key: question.request]),
                "requestState": .string(question.state),
            ]
        }
        return try Self.object(result)
    }

    /// The confirmer of a tool call from a client that can show a form, in the round the request is: the first
    /// (no `requestState`, or no answer to `confirm` yet: ask), or the answer. Nil when the client cannot answer, or
    /// confirmations are tokens only.
    static func roundTrip(_ request: ModernRequest, mode: ConfirmationMode) throws -> RoundTripConfirmer? {
        guard mode != .token, request.canElicitForm else { return nil }
        guard let stateValue = request.params["requestState"] else { return RoundTripConfirmer(.ask) }
        let invalid = { (why: String) in
            ModernError(id: request.id, code: ModernProtocol.Code.invalidParams, why)
        }
        guard case .string(let state) = stateValue else { throw invalid("params.requestState must be a string") }
        var responses: [String: Value] = [:]
        switch request.params["inputResponses"] {
        case .object(let given)?: responses = given
        case nil, .null?: break
        default: throw invalid("params.inputResponses must be an object keyed as inputRequests was")
        }
        guard let response = responses[Self.confirmKey] else { return RoundTripConfirmer(.ask) }
        guard case .object(let result) = response, case .string(let action)? = result["action"] else {
            throw invalid("params.inputResponses.\(Self.confirmKey) must be an elicitation result {action, content}")
        }
        let answer: ConfirmationAnswer
        switch action {
        case "accept":
            var confirmed = false
            if case .object(let content)? = result["content"], case .bool(true)? = content["confirm"] {
                confirmed = true
            }
            answer = confirmed ? .accepted : .declined
        case "decline": answer = .declined
        case "cancel": answer = .cancelled
        default:
            throw invalid(
                "params.inputResponses.\(Self.confirmKey).action must be accept, decline or cancel, not '\(action.prefix(40))'"
            )
        }
        return RoundTripConfirmer(.answered(answer, state: state))
    }

    /// The key of the confirmation question in `inputRequests` and `inputResponses`.
    static let confirmKey = "confirm"

    /// `InputRequiredResult`: the confirmation form (the preview, and whether to carry it out) and the sealed state
    /// the retry must bring back. It carries no caching hints: the revision forbids caching these.
    static func inputRequired(_ question: RoundTripConfirmer.Question) -> [String: Value] {
        let (message, schema) = ElicitationConfirmer.question(question.preview)
        let form: [String: Value] = [
            "mode": "form", "message": .string(message),
            "requestedSchema": (try? JSONValueBridge.value(schema)) ?? .null,
        ]
        return [
            "resultType": "input_required",
            "inputRequests": .object([
                confirmKey: .object(["method": "elicitation/create", "params": .object(form)])
            ]),
            "requestState": .string(question.state),
        ]
    }

    /// `resources/read`: the tool path, with this revision's not-found code (invalid params, naming the URI).
    func modernRead(_ request: ModernRequest, _ resources: ArgoResources) async throws -> [String: Value] {
        let uri = request.string("uri") ?? ""
        do {
            // argo-mcp's own documents (the reference, the workflow view) never change within a version.
            let caching =
                ArgoReference.document(uri) != nil || uri == WorkflowAppView.uri ? Caching.documents : Caching.live
            return try Self.object(try await routedRead(uri, fallback: resources)).merging(caching) { a, _ in a }
        } catch let error as MCPError where error.code == ArgoResources.resourceNotFound {
            var said = "Resource not found"
            if case .serverError(_, let message) = error { said = message }
            throw ModernError(
                id: request.id, code: ModernProtocol.Code.invalidParams, said,
                data: ["uri": .string(String(uri.prefix(2048)))])
        }
    }

    /// An SDK result as the members of a result object.
    static func object(_ encodable: some Encodable) throws -> [String: Value] {
        guard case .object(let object) = try JSONValueBridge.value(encodable) else { return [:] }
        return object
    }
}
