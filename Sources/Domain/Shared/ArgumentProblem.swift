import Ports

/// One thing wrong with one argument, said so the caller can fix it.
public struct ArgumentProblem: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// Messages quote the values they refuse, and a value can be megabytes: a message is cut to this many
    /// characters when shown.
    public static let maxShownLength = 300

    public var description: String {
        let text = "\(field): \(message)"
        guard text.count > Self.maxShownLength else { return text }
        return String(text.prefix(Self.maxShownLength - 1)) + "…"
    }
}

/// Every bad argument of one call, reported together (the first `maxShown`, and how many more there are).
public struct InvalidArguments: Error, Sendable, CustomStringConvertible {
    public var problems: [ArgumentProblem]
    public init(_ problems: [ArgumentProblem]) { self.problems = problems }
    public static let maxShown = 12

    /// The problems as one line: every problem up to `maxShown`, each cut to a readable length.
    public var summary: String {
        var text = problems.prefix(Self.maxShown).map(\.description).joined(separator: "; ")
        if problems.count > Self.maxShown { text += "; and \(problems.count - Self.maxShown) more problem(s)" }
        return text
    }

    public var description: String { "invalid arguments — " + summary }
}

/// A failure the caller can act on, raised by a use case (not by Argo).
public struct ReadFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
