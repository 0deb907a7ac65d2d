import Foundation
import Ports

/// Splits an Argo stream into frames: newline-delimited `{"result":…}` JSON, or Server-Sent Events
/// (`data: {…}` lines, `:` keepalive comments, blank separators). A `{"error":…}` frame becomes an error.
///
/// A frame is at most `maxFrameBytes` long: a longer line (or a server that never sends a newline) ends the stream
/// with an error instead of growing a buffer without bound. Each feed scans only the bytes not yet scanned.
public struct StreamFrameParser<Result: Decodable & Sendable>: Sendable {
    private var pending: [UInt8] = []
    /// How far `pending` has been searched for a newline.
    private var scanned = 0
    /// Set once a frame was too long: the rest of the stream is not parsed.
    private var overflowed = false
    public let maxFrameBytes: Int
    /// The default frame limit: a workflow event carries the whole workflow, which can be tens of megabytes.
    public static var defaultMaxFrameBytes: Int { 64 << 20 }

    public init(maxFrameBytes: Int = Self.defaultMaxFrameBytes) {
        self.maxFrameBytes = max(1, maxFrameBytes)
    }

    public enum Frame: Sendable {
        case result(Result)
        case error(ArgoError)
    }

    /// Feeds bytes; returns the frames completed by them.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Frame] {
        guard !overflowed else { return [] }
        pending.append(contentsOf: bytes)
        var frames: [Frame] = []
        var start = 0
        while let newline = pending[max(start, scanned)...].firstIndex(of: 10) {
            if let frame = Self.frame(fromLine: pending[start..<newline]) { frames.append(frame) }
            start = newline + 1
        }
        pending.removeFirst(start)
        scanned = pending.count
        if pending.count > maxFrameBytes {
            overflowed = true
            pending.removeAll()
            frames.append(.error(tooLong()))
        }
        return frames
    }

    /// Whatever is left when the stream ends (a last line without a newline).
    public mutating func finish() -> [Frame] {
        defer {
            pending.removeAll()
            scanned = 0
        }
        guard !overflowed else { return [] }
        return Self.frame(fromLine: pending[...]).map { [$0] } ?? []
    }

    private func tooLong() -> ArgoError {
        ArgoError(
            .malformedResponse,
            message: "a stream frame is longer than \(maxFrameBytes) bytes without a line break; the stream was dropped")
    }

    static func frame(fromLine raw: ArraySlice<UInt8>) -> Frame? {
        var line = raw
        while let last = line.last, last == 13 || last == 32 { line.removeLast() }
        while let first = line.first, first == 32 { line.removeFirst() }
        if line.isEmpty || line.first == UInt8(ascii: ":") { return nil }
        if line.starts(with: "data:".utf8) {
            line = line.dropFirst(5)
            while let first = line.first, first == 32 { line.removeFirst() }
        } else if line.starts(with: "event:".utf8) || line.starts(with: "id:".utf8) || line.starts(with: "retry:".utf8)
        {
            return nil
        }
        return decode(Data(line))
    }

    private struct Envelope: Decodable {
        struct StreamError: Decodable {
            var grpcCode: Int?
            var httpCode: Int?
            var code: Int?
            var message: String?
            var httpStatus: String?

            enum CodingKeys: String, CodingKey {
                case grpcCode = "grpc_code"
                case httpCode = "http_code"
                case code, message
                case httpStatus = "http_status"
            }
        }
        var result: Result?
        var error: StreamError?
    }

    static func decode(_ data: Data) -> Frame {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch {
            let preview = String(decoding: data.prefix(120), as: UTF8.self)
            return .error(ArgoError(.malformedResponse, message: "stream frame is not Argo's shape: \(preview)"))
        }
        if let e = envelope.error {
            let base = ArgoError.fromServer(
                httpStatus: e.httpCode, grpcCode: e.grpcCode ?? e.code,
                message: e.message ?? e.httpStatus ?? "stream error")
            return .error(
                ArgoError(.streamBroken, message: base.message, httpStatus: base.httpStatus, grpcCode: base.grpcCode))
        }
        guard let result = envelope.result else {
            return .error(ArgoError(.malformedResponse, message: "stream frame has neither result nor error"))
        }
        return .result(result)
    }
}
