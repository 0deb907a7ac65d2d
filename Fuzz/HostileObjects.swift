import Foundation

/// Argo objects as a broken controller, a hand edit or another tool might leave them in a cluster: every read and
/// diagnostic must answer about them (with a note where they are inconsistent), never trap.
public enum HostileObjects {
    /// Names of the hostile workflows, for tool arguments.
    public static let workflowNames = [
        "hostile-chain", "hostile-cycle", "hostile-dangling", "hostile-backwards", "hostile-dates", "hostile-types",
        "hostile-resources", "hostile-empty-status", "hostile-null-status", "hostile-bare", "hostile-future",
        "hostile-unicode",
    ]
    public static let cronNames = [
        "hostile-cron-step", "hostile-cron-every", "hostile-cron-types", "hostile-cron-zone",
    ]
    public static let templateNames = ["hostile-template"]

    /// One JSON document per object (a `List` of them), with a sequential chain of `chainSteps` steps.
    public static func list(chainSteps: Int = 30_000) -> Data {
        let items = [chain(steps: chainSteps)] + small() + crons() + templates()
        let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "items": items]
        return (try? JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])) ?? Data()
    }

    /// Writes the list into `directory` as `hostile.json`.
    public static func write(to directory: URL, chainSteps: Int = 30_000) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try list(chainSteps: chainSteps).write(to: directory.appendingPathComponent("hostile.json"))
    }

    static func workflow(_ name: String, status: Any?, spec: Any = ["entrypoint": "main"]) -> [String: Any] {
        var object: [String: Any] = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": [
                "name": name, "namespace": "argo", "uid": "uid-\(name)", "creationTimestamp": "2026-11-25T00:00:00Z",
            ],
            "spec": spec,
        ]
        if let status { object["status"] = status }
        return object
    }

    static func node(
        _ id: String, _ type: String, phase: Any = "Succeeded", children: [Any] = [], started: Any? = nil,
        finished: Any? = nil, extra: [String: Any] = [:]
    ) -> [String: Any] {
        var n: [String: Any] = [
            "id": id, "name": id, "displayName": id, "type": type, "phase": phase, "children": children,
            "templateName": "work",
        ]
        if let started { n["startedAt"] = started }
        if let finished { n["finishedAt"] = finished }
        for (k, v) in extra { n[k] = v }
        return n
    }

    /// A Steps workflow whose steps run one after another: root → group → pod → group → pod … (as Argo links
    /// sequential steps), `steps` pods long. Anything that recurses per level overflows the stack on it.
    static func chain(steps: Int) -> [String: Any] {
        let name = "hostile-chain"
        var nodes: [String: Any] = [:]
        let base = 1_764_000_000.0
        func time(_ s: Double) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: base + s)) }
        let formatter = ISO8601DateFormatter()
        nodes[name] = node(
            name, "Steps", phase: "Failed", children: ["\(name)-g0"], started: time(0),
            finished: time(Double(steps) * 2))
        for i in 0..<steps {
            let group = "\(name)-g\(i)"
            let pod = "\(name)-p\(i)"
            let start = formatter.string(from: Date(timeIntervalSince1970: base + Double(i) * 2))
            let end = formatter.string(from: Date(timeIntervalSince1970: base + Double(i) * 2 + 1))
            let last = i == steps - 1
            nodes[group] = node(
                group, "StepGroup", phase: last ? "Failed" : "Succeeded", children: [pod], started: start,
                finished: end, extra: ["boundaryID": name])
            nodes[pod] = node(
                pod, "Pod", phase: last ? "Failed" : "Succeeded", children: last ? [] : ["\(name)-g\(i + 1)"],
                started: start,
                finished: end,
                extra: [
                    "boundaryID": name, "message": last ? "Error (exit code 1)" : "",
                    "resourcesDuration": ["cpu": 1, "memory": 2],
                ])
        }
        return workflow(
            name,
            status: ["phase": "Failed", "startedAt": time(0), "finishedAt": time(Double(steps) * 2), "nodes": nodes])
    }

    static func small() -> [[String: Any]] {
        let t0 = "2026-11-25T01:00:00Z"
        let t1 = "2026-11-25T01:05:00Z"
        var out: [[String: Any]] = []
        // children that form cycles (and a node that is its own child)
        out.append(
            workflow(
                "hostile-cycle",
                status: [
                    "phase": "Failed", "startedAt": t0, "finishedAt": t1,
                    "nodes": [
                        "hostile-cycle": node(
                            "hostile-cycle", "DAG", phase: "Failed", children: ["a"], started: t0, finished: t1),
                        "a": node(
                            "a", "Pod", phase: "Failed", children: ["b"], started: t0, finished: t1,
                            extra: ["boundaryID": "c"]),
                        "b": node(
                            "b", "Retry", phase: "Failed", children: ["c", "b"], started: t0, finished: t1,
                            extra: ["boundaryID": "a"]),
                        "c": node(
                            "c", "DAG", phase: "Failed", children: ["a", "hostile-cycle"], started: t0, finished: t1,
                            extra: ["boundaryID": "b"]),
                        "d": node(
                            "d", "Pod", phase: "Error", children: ["d"], started: t0, finished: t1,
                            extra: ["boundaryID": "d"]),
                    ],
                ]))
        // children and boundaries that name nodes that do not exist
        out.append(
            workflow(
                "hostile-dangling",
                status: [
                    "phase": "Running", "startedAt": t0,
                    "nodes": [
                        "hostile-dangling": node(
                            "hostile-dangling", "Steps", phase: "Running", children: ["missing-1", "x"], started: t0),
                        "x": node(
                            "x", "Pod", phase: "Failed", children: ["missing-2"], started: t0, finished: t1,
                            extra: ["boundaryID": "missing-3"]),
                    ],
                ]))
        // finished before it started
        out.append(
            workflow(
                "hostile-backwards",
                status: [
                    "phase": "Succeeded", "startedAt": t1, "finishedAt": t0,
                    "nodes": [
                        "hostile-backwards": node(
                            "hostile-backwards", "Steps", children: ["p"], started: t1, finished: t0),
                        "p": node(
                            "p", "Pod", phase: "Failed", started: t1, finished: t0,
                            extra: ["boundaryID": "hostile-backwards"]),
                    ],
                ]))
        // dates at and past the ends of RFC 3339's range, and not dates at all
        out.append(
            workflow(
                "hostile-dates",
                status: [
                    "phase": "Failed", "startedAt": "0001-01-01T00:00:00Z", "finishedAt": "9999-12-31T23:59:59Z",
                    "nodes": [
                        "hostile-dates": node(
                            "hostile-dates", "DAG", phase: "Failed", children: ["p1", "p2", "p3", "p4"],
                            started: "0001-01-01T00:00:00Z", finished: "9999-12-31T23:59:59Z"),
                        "p1": node(
                            "p1", "Pod", phase: "Failed", started: "0001-01-01T00:00:00Z",
                            finished: "9999-12-31T23:59:59.999999999Z"),
                        "p2": node(
                            "p2", "Pod", phase: "Failed", started: "10000-01-01T00:00:00Z",
                            finished: "-0001-01-01T00:00:00Z"),
                        "p3": node("p3", "Pod", phase: "Running", started: "2026-13-45T99:99:99Z", finished: ""),
                        "p4": node(
                            "p4", "Pod", phase: "Succeeded", started: "9999-12-31T23:59:59+14:00",
                            finished: "0000-01-01T00:00:00-14:00"),
                    ],
                ]))
        // numbers where strings belong, objects where lists belong
        out.append([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": [
                "name": "hostile-types", "namespace": "argo", "labels": ["a": 5, "b": ["x"]], "annotations": 7,
                "uid": 9,
            ],
            "spec": [
                "entrypoint": 5,
                "arguments": ["parameters": [["name": 5, "value": ["x": 1]], "oops", ["name": "p", "enum": "x"]]],
                "templates": "none", "suspend": "yes",
            ],
            "status": [
                "phase": 5, "message": ["a": 1], "startedAt": 12345, "finishedAt": true, "progress": false,
                "estimatedDuration": "long", "resourcesDuration": ["cpu": "lots", "memory": 1.5e300],
                "nodes": [
                    "hostile-types": [
                        "id": 1, "name": ["x"], "type": 7, "phase": 5, "children": [1, NSNull(), "n2", ["x": 1]],
                        "startedAt": 12345,
                    ],
                    "n2": [
                        "id": "n2", "name": "hostile-types.n2", "type": "Pod", "phase": "Failed", "templateName": ["x"],
                        "message": 17, "outputs": ["exitCode": ["x": 1]], "resourcesDuration": ["cpu": "lots"],
                        "startedAt": "2026-11-25T01:00:00Z", "finishedAt": 5,
                    ],
                    "n3": "not a node",
                    "n4": NSNull(),
                ] as [String: Any],
            ] as [String: Any],
        ])
        // resourcesDuration at Int64.max on every node and in the totals; 1e30 where an integer belongs
        var resourceNodes: [String: Any] = [
            "hostile-resources": node(
                "hostile-resources", "DAG", phase: "Succeeded", children: (0..<10).map { "r\($0)" }, started: t0,
                finished: t1)
        ]
        for i in 0..<10 {
            resourceNodes["r\(i)"] = node(
                "r\(i)", "Pod", started: t0, finished: t1,
                extra: [
                    "boundaryID": "hostile-resources",
                    "resourcesDuration": [
                        "cpu": Int64.max, "memory": Int64.max,
                        "nvidia.com/gpu": i == 3 ? 1e30 as Any : (Int64.max - 1) as Any,
                    ],
                ])
        }
        out.append(
            workflow(
                "hostile-resources",
                status: [
                    "phase": "Succeeded", "startedAt": t0, "finishedAt": t1, "nodes": resourceNodes,
                    "resourcesDuration": ["cpu": Int64.max, "memory": -Int64.max],
                ]))
        out.append(workflow("hostile-empty-status", status: [String: Any]()))
        out.append(workflow("hostile-null-status", status: NSNull()))
        out.append(["kind": "Workflow", "metadata": ["name": "hostile-bare", "namespace": "argo"]])
        // running, with our clock behind its start (a skewed controller), and a node whose start is in the future
        let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        out.append(
            workflow(
                "hostile-future",
                status: [
                    "phase": "Running", "startedAt": future,
                    "nodes": [
                        "hostile-future": node(
                            "hostile-future", "DAG", phase: "Running", children: ["f1", "f2"], started: future),
                        "f1": node(
                            "f1", "Pod", phase: "Running", started: future, extra: ["boundaryID": "hostile-future"]),
                        "f2": node("f2", "Pod", phase: "Pending", extra: ["boundaryID": "hostile-future"]),
                    ],
                ]))
        // a template name of 300 bytes of two-byte characters: the v2 pod name is cut inside one
        let long = String(repeating: "é", count: 150)
        out.append(
            workflow(
                "hostile-unicode",
                status: [
                    "phase": "Failed", "startedAt": t0, "finishedAt": t1,
                    "message": String(repeating: "💥\u{0}\u{7}\n", count: 500),
                    "nodes": [
                        "hostile-unicode": node(
                            "hostile-unicode", "Steps", phase: "Failed", children: ["hostile-unicode-1234567890"],
                            started: t0, finished: t1),
                        "hostile-unicode-1234567890": node(
                            "hostile-unicode-1234567890", "Pod", phase: "Failed", started: t0, finished: t1,
                            extra: [
                                "templateName": long, "boundaryID": "hostile-unicode",
                                "message": "\u{202E}reversed\u{0}",
                            ]),
                    ],
                ]))
        return out
    }

    static func crons() -> [[String: Any]] {
        func cron(_ name: String, spec: [String: Any], status: Any? = nil) -> [String: Any] {
            var object: [String: Any] = [
                "apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow",
                "metadata": ["name": name, "namespace": "argo"], "spec": spec,
            ]
            if let status { object["status"] = status }
            return object
        }
        let workflowSpec: [String: Any] = [
            "entrypoint": "main", "templates": [["name": "main", "container": ["image": "alpine"]]],
        ]
        return [
            // Argo's own cron parser (robfig/cron) accepts a step this large.
            cron(
                "hostile-cron-step",
                spec: [
                    "schedules": ["5/9223372036854775807 * * * *", "*/9223372036854775807 * * * *"],
                    "workflowSpec": workflowSpec,
                ]),
            cron(
                "hostile-cron-every", spec: ["schedule": "@every 99999999999999999999h", "workflowSpec": workflowSpec],
                status: ["lastScheduledTime": "garbage", "active": "none", "succeeded": 1e300, "failed": -1]),
            cron(
                "hostile-cron-types",
                spec: [
                    "schedules": [5, NSNull(), ["x": 1]], "suspend": "maybe", "concurrencyPolicy": 7,
                    "workflowSpec": "none",
                ]),
            cron(
                "hostile-cron-zone",
                spec: [
                    "schedule": "CRON_TZ=Mars/Olympus 0 3 * * *", "timezone": "Mars/Olympus",
                    "workflowSpec": workflowSpec,
                ]),
        ]
    }

    static func templates() -> [[String: Any]] {
        [
            [
                "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
                "metadata": ["name": "hostile-template", "namespace": "argo"],
                "spec": [
                    "entrypoint": ["x"], "templates": 5,
                    "arguments": ["parameters": [["name": "p", "enum": [1, NSNull()]]]],
                ],
            ]
        ]
    }
}
