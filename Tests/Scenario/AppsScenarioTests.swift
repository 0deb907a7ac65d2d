import Foundation
import MCP
import Testing

/// The MCP Apps extension end to end: the official Python client with and without it on both eras (what it is
/// offered, and that nothing changes for a client without it), and the workflow view itself in headless Chromium,
/// drawn from a running argo-mcp and checked against the raw layout the server computes.
@Suite("MCP Apps: the workflow view", .serialized, .timeLimit(.minutes(6)))
struct AppsScenarioTests {
    static let interop = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop")
    static let ui = "io.modelcontextprotocol/ui"
    static let view = "ui://argo-mcp/workflow"
    static let linked: Set<String> = ["get_workflow", "render_workflow_graph", "watch_workflow", "analyze_failure"]

    /// Headless Chromium: the one `.ci/run` installs (ARGO_MCP_TEST_CHROMIUM), else one on the PATH.
    static var chromium: String? {
        let candidates = [
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_CHROMIUM"], "/usr/bin/chromium-headless-shell",
            "/usr/bin/chromium",
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the browser scenario runs: Chromium and the Python venv are there, or CI requires them (then a
    /// missing one fails the run instead of skipping it).
    static var browserEnabled: Bool {
        ProcessInfo.processInfo.environment["ARGO_MCP_TEST_POSTGRES_REQUIRED"] == "1"
            || (chromium != nil && Balancer.python != nil)
    }

    static func apps(_ transport: String, _ target: String, mode: String, ui: Bool) async throws -> [String: Any] {
        let python = try #require(Balancer.python, "the MCP Python SDK venv is missing (scripts/test-components.sh)")
        let script = interop.appendingPathComponent("apps.py").path
        let run = try await ServerProcess.runToEnd(
            URL(fileURLWithPath: python), [script, transport, target, "--mode", mode] + (ui ? ["--ui"] : []),
            limit: .seconds(90))
        #expect(run.finished, "the Python client did not finish")
        #expect(run.status == 0, "the Python client failed: \(run.stderr.suffix(2000))")
        return try #require(
            try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any], "\(run.stderr.suffix(1000))")
    }

    /// A tool as listed, without the extension's link (what a client without the extension must get).
    static func unlinked(_ tool: Any?) -> NSDictionary {
        guard var object = tool as? [String: Any] else { return [:] }
        if var meta = object["_meta"] as? [String: Any] {
            meta["ui"] = nil
            meta["ui/resourceUri"] = nil
            object["_meta"] = meta
        }
        return object as NSDictionary
    }

    @Test(
        "the official Python client declaring the extension is offered the view on both eras, over stdio and HTTP; without it, the tools, resources and results are the same as before"
    )
    func officialClient() async throws {
        let server = try await HTTPServerProcess(["serve", "--simulator"], callers: [])
        for (transport, target) in [("stdio", ServerProcess.binary.path), ("http", server.url)] {
            for mode in ["auto", "legacy"] {
                let label = "\(transport) \(mode)"
                let plain = try await Self.apps(transport, target, mode: mode, ui: false)
                let apps = try await Self.apps(transport, target, mode: mode, ui: true)
                #expect(plain["protocol"] as? String == (mode == "auto" ? "2026-07-28" : "2025-11-25"), "\(label)")
                #expect(plain["extensions"] is NSNull, "\(label): \(plain["extensions"] ?? "")")
                #expect((apps["extensions"] as? [String: Any])?.keys.sorted() == [Self.ui], "\(label)")

                let plainTools = plain["tools"] as? [String: Any] ?? [:]
                let appTools = apps["tools"] as? [String: Any] ?? [:]
                let withLink = appTools.filter { _, tool in
                    let meta = (tool as? [String: Any])?["_meta"] as? [String: Any]
                    return (meta?["ui"] as? [String: Any])?["resourceUri"] as? String == Self.view
                        && meta?["ui/resourceUri"] as? String == Self.view
                }
                #expect(Set(withLink.keys) == Self.linked, "\(label): \(withLink.keys.sorted())")
                #expect(plainTools.count == appTools.count && plainTools.count >= 40, "\(label)")
                for (name, tool) in plainTools {
                    let meta = (tool as? [String: Any])?["_meta"] as? [String: Any] ?? [:]
                    #expect(meta["ui"] == nil && meta["ui/resourceUri"] == nil, "\(label): \(name) links the view")
                    #expect(Self.unlinked(tool) == Self.unlinked(appTools[name]), "\(label): \(name) differs")
                }

                let plainResources = plain["resources"] as? [String] ?? []
                let appResources = apps["resources"] as? [String] ?? []
                #expect(!plainResources.contains(Self.view) && appResources.first == Self.view, "\(label)")
                #expect(Array(appResources.dropFirst()) == plainResources, "\(label)")

                let read = apps["read"] as? [String: Any] ?? [:]
                #expect(read["mimeType"] as? String == "text/html;profile=mcp-app", "\(label)")
                #expect(read["html"] as? Bool == true && (read["size"] as? Int ?? 0) > 5_000, "\(label)")
                let csp = ((read["meta"] as? [String: Any])?["ui"] as? [String: Any])?["csp"] as? [String: Any]
                #expect(csp?["connectDomains"] as? [Any] != nil && (csp?["connectDomains"] as? [Any])?.isEmpty == true)
                #expect((csp?["resourceDomains"] as? [Any])?.isEmpty == true, "\(label): \(read)")
                // A tool's result is the same with or without the extension.
                #expect(plain["callKeys"] as? [String] == apps["callKeys"] as? [String], "\(label)")
                #expect((plain["callKeys"] as? [String] ?? []).contains("name"), "\(label)")
            }
        }
        _ = await server.stop()
    }

    /// A workflow whose node names attack a page that would write them as markup: tags, a closing script, an
    /// attribute break-out, a 300-byte non-ASCII name and bidi overrides.
    static let hostileNames = [
        #"<img src=x onerror="window.pwned=1">"#, #"</script><script>window.pwned=1</script>"#,
        #"x" onclick="window.pwned=1" y=""#, String(repeating: "ü", count: 150), "invoice\u{202E}fdp.exe\u{2066}",
    ]

    static func hostileWorkflow() throws -> Data {
        var nodes: [String: Any] = [
            "hostile-names": [
                "id": "hostile-names", "name": "hostile-names", "displayName": "hostile-names", "type": "DAG",
                "phase": "Failed", "templateName": "main", "startedAt": "2026-01-01T00:00:00Z",
                "finishedAt": "2026-01-01T00:05:00Z",
                "children": hostileNames.indices.map { "hostile-names-\($0)" },
            ]
        ]
        for (index, name) in hostileNames.enumerated() {
            nodes["hostile-names-\(index)"] = [
                "id": "hostile-names-\(index)", "name": "hostile-names.\(name)", "displayName": name, "type": "Pod",
                "phase": index == 0 ? "Failed" : "Succeeded", "templateName": "<b>t\(index)</b>",
                "startedAt": "2026-01-01T00:00:0\(index)Z", "finishedAt": "2026-01-01T00:01:0\(index)Z",
                "message": index == 0 ? #"<svg onload="window.pwned=1"></svg> failed"# : "",
                "boundaryID": "hostile-names",
            ]
        }
        let workflow: [String: Any] = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": ["name": "hostile-names", "namespace": "argo", "uid": "6f1c2f1e-0000-4000-8000-000000000001"],
            "spec": ["entrypoint": "main", "templates": [["name": "main", "dag": ["tasks": []]]]],
            "status": [
                "phase": "Failed", "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:05:00Z",
                "nodes": nodes,
            ],
        ]
        return try JSONSerialization.data(withJSONObject: workflow, options: [.sortedKeys])
    }

