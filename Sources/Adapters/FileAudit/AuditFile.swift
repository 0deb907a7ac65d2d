import Foundation

/// The append-only JSON Lines audit file. Mutations arrive with the safety layer; until then this adapter only
/// knows where its file lives.
public struct AuditFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }
}
