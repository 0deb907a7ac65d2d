import ArgoSimulator
import Domain
import Foundation
import Ports
import Testing

@Suite("Upstream example manifests")
struct ManifestTests {
    static let directory = Fixtures.root.appendingPathComponent("examples")
    static var files: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.filter { $0.hasSuffix(".yaml") }
            .sorted() ?? []
    }

    @Test("every upstream example parses, passes the simulator's lint and summarizes", arguments: files)
    func example(file: String) async throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
        let objects = try ArgoSimulator.objects(inManifest: text, source: file)
        #expect(!objects.isEmpty)
        let sim = ArgoSimulator()
        let submit = SubmitWorkflows(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo"),
            runner: MutationRunner(
                policy: Policy(), audit: NoAuditSink(),
                confirmations: Confirmations(store: InMemoryConfirmationStore(), ttlSeconds: 60)))
        for object in objects {
            let result = try await submit.lint(manifest: object.encoded(), namespace: nil)
            #expect(result.ok, "\(file): \(result.error ?? "")")
            let summary = try #require(result.summary)
            #expect(summary.kind == object["kind"]?.string)
            if summary.workflowTemplate == nil && summary.kind != "ClusterWorkflowTemplate"
                && summary.kind != "WorkflowTemplate"
            {
                #expect(summary.entrypoint != nil, "\(file)")
            }
        }
    }

    @Test("lint rejects what Argo rejects: unknown entrypoint, undefined template, undeclared parameter")
    func rejects() async throws {
        let sim = ArgoSimulator()
        let text = try String(contentsOf: Self.directory.appendingPathComponent("steps.yaml"), encoding: .utf8)
        let good = try ArgoSimulator.objects(inManifest: text)[0]
        var badEntry = good
        badEntry.set(["spec", "entrypoint"], "nope")
        var badParam = good
        badParam.set(
            ["spec", "templates"],
            .array([
                .object([
                    "name": "hello-hello-hello",
                    "container": .object(["image": "busybox", "args": .array(["{{workflow.parameters.missing}}"])]),
                ])
            ]))
        for (object, fragment) in [
            (badEntry, "template name 'nope' undefined"), (badParam, "workflow.parameters.missing"),
        ] {
            let error = await #expect(throws: ArgoError.self) {
                _ = try await sim.lint(kind: .workflow, namespace: "argo", manifest: object.encoded())
            }
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
        }
    }
}
