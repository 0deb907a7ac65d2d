import Foundation
import Ports

/// What a manifest or template would run.
public struct ManifestSummary: Sendable, Codable, Equatable {
    public var kind: String
    public var namespace: String?
    public var name: String?
    public var generateName: String?
    public var entrypoint: String?
    public var workflowTemplate: String?
    public var templates: [TemplateKindView]
    public var parameters: [TemplateParameterView]
    public var images: [String]
}

public struct LintResult: Sendable, Codable, Equatable {
    public var ok: Bool
    /// Why the manifest was rejected: Argo's message, and for a CronWorkflow the schedule checks argo-mcp makes.
    public var error: String?
    public var summary: ManifestSummary?
}

public struct SubmitResult: Sendable, Codable, Equatable {
    public var dryRun: Bool
    public var namespace: String
    /// The created workflow (absent on a dry run).
    public var name: String?
    public var phase: String?
    public var summary: ManifestSummary
    public var next: String
}

/// lint_manifest and submit_workflow.
public struct SubmitWorkflows: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }
    let runner: MutationRunner

    public init(_ context: ArgoContext, runner: MutationRunner) {
        self.context = context
        self.runner = runner
    }

    struct Manifest: Decodable {
        var kind: String?
        var metadata: ObjectMeta?
        var spec: WorkflowSpec?
        var workflowSpec: WorkflowSpec?

        enum CodingKeys: String, CodingKey { case kind, metadata, spec }
        enum CronKeys: String, CodingKey { case workflowSpec }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decodeIfPresent(String.self, forKey: .kind)
            metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata)
            spec = try? c.decodeIfPresent(WorkflowSpec.self, forKey: .spec)
            if kind == "CronWorkflow", let s = try? c.nestedContainer(keyedBy: CronKeys.self, forKey: .spec) {
                workflowSpec = try s.decodeIfPresent(WorkflowSpec.self, forKey: .workflowSpec)
            }
        }
    }

    static func summary(kind: String, namespace: String?, metadata: ObjectMeta?, spec: WorkflowSpec) -> ManifestSummary
    {
        ManifestSummary(
            kind: kind, namespace: namespace, name: metadata.flatMap { $0.name.isEmpty ? nil : $0.name },
            generateName: metadata?.generateName, entrypoint: spec.entrypoint,
            workflowTemplate: spec.workflowTemplateRef?.name,
            templates: spec.templates.prefix(50).map {
                TemplateKindView(name: $0.name, kind: $0.kind, image: $0.image)
            },
            parameters: spec.parameters.map {
                TemplateParameterView(
                    name: $0.name, value: $0.value, default: $0.default, enum: $0.enum, description: $0.description)
            },
            images: Array(Set(spec.templates.compactMap(\.image))).sorted())
    }

    static func decode(_ manifest: Data) throws -> (ArgoKind, Manifest) {
        guard let m = try? JSONDecoder().decode(Manifest.self, from: manifest) else {
            throw InvalidArguments([
                ArgumentProblem(
                    field: "manifest", message: "is not a Kubernetes object (YAML or JSON with kind, metadata and spec)"
                )
            ])
        }
        let kindName = m.kind ?? "Workflow"
        guard let kind = ArgoKind(rawValue: kindName) else {
            throw InvalidArguments([
                ArgumentProblem(
                    field: "manifest",
                    message:
                        "kind \(kindName) is not Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow")
            ])
        }
        return (kind, m)
    }

    /// Lints any of the four kinds on the server without creating it.
    public func lint(manifest: Data, namespace: String?) async throws -> LintResult {
        let (kind, m) = try Self.decode(manifest)
        let ns = kind.isClusterScoped ? nil : context.namespace(namespace ?? m.metadata?.namespace)
        let spec = (kind == .cronWorkflow ? m.workflowSpec : m.spec) ?? WorkflowSpec()
        let summary = Self.summary(kind: kind.rawValue, namespace: ns, metadata: m.metadata, spec: spec)
        // The checks create_cron_workflow and update_cron_schedule make (Argo's own lint lets a minute 61, an
        // unknown zone or a schedule that never fires through to the controller).
        let local =
            kind == .cronWorkflow
            ? DefinitionMutations.manifestScheduleProblems(manifest, now: context.now()).map {
                "\($0.field): \($0.message)"
            }
            : []
        var errors: [String] = []
        do {
            _ = try await gateway.lint(kind: kind, namespace: ns, manifest: manifest)
        } catch let error as ArgoError where error.kind == .invalidArgument {
            errors.append(error.message)
        }
        errors += local
        return LintResult(
            ok: errors.isEmpty, error: errors.isEmpty ? nil : errors.joined(separator: "; "), summary: summary)
    }

    /// Checks overrides against declared parameters and their enums.
    static func parameterProblems(_ overrides: [String: String], declared: [Parameter], source: String) -> String? {
        let byName = Dictionary(declared.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let p = byName[name] else {
                let known = declared.map(\.name).joined(separator: ", ")
                return
                    "parameter '\(name)' is not declared by \(source)\(known.isEmpty ? " (it declares none)" : "; it declares \(known)")"
            }
            if let allowed = p.enum, !allowed.isEmpty, !allowed.contains(value) {
                return "parameter '\(name)' must be one of \(allowed.joined(separator: ", ")); got '\(value)'"
            }
        }
        return nil
    }

    /// The manifest with overrides applied (entrypoint, parameters, labels, service account).
    static func apply(
        _ manifest: Data, entrypoint: String?, parameters: [String: String], labels: [String: String],
        serviceAccount: String?
    ) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: manifest) as? [String: Any] else { return manifest }
        var spec = object["spec"] as? [String: Any] ?? [:]
        if let entrypoint { spec["entrypoint"] = entrypoint }
        if let serviceAccount { spec["serviceAccountName"] = serviceAccount }
        if !parameters.isEmpty {
            var arguments = spec["arguments"] as? [String: Any] ?? [:]
            var params = arguments["parameters"] as? [[String: Any]] ?? []
            for (name, value) in parameters {
                if let i = params.firstIndex(where: { $0["name"] as? String == name }) { params[i]["value"] = value }
            }
            arguments["parameters"] = params
            spec["arguments"] = arguments
        }
        object["spec"] = spec
        if !labels.isEmpty {
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            var existing = metadata["labels"] as? [String: Any] ?? [:]
            for (k, v) in labels { existing[k] = v }
            metadata["labels"] = existing
            object["metadata"] = metadata
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    public struct Request: Sendable {
        public var manifest: Data?
        public var resourceKind: String?
        public var resourceName: String?
        public var namespace: String?
        public var parameters: [String: String]
        public var entrypoint: String?
        public var labels: [String: String]
        public var serviceAccount: String?
        public var dryRun: Bool
        public var client: String?
        public var token: String?
        public var confirmer: (any Confirmer)?

        public init(
            manifest: Data?, resourceKind: String?, resourceName: String?, namespace: String?,
            parameters: [String: String],
            entrypoint: String?, labels: [String: String], serviceAccount: String?, dryRun: Bool, client: String?
        ) {
            self.manifest = manifest
            self.resourceKind = resourceKind
            self.resourceName = resourceName
            self.namespace = namespace
            self.parameters = parameters
            self.entrypoint = entrypoint
            self.labels = labels
            self.serviceAccount = serviceAccount
            self.dryRun = dryRun
            self.client = client
        }
    }

    /// What a submission would run, for its preview: the effective entrypoint, parameters (defaults with the
    /// overrides applied), images and service account.
    /// The parameters as the submitted workflow has them: a passed value replaces the declared value or default.
    static func overriding(_ declared: [TemplateParameterView], with values: [String: String])
        -> [TemplateParameterView]
    {
        declared.map { p in
            guard let value = values[p.name] else { return p }
            var changed = p
            changed.value = value
            return changed
        }
    }

    /// `labels` are the ones the workflow gets before the caller's: the manifest's own, or the one Argo sets on a
    /// workflow made from a template or cron workflow (`NewWorkflowFromWorkflowTemplate`,
    /// `ConvertCronWorkflowToWorkflow`).
    static func runs(_ summary: ManifestSummary, _ r: Request, serviceAccount: String?, labels: [String: String] = [:])
        -> RunPreview
    {
        var parameters: [String: String] = [:]
        for p in summary.parameters { parameters[p.name] = p.value ?? p.default ?? "" }
        for (k, v) in r.parameters { parameters[k] = v }
        return RunPreview(
            source: summary.kind == "Workflow" ? "manifest" : "\(summary.kind) \(summary.name ?? "")",
            entrypoint: r.entrypoint ?? summary.entrypoint, images: summary.images,
            serviceAccount: r.serviceAccount ?? serviceAccount ?? "the namespace's default",
            parameters: parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            labels: labels.merging(r.labels) { _, given in given }.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value)"
            })
    }

    public func submit(_ r: Request) async throws -> ConfirmableAnswer<SubmitResult> {
        let sourceKind = try Self.validate(r)
        var submission = try resolve(r, sourceKind: sourceKind)

        func inspect() async throws -> Inspection {
            let (inspection, checked) = try await check(r, submission)
            submission = checked
            return inspection
        }

        if r.dryRun {
            let inspection = try await inspect()
            if let refusal = inspection.refusal { throw MutationRefused(reason: refusal, preview: nil) }
            return .result(
                SubmitResult(
                    dryRun: true, namespace: submission.namespace, name: nil, phase: nil, summary: submission.summary,
                    next: "call again without dry_run to submit"))
        }
        let call = MutationRunner.Call(
            .submitWorkflow, kind: sourceKind ?? .workflow, namespace: submission.namespace, name: submission.name,
            arguments: Self.auditArguments(r, namespace: submission.namespace, target: submission.name, sourceKind),
            confirmationToken: r.token, client: r.client, confirmer: r.confirmer)
        let outcome = try await runner.run(call, inspect: inspect) {
            try await create(r, submission)
        }
        return outcome.answer
    }

    /// A submission: what it creates, where, and what it runs (a resource's summary is filled in when it is read).
    private struct Submission {
        /// The manifest to create, with the overrides applied (nil for a run from a resource).
        var manifest: Data?
        var sourceKind: ArgoKind?
        var namespace: String
        /// The workflow's name, its generateName with `*`, or the resource it is made from.
        var name: String
        var summary: ManifestSummary
        var serviceAccount: String?
        /// The labels the workflow gets before the caller's.
        var baseLabels: [String: String]
    }

    /// Checks the request's arguments and answers the kind of resource it runs from, if any.
    private static func validate(_ r: Request) throws -> ArgoKind? {
        var problems: [ArgumentProblem] = []
        if (r.manifest == nil) == (r.resourceName == nil) {
            problems.append(
                ArgumentProblem(field: "manifest", message: "give either manifest, or resource_kind and resource_name"))
        }
        var sourceKind: ArgoKind?
        if r.resourceName != nil {
            switch r.resourceKind {
            case "WorkflowTemplate", nil: sourceKind = .workflowTemplate
            case "ClusterWorkflowTemplate": sourceKind = .clusterWorkflowTemplate
            case "CronWorkflow": sourceKind = .cronWorkflow
            case let other?:
                problems.append(
                    ArgumentProblem(
                        field: "resource_kind",
                        message: "'\(other)' is not WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow"))
            }
        }
        if let namespace = r.namespace, let p = Validation.namespace(namespace) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        return sourceKind
    }

    /// The submission a request names: from its manifest, or from the resource it runs.
    private func resolve(_ r: Request, sourceKind: ArgoKind?) throws -> Submission {
        if let original = r.manifest {
            return try manifestSubmission(original, r, sourceKind: sourceKind)
        } else if let name = r.resourceName, let kind = sourceKind {
            return resourceSubmission(name, kind: kind, r)
        } else {
            throw InvalidArguments([ArgumentProblem(field: "resource_name", message: "is required with resource_kind")])
        }
    }

    /// The submission of a Workflow manifest, with the caller's overrides applied to it.
    private func manifestSubmission(_ original: Data, _ r: Request, sourceKind: ArgoKind?) throws -> Submission {
        let (kind, m) = try Self.decode(original)
        guard kind == .workflow else {
            throw InvalidArguments([
                ArgumentProblem(
                    field: "manifest",
                    message:
                        "submit_workflow takes a Workflow; use resource_kind/resource_name to run a \(kind.rawValue)"
                )
            ])
        }
        let ns = context.namespace(r.namespace ?? m.metadata?.namespace)
        let summary = Self.summary(
            kind: "Workflow", namespace: ns, metadata: m.metadata, spec: m.spec ?? WorkflowSpec())
        let serviceAccount = m.spec?.serviceAccountName
        let baseLabels = m.metadata?.labels ?? [:]
        let targetName =
            m.metadata.flatMap { $0.name.isEmpty ? nil : $0.name } ?? (m.metadata?.generateName ?? "workflow") + "*"
        let manifest = try Self.apply(
            original, entrypoint: r.entrypoint, parameters: r.parameters, labels: r.labels,
            serviceAccount: r.serviceAccount)
        return Submission(
            manifest: manifest, sourceKind: sourceKind, namespace: ns, name: targetName, summary: summary,
            serviceAccount: serviceAccount, baseLabels: baseLabels)
    }

    /// The submission of a run from a template or cron workflow, before the resource is read.
    private func resourceSubmission(_ name: String, kind: ArgoKind, _ r: Request) -> Submission {
        let ns = context.namespace(r.namespace)
        let origin: String =
            switch kind {
            case .cronWorkflow: ArgoLabels.cronWorkflow
            case .clusterWorkflowTemplate: "workflows.argoproj.io/cluster-workflow-template"
            default: ArgoLabels.workflowTemplate
            }
        let baseLabels = [origin: name]
        let summary = ManifestSummary(
            kind: kind.rawValue, namespace: ns, name: name, generateName: nil, entrypoint: nil,
            workflowTemplate: nil, templates: [], parameters: [], images: [])
        return Submission(
            manifest: r.manifest, sourceKind: kind, namespace: ns, name: name, summary: summary,
            serviceAccount: nil, baseLabels: baseLabels)
    }

    /// The state check of a submission: its refusal and preview, and the submission as the live source fills it in.
    private func check(_ r: Request, _ submission: Submission) async throws -> (Inspection, Submission) {
        var s = submission
        var refusal: String?
        if let manifest = s.manifest {
            refusal = try await manifestRefusal(manifest, r, s)
        } else if let kind = s.sourceKind {
            let spec = try await sourceSpec(kind, namespace: s.namespace, name: s.name)
            s.summary = Self.summary(
                kind: kind.rawValue, namespace: s.namespace, metadata: ObjectMeta(name: s.name), spec: spec)
            s.serviceAccount = spec.serviceAccountName
            refusal = Self.sourceRefusal(r, kind: kind, name: s.name, spec: spec)
        }
        // What the workflow will run with: the source's parameters with the caller's values in place.
        s.summary.parameters = Self.overriding(s.summary.parameters, with: r.parameters)
        let runs = Self.runs(s.summary, r, serviceAccount: s.serviceAccount, labels: s.baseLabels)
        let preview = Self.submissionPreview(namespace: s.namespace, name: s.name, runs: runs)
        // Confirmation rules see the labels the new workflow gets: the source's and the caller's.
        let labels = s.baseLabels.merging(r.labels) { _, given in given }
        return (Inspection(uid: nil, fingerprint: "", refusal: refusal, labels: labels, preview: preview), s)
    }

    /// Why a manifest cannot be submitted: Argo's lint, then its parameter overrides.
    private func manifestRefusal(_ manifest: Data, _ r: Request, _ s: Submission) async throws -> String? {
        var refusal: String?
        do {
            _ = try await gateway.lint(kind: .workflow, namespace: s.namespace, manifest: manifest)
        } catch let error as ArgoError where error.kind == .invalidArgument {
            refusal = "Argo rejected the manifest: \(error.message)"
        }
        if refusal == nil {
            let declared = s.summary.parameters.map {
                Parameter(name: $0.name, value: $0.value, default: $0.default, enum: $0.enum)
            }
            refusal = Self.parameterProblems(r.parameters, declared: declared, source: "the manifest")
        }
        return refusal
    }

    /// The live spec of the template or cron workflow a run is made from.
    private func sourceSpec(_ kind: ArgoKind, namespace ns: String, name targetName: String) async throws
        -> WorkflowSpec
    {
        let spec: WorkflowSpec
        if kind == .cronWorkflow {
            spec = try await gateway.getCronWorkflow(namespace: ns, name: targetName).workflowSpec
        } else {
            spec = try await gateway.getWorkflowTemplate(
                namespace: ns, name: targetName, clusterScope: kind == .clusterWorkflowTemplate
            ).spec
        }
        return spec
    }

    /// Why a run from a resource cannot be submitted: an unknown entrypoint, then its parameter overrides.
    private static func sourceRefusal(_ r: Request, kind: ArgoKind, name targetName: String, spec: WorkflowSpec)
        -> String?
    {
        var refusal: String?
        if let entry = r.entrypoint, !spec.templates.isEmpty,
            !spec.templates.contains(where: { $0.name == entry })
        {
            refusal = "entrypoint '\(entry)' is not a template of \(kind.rawValue) \(targetName)"
        }
        refusal =
            refusal
            ?? Self.parameterProblems(
                r.parameters, declared: spec.parameters, source: "\(kind.rawValue) \(targetName)")
        return refusal
    }

    /// The preview of a submission: where the new workflow is created and what it runs.
    private static func submissionPreview(namespace ns: String, name targetName: String, runs: RunPreview)
        -> MutationPreview
    {
        var preview = MutationPreview(
            tool: Mutation.submitWorkflow.tool, namespace: ns, name: targetName, uid: nil, phase: "not submitted",
            startedAt: nil, activeNodes: [],
            activeNodeCount: 0, pods: [], effect: "a new workflow is created in \(ns) from the \(runs.source)",
            impact:
                "runs \(runs.entrypoint ?? "its entrypoint") as service account \(runs.serviceAccount) with images \(runs.images.isEmpty ? "(from the template)" : runs.images.joined(separator: ", "))",
            confirmationToken: nil, expiresAt: nil)
        preview.runs = runs
        return preview
    }

    /// The arguments the audit record names for a submission.
    private static func auditArguments(
        _ r: Request, namespace ns: String, target targetName: String, _ sourceKind: ArgoKind?
    ) -> [String: String] {
        // The audit record answers "who ran what, as whom" on its own.
        var args = ["namespace": ns, "target": targetName, "resource_kind": (sourceKind ?? .workflow).rawValue]
        for (k, v) in r.parameters { args["parameter.\(k)"] = v }
        for (k, v) in r.labels { args["label.\(k)"] = v }
        if let e = r.entrypoint { args["entrypoint"] = e }
        if let sa = r.serviceAccount { args["service_account"] = sa }
        if let manifest = r.manifest {
            args["manifest_sha256"] = Confirmations.hash(String(decoding: manifest, as: UTF8.self))
        }
        return args
    }

    /// Creates the workflow: from the manifest, or submitted from its template or cron workflow.
    private func create(_ r: Request, _ s: Submission) async throws -> SubmitResult {
        let ns = s.namespace
        let created: Workflow
        if let manifest = s.manifest {
            created = try await gateway.createWorkflow(namespace: ns, manifest: manifest)
        } else {
            let options = SubmitOptions(
                entryPoint: r.entrypoint,
                parameters: r.parameters.isEmpty
                    ? nil : r.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                labels: r.labels.isEmpty
                    ? nil
                    : r.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                serviceAccount: r.serviceAccount)
            created = try await gateway.submitWorkflow(
                namespace: ns, from: s.sourceKind ?? .workflowTemplate, name: s.name, options: options)
        }
        return SubmitResult(
            dryRun: false, namespace: ns, name: created.metadata.name,
            phase: created.status.phase?.rawValue ?? "Pending",
            summary: s.summary,
            next: "watch_workflow {\"namespace\": \"\(ns)\", \"name\": \"\(created.metadata.name)\"}")
    }
}
