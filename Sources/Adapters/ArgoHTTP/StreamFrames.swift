import Foundation
import Ports

/// Splits an Argo stream into frames: newline-delimited `{"result":…}` JSON, or Server-Sent Events
/// (`data: {…} ` lines, `:` keepalive comments, blank separators). A `{"error":…}` frame becomes an error.
///
/// The shapes follow Argo's stream forwarder (`argoproj/pkg` `grpc/http/forwarders.go` `NewStreamForwarder`, over
/// grpc-gateway v1.16 `runtime.ForwardResponseStream`): NDJSON frames end in `\n` and carry no keepalives; SSE
/// frames are `data: <json> \n\n` followed by the gateway's `\n` delimiter, with a `:\n` keepalive every 15 s; an
/// error is the gateway's `{"error":{"grpc_code":…,"http_code":…,"message":…,"http_status":…}}`, written without
/// a delimiter.
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
        /// Argo's own end of a watch: the Kubernetes watch under it closed, which Argo reports as an error frame
        /// with gRPC 8 and message "EOF" (`server/workflow/workflow_server.go` `WatchWorkflows`:
        /// `sutils.ToStatusError(io.EOF, codes.ResourceExhausted)`). Every watch ends this way when its
        /// Kubernetes watch times out (30–60 minutes by default); the caller resumes from the last resourceVersion,
        /// and nothing has failed.
        case end
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
            message: "a stream frame is longer than \(maxFrameBytes) bytes without a line break; the stream was dropped"
        )
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
        var result: Result?
        var error: ArgoErrorBody.StreamError?

        enum CodingKeys: String, CodingKey { case result, error }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            result = try c.decodeIfPresent(Result.self, forKey: .result)
            error = try? c.decodeIfPresent(ArgoErrorBody.StreamError.self, forKey: .error)
        }
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
            if e.isPeriodicEnd { return .end }
            let base = e.error
            // A watch resumed from a compacted version is not a broken stream: the caller relists.
            let kind: ArgoError.Kind = base.kind == .expired ? .expired : .streamBroken
            return .error(ArgoError(kind, message: base.message, httpStatus: base.httpStatus, grpcCode: base.grpcCode))
        }
        guard let result = envelope.result else {
            return .error(ArgoError(.malformedResponse, message: "stream frame has neither result nor error"))
        }
        return .result(result)
    }
}