    /// The classes, fill colour and text every phase is drawn with (the view's palette).
    static let fills = ["Succeeded": "#d4edda", "Failed": "#f8d7da", "Running": "#d1ecf1", "Omitted": "#e2e3e5"]

    /// The laid-out boxes the server computes for a workflow (what the view must show, box for box).
    static func layout(_ client: Client, _ arguments: [String: Value]) async throws -> [String: Value] {
        var args = arguments
        args["format"] = "layout"
        args["max_nodes"] = 200
        let result = try await client.send(CallTool.request(.init(name: "render_workflow_graph", arguments: args)))
            .value
        return try #require(result.structuredContent?.objectValue, "no layout for \(arguments)")
    }

    /// The view's boxes must be the layout's: the same ids, each with its phase's class and colour, the critical
    /// path and the root causes marked where the layout marks them.
    static func expectDrawn(_ drawn: [String: Any], _ layout: [String: Value], _ label: String) {
        let boxes = drawn["boxes"] as? [[String: Any]] ?? []
        let expected = layout["boxes"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(boxes.count == expected.count && !boxes.isEmpty, "\(label): \(boxes.count) drawn, \(expected.count)")
        #expect(boxes.map { $0["id"] as? String } == expected.map { $0["id"]?.stringValue }, "\(label): box ids")
        for (box, raw) in zip(boxes, expected) {
            let classes = Set(((box["cls"] as? String) ?? "").split(separator: " ").map(String.init))
            let phase = raw["phase"]?.stringValue ?? ""
            #expect(classes.contains("phase-" + phase.lowercased()), "\(label): \(classes) for \(phase)")
            if let fill = fills[phase] { #expect(box["fill"] as? String == fill, "\(label): \(phase) fill") }
            #expect(classes.contains("critical") == (raw["critical"]?.boolValue == true), "\(label): critical")
            #expect(classes.contains("root-cause") == (raw["rootCause"]?.boolValue == true), "\(label): root cause")
            #expect(classes.contains("collapsed") == ((raw["nodes"]?.intValue ?? 1) > 1), "\(label): collapsed")
        }
        #expect(drawn["edges"] as? Int == layout["edges"]?.arrayValue?.count, "\(label): edges")
        // Nothing but what the view builds: no element or handler came from the data.
        let tags = Set((drawn["tags"] as? [String: Any] ?? [:]).keys)
        let allowed: Set<String> = [
            "html", "head", "meta", "title", "style", "body", "header", "h1", "span", "button", "div", "svg", "line",
            "g", "rect", "text", "dl", "dt", "dd", "pre", "script",
        ]
        #expect(tags.isSubset(of: allowed), "\(label): \(tags.subtracting(allowed))")
        #expect((drawn["tags"] as? [String: Any])?["script"] as? Int == 1, "\(label)")
        #expect((drawn["handlers"] as? [Any])?.isEmpty == true, "\(label): \(drawn["handlers"] ?? "")")
        #expect(drawn["pwned"] as? Bool == false, "\(label)")
        // The frame is sandboxed: an opaque origin.
        #expect(drawn["origin"] as? String == "null", "\(label)")
    }

    @Test(
        "headless Chromium draws the view from a running argo-mcp: a small, a failed, a 2,000-node and a 100,000-node workflow box for box as the server lays them out, a run updating live, hostile names as text, a manifest before submission",
        .enabled(if: AppsScenarioTests.browserEnabled, "headless Chromium or the Python venv is missing")
    )
    func browser() async throws {
        let chromium = try #require(Self.chromium, "headless Chromium is missing (scripts/test-components.sh)")
        let python = try #require(Balancer.python, "the MCP Python SDK venv is missing (scripts/test-components.sh)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-view-\(UUID().uuidString)")
        let seeds = dir.appendingPathComponent("seeds")
        try FileManager.default.createDirectory(at: seeds, withIntermediateDirectories: true)
        try Self.hostileWorkflow().write(to: seeds.appendingPathComponent("hostile.json"))
        let server = try await HTTPServerProcess(
            [
                "serve", "--simulator", "--seed", seeds.path, "--demo", "--tick-ms", "500",
                "--generate", "name=live-run,nodes=6,evolve=40",
                "--generate", "name=huge-fanout,nodes=100000,shape=dag,failures=0.0005,depth=3,seed=9",
            ], callers: [])
        let client = try await server.connectedClient(bearerToken: nil)

        let diamond = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/examples/dag-diamond.yaml"), encoding: .utf8)
        let cases: [[String: Any]] = [
            [
                "name": "small", "tool": "get_workflow",
                "arguments": ["name": "report-weekly-h3k8s", "namespace": "data-team"], "theme": "dark",
            ],
            ["name": "failed", "tool": "get_workflow", "arguments": ["name": "train-model-v3-8fj2d"], "select": true],
            ["name": "fanout-2k", "tool": "analyze_failure", "arguments": ["name": "backfill-fanout-2k-p7w1c"]],
            ["name": "huge", "tool": "get_workflow", "arguments": ["name": "huge-fanout"], "timeout": 150],
            [
                "name": "live", "tool": "watch_workflow", "arguments": ["name": "live-run", "timeout_seconds": 90],
                "until": ["phase": "Succeeded"], "timeout": 120, "afterTeardown": 4,
            ],
            ["name": "hostile", "tool": "get_workflow", "arguments": ["name": "hostile-names"], "select": true],
            [
                "name": "manifest", "tool": "render_workflow_graph",
                "arguments": ["manifest": diamond], "linger": 4,
            ],
        ]
        let plan = dir.appendingPathComponent("plan.json")
        try JSONSerialization.data(withJSONObject: cases).write(to: plan)
        let shots = Self.artifacts
        let run = try await ServerProcess.runToEnd(
            URL(fileURLWithPath: python),
            [Self.interop.appendingPathComponent("view_browser.py").path, chromium, server.url, plan.path, shots.path],
            limit: .seconds(300))
        #expect(run.finished, "the browser driver did not finish")
        #expect(run.status == 0, "the browser driver failed: \(run.stderr.suffix(3000))")
        let out = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        let seen = out["cases"] as? [String: [String: Any]] ?? [:]
        func drawn(_ name: String) -> [String: Any] { seen[name]?["report"] as? [String: Any] ?? [:] }

        // Small: every box Succeeded, drawn as the server lays it out; the host's dark theme applied.
        let small = try await Self.layout(client, ["name": "report-weekly-h3k8s", "namespace": "data-team"])
        Self.expectDrawn(drawn("small"), small, "small")
        #expect(drawn("small")["title"] as? String == "data-team/report-weekly-h3k8s")
        #expect(drawn("small")["phase"] as? String == "Succeeded" && drawn("small")["theme"] as? String == "dark")
        #expect(
            (drawn("small")["meta"] as? String)?.hasPrefix(
                "\(small["boxes"]?.arrayValue?.count ?? 0) boxes for 12 nodes") == true)

        // Failed: root causes marked; selecting one shows its details and, through the host, its logs.
        let failed = try await Self.layout(client, ["name": "train-model-v3-8fj2d"])
        Self.expectDrawn(drawn("failed"), failed, "failed")
        #expect(drawn("failed")["phase"] as? String == "Failed")
        let roots = (drawn("failed")["boxes"] as? [[String: Any]] ?? []).filter {
            ($0["cls"] as? String ?? "").contains("root-cause")
        }
        #expect(!roots.isEmpty && roots.allSatisfy { ($0["text"] as? String)?.hasPrefix("\u{26A0}") == true })
        #expect((drawn("failed")["criticalEdges"] as? Int ?? 0) > 0)
        let selected = seen["failed"]?["selected"] as? [String: Any] ?? [:]
        #expect((selected["details"] as? String)?.contains("exit code1") == true, "\(selected["details"] ?? "")")
        #expect((selected["logs"] as? String)?.contains("logs of argo/train-model-v3-8fj2d node") == true)
        // The host's call, the view's own for the layout (from the call's input, again from its result), the logs.
        let failedCalls = (seen["failed"]?["calls"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(failedCalls) == ["get_workflow", "render_workflow_graph", "get_workflow_logs"], "\(failedCalls)")
        #expect(failedCalls.last == "get_workflow_logs", "\(failedCalls)")

        // 2,000 nodes (from analyze_failure's result): fan-outs collapsed into a readable drawing.
        let fanout = try await Self.layout(client, ["name": "backfill-fanout-2k-p7w1c"])
        Self.expectDrawn(drawn("fanout-2k"), fanout, "fanout-2k")
        #expect((fanout["nodeCount"]?.intValue ?? 0) >= 2_000 && (fanout["collapsedFanOuts"]?.intValue ?? 0) > 0)

        // 100,000 nodes: laid out on the server, at most 200 boxes drawn, the cut said.
        let huge = try await Self.layout(client, ["name": "huge-fanout"])
        Self.expectDrawn(drawn("huge"), huge, "huge")
        #expect((huge["nodeCount"]?.intValue ?? 0) > 99_000 && huge["truncated"]?.boolValue == true)
        #expect((drawn("huge")["meta"] as? String)?.contains("(more not drawn)") == true)

        // Live: drawn from watch_workflow's input as the watch starts, redrawn while the run goes, until it has
        // finished (the watch itself answers only then).
        let phases = seen["live"]?["phases"] as? [String] ?? []
        #expect(phases.last == "Succeeded" && phases.count >= 2, "\(phases)")
        #expect(phases.contains("Running") || phases.contains("Pending"), "\(phases)")
        let liveCalls = (seen["live"]?["calls"] as? [[String: Any]] ?? []).filter {
            $0["name"] as? String == "render_workflow_graph"
        }
        #expect(liveCalls.count >= 2, "the view asked again while the run was active")
        // A host's ping did not stop the redraws (the phases above went on after it), and teardown stopped them.
        #expect(seen["live"]?["callsAfterTeardown"] as? Int == 0, "the view asked after teardown")

        // Hostile names: written as text, nothing injected, bidi overrides neutralised.
        let hostile = drawn("hostile")
        let texts = (hostile["boxes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined()
        let hostileLayout = try await Self.layout(client, ["name": "hostile-names"])
        Self.expectDrawn(hostile, hostileLayout, "hostile")
        #expect(texts.contains("<img src=x onerror=") && texts.contains("</script><script>"), "\(texts)")
        #expect(texts.contains("üüüü"), "the non-ASCII name is drawn (cut to the label's length)")
        #expect(!texts.contains("\u{202E}") && !texts.contains("\u{2066}") && texts.contains("invoice\u{FFFD}fdp.exe"))
        let hostileDetails = (seen["hostile"]?["selected"] as? [String: Any])?["details"] as? String ?? ""
        #expect(hostileDetails.contains(#"<svg onload="window.pwned=1"></svg> failed"#), "\(hostileDetails)")
        #expect(hostileDetails.contains("<b>t0</b>"), "\(hostileDetails)")

        // A manifest, before submission (the host's call in the default format, text): the view asks for the
        // manifest's layout, draws its DAG as Argo would run it, and never polls (nothing runs).
        let manifest = drawn("manifest")
        #expect(manifest["phase"] as? String == "Not submitted" && manifest["title"] as? String == "argo/dag-diamond-…")
        #expect((manifest["boxes"] as? [Any])?.count == 5 && manifest["edges"] as? Int == 5, "\(manifest)")
        let manifestCalls = seen["manifest"]?["calls"] as? [[String: Any]] ?? []
        #expect(manifestCalls.count == 2, "the view polled a manifest: \(manifestCalls.count) calls")
        let asked = manifestCalls.compactMap { $0["arguments"] as? [String: Any] }
        #expect(asked.contains { $0["manifest"] as? String == diamond && $0["format"] as? String == "layout" })

        // Each case: the host saw the handshake in order, answered teardown, and was told the view's size.
        for (name, result) in seen {
            let host = result["host"] as? [String: Any] ?? [:]
            let log = (host["log"] as? [[String: Any]] ?? []).map { ($0["from"] ?? $0["to"]) as? String ?? "" }
            let order = ["ui/initialize", "ui/notifications/initialized", "ui/notifications/tool-result"]
            let indices = order.map { step in log.firstIndex(of: step) ?? -1 }
            #expect(indices.allSatisfy { $0 >= 0 } && indices == indices.sorted(), "\(name): \(log.prefix(12))")
            #expect((host["sizes"] as? [Any])?.isEmpty == false, "\(name): no size-changed")
            #expect(host["pinged"] as? Bool == true, "\(name): the view did not answer the host's ping")
            #expect(FileManager.default.fileExists(atPath: shots.appendingPathComponent("\(name).png").path))
        }
        await client.disconnect()
        _ = await server.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// Where the screenshots are kept (`.build/test-artifacts/view`, or ARGO_MCP_TEST_ARTIFACTS/view).
    static var artifacts: URL {
        let root =
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? ServerProcess.binary.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("test-artifacts")
        let dir = root.appendingPathComponent("view")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
