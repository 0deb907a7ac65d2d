import Foundation

/// What one HTTP request asks to see of the server's tools: some toolsets, some tools, or only what reads. It can
/// only narrow what the server offers, never widen it: a name the server does not offer stays unoffered.
public struct ToolNarrowing: Sendable, Hashable, CustomStringConvertible {
    /// Toolset names (`X-MCP-Toolsets`); nil: not narrowed by toolset.
    public var toolsets: [String]?
    /// Tool names (`X-MCP-Tools`); nil: not narrowed by tool. With toolsets too, a tool stays when either names it.
    public var tools: [String]?
    /// Only read-only tools (`X-MCP-Readonly: true`).
    public var readOnly: Bool

    public static let toolsetsHeader = "X-MCP-Toolsets"
    public static let toolsHeader = "X-MCP-Tools"
    public static let readOnlyHeader = "X-MCP-Readonly"

    public init(toolsets: [String]? = nil, tools: [String]? = nil, readOnly: Bool = false) {
        self.toolsets = toolsets
        self.tools = tools
        self.readOnly = readOnly
    }

    /// Nothing narrowed.
    public static let none = ToolNarrowing()

    public var isNone: Bool { toolsets == nil && tools == nil && !readOnly }

    /// Whether a tool of `toolset` named `tool` (or one of its former names) stays.
    public func admits(tool: String, aliases: [String] = [], toolset: String) -> Bool {
        guard toolsets != nil || tools != nil else { return true }
        if toolsets?.contains(toolset) == true { return true }
        guard let tools else { return false }
        return tools.contains(tool) || aliases.contains(where: tools.contains)
    }

    /// The narrowing from request headers (names are matched case-insensitively), or why a header is not
    /// understood.
    public static func parse(header: (String) -> String?) -> Result<ToolNarrowing, NarrowingError> {
        func list(_ name: String) -> [String]? {
            guard let text = header(name) else { return nil }
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty }
        }
        var narrowing = ToolNarrowing(toolsets: list(toolsetsHeader), tools: list(toolsHeader))
        if let text = header(readOnlyHeader)?.trimmingCharacters(in: .whitespaces).lowercased() {
            switch text {
            case "true", "1", "yes": narrowing.readOnly = true
            case "false", "0", "no", "": narrowing.readOnly = false
            default:
                return .failure(
                    NarrowingError("\(readOnlyHeader): '\(text.prefix(40))' is not true or false"))
            }
        }
        return .success(narrowing)
    }

    public var description: String { summary }

    /// For messages: "toolsets workflows, logs; tools get_workflow; read-only".
    public var summary: String {
        var parts: [String] = []
        if let toolsets { parts.append("toolsets \(toolsets.isEmpty ? "none" : toolsets.joined(separator: ", "))") }
        if let tools { parts.append("tools \(tools.isEmpty ? "none" : tools.joined(separator: ", "))") }
        if readOnly { parts.append("read-only") }
        return parts.isEmpty ? "everything" : parts.joined(separator: "; ")
    }
}

/// A narrowing header that names something unknown, with the nearest known name.
public struct NarrowingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
