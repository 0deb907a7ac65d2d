import AsyncHTTPClient
import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1

/// An MCP client transport for Streamable HTTP, on async-http-client: the swift-sdk's own `HTTPClientTransport`
/// has no SSE on Linux. Used by the scenario tests and the benchmarks (a library, not part of the server). Each message is a POST; a request's answer comes back as an SSE stream (or JSON), and once
/// the session is known a GET stream carries what the server sends on its own (progress, log messages,
/// elicitation and sampling requests).
public actor StreamableHTTPClient: Transport {
    public nonisolated let logger = Logger(label: "argo-mcp-http-client") { _ in SwiftLogNoOpLogHandler() }
    public let url: String
    /// Sent as `Authorization: Bearer …` on every request, when set.
    let bearerToken: String?
    let httpClient: HTTPClient
    private var sessionID: String?
    private let incoming: AsyncThrowingStream<Data, any Swift.Error>
    private let continuation: AsyncThrowingStream<Data, any Swift.Error>.Continuation
    private var readers: [Task<Void, Never>] = []

    public init(url: String, bearerToken: String? = nil, httpClient: HTTPClient = .shared) {
        self.url = url
        self.bearerToken = bearerToken
        self.httpClient = httpClient
        (incoming, continuation) = AsyncThrowingStream.makeStream()
    }

    public func connect() async throws {}

    public func disconnect() async {
        for reader in readers { reader.cancel() }
        readers.removeAll()
        continuation.finish()
        guard let sessionID else { return }
        var request = HTTPClientRequest(url: url)
        request.method = .DELETE
        request.headers.add(name: "Mcp-Session-Id", value: sessionID)
        authorize(&request)
        // Best effort: the server may be gone already (a test that stopped it).
        _ = try? await httpClient.execute(request, timeout: .seconds(1))
        self.sessionID = nil
    }

    public func receive() -> AsyncThrowingStream<Data, any Swift.Error> { incoming }

    private func authorize(_ request: inout HTTPClientRequest) {
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
    }

    public func send(_ data: Data) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        authorize(&request)
        if let sessionID {
            request.headers.add(name: "Mcp-Session-Id", value: sessionID)
            request.headers.add(name: "MCP-Protocol-Version", value: Version.latest)
        }
        request.body = .bytes(ByteBuffer(bytes: data))
        let response = try await httpClient.execute(request, timeout: .seconds(600))
        let opensSession = sessionID == nil
        if opensSession, let id = response.headers.first(name: "Mcp-Session-Id") { sessionID = id }
        guard (200..<300).contains(Int(response.status.code)) else {
            let body = try await response.body.collect(upTo: 1 << 20)
            throw MCPError.internalError("HTTP \(response.status.code): \(String(buffer: body))")
        }
        let isStream = response.headers.first(name: "Content-Type")?.contains("text/event-stream") == true
        let continuation = self.continuation
        if isStream {
            // The answer arrives as the stream goes; the call returns as soon as the server took the message.
            readers.append(Task { await Self.readEvents(response.body, into: continuation) })
        } else if response.status.code == 200 {
            let body = try await response.body.collect(upTo: 64 << 20)
            if body.readableBytes > 0 { continuation.yield(Data(body.readableBytesView)) }
        }
        if opensSession, let sessionID { openServerStream(sessionID) }
    }

    /// The GET stream for what the server sends without being asked.
    private func openServerStream(_ sessionID: String) {
        let url = self.url
        let continuation = self.continuation
        let bearerToken = self.bearerToken
        let httpClient = self.httpClient
        readers.append(
            Task {
                var request = HTTPClientRequest(url: url)
                if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
                request.method = .GET
                request.headers.add(name: "Accept", value: "text/event-stream")
                request.headers.add(name: "Mcp-Session-Id", value: sessionID)
                request.headers.add(name: "MCP-Protocol-Version", value: Version.latest)
                guard let response = try? await httpClient.execute(request, timeout: .hours(1)),
                    response.status == .ok
                else { return }
                await Self.readEvents(response.body, into: continuation)
            })
    }

    /// Yields the `data:` of every SSE event in `body` (events without data, like the priming one, are skipped).
    static func readEvents(
        _ body: HTTPClientResponse.Body, into continuation: AsyncThrowingStream<Data, any Swift.Error>.Continuation
    ) async {
        var pending = ""
        var data: [String] = []
        do {
            for try await chunk in body {
                pending += String(buffer: chunk)
                while let newline = pending.firstIndex(of: "\n") {
                    var line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    if line.hasSuffix("\r") { line.removeLast() }
                    if line.isEmpty {
                        let event = data.joined(separator: "\n")
                        data.removeAll()
                        if !event.trimmingCharacters(in: .whitespaces).isEmpty { continuation.yield(Data(event.utf8)) }
                    } else if line.hasPrefix("data:") {
                        data.append(String(line.dropFirst(5)).trimmingPrefix(" ").description)
                    }
                }
            }
        } catch {
            // The stream ended with the session or the server; the client sees the missing answer as an error.
        }
    }
}
