import MCP

/// What the connected client told at initialize (its name, whether it can show dialogs and answer sampling
/// requests) and the log level it asked for since.
actor ClientSession {
    var name: String?
    var canElicit = false
    var canSample = false
    /// It declared the MCP Apps extension with the view's MIME type (read from the raw `initialize` by
    /// ``AppsNegotiation``): it is offered the workflow view.
    var showsApps = false
    func setShowsApps(_ value: Bool) { showsApps = value }
    /// The least severe level the client wants log messages of (`logging/setLevel`); info until it says.
    var logLevel = LogLevel.info
    func setLogLevel(_ level: LogLevel) { logLevel = level }
    func logs(_ level: LogLevel) -> Bool {
        Self.order(level) >= Self.order(logLevel)
    }

    /// A level's rank, debug lowest.
    nonisolated static func order(_ level: LogLevel) -> Int {
        LogLevel.allCases.firstIndex(of: level) ?? 0
    }
    func set(_ name: String, canElicit: Bool, canSample: Bool) {
        self.name = name
        self.canElicit = canElicit
        self.canSample = canSample
    }
}
