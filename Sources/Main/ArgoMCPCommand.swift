import ArgoHTTP
import ArgoSimulator
import ArgumentParser
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
        subcommands: [Serve.self, SimulatorCommand.self, ToolsCommand.self],
        defaultSubcommand: Serve.self
    )
}

func bootstrapLogging(level: String) -> Logger {
    // A peer that goes away (a hook command, a closed pipe) must be an EPIPE error, not the end of the process.
    IgnoreSIGPIPE.once()
    let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = parsed
        return handler
    }
    return Logger(label: "argo-mcp")
}

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools", abstract: "Print the tool list as Markdown (name, safety class, description).")

    func run() async throws {
        let useCases = Wiring.useCases(
            gateway: SimulatedArgoGateway(simulator: ArgoSimulator()), defaultNamespace: "argo")
        print(ToolCatalog.markdown(ToolCatalog.all(useCases)))
    }
}
