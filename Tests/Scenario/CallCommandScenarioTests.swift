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
        #expect(lines.count == 42)
        #expect(lines.contains { $0.hasPrefix("get_workflow [read-only] name*:string") })
        #expect(lines.contains { $0.hasPrefix("delete_workflow [destructive] name*:string") })
        #expect(lines.contains { $0.hasPrefix("set_sync_limit [mutating] key*:string") })
    }

    @Test("a confirmed call across two invocations: the preview's token, then the call with it")
    func confirmation() throws {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-call-\(UUID().uuidString).jsonl")
        defer {
            for url in [audit, URL(fileURLWithPath: audit.path + ".tokens.json")] {
                try? FileManager.default.removeItem(at: url)
            }
        }
        let environment = ["ARGO_MCP_AUDIT_FILE": audit.path]
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
}
