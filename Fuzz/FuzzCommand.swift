import ArgumentParser
import Foundation

/// `argo-mcp-fuzz`: hostile tool calls and malformed JSON-RPC against the built server over stdio.
@main
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argo-mcp-fuzz",
        abstract:
            "Fuzz argo-mcp over stdio: hostile calls from every tool's schema, malformed JSON-RPC, hostile objects.")

    @Option(help: "The argo-mcp binary (default: next to this one).")
    var binary: String?
    @Option(help: "How many tool calls.")
    var calls = 10_000
    @Option(help: "Random seed (a run repeats from its seed).")
    var seed: UInt64 = 1
    @Option(help: "Steps in the hostile sequential workflow.")
    var chainSteps = 30_000

    func run() throws {
        let path =
            binary
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "argo-mcp"
            )
            .path
        let campaign = FuzzCampaign(
            binary: URL(fileURLWithPath: path), calls: calls, seed: seed, chainSteps: chainSteps,
            log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        let report = try campaign.run()
        for crash in report.crashes { print("CRASH: \(crash)") }
        for hang in report.hangs { print("HANG: \(hang)") }
        for line in report.pollution { print("STDOUT POLLUTION: \(line)") }
        for (seconds, call) in report.slowest { print(String(format: "SLOW %.2f s: ", seconds) + call) }
        print(report.summary)
        if !(report.crashes.isEmpty && report.hangs.isEmpty && report.pollution.isEmpty) { throw ExitCode(1) }
    }
}
