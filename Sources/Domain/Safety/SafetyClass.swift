/// How much a tool can change. Every tool declares one; MCP annotations and read-only filtering derive from it.
public enum SafetyClass: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads only.
    case readOnly = "read-only"
    /// Changes state in a way that can be undone or repeated safely (suspend, resume, retry, submit).
    case mutating
    /// Loses work or data (terminate, stop, delete).
    case destructive

    public static func < (a: SafetyClass, b: SafetyClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
