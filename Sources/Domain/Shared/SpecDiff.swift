import Foundation
import Ports

/// One difference between two JSON documents.
public struct SpecChange: Sendable, Codable, Equatable {
    /// Where, e.g. `spec.templates[main].container.image` (list items that have a `name` are addressed by it).
    public var path: String
    /// Compact JSON of the old value; nil when the path is new.
    public var before: String?
    /// Compact JSON of the new value; nil when the path is removed.
    public var after: String?

    public init(path: String, before: String?, after: String?) {
        self.path = path
        self.before = before
        self.after = after
    }
}

/// A structural diff of two JSON values, meant for a preview: list items with a `name` are matched by name (so an
/// inserted template is one change, not a shifted list), values are shown as compact, shortened JSON.
public enum SpecDiff {
    /// The changes (at most `limit`) and how many there are in all.
    public static func changes(from old: Data, to new: Data, at root: String, limit: Int = 30) -> (
        changes: [SpecChange], total: Int
    ) {
        let a = try? JSONSerialization.jsonObject(with: old, options: [.fragmentsAllowed])
        let b = try? JSONSerialization.jsonObject(with: new, options: [.fragmentsAllowed])
        var out: [SpecChange] = []
        var total = 0
        walk(a, b, root, &out, &total, limit)
        return (out, total)
    }

    /// The value at a dotted path of a JSON document, as JSON (nil when absent).
    public static func member(_ data: Data, _ path: [String]) -> Data? {
        if path.count == 1 {
            // Large documents (a whole workflow): take the member's bytes without parsing the rest.
            return JSONScanner.member(path[0], of: data)
        }
        guard var current = try? JSONSerialization.jsonObject(with: data) else { return nil }
        for key in path {
            guard let next = (current as? [String: Any])?[key] else { return nil }
            current = next
        }
        return try? JSONSerialization.data(
            withJSONObject: current, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
    }

    static func walk(_ a: Any?, _ b: Any?, _ path: String, _ out: inout [SpecChange], _ total: inout Int, _ limit: Int)
    {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                walk(x[key], y[key], path + "." + key, &out, &total, limit)
            }
        case (let x as [Any], let y as [Any]):
            if let xs = named(x), let ys = named(y) {
                let order = xs.map(\.0) + ys.map(\.0).filter { name in !xs.contains { $0.0 == name } }
                let left = Dictionary(xs, uniquingKeysWith: { first, _ in first })
                let right = Dictionary(ys, uniquingKeysWith: { first, _ in first })
                for name in order { walk(left[name], right[name], "\(path)[\(name)]", &out, &total, limit) }
            } else if x.count == y.count {
                for i in x.indices { walk(x[i], y[i], "\(path)[\(i)]", &out, &total, limit) }
            } else {
                record(a, b, path, &out, &total, limit)
            }
        default:
            if !equal(a, b) { record(a, b, path, &out, &total, limit) }
        }
    }

    /// `(name, item)` pairs when every item is an object with a distinct `name`.
    static func named(_ items: [Any]) -> [(String, Any)]? {
        guard !items.isEmpty else { return nil }
        var pairs: [(String, Any)] = []
        for item in items {
            guard let name = (item as? [String: Any])?["name"] as? String else { return nil }
            pairs.append((name, item))
        }
        return Set(pairs.map(\.0)).count == pairs.count ? pairs : nil
    }

    static func record(
        _ a: Any?, _ b: Any?, _ path: String, _ out: inout [SpecChange], _ total: inout Int, _ limit: Int
    ) {
        total += 1
        if out.count < limit { out.append(SpecChange(path: path, before: a.map(text), after: b.map(text))) }
    }

    static func equal(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (nil, _), (_, nil): false
        case (let a?, let b?): text(a, limit: .max) == text(b, limit: .max)
        }
    }

    static func text(_ value: Any) -> String { text(value, limit: 160) }

    static func text(_ value: Any, limit: Int) -> String {
        // `*/5` stays `*/5`, not JSON's optional `*\/5`.
        let data = try? JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        let s = data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        return s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}
