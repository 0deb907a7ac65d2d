import ArgoHTTP
import ArgoSimulator
import ArgumentParser
import ArtifactArchive
import Auth
import Domain
import FileAudit
import Foundation
import Hooks
import Logging
import MCPServer
import MCPStdio
import Ports

let argoMCPVersion = "0.1.0"

@main
struct ArgoMCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argo-mcp",
        abstract: "An MCP server for Argo Workflows.",
        version: argoMCPVersion,
        subcommands: [Serve.self, SimulatorCommand.self, ToolsCommand.self, NewTokenCommand.self, CallCommand.self],
        defaultSubcommand: Serve.self
    )
}

func bootstrapLogging(level: String) -> Logger {
    // A peer that goes away (a hook command, a closed pipe) must be an EPIPE error, not the end of the process.
    IgnoreSIGPIPE.once()
    let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = EscapingLogHandler(inner: StreamLogHandler.standardError(label: label))
        handler.logLevel = parsed
        return handler
    }
    return Logger(label: "argo-mcp")
}

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract:
            "Print the tool list as Markdown (toolset, name, safety class, description); --toolsets, --prompts, --resources, --settings: those lists."
    )

    @Flag(help: "Print the prompt list instead (name, arguments, description).")
    var prompts = false
    @Flag(help: "Print the resource templates instead (URI template, type, description).")
    var resources = false
    @Flag(help: "Print the settings instead (environment, flag, config file key, meaning).")
    var settings = false
    @Flag(help: "Print the toolsets instead (name, number of tools, what they hold).")
    var toolsets = false

    func run() async throws {
        let useCases = UseCases(
            gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo",
            unpacker: ArchiveUnpacker())
        if settings {
            print(SettingsRegistry.markdown())
        } else if resources {
            print(ToolCatalog.resourceMarkdown())
        } else if toolsets {
            print(ToolCatalog.toolsetMarkdown(ToolCatalog.all(useCases)))
        } else if prompts {
            print(ToolCatalog.promptMarkdown(ToolCatalog.prompts(useCases)))
        } else {
            print(ToolCatalog.markdown(ToolCatalog.all(useCases)))
        }
    }
}

struct NewTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-token",
        abstract: "Make a bearer token for a caller of the HTTP server: the token, and the entry for the tokens file.",
        discussion: """
            The token is printed once and kept nowhere; the entry holds only its SHA-256. Append the entry to the \
            file auth.tokensFile names (or the list in ARGO_MCP_BEARER_TOKENS), and give the token to the caller.
            """)

    @Argument(help: "The caller's name, as audit records and namespaces.callers will know it.")
    var name: String
    @Option(name: .customLong("group"), help: "A group the caller belongs to (repeatable), for namespaces.groups.")
    var groups: [String] = []

    func validate() throws {
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == ":" }) else {
            throw ValidationError("the name must be non-empty, without spaces or ':'")
        }
    }

    func run() throws {
        let token = BearerTokenAuthenticator.newToken()
        var entry = "- name: \(name)\n  sha256: \(BearerTokenAuthenticator.sha256(token))\n"
        if !groups.isEmpty { entry += "  groups: [\(groups.joined(separator: ", "))]\n" }
        print("token for \(name) (shown once; send it as 'Authorization: Bearer TOKEN'):\n\(token)\n")
        print("entry for the tokens file:\n\(entry)", terminator: "")
    }
}
