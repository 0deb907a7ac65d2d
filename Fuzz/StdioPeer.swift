import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server under test as a child process, spoken to in raw JSON-RPC lines (so malformed ones can be sent too).
/// Every line the server writes on stdout must be a JSON-RPC message; anything else is counted as pollution.
final class StdioPeer: @unchecked Sendable {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let condition = NSCondition()
    private var responses: [Int: [String: Any]] = [:]
    private(set) var pollution: [String] = []
    private var stderrTail: [UInt8] = []
    private var outputClosed = false

    init(binary: URL, arguments: [String], environment: [String: String]) throws {
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        try process.run()
        let out = stdoutPipe.fileHandleForReading.fileDescriptor
        let err = stderrPipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in readStdout(out) }
        Thread.detachNewThread { [self] in readStderr(err) }
    }

    var isRunning: Bool { process.isRunning }

    var stderrText: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: stderrTail, as: UTF8.self)
    }

    var pollutionCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pollution.count
    }

    /// Writes one line; false when the server is gone (EPIPE: SIGPIPE is ignored by the fuzzer).
    @discardableResult
    func send(_ line: [UInt8]) -> Bool {
        var bytes = line
        bytes.append(10)
        let fd = stdinPipe.fileHandleForWriting.fileDescriptor
        return bytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                let n = write(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    func send(_ object: [String: Any]) -> Bool {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return false }
        return send([UInt8](data))
    }

    /// The response to request `id`, or nil after `timeout` (or when the server's output ended).
    func response(_ id: Int, timeout: TimeInterval) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while responses[id] == nil && !outputClosed {
            if !condition.wait(until: deadline) { break }
        }
        return responses.removeValue(forKey: id)
    }

    func closeInput() { try? stdinPipe.fileHandleForWriting.close() }

    func stop() {
        closeInput()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private func readStdout(_ fd: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 10) {
                handle(Array(pending[start..<newline]))
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { handle(pending) }
        condition.lock()
        outputClosed = true
        condition.broadcast()
        condition.unlock()
    }

    private func handle(_ line: [UInt8]) {
        let parsed = try? JSONSerialization.jsonObject(with: Data(line))
        condition.lock()
        defer { condition.unlock() }
        // A batch request is answered with a batch: an array of JSON-RPC messages is a message too.
        if let batch = parsed as? [[String: Any]], !batch.isEmpty,
            batch.allSatisfy({ $0["jsonrpc"] as? String == "2.0" })
        {
            return
        }
        guard let object = parsed as? [String: Any], object["jsonrpc"] as? String == "2.0" else {
            pollution.append(String(decoding: line.prefix(200), as: UTF8.self))
            return
        }
        if let id = object["id"] as? Int, object["method"] == nil {
            responses[id] = object
            condition.broadcast()
        }
    }

    private func readStderr(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            condition.lock()
            stderrTail.append(contentsOf: buffer[0..<n])
            if stderrTail.count > 16_384 { stderrTail.removeFirst(stderrTail.count - 16_384) }
            condition.unlock()
        }
    }
}
