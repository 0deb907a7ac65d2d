import Foundation

public struct ArgoVersion: Sendable, Equatable, Codable {
    public var version: String
    public var gitCommit: String?
    public var buildDate: String?
    public var platform: String?

    public init(version: String, gitCommit: String? = nil, buildDate: String? = nil, platform: String? = nil) {
        self.version = version
        self.gitCommit = gitCommit
        self.buildDate = buildDate
        self.platform = platform
    }
}

extension ArgoVersion {
    /// Major and minor of a version such as `v3.5.15` or `3.6.0-rc2`; nil for `untagged` and the like.
    public static func minor(_ version: String) -> (major: Int, minor: Int)? {
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, let major = Int(parts[0]),
            let minor = Int(parts[1].prefix { $0.isASCII && $0.isNumber })
        else { return nil }
        return (major, minor)
    }

    /// Major, minor and patch of `v4.1.2`, `3.6.6-rc1` or `v4.1.2+simulator` (a missing patch reads as 0); nil for
    /// `untagged` and the like.
    public static func triple(_ version: String) -> (Int, Int, Int)? {
        guard let (major, minor) = minor(version) else { return nil }
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 2)
        let patch = parts.count > 2 ? Int(parts[2].prefix { $0.isASCII && $0.isNumber }) ?? 0 : 0
        return (major, minor, patch)
    }

    private struct Body: Decodable {
        var version: String?
        var gitCommit: String?
        var buildDate: String?
        var platform: String?
    }

    public static func decode(from data: Data) throws -> ArgoVersion {
        let b = try JSONDecoder().decode(Body.self, from: data)
        return ArgoVersion(
            version: b.version ?? "unknown", gitCommit: b.gitCommit, buildDate: b.buildDate, platform: b.platform)
    }
}
