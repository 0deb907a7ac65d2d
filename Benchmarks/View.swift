import Foundation

extension Bench {
    /// The MCP App view with a 100,000-node workflow (`--group view`; needs headless Chromium and the Python venv
    /// that scripts/test-components.sh installs): `argo-mcp serve --http` in front of `argo-mcp simulator`, the
    /// view in headless Chromium driven by Tests/Interop/view_browser.py (the browser tests' host and driver).
    /// Five times: the layout call as the host makes it (render_workflow_graph, format layout, 200 boxes: fetch,
    /// decode, collapse and lay out 100,000 nodes, over MCP), and the view's drawing of its result.
    static func view(_ figures: inout Figures, nodes: Int = 100_000) async throws {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? "/root"
        let python = [env["ARGO_MCP_TEST_PYTHON"], "\(home)/.cache/argo-mcp/venv/bin/python"].compactMap { $0 }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        let chromium = [env["ARGO_MCP_TEST_CHROMIUM"], "/usr/bin/chromium-headless-shell", "/usr/bin/chromium"]
            .compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python, let chromium else {
            throw ValidationFailure(
                "the view group needs headless Chromium and the Python venv: bash scripts/test-components.sh")
        }
        progress("view: a \(nodes)-node workflow drawn in headless Chromium, 5 times…")
        let (sim, base) = try startSimulator(["--generate", "name=wf-view,nodes=\(nodes),failures=0.002,depth=3"])
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        let server = try HTTPServe.start(environment: argoEnvironment(base), token: benchToken)
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-bench-view-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let arguments: [String: Any] = ["name": "wf-view", "format": "layout", "max_nodes": 200]
        // A first round warms the simulator's copy and argo-mcp up; the five after it are measured.
        let cases = (0...5).map { ["name": "run-\($0)", "tool": "render_workflow_graph", "arguments": arguments] }
        let plan = dir.appendingPathComponent("plan.json")
        try JSONSerialization.data(withJSONObject: cases).write(to: plan)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["Tests/Interop/view_browser.py", chromium, server.url, plan.path, dir.path]
        process.environment = env.merging(["ARGO_MCP_TOKEN": benchToken]) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let report = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let seen = report["cases"] as? [String: [String: Any]]
        else { throw ValidationFailure("the browser driver failed (run the AppsScenarioTests browser test)") }
        var calls: [Double] = []
        var draws: [Double] = []
        var boxes = 0
        for index in 1...5 {
            let run = seen["run-\(index)"] ?? [:]
            if let ms = (run["host"] as? [String: Any])?["timings"].flatMap({ ($0 as? [String: Any])?["toolMs"] })
                as? Double
            {
                calls.append(ms)
            }
            let drawn = run["report"] as? [String: Any] ?? [:]
            if let ms = drawn["drawMs"] as? Double { draws.append(ms) }
            boxes = (drawn["boxes"] as? [Any])?.count ?? boxes
        }
        func median(_ xs: [Double]) -> String {
            let sorted = xs.sorted()
            guard !sorted.isEmpty else { return "n/a" }
            let value = sorted[sorted.count / 2]
            return value < 10 ? String(format: "%.1f ms", value) : String(format: "%.0f ms", value)
        }
        figures.add(
            "the view with a \(nodes.formatted())-node workflow: the host's layout call (render_workflow_graph, format layout, \(boxes) boxes, over Streamable HTTP from the simulator), median of 5",
            median(calls))
        figures.add("… the view drawing that layout in headless Chromium, median of 5", median(draws))
    }
}
