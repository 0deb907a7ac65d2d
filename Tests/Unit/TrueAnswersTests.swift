import ArgoWire
import Foundation
import Ports
import Testing

@testable import ArgoSimulator
@testable import Domain
@testable import MCPServer

/// Answers that were wrong or read as wrong (issue 12), each checked against what the objects say.
@Suite("Every answer true")
struct TrueAnswersTests {
    static let now = Date(timeIntervalSince1970: 1_795_600_800)

    /// Upstream's retry-loop workflow (two failed attempts, both recovered) with the phase, the finish time and
    /// the phase label taken away, as an object the controller has not finished writing.
    static func phaseless() throws -> Workflow {
        var object = try Fixtures.json("succeeded-dag-retry-loop-with-failed-attempts.yaml")
        object.set(["status", "phase"], nil)
        object.set(["status", "finishedAt"], nil)
        object.set(["metadata", "labels", ArgoLabels.phase], nil)
        return try Workflow.decode(from: object.encoded())
    }

    @Test("a status without a phase stays unknown: no invented phase, no duration of years, no failure rolled up")
    func missingPhase() throws {
        let wf = try Self.phaseless()
        let shaping = WorkflowShaping(now: Self.now)
        let row = shaping.row(wf)
        #expect(row.phase == "Unknown")
        #expect(row.durationSeconds == nil)
        let summary = shaping.summary(wf)
        #expect(summary.phase == "Unknown")
        #expect(summary.duration == nil)
        #expect(summary.failedNodes.allSatisfy { $0.recovered == true }, "both failed attempts were recovered")
        let analysis = Diagnostics.analyze(wf, source: "live", maxCauses: 5, now: Self.now)
        #expect(analysis.phase == "Unknown")
        #expect(
            analysis.notes.contains {
                $0.contains("carries no phase") && $0.contains("2 failed attempt(s) were recovered")
            })
        // A workflow the controller has not touched yet is Pending, as before.
        #expect(WorkflowShaping.phaseName(Workflow(metadata: ObjectMeta(name: "new"))) == "Pending")
    }
}

extension ConfirmableAnswer {
    /// The preview, when the answer is one.
    var previewValue: MutationPreview? {
        if case .preview(let p) = self { return p }
        return nil
    }
}

extension TrueAnswersTests {
    @Test("a token is bound to what the preview showed: a suspend between preview and confirmation voids it")
    func fingerprintBindsSuspension() async throws {
        let rig = try await MutationTests.rig()
        let preview = try #require(
            try await rig.mutations.stop(
                namespace: "workflows", name: MutationTests.running, nodeFieldSelector: nil, message: nil,
                token: nil, client: nil
            ).previewValue)
        let token = try #require(preview.confirmationToken)
        // Someone suspends it: the phase is still Running, but stopping it now means something else.
        _ = try await rig.gateway.suspendWorkflow(namespace: "workflows", name: MutationTests.running)
        let refused = await #expect(throws: MutationRefused.self) {
            _ = try await rig.mutations.stop(
                namespace: "workflows", name: MutationTests.running, nodeFieldSelector: nil, message: nil,
                token: token, client: nil)
        }
        #expect(refused?.reason.contains("changed since the preview") == true)
        #expect(
            refused?.reason.contains(
                "(phase Running, not suspended, no shutdown requested then, phase Running, suspended, no shutdown requested now)"
            ) == true)
    }

    @Test("the same shutdown twice is refused while Argo carries out the first; stop, then terminate, is allowed")
    func repeatedShutdown() async throws {
        let sim = ArgoSimulator(shutdownDelay: .seconds(60))
        try await sim.load(try Fixtures.json("running-hello-world-api.json"))
        let gateway = SimulatedArgoGateway(simulator: sim)
        _ = try await gateway.stopWorkflow(
            namespace: "workflows", name: "hello-world-9tql2-run", nodeFieldSelector: nil, message: nil)
        let rig = try await MutationTests.rig()
        let mutations = WorkflowMutations(
            ArgoContext(gateway: gateway, defaultNamespace: "argo"), runner: rig.mutations.runner)
        let again = await #expect(throws: MutationRefused.self) {
            _ = try await mutations.stop(
                namespace: "workflows", name: "hello-world-9tql2-run", nodeFieldSelector: nil, message: nil,
                token: nil, client: nil)
        }
        #expect(again?.reason.contains("already being shut down (Stop was requested)") == true)
        let escalate = try await mutations.terminate(
            namespace: "workflows", name: "hello-world-9tql2-run",
            token: nil, client: nil)
        #expect(escalate.previewValue != nil, "terminate after stop is previewed, not refused")
    }
}

extension TrueAnswersTests {
    @Test("watch: attempts a retry recovered are not 'failed while watching' (the hook payload takes the same lists)")
    func watchSeparatesRecoveredAttempts() async throws {
        let sim = ArgoSimulator()
        let final = try Fixtures.json("succeeded-dag-retry-loop-with-failed-attempts.yaml")
        let namespace = final[path: "metadata.namespace"]?.string ?? "argo"
        let name = final[path: "metadata.name"]?.string ?? ""
        await sim.addEvolving(states: Evolution.states(toward: final, steps: 6), key: "\(namespace)/\(name)")
        let ticking = Task { await sim.runEvolutions(tick: .milliseconds(50)) }
        defer { ticking.cancel() }
        let watch = WatchWorkflow(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: namespace))
        let result = try await watch.watch(namespace: namespace, name: name, timeoutSeconds: 30, onUpdate: { _ in })
        #expect(result.phase == "Succeeded")
        #expect(result.failedNodes.isEmpty, "nothing stayed failed")
        #expect(result.recoveredNodes.count == 2)
        #expect(result.recoveredNodes.allSatisfy { $0.recovered == true })
    }
}

