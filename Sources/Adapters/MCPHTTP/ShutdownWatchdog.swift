import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import Metrics
import NIOCore
import Ports
import ServiceLifecycle
import Synchronization

/// The last resort of a shutdown: a thread of its own (not one of the concurrency pool's, which a stuck shutdown may
/// hold) that ends the process with status 1 and a line on stderr once `after` has passed.
enum ShutdownWatchdog {
    static func arm(after limit: Duration) {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let thread = Thread {
            Thread.sleep(forTimeInterval: seconds)
            FileHandle.standardError.write(
                Data(
                    "argo-mcp: the shutdown did not finish within \(Int(seconds)) s of its start; exiting\n".utf8))
            exit(1)
        }
        thread.name = "argo-mcp-shutdown-watchdog"
        thread.start()
    }
}
