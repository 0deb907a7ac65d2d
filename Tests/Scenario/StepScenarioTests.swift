import Foundation
import MCP
import Testing

/// Artifacts and approvals through the built binary: over stdio against the simulator, and through the live
/// adapter against the simulator's REST face (both artifact routes, Argo's `set`).
@Suite("artifacts and approvals", .serialized, .timeLimit(.minutes(3)))
struct StepScenarioTests {
    static let workflow: Value = "artifact-passing-x7k2p"

    /// `argo-mcp serve` over stdio against `argo-mcp simulator EXTRA` on loopback.
    static func liveServer(_ extra: [String]) async throws -> (Process, ServerProcess) {
        let (rest, url) = try await LiveChainScenarioTests.startRESTSimulator(["--demo"] + extra)
        let server = try await ServerProcess(
            ["serve"],
            environment: [
                "ARGO_SERVER": String(url.dropFirst("http://".count)), "ARGO_SECURE": "false",
                "ARGO_NAMESPACE": "argo", "ARGO_MCP_READ_ONLY": "false", "ARGO_MCP_ALLOW_MUTATIONS": "true",
            ])
        _ = try await server.connect()
        return (rest, server)
    }

    func read(_ server: some MCPHarness, _ artifact: String, _ more: [String: Value] = [:]) async throws
        -> [String: Value]
    {
        var args: [String: Value] = ["name": Self.workflow, "node": "generate-artifact", "artifact": .string(artifact)]
        for (k, v) in more { args[k] = v }
        let result = try await server.call("get_artifact", args)
        #expect(result.isError == false, "\(artifact): \(result.text)")
        return result.structuredContent?.objectValue ?? [:]
    }

    @Test(
        "get_artifact through /artifact-files/ and, on a server without it, the older /artifacts/ route",
        arguments: [false, true])
    func bothRoutes(_ legacy: Bool) async throws {
        let (rest, server) = try await Self.liveServer(legacy ? ["--no-artifact-files"] : [])
        defer {
            rest.terminate()
            rest.waitUntilExit()
        }
        let route = legacy ? "/artifacts/" : "/artifact-files/"

        // Argo's default packing, a gzipped tar: the one file inside.
        let hello = try await read(server, "hello-art")
        #expect(hello["text"] == "hello world\n")
        #expect(hello["packing"] == "tar+gzip")
        #expect(hello["file"] == "hello_world.txt")
        #expect(hello["route"]?.stringValue?.hasPrefix(route) == true)

        // The same bytes as the consumer's input artifact.
        let input = try await server.call(
            "get_artifact",
            ["name": Self.workflow, "node": "consume-artifact", "artifact": "message", "direction": "inputs"])
        #expect(input.structuredContent?.objectValue?["text"] == "hello world\n")

        // A plain file cut at max_bytes, and said so.
        let report = try await read(server, "report", ["max_bytes": 100])
        #expect(report["packing"] == "plain")
        #expect(report["truncated"] == true)
        #expect((report["bytesShown"]?.intValue ?? 0) <= 100)
        #expect(report["text"]?.stringValue?.hasPrefix("date,region,orders,revenue\n") == true)

        // A file the program gzipped itself.
        let metrics = try await read(server, "metrics")
        #expect(metrics["packing"] == "gzip")
        #expect(metrics["text"] == "{\"rows\": 400, \"seconds\": 18.2}\n")

        // Binary content is refused with its type and size.
        let chart = try await read(server, "chart")
        #expect(chart["text"] == nil)
        #expect(chart["note"]?.stringValue?.hasPrefix("binary content (image/png, 2016 bytes)") == true)

        // A directory: listed through /artifact-files/ (its 307 to the listing is followed); the older route opens
        // it as one object and fails, as Argo's does.
        let results = try await server.call(
            "get_artifact", ["name": Self.workflow, "node": "generate-artifact", "artifact": "results"])
        if legacy {
            #expect(results.isError == true)
            #expect(results.text.contains("HTTP 500"))
        } else {
            let listing = results.structuredContent?.objectValue ?? [:]
            #expect(listing["packing"] == "directory")
            #expect(listing["files"] == ["detail/", "summary.txt"])
            let summary = try await read(server, "results", ["file": "summary.txt"])
            #expect(summary["text"] == "rows: 400\nerrors: 0\n")
        }
        _ = await server.stop()
    }

