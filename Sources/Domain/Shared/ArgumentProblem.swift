import Ports

/// One thing wrong with one argument, said so the caller can fix it.
public struct ArgumentProblem: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Every bad argument of one call, reported together.
public struct InvalidArguments: Error, Sendable, CustomStringConvertible {
    public var problems: [ArgumentProblem]
    public init(_ problems: [ArgumentProblem]) { self.problems = problems }
    public var description: String {
        "invalid arguments — " + problems.map(\.description).joined(separator: "; ")
    }
}

/// A failure the caller can act on, raised by a use case (not by Argo).
public struct ReadFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
