import Foundation

/// `/api/v1/info`: what the Argo Server says about its deployment.
public struct ArgoInfo: Sendable, Decodable, Equatable {
    public struct Link: Sendable, Decodable, Equatable {
        public var name: String?
        public var scope: String?
        public var url: String?
    }
    public var managedNamespace: String?
    public var links: [Link]

    enum CodingKeys: String, CodingKey { case managedNamespace, links }

    public init(managedNamespace: String? = nil, links: [Link] = []) {
        self.managedNamespace = managedNamespace
        self.links = links
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        managedNamespace = c.lenient(String.self, forKey: .managedNamespace).flatMap {
            $0.isEmpty ? nil : $0
        }
        links = c.lenientList(Link.self, forKey: .links)
    }
}

/// `/api/v1/userinfo`: who the server thinks the caller is.
public struct ArgoUserInfo: Sendable, Codable, Equatable {
    public var subject: String?
    public var issuer: String?
    public var email: String?
    public var groups: [String]?
    public var serviceAccountName: String?
    public var serviceAccountNamespace: String?
}

/// How the gateway reaches Argo, for display: never a secret.
public struct ConnectionDescription: Sendable, Codable, Equatable {
    /// "Argo Server" or "built-in simulator".
    public var backend: String
    public var url: String?
    public var tls: String
    public var auth: String

    /// The backend of argo-mcp's built-in simulator.
    public static let simulatorBackend = "built-in simulator"
    /// Whether this is argo-mcp's built-in simulator (demo data), not an Argo Server.
    public var isSimulator: Bool { backend == Self.simulatorBackend }

    public init(backend: String, url: String?, tls: String, auth: String) {
        self.backend = backend
        self.url = url
        self.tls = tls
        self.auth = auth
    }
}

/// The query behind one page of the workflow archive.
public struct ArchiveListQuery: Sendable, Equatable {
    public var namespace: String?
    public var labelSelector: String?
    public var namePrefix: String?
    public var limit: Int?
    public var continueToken: String?

    public init(
        namespace: String?, labelSelector: String? = nil, namePrefix: String? = nil, limit: Int? = nil,
        continueToken: String? = nil
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.namePrefix = namePrefix
        self.limit = limit
        self.continueToken = continueToken
    }
}
