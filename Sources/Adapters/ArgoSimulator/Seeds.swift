import Foundation
import Yams

extension ArgoSimulator {
    /// Loads every `.yaml`, `.yml` and `.json` file in `directory` (one object, several `---` documents, or a
    /// `kind: List`). Returns what was loaded, as `Kind ns/name`.
    @discardableResult
    public func loadSeeds(from directory: URL) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml", "json"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var loaded: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for object in try Self.objects(inManifest: text, source: file.lastPathComponent) {
                loaded.append(try load(object))
            }
        }
        return loaded
    }

    /// Splits a YAML or JSON manifest into objects, unwrapping `kind: List`.
    public static func objects(inManifest text: String, source: String = "manifest") throws -> [JSONValue] {
        var out: [JSONValue] = []
        do {
            for document in try Yams.load_all(yaml: text) {
                let value = JSONValue(any: document)
                if value["kind"]?.string == "List"
                    || value["kind"]?.string?.hasSuffix("List") == true && value["items"] != nil
                {
                    out.append(contentsOf: value["items"]?.array ?? [])
                } else if case .object = value {
                    out.append(value)
                }
            }
        } catch {
            throw SimulatorError("\(source): not valid YAML or JSON: \(error)")
        }
        return out
    }

    /// The offline demo: a handful of workflows in two namespaces, in every phase, one of them large.
    public func loadDemoData() {
        let demos: [WorkflowGenerator] = [
            WorkflowGenerator(
                name: "nightly-etl-7x2kq", namespace: "argo", nodeCount: 40, shape: .dag, seed: 1,
                startedAt: Date(timeIntervalSinceNow: -7200)),
            WorkflowGenerator(
                name: "train-model-v3-8fj2d", namespace: "argo", nodeCount: 120, shape: .dag, failureRate: 0.03,
                seed: 2, startedAt: Date(timeIntervalSinceNow: -5400)),
            WorkflowGenerator(
                name: "ingest-events-q9z4m", namespace: "argo", nodeCount: 30, shape: .steps, runningRate: 0.2,
                seed: 3, startedAt: Date(timeIntervalSinceNow: -300)),
            WorkflowGenerator(
                name: "backfill-fanout-2k-p7w1c", namespace: "argo", nodeCount: 2000, shape: .dag,
                failureRate: 0.001, depth: 3, seed: 4, startedAt: Date(timeIntervalSinceNow: -86400)),
            WorkflowGenerator(
                name: "report-weekly-h3k8s", namespace: "data-team", nodeCount: 12, shape: .steps, seed: 5,
                startedAt: Date(timeIntervalSinceNow: -3600 * 30)),
        ]
        for demo in demos { add(generated: demo) }
    }
}
