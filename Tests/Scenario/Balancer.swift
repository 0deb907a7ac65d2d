import Foundation
import Testing

/// nginx in front of argo-mcp replicas, round robin, configured by `deploy/nginx/argo-mcp.conf` (the file the README
/// points a team to), listening on a free loopback port. Needs nginx: `.ci/run` installs it (scripts/
/// test-components.sh) and names it in `ARGO_MCP_TEST_NGINX`.
final class Balancer: @unchecked Sendable {
    let process = Process()
    let directory: URL
    let url: String

    static let template = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/nginx/argo-mcp.conf")

    static var nginx: String? {
        let candidates = [ProcessInfo.processInfo.environment["ARGO_MCP_TEST_NGINX"], "/usr/sbin/nginx"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The official MCP Python SDK's interpreter (the venv scripts/test-components.sh makes).
    static var python: String? {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let candidates = [
            ProcessInfo.processInfo.environment["ARGO_MCP_TEST_PYTHON"], "\(home)/.cache/argo-mcp/venv/bin/python",
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the balancer scenarios run: nginx, the Python client and PostgreSQL are there, or CI requires them
    /// (then a missing one fails the run instead of skipping it).
    static var enabled: Bool {
        let env = ProcessInfo.processInfo.environment
        if env["ARGO_MCP_TEST_POSTGRES_REQUIRED"] == "1" { return true }
        return nginx != nil && python != nil && env["ARGO_MCP_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true
    }

    /// Balances over `upstreams` (`127.0.0.1:PORT` each).
    init(upstreams: [String]) throws {
        let nginx = try #require(Self.nginx, "nginx is not installed (scripts/test-components.sh installs it)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try Self.freePort()
        var config = try String(contentsOf: Self.template, encoding: .utf8)
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
                throw BalancerError(description: "nginx did not start: \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    struct BalancerError: Error, CustomStringConvertible {
        var description: String
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BalancerError(description: "socket() failed") }
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
        guard bound else { throw BalancerError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
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
