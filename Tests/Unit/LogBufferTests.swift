import Ports
import Testing

@testable import Domain

/// The log tail kept within `max_bytes`: a long line is cut with its size instead of pushing the story out.
@Suite("log tail within bounds")
struct LogBufferTests {
    static func entry(_ text: String, pod: String = "job-1") -> LogEntry { LogEntry(podName: pod, content: text) }

    @Test("a 20 kB last line (a JSON result) is cut with its full size; the traceback before it stays readable")
    func longLastLine() {
        var buffer = LogBuffer(maxBytes: 8192)
        let story = ["Traceback (most recent call last):", "  File \"job.py\", line 3", "ValueError: bad row 7"]
        for line in story { buffer.append(Self.entry(line), node: "main") }
        buffer.append(Self.entry("{\"result\": \"" + String(repeating: "x", count: 20_466) + "\"}"), node: "main")
        let lines = buffer.grouped().flatMap(\.lines)
        #expect(lines.count == 4)
        #expect(Array(lines.prefix(3)) == story)
        #expect(lines.last?.hasSuffix("… [line cut: 20480 bytes in all]") == true)
        #expect(buffer.bytes <= 8192)
        #expect(buffer.dropped == 0)
        #expect(buffer.cut == 1)
    }

    @Test("a 2.5 MB line that Argo sent as 1 MiB pieces is one cut line, marked as pieces; earlier lines stay")
    func argoPieces() {
        var buffer = LogBuffer(maxBytes: 200_000)
        for line in ["starting", "loading 2.5 MB of state", "dumping it"] { buffer.append(Self.entry(line), node: nil) }
        let piece = String(repeating: "a", count: 1 << 20)
        buffer.append(Self.entry(piece), node: nil)
        buffer.append(Self.entry(piece), node: nil)
        buffer.append(Self.entry(String(repeating: "b", count: 524_288)), node: nil)
        buffer.append(Self.entry("done"), node: nil)
        let lines = buffer.grouped().flatMap(\.lines)
        #expect(lines.count == 5)
        #expect(lines[0] == "starting")
        #expect(lines[3].hasSuffix("… [line cut: 2621440 bytes in all in 3 pieces that Argo split at 1 MiB]"))
        #expect(lines[4] == "done")
        #expect(buffer.bytes <= 200_000)
    }

    @Test("short lines still roll over as before: the newest kept, the oldest dropped and counted")
    func rollover() {
        var buffer = LogBuffer(maxBytes: 100)
        for i in 0..<50 { buffer.append(Self.entry("line \(i)"), node: nil) }
        let lines = buffer.grouped().flatMap(\.lines)
        #expect(lines.last == "line 49")
        #expect(buffer.dropped == 50 - lines.count)
        #expect(buffer.bytes <= 100)
        // Cut at a character boundary: no broken UTF-8.
        #expect(LogBuffer.prefix("ééé", bytes: 5) == "éé")
    }
}
