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

struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Serve the simulator's Argo REST API on 127.0.0.1 (point any Argo client at it).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var simulatorOptions: SimulatorOptions
    @Option(help: "Port on 127.0.0.1 (0 picks a free one; the URL is printed on stdout).")
    var port: Int = 2746
    @Option(
        name: .customLong("require-authorization"),
        help: """
            Refuse every API request whose Authorization header is not exactly this (e.g. 'Bearer t0k3n') with \
            Argo's 401, as an Argo Server checking tokens does.
            """)
    var requireAuthorization: String?

    func run() async throws {
        var settings = try common.settings()
        simulatorOptions.apply(to: &settings)
        let logger = bootstrapLogging(level: settings.logLevel)
        let sim = try await simulatorOptions.makeSimulator(settings, logger: logger)
        let server = SimulatorHTTPServer(
            simulator: sim, port: port, requiredAuthorization: requireAuthorization, logger: logger)
        let tick = Duration.milliseconds(max(10, simulatorOptions.tickMilliseconds))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sim.runEvolutions(tick: tick) }
            try await run(server, logger)
            group.cancelAll()
        }
    }

    func run(_ server: SimulatorHTTPServer, _ logger: Logger) async throws {
        try await server.run { bound in
            FileHandle.standardOutput.write(Data("http://127.0.0.1:\(bound)\n".utf8))
            logger.info("simulator listening", metadata: ["url": "http://127.0.0.1:\(bound)"])
        }
    }
}
