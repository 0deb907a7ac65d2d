import ArgoHTTP
import ArgumentParser
import Foundation
import Logging
import MCP
import MCPServer
import Ports

/// `argo-mcp call TOOL key=value …`: one tool, with the configuration `serve` would use, through the same MCP
/// server (an in-memory MCP client and server, so arguments, policy, confirmation and rendering are the real ones).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract:
            "Run one tool with serve's configuration and print its result (for trying things, scripts, bug reports).",
        discussion: """
            Arguments are key=value, typed by the tool's schema (numbers, true/false, lists as a,b or JSON, objects \
            as JSON), or --json '{…}'; a list value that holds commas needs JSON (schedules='["0 3 * * 1,5"]'). \
            A tool error prints the error and exits 1, as does a health_check that reports UNHEALTHY. A call that \
            needs confirmation prints the preview; run it again with confirmation_token=… from it.
            Without an Argo server, each call starts the built-in simulator afresh: what one call changes is gone \
            by the next (its objects keep their uids, so a preview's token still confirms the call). For a \
            simulator that keeps its state between calls, run `argo-mcp simulator --port 2746` and call with \
            ARGO_SERVER=127.0.0.1:2746 ARGO_SECURE=false, plus ARGO_MCP_READ_ONLY=false \
            ARGO_MCP_ALLOW_MUTATIONS=true ARGO_MCP_ALLOW_DESTRUCTIVE=true to change it (a server pointed at an Argo \
            Server is read-only by default).
              argo-mcp call list_workflows phase=Failed limit=5
              argo-mcp call get_workflow name=nightly-etl-7x2kq --output json
              argo-mcp call --list
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup(title: "Argo server and permissions") var options: ServeOptions
    @OptionGroup(title: "Simulator options (used when no Argo server is configured)")
    var simulatorOptions: SimulatorOptions
    @Flag(help: "Use the built-in simulator even when an Argo server is configured.")
    var simulator = false

    @Argument(help: "The tool to call.")
    var tool: String?
    @Argument(help: "key=value arguments.")
    var arguments: [String] = []
    @Option(help: "Arguments as a JSON object (merged under key=value ones).")
    var json: String?
    @Option(help: "text (default): the tool's text; json: its structured content.")
    var output: Output = .text
    @Flag(help: "List the tools with their arguments instead.")
    var list = false

    enum Output: String, ExpressibleByArgument {
        case text, json
    }

    func validate() throws {
        if !list && tool == nil { throw ValidationError("name a tool (argo-mcp call --list lists them)") }
    }

    /// The `serve` command these flags describe.
    var serve: Serve {
        var serve = Serve()
        serve.common = common
        serve.options = options
        serve.simulatorOptions = simulatorOptions
        serve.simulator = simulator
        return serve
    }

    func run() async throws {
        let serve = self.serve
        var settings: Settings
        do {
            settings = try serve.settings()
        } catch {
            FileHandle.standardError.write(Data("argo-mcp: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // Only what goes wrong is worth a line here: the answer is the output.
        if common.logLevel == nil { settings.logLevel = "warning" }
        let logger = bootstrapLogging(level: settings.logLevel)
        do {
            if let plan = try settings.contextPlan() {
                // Several Argo Servers: the call names its context (`context`), or goes to the default one.
                guard !simulator else {
                    throw ConfigError(
                        "--simulator and contexts: with contexts, each context says whether it is simulated (contexts.NAME.simulator.enabled: true)"
                    )
                }
                let stores = try Stores(settings, logger: logger)
                try await serve.withGateways(plan.contexts[...], [:], logger: logger) { gateways in
                    let servers = try serve.makeContextServers(
                        plan, gateways: gateways, logger: logger, stores: stores)
                    try await perform(servers(nil))
                }
            } else if !simulator, let connection = try settings.connection() {
                let policy = try settings.policy(simulator: false)
                try await ArgoHTTPGateway.with(connection, logger: logger) { gateway in
                    let servers = try serve.makeServers(
                        gateway: gateway, settings: settings, policy: policy, logger: logger)
                    try await perform(servers(nil))
                }
            } else {
                try await perform(
                    try await serve.simulatorServer(settings, logger: logger).servers(nil), builtInSimulator: true)
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("argo-mcp: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Said on stderr before a call whose effect outlives it, when the simulator lives only as long as this
    /// process: what it changes is gone by the next call, and how to keep it.
    static let freshSimulatorNote = """
        argo-mcp: note: the built-in simulator starts afresh for every call, so what this call changes is gone when \
        it ends, and a watch sees only this process's simulator. To keep state between calls: \
        `argo-mcp simulator --port 2746 &`, then call with ARGO_SERVER=127.0.0.1:2746 ARGO_SECURE=false \
        ARGO_MCP_READ_ONLY=false ARGO_MCP_ALLOW_MUTATIONS=true ARGO_MCP_ALLOW_DESTRUCTIVE=true.

        """

    func perform(_ server: ArgoMCPServer, builtInSimulator: Bool = false) async throws {
        if list {
            print(Self.listing(server.tools))
            return
        }
        guard let tool else { return }
        if let reason = server.withheldReason(tool) {
            // The policy or the toolsets keep it out: say which settings would offer it, as the MCP answer does.
            FileHandle.standardError.write(Data(("argo-mcp: " + reason + "\n").utf8))
            throw ExitCode(1)
        }
        guard let definition = server.tools.first(where: { $0.name == tool || $0.aliases.contains(tool) }) else {
            var message = "argo-mcp: no tool \(tool) (or the policy withholds it)"
            if let near = ConfigKey.nearest(tool, in: server.tools.map(\.name)) { message += "; did you mean \(near)?" }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            throw ExitCode(2)
        }
        if builtInSimulator && (definition.safety != .readOnly || tool == "watch_workflow") {
            FileHandle.standardError.write(Data(Self.freshSimulatorNote.utf8))
        }
        let values: [String: Value]
        do {
            values = try Self.arguments(arguments, json: json, schema: definition.inputSchema)
        } catch {
            FileHandle.standardError.write(Data("argo-mcp: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        let session = try await server.start(transport: serverTransport)
        let client = Client(name: "argo-mcp-call", version: argoMCPVersion)
        _ = try await client.connect(transport: clientTransport)
        let result = try await client.send(CallTool.request(.init(name: tool, arguments: values))).value
        await client.disconnect()
        await session.stop()
        switch output {
        case .text:
            print(
                result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }
                    .joined(separator: "\n"))
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result.structuredContent ?? .null), as: UTF8.self))
        }
        if result.isError == true || Self.reportsUnhealthy(tool, result.structuredContent) { throw ExitCode(1) }
    }

    /// health_check answers an unhealthy server as a result, not an error; a script still needs a failing exit.
    static func reportsUnhealthy(_ tool: String, _ structured: Value?) -> Bool {
        tool == "health_check" && structured?.objectValue?["healthy"]?.boolValue == false
    }

    struct ArgumentError: Error, CustomStringConvertible {
        var description: String
    }

    /// `key=value` words typed by the tool's input schema, over the `--json` object.
    static func arguments(_ words: [String], json: String?, schema: Value) throws -> [String: Value] {
        var values: [String: Value] = [:]
        if let json {
            guard let object = try? JSONDecoder().decode([String: Value].self, from: Data(json.utf8)) else {
                throw ArgumentError(description: "--json is not a JSON object")
            }
            values = object
        }
        let properties = schema.objectValue?["properties"]?.objectValue ?? [:]
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw ArgumentError(description: "'\(word)' is not key=value")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            let type = properties[key]?.objectValue?["type"]?.stringValue
            values[key] = try typed(text, as: type, key: key)
        }
        return values
    }

    static func typed(_ text: String, as type: String?, key: String) throws -> Value {
        func json() throws -> Value {
            guard let value = try? JSONDecoder().decode(Value.self, from: Data(text.utf8)) else {
                throw ArgumentError(description: "\(key)=\(text) is not valid JSON")
            }
            return value
        }
        switch type {
        case "integer":
            guard let n = Int(text) else { throw ArgumentError(description: "\(key)=\(text) is not a whole number") }
            return .int(n)
        case "number":
            guard let n = Double(text) else { throw ArgumentError(description: "\(key)=\(text) is not a number") }
            return .double(n)
        case "boolean":
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw ArgumentError(description: "\(key)=\(text) is not true or false")
            }
        case "array":
            if text.hasPrefix("[") { return try json() }
            let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if items.count > 1, items.contains(where: { $0.contains(" ") }) {
                // `schedules=0 3 * * 1,5` is one cron schedule, not two values: a comma inside a value needs JSON.
                let quoted = "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
                throw ArgumentError(
                    description:
                        "\(key)=\(text) would be split at its commas into \(items.count) values; for one value that holds commas give a JSON list: \(key)='[\(quoted)]' (or --json)"
                )
            }
            return .array(items.filter { !$0.isEmpty }.map { .string($0) })
        case "object":
            return try json()
        default:
            return .string(text)
        }
    }

    /// Each tool with its safety class and arguments (`name:type`, required ones marked `*`).
    static func listing(_ tools: [ToolDefinition]) -> String {
        tools.map { tool in
            let schema = tool.inputSchema.objectValue
            let required = Set(schema?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let properties = schema?["properties"]?.objectValue ?? [:]
            let arguments = properties.keys.sorted {
                (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1)
            }.map { name in
                let type = properties[name]?.objectValue?["type"]?.stringValue ?? "any"
                return "\(name)\(required.contains(name) ? "*" : ""):\(type)"
            }
            return "\(tool.name) [\(tool.safety.rawValue)] \(arguments.joined(separator: " "))"
        }.joined(separator: "\n")
    }
}