extension TrueAnswersTests {
    @Test("analyze_failure and get_workflow_metrics by uid: the live workflow first, then the archive, and which one")
    func uidLiveThenArchive() async throws {
        let (sim, diagnostics) = try await DiagnosticsTests.rig()
        let uid = "7b2f1451-9a9a-4f66-a0d9-0364f814d948"  // failed-steps-exit-handler-skipped.yaml, live
        let analysis = try await diagnostics.analyzeFailure(
            .init(target: .init(namespace: "argo", name: nil, uid: uid)))
        #expect(analysis.source == "live")
        #expect(analysis.rootCauseCount >= 1)
        let metrics = try await diagnostics.metrics(.init(namespace: "argo", name: nil, uid: uid))
        #expect(metrics.source == "live")
        // Name and uid together: the live object only if it is that incarnation.
        let named = try await diagnostics.metrics(.init(namespace: "argo", name: analysis.name, uid: uid))
        #expect(named.source == "live")
        // Once deleted it is the archive's copy, said so.
        try await sim.delete(namespace: "argo", name: analysis.name)
        let archived = try await diagnostics.analyzeFailure(
            .init(target: .init(namespace: "argo", name: nil, uid: uid)))
        #expect(archived.source == "archive")
        let nowhere = await #expect(throws: ReadFailure.self) {
            _ = try await diagnostics.metrics(.init(namespace: "argo", name: nil, uid: "no-such-uid"))
        }
        #expect(nowhere?.description.contains("no workflow has uid no-such-uid") == true)
    }
}

extension TrueAnswersTests {
    @Test("a simulated run reports the time it really took, and no node ends in the future")
    func durationsAreReal() async throws {
        let sim = ArgoSimulator()
        await sim.addEvolving(
            generated: WorkflowGenerator(name: "timed", namespace: "argo", nodeCount: 12, seed: 3), steps: 8)
        let gateway = SimulatedArgoGateway(simulator: sim)
        _ = try await gateway.getWorkflow(namespace: "argo", name: "timed", fields: nil)  // starts its clock
        let started = Date()
        for _ in 0..<12 {
            try await Task.sleep(for: .milliseconds(150))
            await sim.advanceEvolutions()
        }
        let elapsed = Date().timeIntervalSince(started)
        let wf = try await gateway.getWorkflow(namespace: "argo", name: "timed", fields: nil)
        #expect(wf.status.phase == .succeeded)
        let summary = WorkflowShaping(now: Date()).summary(wf)
        let seconds = try #require(summary.durationSeconds)
        #expect(Double(seconds) <= elapsed + 1, "not the script's compressed or stretched time")
        let finished = try #require(ArgoTime.parse(wf.status.finishedAt))
        #expect(
            wf.status.nodes.values.allSatisfy { node in
                (ArgoTime.parse(node.finishedAt) ?? .distantPast) <= finished
            })
    }
}

extension TrueAnswersTests {
    @Test("small outputs read as meant: no escaped slash in diffs, no 'unknown ago', no doubled parentheses")
    func smallOutputs() async throws {
        let diff = SpecDiff.changes(
            from: Data(#"{"schedules":["0 2 * * *"]}"#.utf8), to: Data(#"{"schedules":["*/5 * * * *"]}"#.utf8),
            at: "spec")
        #expect(diff.changes.first?.after == #""*/5 * * * *""#)

        // A workflow whose creation time is unknown.
        let rig = try await MutationTests.rig()
        var object = try Fixtures.json("succeeded-hello-world-api.json")
        object.set(["metadata", "creationTimestamp"], nil)
        object.set(["metadata", "name"], "no-birthday")
        try await rig.sim.load(object)
        let preview = try #require(
            try await rig.mutations.delete(namespace: "workflows", name: "no-birthday", token: nil, client: nil)
                .previewValue)
        #expect(preview.impact == "no-birthday (Succeeded, creation time unknown) is deleted")

        // A template's state in a delete preview, shown in parentheses by the text: one pair, not two.
        let resources = try await DefinitionMutationTests.rig()
        let templateDelete = try #require(
            try await resources.definitions.delete(
                .init(
                    kind: .workflowTemplate, namespace: nil, name: "etl-pipeline",
                    token: nil, client: "test", confirmer: nil)
            ).previewValue)
        #expect(templateDelete.phase.hasPrefix("exists at resourceVersion "))
        #expect(!Render.preview(templateDelete).contains("(exists ("))

        // How a watch ended, as a sentence.
        #expect(Render.watchEnding("already-completed") == "the workflow had already completed when the watch began")
    }

    @Test("a manifest that is no single object says where and why, not 'found 0 documents'")
    func manifestShapes() throws {
        func problem(_ text: String) -> String {
            do {
                _ = try ManifestText.json(text, limits: .init())
                return "accepted"
            } catch let invalid as InvalidArguments {
                return invalid.summary
            } catch {
                return "\(error)"
            }
        }
        // Invalid YAML: the parser's line and column.
        #expect(problem("kind: Workflow\nspec: [\n  a: b").contains("line 4, column 1:"))
        // Nothing but comments: said as such, with the fix.
        let empty = problem("# nothing here\n---\n")
        #expect(empty.contains("holds no object: the text is only comments"))
        #expect(!empty.contains("0 documents"))
        // Several documents: where each starts.
        #expect(problem("kind: A\n---\n# two\nkind: B\n").contains("holds 2 documents (starting on lines 1, 4)"))
        // A list or a string: the line and what it is.
        #expect(problem("\n- a\n- b").contains("line 2: the document is a list, not an object"))
        #expect(problem("apiVersion=v1 kind=Workflow").contains("line 1: the document is a string"))
        #expect(problem("{\"kind\": \"Workflow\"}") == "accepted")
    }
}
