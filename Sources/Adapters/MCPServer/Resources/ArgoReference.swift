import MCP

/// What a model needs to write a manifest, served as resources: a field reference per kind, the template types,
/// the variables, and upstream examples. The text is generated from Argo's own OpenAPI definitions, variables page
/// and examples (`ArgoReference+Generated.swift`, written and checked by `Tests/Unit/ReferenceTests.swift`), so it
/// says what Argo says, attributed, and nothing written by hand.
enum ArgoReference {
    struct Document: Sendable {
        var uri: String
        var name: String
        var title: String
        var description: String
        var mimeType: String
        var text: String
    }

    static func document(_ uri: String) -> Document? {
        documents.first { $0.uri == uri }
    }

    /// The names of the upstream examples (`argo://examples/{name}`).
    static var exampleNames: [String] {
        documents.compactMap { $0.uri.hasPrefix(examplePrefix) ? String($0.uri.dropFirst(examplePrefix.count)) : nil }
    }
    static let examplePrefix = "argo://examples/"

    /// The documents as `resources/list` entries.
    static var resources: [Resource] {
        documents.map {
            Resource(
                name: $0.name, uri: $0.uri, title: $0.title, description: $0.description, mimeType: $0.mimeType,
                size: $0.text.utf8.count)
        }
    }
}
