import Foundation
import Testing

/// `argo-mcp call`: one tool from a terminal, against the built binary.
@Suite("argo-mcp call", .serialized, .timeLimit(.minutes(2)))
struct CallCommandScenarioTests {
    @Test("a tool's text or structured result on stdout, typed key=value arguments, exit 1 on a tool error")
    func call() throws {
        let (status, stdout, _) = try ServerProcess.runCapturing(["call", "list_workflows", "limit=2", "phase=Failed"])
        #expect(status == 0)
        #expect(stdout.contains("2 workflow(s) in argo"))
        #expect(stdout.contains("Failed"))

        let (jsonStatus, json, _) = try ServerProcess.runCapturing(
            ["call", "get_workflow", "--json", #"{"name":"nightly-etl-7x2kq"}"#, "--output", "json"])
        #expect(jsonStatus == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "nightly-etl-7x2kq")

        let (missing, missingOut, _) = try ServerProcess.runCapturing(["call", "get_workflow", "name=nope"])
        #expect(missing == 1)
        #expect(missingOut.contains(#"workflows.argoproj.io "nope" not found"#))
    }

    @Test("mistakes are exit 2 with the fix: an unknown tool, a badly typed argument, no tool")
    func mistakes() throws {
        let (unknown, _, unknownErr) = try ServerProcess.runCapturing(["call", "lst_workflows"])
        #expect(unknown == 2)
        #expect(unknownErr.contains("did you mean list_workflows?"))
        let (typed, _, typedErr) = try ServerProcess.runCapturing(["call", "list_workflows", "limit=abc"])
        #expect(typed == 2)
        #expect(typedErr.contains("limit=abc is not a whole number"))
        let (none, _, noneErr) = try ServerProcess.runCapturing(["call"])
        #expect(none != 0)
        #expect(noneErr.contains("argo-mcp call --list"))
    }

    @Test("--list names every tool with its safety class and arguments, required ones marked")
    func list() throws {
        let (status, stdout, _) = try ServerProcess.runCapturing(["call", "--list"])
        #expect(status == 0)
        let lines = stdout.split(separator: "\n")
        // One line per tool of the catalog, as `argo-mcp tools` lists them.
        let (_, table, _) = try ServerProcess.runCapturing(["tools"])
        let tools = table.split(separator: "\n").filter { $0.contains("| `") && !$0.hasPrefix("| toolset") }
        #expect(tools.count >= 40, "\(table.prefix(300))")
        #expect(lines.count == tools.count)
        #expect(lines.contains { $0.hasPrefix("get_workflow [read-only] name*:string") })
        #expect(lines.contains { $0.hasPrefix("delete_workflow [destructive] name*:string") })
        #expect(lines.contains { $0.hasPrefix("set_sync_limit [mutating] key*:string") })
    }

    /// An audit file of its own (the token store lives beside it), and how to remove both.
    static func auditFile() -> ([String: String], () -> Void) {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-call-\(UUID().uuidString).jsonl")
        return (
            ["ARGO_MCP_AUDIT_FILE": audit.path],
            {
                for url in [audit, URL(fileURLWithPath: audit.path + ".tokens.json")] {
                    try? FileManager.default.removeItem(at: url)
                }
            }
        )
    }

    @Test("a confirmed call across two invocations: the preview's token, then the call with it")
    func confirmation() throws {
        let (environment, cleanUp) = Self.auditFile()
        defer { cleanUp() }
        let target = ["name=report-weekly-h3k8s", "namespace=data-team"]
        let (status, preview, _) = try ServerProcess.runCapturing(
            ["call", "delete_workflow"] + target + ["--output", "json"], environment: environment)
        #expect(status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(preview.utf8)) as? [String: Any])
        let token = try #require(object["confirmation_token"] as? String)
        let (done, text, _) = try ServerProcess.runCapturing(
            ["call", "delete_workflow"] + target + ["confirmation_token=\(token)"], environment: environment)
        #expect(done == 0)
        #expect(text.contains("workflow deleted"))
        let (again, _, _) = try ServerProcess.runCapturing(
            ["call", "delete_workflow"] + target + ["confirmation_token=\(token)"], environment: environment)
        #expect(again == 1, "the token is used up")
    }

    @Test("truth round 2: withheld tools name the settings, commas in a list value need JSON, UNHEALTHY exits 1")
    func honestCall() throws {
        let (withheld, _, withheldErr) = try ServerProcess.runCapturing(
            ["call", "--read-only", "delete_workflow", "name=nightly-etl-7x2kq"])
        #expect(withheld == 1)
        #expect(withheldErr.contains("delete_workflow is a destructive tool"))
        #expect(
            withheldErr.contains("ARGO_MCP_READ_ONLY=false") && withheldErr.contains("ARGO_MCP_ALLOW_DESTRUCTIVE=true"))
        #expect(!withheldErr.contains("did you mean"))

        let (comma, _, commaErr) = try ServerProcess.runCapturing(
            ["call", "update_cron_schedule", "name=nightly-etl", "schedules=0 3 * * 1,5"])
        #expect(comma == 2)
        #expect(commaErr.contains(#"schedules='["0 3 * * 1,5"]'"#))

        let (typo, typoOut, _) = try ServerProcess.runCapturing(
            ["call", "get_workflow", "name=nightly-etl-7x2kq", "namespace=argoo"])
        #expect(typo == 1)
        #expect(typoOut.contains("no Argo object argo-mcp can see is in namespace argoo; did you mean argo?"))

        let (unhealthy, unhealthyOut, _) = try ServerProcess.runCapturing(
            ["call", "health_check"], environment: ["ARGO_SERVER": "http://127.0.0.1:1"])
        #expect(unhealthy == 1)
        #expect(unhealthyOut.contains("UNHEALTHY"))
    }

    @Test("simulator flags are checked: a missing seed directory and a mistyped --generate value are named")
    func simulatorFlags() throws {
        let (seed, _, seedErr) = try ServerProcess.runCapturing(
            ["call", "list_workflows", "--seed", "/nonexistent/argo-mcp-seeds"])
        #expect(seed != 0)
        #expect(seedErr.contains("--seed /nonexistent/argo-mcp-seeds: no such directory"))
        #expect(!seedErr.contains("NSCocoaErrorDomain"))
        let (generate, _, generateErr) = try ServerProcess.runCapturing(
            ["call", "list_workflows", "--generate", "name=big,nodes=abc"])
        #expect(generate != 0)
        #expect(generateErr.contains("nodes=abc is not a whole number"))
    }

    @Test(
        "the built-in simulator's objects keep their uids between calls: a cron delete previewed by one call is confirmed by the next"
    )
    func stableUIDs() throws {
        let (environment, cleanUp) = Self.auditFile()
        defer { cleanUp() }
        let (status, preview, _) = try ServerProcess.runCapturing(
            ["call", "delete_cron_workflow", "name=nightly-etl", "--output", "json"], environment: environment)
        #expect(status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(preview.utf8)) as? [String: Any])
        let token = try #require(object["confirmation_token"] as? String)
        let (done, text, note) = try ServerProcess.runCapturing(
            ["call", "delete_cron_workflow", "name=nightly-etl", "confirmation_token=\(token)"],
            environment: environment)
        #expect(done == 0, "\(text)")
        // Each use says that the change will not outlive the call, and how to keep state.
        #expect(note.contains("starts afresh for every call") && note.contains("argo-mcp simulator --port 2746"))
        #expect(!text.contains("re-created"))
    }
}
