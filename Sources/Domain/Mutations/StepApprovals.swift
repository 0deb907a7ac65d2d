import Foundation
import Ports

/// A suspend step waiting for someone, as a preview shows it: what it offers to choose and who reads the choice.
public struct SuspendedStep: Sendable, Codable, Equatable {
    public var nodeID: String
    public var name: String
    public var template: String?
    public var waitingSince: String?
    /// The output parameters the step expects someone to supply, with their choices and what will be set.
    public var outputs: [StepOutput]
    /// Steps or tasks of the workflow that read this step's outputs (with their `when`), at most 10.
    public var usedBy: [String]
}

public struct StepOutput: Sendable, Codable, Equatable {
    public var name: String
    /// The choices, from the `enum` of the step's input parameter of the same name (Argo's approval pattern).
    public var choices: [String]?
    public var `default`: String?
    public var description: String?
    /// What this call sets; nil when it leaves the parameter unset.
    public var value: String?
}

/// approve_step and set_step_outputs: Argo's `set` on a waiting suspend step.
public struct StepApprovals: Sendable {
    let context: ArgoContext
    let runner: MutationRunner
    var gateway: any ArgoGateway { context.gateway }

    public init(_ context: ArgoContext, runner: MutationRunner) {
        self.context = context
        self.runner = runner
    }

    /// The phases `set` takes (`server/workflow/workflow_server.go` `SetWorkflow`).
    public static let settablePhases = ["Succeeded", "Failed", "Error"]

    /// approve_step: the waiting step's supplied outputs are set (the given values; a default only where no choices
    /// are declared), and
    /// the step is marked Succeeded, in one `set` call, so the workflow goes on. What the UI does in two calls
    /// (`set`, then `resume` with `id=…`, `workflow-details.tsx`); Argo's resume of a selected node is itself
    /// `set` with phase Succeeded (`workflow/util/util.go` `ResumeWorkflow`).
    public func approve(
        namespace: String?, name: String, node: String?, outputs: [String: String], message: String?,
        token: String?, client: String?, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        try await run(
            .approveStep, namespace: namespace, name: name, node: node, outputs: outputs, phase: "Succeeded",
            message: message, fillDefaults: true, token: token, client: client, confirmer: confirmer)
    }

    /// set_step_outputs: Argo's `set` as it is: outputs, message and (optionally) the phase of one waiting step.
    public func setOutputs(
        namespace: String?, name: String, node: String?, outputs: [String: String], phase: String?,
        message: String?, token: String?, client: String?, confirmer: (any Confirmer)? = nil
    ) async throws -> MutationAnswer {
        var problems: [ArgumentProblem] = []
        var canonical: String?
        if let phase {
            canonical = Self.settablePhases.first { $0.lowercased() == phase.lowercased() }
            if canonical == nil {
                problems.append(
                    ArgumentProblem(
                        field: "phase",
                        message:
                            "'\(phase)' cannot be set; use one of \(Self.settablePhases.joined(separator: ", ")) (or omit it to leave the step waiting)"
                    ))
            }
        }
        if outputs.isEmpty && phase == nil && message == nil {
            problems.append(
                ArgumentProblem(field: "outputs", message: "nothing to set: give outputs, phase or message"))
        }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        return try await run(
            .setStepOutputs, namespace: namespace, name: name, node: node, outputs: outputs, phase: canonical,
            message: message, fillDefaults: false, token: token, client: client, confirmer: confirmer)
    }

