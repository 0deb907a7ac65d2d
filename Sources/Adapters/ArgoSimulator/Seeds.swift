import BoundedYAML
import Foundation

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
            let objects: [JSONValue]
            if file.pathExtension.lowercased() == "json" {
                // JSON directly: generated seeds can be tens of megabytes.
                do {
                    objects = Self.unwrapList(try JSONValue.decode(try Data(contentsOf: file)))
                } catch {
                    throw SimulatorError("\(file.lastPathComponent): not valid JSON: \(error)")
                }
            } else {
                let text = try String(contentsOf: file, encoding: .utf8)
                objects = try Self.objects(inManifest: text, source: file.lastPathComponent)
            }
            for object in objects {
                loaded.append(try load(object))
            }
        }
        return loaded
    }

    /// Splits a YAML or JSON manifest into objects, unwrapping `kind: List`.
    public static func objects(inManifest text: String, source: String = "manifest") throws -> [JSONValue] {
        var out: [JSONValue] = []
        do {
            // Seed files are ours to choose, but read through the same bounded path as any YAML from outside;
            // generated workflows of tens of thousands of nodes need a larger budget than a manifest.
            let limits = YAMLLimits(maxBytes: 256 << 20, maxDepth: 100, maxNodes: 50_000_000, maxOutputBytes: 1 << 30)
            for document in try YAMLToJSON.documents(text, limits: limits) {
                out.append(contentsOf: unwrapList(try JSONValue.decode(document)))
            }
        } catch {
            throw SimulatorError("\(source): not valid YAML or JSON: \(error)")
        }
        return out
    }

    /// The items of a `kind: List` (or `…List` with items), else the object itself.
    static func unwrapList(_ value: JSONValue) -> [JSONValue] {
        if value["kind"]?.string == "List" || value["kind"]?.string?.hasSuffix("List") == true && value["items"] != nil
        {
            return value["items"]?.array ?? []
        }
        if case .object = value { return [value] }
        return []
    }
}