    @Test("list_artifacts over stdio: every node's artifacts, packing, and what garbage collection removed")
    func list() async throws {
        let server = try await ServerProcess(["serve", "--simulator"])
        _ = try await server.connect()
        let all = try await server.call("list_artifacts", ["name": Self.workflow])
        #expect(all.isError == false)
        let listing = try #require(all.structuredContent?.objectValue)
        #expect(listing["total"] == 8)
        let nodes = listing["nodes"]?.arrayValue ?? []
        #expect(nodes.compactMap { $0.objectValue?["name"]?.stringValue } == ["generate-artifact", "consume-artifact"])
        let rows = nodes.flatMap { $0.objectValue?["artifacts"]?.arrayValue ?? [] }.compactMap(\.objectValue)
        let byName = Dictionary(rows.map { ($0["name"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["hello-art"]?["archive"] == "tgz")
        #expect(byName["report"]?["archive"] == "none")
        #expect(byName["main-logs"]?["archive"] == "none")
        #expect(byName["message"]?["direction"] == "inputs")
        #expect(byName["old-output"]?["servable"] == false)
        #expect(all.text.contains("NOT servable (removed by artifact garbage collection)"))

        let gone = try await server.call(
            "get_artifact", ["name": Self.workflow, "node": "consume-artifact", "artifact": "old-output"])
        #expect(gone.isError == true)
        #expect(gone.text.contains("removed by artifact garbage collection"))
        let unknown = try await server.call(
            "get_artifact", ["name": Self.workflow, "node": "consume-artifact", "artifact": "nope"])
        #expect(unknown.isError == true)
        #expect(unknown.text.contains("it has: old-output (outputs), message (inputs)"))
        let one = try await server.call("list_artifacts", ["name": Self.workflow, "node": "consume-artifact"])
        #expect(one.structuredContent?.objectValue?["total"] == 2)
        _ = await server.stop()
    }

    @Test(
        "approve_step over stdio: a bad or missing choice is refused, the preview shows choices and readers, the approval sets the output"
    )
    func approve() async throws {
        let audit = MutationScenarioTests.auditFile()
        let server = try await ServerProcess(
            ["serve", "--simulator"], environment: ["ARGO_MCP_AUDIT_FILE": audit.path])
        _ = try await server.connect()
        let target: Value = "release-approval-r4t8w"

        let bad = try await server.call("approve_step", ["name": target, "outputs": ["approve": "MAYBE"]])
        #expect(bad.isError == true)
        #expect(bad.text.contains("'MAYBE' is not a choice for approval's approve: choose one of YES, NO"))
        let missing = try await server.call("approve_step", ["name": target])
        #expect(missing.isError == true)
        #expect(missing.text.contains("choose approval's approve"))
        #expect(missing.text.contains("its default is NO; it is not assumed"))
        let unexpected = try await server.call(
            "approve_step", ["name": target, "outputs": ["approve": "YES", "color": "red"]])
        #expect(unexpected.isError == true)
        #expect(unexpected.text.contains("approval does not expect an output color; it expects approve"))
        #expect(MutationScenarioTests.auditDecisions(audit) == ["refused", "refused", "refused"])

        let preview = try await server.call("approve_step", ["name": target, "outputs": ["approve": "YES"]])
        #expect(preview.isError == false)
        let step = try #require(preview.structuredContent?.objectValue?["step"]?.objectValue)
        #expect(step["name"] == "approval")
        let output = try #require(step["outputs"]?.arrayValue?.first?.objectValue)
        #expect(output["choices"] == ["YES", "NO"])
        #expect(output["value"] == "YES")
        #expect(step["usedBy"] == ["deploy-prod (when: {{steps.approval.outputs.parameters.approve}} == YES)"])
        #expect(preview.text.contains("output approve — choices: YES | NO, default NO → set to YES"))

        let done = try await server.callConfirmed(
            "approve_step", ["name": target, "outputs": ["approve": "YES"], "message": "ok by alice"])
        #expect(done.isError == false)
        let changes = done.structuredContent?.objectValue?["changes"]?.arrayValue ?? []
        #expect(changes.contains("approval: approve=YES"))
        #expect(changes.contains("approval Running → Succeeded"))

        // Nothing waits any more.
        let again = try await server.call("approve_step", ["name": target, "outputs": ["approve": "YES"]])
        #expect(again.isError == true)
        #expect(again.text.contains("has no suspend step waiting"))
        _ = await server.stop()
    }

    @Test("set_step_outputs and resume by selector through the live adapter: Argo's set and resume endpoints")
    func setThroughREST() async throws {
        let (rest, server) = try await Self.liveServer([])
        defer {
            rest.terminate()
            rest.waitUntilExit()
        }
        let target: Value = "release-approval-r4t8w"
        let badPhase = try await server.call(
            "set_step_outputs", ["name": target, "node": "approval", "phase": "Running"])
        #expect(badPhase.isError == true)
        #expect(badPhase.text.contains("phase: 'Running' cannot be set"))

        // Outputs only: the step keeps waiting.
        let outputs = try await server.callConfirmed(
            "set_step_outputs",
            ["name": target, "node": "approval", "outputs": ["approve": "NO"], "message": "not yet"])
        #expect(outputs.isError == false, "\(outputs.text)")
        #expect(
            outputs.structuredContent?.objectValue?["changes"]?.arrayValue?.contains("approval: approve=NO") == true)
        // The supplied output is set now, so Argo's `set` would refuse it a second time; argo-mcp refuses first.
        let twice = try await server.call(
            "set_step_outputs", ["name": target, "node": "approval", "outputs": ["approve": "YES"]])
        #expect(twice.isError == true)
        #expect(twice.text.contains("approval expects no supplied output"))

        // resume_workflow with a selector releases only that step (`updateSuspendedNode` with phase Succeeded).
        let resumed = try await server.call(
            "resume_workflow", ["name": target, "node_field_selector": "displayName=approval"])
        #expect(resumed.isError == false, "\(resumed.text)")
        #expect(
            resumed.structuredContent?.objectValue?["changes"]?.arrayValue?.contains("1 suspend step(s) released")
                == true)
        _ = await server.stop()
    }
}
