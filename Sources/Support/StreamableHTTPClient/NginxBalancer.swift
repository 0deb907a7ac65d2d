import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// nginx in front of argo-mcp replicas, round robin, configured from a template (`deploy/nginx/argo-mcp.conf`, the
/// file the README points a team to) with `{{DIR}}`, `{{LISTEN}}` and `{{UPSTREAMS}}` filled in, listening on a free
/// loopback port. For the deployment scenarios and the benchmarks.
public final class NginxBalancer: @unchecked Sendable {
    let process = Process()
    public let directory: URL
    /// `http://127.0.0.1:PORT/mcp`.
    public let url: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The nginx binary: `ARGO_MCP_TEST_NGINX`, else Debian's.
    public static var binary: String? {
        let candidates = [ProcessInfo.processInfo.environment["ARGO_MCP_TEST_NGINX"], "/usr/sbin/nginx"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Balances over `upstreams` (`127.0.0.1:PORT` each) with the configuration `template`.
    public init(upstreams: [String], template: URL) throws {
        guard let nginx = Self.binary else {
            throw Failure(description: "nginx is not installed (scripts/test-components.sh installs it)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try Self.freePort()
        var config = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "{{DIR}}", with: directory.path)
            .replacingOccurrences(of: "{{LISTEN}}", with: "127.0.0.1:\(port)")
            .replacingOccurrences(
                of: "{{UPSTREAMS}}", with: upstreams.map { "server \($0);" }.joined(separator: "\n        "))
        // As root, nginx hands its workers to `nobody`, who may not write the temporary directories here.
        if getuid() == 0 { config = "user root;\n" + config }
        let file = directory.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", file.path, "-p", directory.path, "-g", "daemon off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = "http://127.0.0.1:\(port)/mcp"
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port) {
            guard process.isRunning, Date() < deadline else {
                let log =
                    (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
                stop()
                throw Failure(description: "nginx did not start: \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
