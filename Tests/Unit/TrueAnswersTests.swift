import ArgoSimulator
@testable import Domain
import Foundation
import Ports
import Testing

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
        #expect(analysis.notes.contains { $0.contains("carries no phase") && $0.contains("2 failed attempt(s) were recovered") })
        // A workflow the controller has not touched yet is Pending, as before.
        #expect(WorkflowShaping.phaseName(Workflow(metadata: ObjectMeta(name: "new"))) == "Pending")
    }
}
