import Foundation

/// How to reach one Argo Server, following the Argo CLI's conventions.
public struct ArgoConnection: Sendable, Equatable {
    /// Scheme, host, port and base href, e.g. `https://argo.example.com:2746/argo`.
    public var baseURL: URL
    /// Sent verbatim as the `Authorization` header (`Bearer …` or `Basic …`), as the Argo CLI does with ARGO_TOKEN.
    public var token: String?
    public var insecureSkipVerify: Bool
    /// PEM bundle of CAs to trust instead of the system roots.
    public var caFile: String?
    /// PEM client certificate and key for mutual TLS.
    public var clientCertFile: String?
    public var clientKeyFile: String?
    /// Deadline of one unary request.
    public var requestTimeoutSeconds: Int
    /// How long a log read that does not follow may stay quiet. Followed logs have no idle limit: Argo sends
    /// nothing on a quiet NDJSON stream. (A stream's response head is awaited like a unary call, at least 30 s.)
    public var streamTimeoutSeconds: Int
    /// Ask streams as Server-Sent Events (Argo's CLI does; the default) instead of newline-delimited JSON. Argo
    /// sends an SSE stream's head and then a keepalive every 15 s; an NDJSON stream sends nothing, not even its
    /// head, until its first message.
    public var preferSSE: Bool
    /// A watch quiet for this long is re-opened (after a fresh read of the workflow) rather than counted as a
    /// failure: on NDJSON, the wait for the response head; on SSE, twice this without even a keepalive means the
    /// connection is dead.
    public var watchQuietSeconds: Int
    /// How long opening a connection may take (a refused one fails at once).
    public var connectTimeoutSeconds: Int

    public init(
        baseURL: URL, token: String? = nil, insecureSkipVerify: Bool = false, caFile: String? = nil,
        clientCertFile: String? = nil, clientKeyFile: String? = nil, requestTimeoutSeconds: Int = 30,
        streamTimeoutSeconds: Int = 120, preferSSE: Bool = true, connectTimeoutSeconds: Int = 10,
        watchQuietSeconds: Int = 30
    ) {
        self.watchQuietSeconds = watchQuietSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.baseURL = baseURL
        self.token = token
        self.insecureSkipVerify = insecureSkipVerify
        self.caFile = caFile
        self.clientCertFile = clientCertFile
        self.clientKeyFile = clientKeyFile
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.streamTimeoutSeconds = streamTimeoutSeconds
        self.preferSSE = preferSSE
    }

    /// Builds the base URL from ARGO_SERVER-style input: `host:port` (scheme from `secure`) or a full URL, plus
    /// ARGO_BASE_HREF.
    public static func baseURL(server: String, secure: Bool, baseHref: String?) -> URL? {
        var text = server.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = (secure ? "https://" : "http://") + text }
        while text.hasSuffix("/") { text.removeLast() }
        if let href = baseHref?.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")), !href.isEmpty {
            text += "/" + href
        }
        guard let url = URL(string: text), url.host != nil, ["http", "https"].contains(url.scheme ?? "") else {
            return nil
        }
        return withoutCredentials(url).url
    }

    /// The URL without `user:password@` (so it can be shown in answers, errors and logs), and those credentials as
    /// a `Basic …` Authorization value when there were any.
    public static func withoutCredentials(_ url: URL) -> (url: URL, basic: String?) {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false), c.user != nil || c.password != nil
        else { return (url, nil) }
        let user = c.user ?? ""
        let password = c.password ?? ""
        c.user = nil
        c.password = nil
        let basic = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        return (c.url ?? url, basic)
    }

    /// `server` as it may be shown: any `user:password@` replaced by `***@`.
    public static func redacted(_ server: String) -> String {
        guard let at = server.range(of: "@"), let scheme = server.range(of: "://"), scheme.upperBound <= at.lowerBound
        else {
            return server.contains("@") ? "***@" + (server.split(separator: "@").last.map(String.init) ?? "") : server
        }
        return String(server[..<scheme.upperBound]) + "***@" + String(server[at.upperBound...])
    }

    /// How the connection authenticates, never the secret itself.
    public var authKind: String {
        guard let token, !token.isEmpty else { return clientCertFile != nil ? "client certificate" : "none" }
        if token.lowercased().hasPrefix("bearer ") { return "bearer token" }
        if token.lowercased().hasPrefix("basic ") { return "basic" }
        return "token (sent verbatim)"
    }

    public var tlsMode: String {
        guard baseURL.scheme == "https" else { return "plain HTTP" }
        if insecureSkipVerify { return "TLS, certificate not verified" }
        var mode = caFile == nil ? "TLS, system roots" : "TLS, CA bundle"
        if clientCertFile != nil { mode += ", client certificate" }
        return mode
    }
}
