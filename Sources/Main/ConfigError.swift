/// A configuration problem: it stops the server at start-up, naming the setting and how to fix it.
struct ConfigError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