    private func run(
        _ mutation: Mutation, namespace: String?, name: String, node: String?, outputs: [String: String],
        phase: String?, message: String?, fillDefaults: Bool, token: String?, client: String?,
        confirmer: (any Confirmer)?
    ) async throws -> MutationAnswer {
        var problems = Validation.target(namespace: namespace, name: name)
        for key in outputs.keys where key.isEmpty {
            problems.append(ArgumentProblem(field: "outputs", message: "an output name is empty"))
        }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = context.namespace(namespace)
        var args = ["namespace": ns, "name": name]
        if let node { args["node"] = node }
        if let phase { args["phase"] = phase }
        if let message { args["message"] = message }
        for (k, v) in outputs { args["output.\(k)"] = v }
        let call = MutationRunner.Call(
            mutation, kind: .workflow, namespace: ns, name: name, arguments: args, confirmationToken: token,
            client: client, confirmer: confirmer)
        var plan: Plan?
        var before: Workflow?
        let outcome = try await runner.run(call) {
            let wf = try await gateway.getWorkflow(namespace: ns, name: name, fields: nil)
            before = wf
            let (inspection, p) = inspect(
                mutation, wf, node: node, outputs: outputs, phase: phase, message: message,
                fillDefaults: fillDefaults)
            plan = p
            return inspection
        } perform: {
            guard let plan else { throw ReadFailure("\(mutation.tool): nothing was planned") }
            let after = try await gateway.setWorkflow(
                namespace: ns, name: name,
                update: NodeUpdate(
                    nodeFieldSelector: "id=\(plan.node.id)", phase: phase, message: message,
                    outputParameters: plan.values))
            let mutations = WorkflowMutations(context, runner: runner)
            var result = mutations.changeReport(mutation.tool, before ?? after, after)
            result.changes.removeAll { $0.hasPrefix("no visible change") }
            let label = plan.node.displayName ?? plan.node.name
            if !plan.values.isEmpty {
                result.changes.append(
                    "\(label): "
                        + plan.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                            separator: ", "))
            }
            if let phase {
                let now = after.status.nodes[plan.node.id]?.phase?.rawValue ?? phase
                result.changes.append("\(label) \(plan.node.phase?.rawValue ?? "Running") → \(now)")
            }
            if let message { result.changes.append("\(label) message: \(message)") }
            return result
        }
        return outcome.answer
    }

    struct Plan: Sendable {
        var node: NodeStatus
        var values: [String: String]
    }

    /// The node a `node` argument names: an exact id, display name or node name, preferring waiting steps.
    enum Resolution {
        case success(NodeStatus)
        case failure(String)
    }

    static func resolve(_ node: String?, in wf: Workflow) -> Resolution {
        let waiting = wf.status.nodes.values.filter(\.isActiveSuspendNode).sorted { $0.id < $1.id }
        let target = "\(wf.metadata.namespace ?? "")/\(wf.metadata.name)"
        func label(_ n: NodeStatus) -> String { "\(n.displayName ?? n.name) (id \(n.id))" }
        guard let node, !node.isEmpty else {
            switch waiting.count {
            case 0: return .failure("\(target) has no suspend step waiting; there is nothing to approve")
            case 1: return .success(waiting[0])
            default:
                return .failure(
                    "\(target) has \(waiting.count) suspend steps waiting; name one with node: "
                        + waiting.prefix(10).map(label).joined(separator: ", "))
            }
        }
        let all = wf.status.nodes.values.sorted { $0.id < $1.id }
        let matches = all.filter { $0.id == node || $0.displayName == node || $0.name == node }
        if let hit = matches.first(where: \.isActiveSuspendNode) {
            let others = matches.filter(\.isActiveSuspendNode)
            if others.count > 1 {
                return .failure(
                    "\(others.count) waiting steps are called \(node) in \(target); name one by id: "
                        + others.prefix(10).map(label).joined(separator: ", "))
            }
            return .success(hit)
        }
        if let other = matches.first {
            return .failure(
                "\(label(other)) in \(target) is a \(other.type.rawValue) node, \(other.phase?.rawValue ?? "without a phase"); only a suspend step that is waiting (Suspend, Running) can be set"
                    + (waiting.isEmpty
                        ? "" : "; waiting now: " + waiting.prefix(10).map(label).joined(separator: ", ")))
        }
        return .failure(
            "\(target) has no node \(node)"
                + (waiting.isEmpty
                    ? "" : "; waiting suspend steps: " + waiting.prefix(10).map(label).joined(separator: ", ")))
    }

    func inspect(
        _ mutation: Mutation, _ wf: Workflow, node: String?, outputs: [String: String], phase: String?,
        message: String?, fillDefaults: Bool
    ) -> (Inspection, Plan?) {
        let shaping = WorkflowShaping(now: context.now())
        let target = "\(wf.metadata.namespace ?? "")/\(wf.metadata.name)"
        var preview = MutationPreview(
            tool: mutation.tool, namespace: context.namespace(wf.metadata.namespace), name: wf.metadata.name,
            uid: wf.metadata.uid, phase: WorkflowMutations.phase(wf), startedAt: wf.status.startedAt,
            activeNodes: [], activeNodeCount: wf.status.nodes.values.filter { $0.phase?.isActive == true }.count,
            pods: [], effect: "", impact: "", confirmationToken: nil, expiresAt: nil)
        func refused(_ reason: String, fingerprint: String = "") -> (Inspection, Plan?) {
            (
                Inspection(
                    uid: wf.metadata.uid, fingerprint: fingerprint, refusal: reason, labels: wf.metadata.labels,
                    preview: preview), nil
            )
        }
        if wf.status.phase?.isCompleted == true {
            return refused("\(target) already \(WorkflowMutations.phase(wf)); its steps no longer wait")
        }
        let step: NodeStatus
        switch Self.resolve(node, in: wf) {
        case .success(let n): step = n
        case .failure(let reason): return refused(reason)
        }
        let label = step.displayName ?? step.name
        let checked = Self.checkedOutputs(of: step, in: wf, given: outputs, fillDefaults: fillDefaults)
        preview.activeNodes = [shaping.nodeRow(step, in: wf)]
        preview.step = SuspendedStep(
            nodeID: step.id, name: label, template: step.templateName ?? step.templateRef?.template,
            waitingSince: step.startedAt, outputs: checked.rows, usedBy: Self.uses(of: label, in: wf))
        preview.effect = Self.effect(of: label, values: checked.values, message: message, phase: phase, in: wf)
        preview.impact =
            "\(wf.metadata.name): suspend step \(label) (id \(step.id)) "
            + (phase.map { "→ \($0)" } ?? "gets its outputs")
        let fingerprint =
            WorkflowMutations.boundState(wf) + "; step \(step.id) \(step.phase?.rawValue ?? "")"
        guard checked.problems.isEmpty else {
            return refused(checked.problems.joined(separator: "; "), fingerprint: fingerprint)
        }
        return (
            Inspection(
                uid: wf.metadata.uid, fingerprint: fingerprint, refusal: nil, labels: wf.metadata.labels,
                preview: preview),
            Plan(node: step, values: checked.values)
        )
    }

    /// A step's supplied outputs checked against the given ones.
    private struct OutputCheck {
        /// Why the given outputs cannot be set, in the order they are found.
        var problems: [String]
        /// What the call sets, by output name.
        var values: [String: String]
        /// The outputs as the preview shows them.
        var rows: [StepOutput]
    }

    /// Checks the given outputs against those the step expects, and picks the value of each (a default only where
    /// `fillDefaults` is set and no choices are declared).
    private static func checkedOutputs(
        of step: NodeStatus, in wf: Workflow, given outputs: [String: String], fillDefaults: Bool
    ) -> OutputCheck {
        let io = wf.nodeIO(id: step.id) ?? NodeIO()
        let inputs = Dictionary(io.inputs.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let expected = io.outputs.parameters.filter(\.supplied)
        let label = step.displayName ?? step.name
        var problems: [String] = []
        for key in outputs.keys.sorted() where !expected.contains(where: { $0.name == key }) {
            problems.append(
                expected.isEmpty
                    ? "\(label) expects no supplied output, so outputs.\(key) cannot be set (Argo: \"node is not expecting output parameter\")"
                    : "\(label) does not expect an output \(key); it expects \(expected.map(\.name).joined(separator: ", "))"
            )
        }
        var values: [String: String] = [:]
        var rows: [StepOutput] = []
        for parameter in expected {
            let input = inputs[parameter.name]
            let choices = input?.enum ?? parameter.enum
            let fallback = input?.default ?? input?.value ?? parameter.default
            // A choice is never made for the caller: with choices declared, the value must be given (the default of
            // an approval is usually the refusal, and approving "NO" silently is the opposite of what was asked).
            let hasChoices = !(choices ?? []).isEmpty
            let value = outputs[parameter.name] ?? (fillDefaults && !hasChoices ? fallback : nil)
            if let value {
                if let choices, !choices.isEmpty, !choices.contains(value) {
                    problems.append(
                        "'\(value)' is not a choice for \(label)'s \(parameter.name): choose one of \(choices.joined(separator: ", "))"
                    )
                }
                values[parameter.name] = value
            } else if fillDefaults {
                problems.append(
                    hasChoices
                        ? "choose \(label)'s \(parameter.name): outputs: {\"\(parameter.name)\": one of \((choices ?? []).joined(separator: ", "))}"
                            + (fallback.map { " (its default is \($0); it is not assumed)" } ?? "")
                        : "\(label)'s output \(parameter.name) needs a value (it has no default): outputs: {\"\(parameter.name)\": …}"
                )
            }
            rows.append(
                StepOutput(
                    name: parameter.name, choices: choices, default: fallback,
                    description: input?.description ?? parameter.description, value: value))
        }
        return OutputCheck(problems: problems, values: values, rows: rows)
    }

    /// What the call does to the step and the workflow, as the preview says it.
    private static func effect(
        of label: String, values: [String: String], message: String?, phase: String?, in wf: Workflow
    ) -> String {
        let set = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        var effect: [String] = []
        if !set.isEmpty { effect.append("\(label)'s outputs are set: \(set)") }
        if let message { effect.append("its message becomes \"\(message)\"") }
        if let phase {
            effect.append(
                phase == "Succeeded"
                    ? "\(label) is marked Succeeded and the workflow goes on past it"
                    : "\(label) is marked \(phase): the workflow fails there unless the step has continueOn")
        } else {
            effect.append("\(label) keeps waiting (approve_step or resume_workflow releases it)")
        }
        if wf.spec.suspend == true {
            effect.append("the workflow itself is suspended too: it goes on only after resume_workflow")
        }
        return effect.joined(separator: "; ")
    }

    /// Steps and DAG tasks whose arguments or `when` read `steps.<step>.outputs` or `tasks.<step>.outputs`, from
    /// the workflow's own templates or the stored WorkflowTemplate spec.
    static func uses(of step: String, in wf: Workflow) -> [String] {
        guard let raw = wf.raw else { return [] }
        var sources: [Data] = []
        if let spec = JSONScanner.member("spec", of: raw.data),
            let templates = JSONScanner.member("templates", of: spec)
        {
            sources.append(templates)
        }
        if let status = JSONScanner.member("status", of: raw.data),
            let stored = JSONScanner.member("storedWorkflowTemplateSpec", of: status),
            let templates = JSONScanner.member("templates", of: stored)
        {
            sources.append(templates)
        }
        let needles = ["steps.\(step).outputs", "tasks.\(step).outputs"]
        var found: [String] = []
        for data in sources {
            guard let templates = try? JSONDecoder().decode([Lenient<TemplateUses>].self, from: data) else {
                continue
            }
            for template in templates.compactMap(\.value) {
                for call in template.calls {
                    let text = ([call.when ?? ""] + call.arguments).joined(separator: " ")
                    guard needles.contains(where: text.contains) else { continue }
                    let entry = (call.name ?? "?") + (call.when.map { " (when: \($0))" } ?? "")
                    if !found.contains(entry) { found.append(entry) }
                }
            }
        }
        return Array(found.prefix(10))
    }

    struct TemplateUses: Decodable {
        struct Call: Decodable {
            var name: String?
            var when: String?
            var arguments: [String]
            enum CodingKeys: String, CodingKey { case name, when, arguments }
            struct Arguments: Decodable { var parameters: [Lenient<Parameter>]? }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                name = try? c.decodeIfPresent(String.self, forKey: .name)
                when = try? c.decodeIfPresent(String.self, forKey: .when)
                let args = (try? c.decodeIfPresent(Arguments.self, forKey: .arguments))?.parameters ?? []
                arguments = args.compactMap { $0.value?.value }
            }
        }
        struct DAG: Decodable { var tasks: [Lenient<Call>]? }
        var calls: [Call]
        enum CodingKeys: String, CodingKey { case steps, dag }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let groups = (try? c.decodeIfPresent([[Lenient<Call>]].self, forKey: .steps)) ?? []
            let tasks = (try? c.decodeIfPresent(DAG.self, forKey: .dag))?.tasks ?? []
            calls = (groups.flatMap { $0 } + tasks).compactMap(\.value)
        }
    }
}
