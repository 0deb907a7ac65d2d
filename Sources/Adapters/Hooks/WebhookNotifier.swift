import AsyncHTTPClient
import Foundation
import NIOCore
import Ports

/// POSTs the payload as JSON to a URL; any answer but 2xx is a failure.
public struct WebhookNotifier: CompletionNotifier {
    public let url: URL
    public let timeout: Duration

    public init(url: URL, timeout: Duration = .seconds(10)) {
        self.url = url
        self.timeout = timeout
    }

    /// The URL without its query and credentials, which may hold secrets.
    public var target: String {
        var c = URLComponents(url: url, resolvingAgainstBaseURL: false)
        c?.query = nil
        c?.user = nil
        c?.password = nil
        return "webhook \(c?.string ?? url.host ?? "?")"
    }

    public func notify(_ payload: Data) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "argo-mcp")
        request.body = .bytes(ByteBuffer(bytes: payload))
        let seconds = Int64(timeout.components.seconds)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(seconds))
        _ = try? await response.body.collect(upTo: 64 << 10)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw HookFailed("the webhook answered HTTP \(response.status.code)")
        }
    }
}
