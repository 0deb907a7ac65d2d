import Foundation
import Ports

/// A completion hook that could not deliver its notification.
public struct HookFailed: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
