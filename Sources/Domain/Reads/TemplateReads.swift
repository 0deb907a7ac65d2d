import Foundation
import Ports

/// Read use cases for WorkflowTemplates and ClusterWorkflowTemplates.
public struct TemplateReads: Sendable {
    let context: ArgoContext
    var gateway: any ArgoGateway { context.gateway }

    public init(_ context: ArgoContext) {
        self.context = context
    }

    static let maxTemplatesShown = 50

    func scopeName(_ clusterScope: Bool) -> String { clusterScope ? "cluster" : "namespace" }

    public func list(
        namespace: String?, allNamespaces: Bool = false, clusterScope: Bool, labelSelector: String?, limit: Int,
        continueToken: String?
    ) async throws -> TemplateList {
        var problems: [ArgumentProblem] = []
        if !clusterScope, !allNamespaces, let namespace, let p = Validation.namespace(namespace) { problems.append(p) }
        if let labelSelector, let p = Validation.labelSelector(labelSelector) { problems.append(p) }
        if let p = rangeProblem("limit", limit, 1...200) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        let ns = clusterScope || allNamespaces ? nil : (context.namespace(namespace))
        let page = try await gateway.listWorkflowTemplates(
            DefinitionListQuery(
                namespace: ns, labelSelector: labelSelector, limit: limit, continueToken: continueToken),
            clusterScope: clusterScope)
        let rows = page.items.map { t in
            TemplateRow(
                namespace: clusterScope ? nil : t.metadata.namespace, name: t.metadata.name,
                entrypoint: t.spec.entrypoint,
                templateCount: t.spec.templates.count, parameters: t.spec.parameters.map(\.name),
                createdAt: t.metadata.creationTimestamp)
        }
        return TemplateList(
            scope: scopeName(clusterScope), namespace: clusterScope ? nil : (ns ?? "*"), items: rows, count: rows.count,
            continue: page.continueToken, hasMore: page.continueToken != nil)
    }

    func fetch(namespace: String?, name: String, clusterScope: Bool) async throws -> WorkflowTemplate {
        var problems: [ArgumentProblem] = []
        if !clusterScope, let namespace, let p = Validation.namespace(namespace) { problems.append(p) }
        if let p = Validation.objectName(name) { problems.append(p) }
        if !problems.isEmpty { throw InvalidArguments(problems) }
        return try await gateway.getWorkflowTemplate(
            namespace: clusterScope ? nil : (context.namespace(namespace)), name: name, clusterScope: clusterScope)
    }

    public func get(namespace: String?, name: String, clusterScope: Bool) async throws -> TemplateDetail {
        let t = try await fetch(namespace: namespace, name: name, clusterScope: clusterScope)
        var byKind: [String: Int] = [:]
        for template in t.spec.templates { byKind[template.kind, default: 0] += 1 }
        return TemplateDetail(
            scope: scopeName(clusterScope),
            namespace: clusterScope ? nil : (t.metadata.namespace ?? context.namespace(namespace)),
            name: t.metadata.name,
            createdAt: t.metadata.creationTimestamp,
            entrypoint: t.spec.entrypoint,
            templates: t.spec.templates.prefix(Self.maxTemplatesShown).map {
                TemplateKindView(name: $0.name, kind: $0.kind, image: $0.image)
            },
            templatesByKind: byKind,
            parameters: t.spec.parameters.map {
                TemplateParameterView(
                    name: $0.name, value: $0.value, default: $0.default, enum: $0.enum, description: $0.description)
            },
            onExit: t.spec.onExit,
            serviceAccountName: t.spec.serviceAccountName,
            labels: t.metadata.labels,
            truncated: t.spec.templates.count > Self.maxTemplatesShown
        )
    }

    /// The template's `spec` as JSON text, a page at a time.
    public func spec(namespace: String?, name: String, clusterScope: Bool, continueToken: String?, maxBytes: Int)
        async throws -> JSONTextPage
    {
        if let p = rangeProblem("max_bytes", maxBytes, 256...200_000) { throw InvalidArguments([p]) }
        let t = try await fetch(namespace: namespace, name: name, clusterScope: clusterScope)
        let data = JSONSubtree.extract("spec", from: t.raw?.data ?? Data())
        return JSONTextPage.page(
            data, namespace: clusterScope ? "" : (t.metadata.namespace ?? context.namespace(namespace)),
            name: t.metadata.name,
            section: "spec", continueToken: continueToken, maxBytes: maxBytes)
    }
}

/// Picks one top-level member out of an object's JSON text.
enum JSONSubtree {
    static func extract(_ key: String, from data: Data) -> Data {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let member = object[key],
            let out = try? JSONSerialization.data(
                withJSONObject: member, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return Data("null".utf8) }
        return out
    }
}

extension JSONTextPage {
    static func page(
        _ data: Data, namespace: String, name: String, section: String, continueToken: String?, maxBytes: Int
    ) -> JSONTextPage {
        let offset = Int(continueToken ?? "0") ?? 0
        let (text, end) = Text.page(data, offset: offset, maxBytes: maxBytes)
        return JSONTextPage(
            namespace: namespace, name: name, section: section, offset: offset, totalBytes: data.count, text: text,
            continue: end < data.count ? String(end) : nil, truncated: end < data.count)
    }
}
