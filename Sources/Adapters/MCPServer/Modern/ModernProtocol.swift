import Foundation
import MCP

/// MCP 2026-07-28, the stateless revision, as argo-mcp speaks it beside 2025-11-25. swift-sdk 0.12.1 serves only
/// the handshake era, so this layer is argo-mcp's own, kept to the envelope: it reads a request's `_meta`, answers
/// `server/discover`, and hands every method to the pieces the SDK path uses too (`ArgoMCPServer.answer` for a tool
/// call, `ArgoResources.reading` for a read, the prompts and completions). When the SDK speaks the revision, this
/// folder is what goes.
public enum ModernProtocol {
    /// The revision this layer speaks.
    public static let version = "2026-07-28"
    /// What `server/discover` and a version error name: this revision, and the handshake era the SDK serves.
    public static let supportedVersions = [version, "2025-11-25"]

    enum Meta {
        static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
        static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
        static let clientInfo = "io.modelcontextprotocol/clientInfo"
        static let logLevel = "io.modelcontextprotocol/logLevel"
        static let serverInfo = "io.modelcontextprotocol/serverInfo"
        static let subscriptionID = "io.modelcontextprotocol/subscriptionId"
    }

    /// JSON-RPC error codes of the revision (basic/index: Error Codes).
    public enum Code {
        public static let parseError = -32700
        public static let invalidRequest = -32600
        public static let methodNotFound = -32601
        public static let invalidParams = -32602
        public static let internalError = -32603
        public static let headerMismatch = -32020
        public static let missingCapability = -32021
        public static let unsupportedVersion = -32022
    }

    /// Whether `message` is a request of this revision: a JSON-RPC request (a method and an id) other than
    /// `initialize`, whose `params._meta` names a protocol version. The first message of a stdio connection decides
    /// its era this way.
    public static func isModernRequest(_ message: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
            let method = object["method"] as? String, method != "initialize", object["id"] != nil,
            let params = object["params"] as? [String: Any], let meta = params["_meta"] as? [String: Any]
        else { return false }
        return meta[Meta.protocolVersion] != nil
    }

    /// Whether `message` is an `initialize` request.
    static func isInitialize(_ message: Data) -> Bool {
        method(of: message) == "initialize"
    }

    /// A message's method, when it is a request or a notification.
    static func method(of message: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: message) as? [String: Any])?["method"] as? String
    }

    /// The HTTP status of an answer carrying JSON-RPC error `code` (transports/streamable-http: a request the
    /// server refuses before serving it is 400, an unknown method 404; a failed tool call is still 200).
    public static func httpStatus(errorCode code: Int?) -> Int {
        switch code {
        case nil: 200
        case Code.methodNotFound: 404
        case Code.parseError, Code.invalidRequest, Code.invalidParams, Code.headerMismatch, Code.missingCapability,
            Code.unsupportedVersion:
            400
        default: 200
        }
    }
}

/// One request of the revision, its envelope read.
struct ModernRequest: Sendable {
    var id: Value
    var method: String
    var params: [String: Value]
    /// `_meta.io.modelcontextprotocol/clientCapabilities`.
    var capabilities: [String: Value]
    var clientName: String?
    /// `_meta.io.modelcontextprotocol/logLevel`: the client opted in to log messages of this request at or above
    /// this level.
    var logLevel: LogLevel?
    var progressToken: Value?

    /// The request in `object` (a message parsed), or the error answer that refuses it: not JSON-RPC, no version or capabilities in
    /// `_meta` (invalid params), a version this server does not speak (with the versions it does).
    static func read(_ object: [String: Value]) -> Result<ModernRequest, ModernError> {
        let id = object["id"] ?? .null
        guard case .string(let method)? = object["method"], id != .null else {
            return .failure(
                ModernError(id: id, code: ModernProtocol.Code.invalidRequest, "a request needs a method and an id"))
        }
        var params: [String: Value] = [:]
        if case .object(let p)? = object["params"] { params = p }
        // The Python reference's order: missing keys, a version that is not a string (-32602), then an unsupported
        // version (-32022).
        guard case .object(let meta)? = params["_meta"], meta[ModernProtocol.Meta.protocolVersion] != nil,
            meta[ModernProtocol.Meta.clientCapabilities] != nil
        else {
            return .failure(
                ModernError(
                    id: id, code: ModernProtocol.Code.invalidParams,
                    "params._meta must carry \(ModernProtocol.Meta.protocolVersion) and \(ModernProtocol.Meta.clientCapabilities)"
                ))
        }
        guard case .string(let version)? = meta[ModernProtocol.Meta.protocolVersion] else {
            return .failure(
                ModernError(
                    id: id, code: ModernProtocol.Code.invalidParams,
                    "params._meta.\(ModernProtocol.Meta.protocolVersion) must be a string such as \"\(ModernProtocol.version)\""
                ))
        }
        guard version == ModernProtocol.version else {
            return .failure(
                ModernError(
                    id: id, code: ModernProtocol.Code.unsupportedVersion, "Unsupported protocol version",
                    data: [
                        "supported": .array(ModernProtocol.supportedVersions.map(Value.string)),
                        "requested": .string(version),
                    ]))
        }
        guard case .object(let capabilities)? = meta[ModernProtocol.Meta.clientCapabilities] else {
            return .failure(
                ModernError(
                    id: id, code: ModernProtocol.Code.invalidParams,
                    "params._meta must carry \(ModernProtocol.Meta.clientCapabilities) ({} for none)"))
        }
        var request = ModernRequest(id: id, method: method, params: params, capabilities: capabilities)
        if case .object(let info)? = meta[ModernProtocol.Meta.clientInfo], case .string(let name)? = info["name"] {
            request.clientName = name
        }
        if let level = meta[ModernProtocol.Meta.logLevel] {
            guard case .string(let name) = level, let known = LogLevel(rawValue: name) else {
                return .failure(
                    ModernError(
                        id: id, code: ModernProtocol.Code.invalidParams,
                        "params._meta.\(ModernProtocol.Meta.logLevel) must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))"
                    ))
            }
            request.logLevel = known
        }
        request.progressToken = meta["progressToken"]
        return .success(request)
    }

    /// Whether the client can show a form (`clientCapabilities.elicitation`, form mode: declared, or no mode named).
    var canElicitForm: Bool {
        guard case .object(let elicitation)? = capabilities["elicitation"] else { return false }
        return elicitation.isEmpty || elicitation["form"] != nil
    }

    /// Whether the client offers its model (`clientCapabilities.sampling`).
    var canSample: Bool {
        if case .object? = capabilities["sampling"] { return true }
        return false
    }

    /// A string parameter.
    func string(_ key: String) -> String? {
        if case .string(let s)? = params[key] { return s }
        return nil
    }
}

/// A JSON-RPC error answer of the revision.
struct ModernError: Error, Sendable {
    var id: Value
    var code: Int
    var message: String
    var data: [String: Value]?

    init(id: Value, code: Int, _ message: String, data: [String: Value]? = nil) {
        self.id = id
        self.code = code
        self.message = message
        self.data = data
    }

    var json: Value {
        var error: [String: Value] = ["code": .int(code), "message": .string(message)]
        if let data { error["data"] = .object(data) }
        return .object(["jsonrpc": "2.0", "id": id, "error": .object(error)])
    }
}

/// What a transport sends back for one request of the revision: the answer, and its JSON-RPC error code when it is
/// an error (for the HTTP status).
public struct ModernReply: Sendable {
    public var message: Data
    public var errorCode: Int?
}
