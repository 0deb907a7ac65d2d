// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "argo-mcp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "argo-mcp", targets: ["ArgoMCP"]),
        .executable(name: "argo-mcp-fuzz", targets: ["Fuzz"]),
        .executable(name: "argo-mcp-parser-fuzz", targets: ["ParserFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", exact: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Traces over OTLP/HTTP only: the gRPC exporter (grpc-swift) is not built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The hexagon's core: value types and protocols (Foundation only), then the use cases (Ports, plus
        // swift-crypto's pure hashing and sealing for token hashes, argument digests and sealed cursors). The allowed
        // imports of every folder are checked by `Tests/Unit/ArchitectureTests.swift` (docs/architecture.md).
        .target(name: "Ports", path: "Sources/Ports", swiftSettings: swiftSettings),
        .target(
            name: "Domain",
            dependencies: ["Ports", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Domain",
            swiftSettings: swiftSettings
        ),

        // A library, not an adapter: YAML to JSON within limits, for every place that reads YAML from outside
        // (manifests in MCPServer, the config file in Main, seed files in ArgoSimulator).
        .target(
            name: "BoundedYAML",
            // libyaml's event parser (CYaml, the C library inside Yams); see YAMLToJSON for why not Yams' own API.
            dependencies: [.product(name: "Yams", package: "Yams")],
            path: "Sources/Support/BoundedYAML",
            swiftSettings: swiftSettings
        ),

        // A library, not an adapter: Argo's wire format as the gateways read it (the fast workflow reader, the
        // workflow list's lenient decoding and its merge of live and archived rows).
        .target(
            name: "ArgoWire", dependencies: ["Ports"], path: "Sources/Support/ArgoWire", swiftSettings: swiftSettings
        ),

        // A library, not an adapter: gzip (compress-nio over zlib) and tar read within limits; no I/O. It implements
        // the domain's `ArtifactUnpacking` port.
        .target(
            name: "ArtifactArchive",
            dependencies: [
                "Ports",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Support/ArtifactArchive",
            swiftSettings: swiftSettings
        ),

        // A library for the tests and the benchmarks: an MCP client transport for Streamable HTTP.
        .target(
            name: "StreamableHTTPClient",
            dependencies: [
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Support/StreamableHTTPClient",
            swiftSettings: swiftSettings
        ),

        // Driven adapters.
        .target(
            name: "ArgoHTTP",
            dependencies: [
                "ArgoWire",
                "Ports",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/Adapters/ArgoHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Hooks",
            dependencies: [
                "Ports",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Adapters/Hooks",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ArgoSimulator",
            dependencies: [
                "ArgoWire",
                "Ports", "BoundedYAML", "ArtifactArchive",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Adapters/ArgoSimulator",
            swiftSettings: swiftSettings
        ),
        // Who calls over HTTP: static bearer tokens (hashed) or OIDC access tokens checked against the issuer's JWKS.
        .target(
            name: "Auth",
            dependencies: [
                "Ports",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Adapters/Auth",
            swiftSettings: swiftSettings
        ),
        // Confirmation tokens and the audit trail shared by replicas (store.postgres).
        .target(
            name: "PostgresStore",
            dependencies: [
                "Ports",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Adapters/PostgresStore",
            swiftSettings: swiftSettings
        ),
        // The same two in local files: the audit file and the token file beside it (one host).
        .target(
            name: "FileAudit", dependencies: ["Ports"], path: "Sources/Adapters/FileAudit", swiftSettings: swiftSettings
        ),

        // Driving adapters: the MCP server (tools, arguments, rendering, the catalog; no transport), and each
        // transport it is served over.
        .target(
            name: "MCPServer",
            dependencies: [
                "Ports", "Domain", "BoundedYAML",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/Adapters/MCPServer",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MCPHTTP",
            dependencies: [
                "Ports",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Adapters/MCPHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MCPStdio",
            dependencies: [
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Adapters/MCPStdio",
            swiftSettings: swiftSettings
        ),

        // The only composition root.
        .executableTarget(
            name: "ArgoMCP",
            dependencies: [
                "Ports", "Domain", "ArgoHTTP", "ArgoSimulator", "Auth", "FileAudit", "Hooks", "MCPServer", "MCPStdio",
                "MCPHTTP", "BoundedYAML", "PostgresStore", "ArtifactArchive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Main",
            swiftSettings: swiftSettings
        ),

        // Prints figures; not a test.
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "ArgoWire",
                "MCPServer", "MCPStdio", "ArgoSimulator", "Domain", "Ports", "StreamableHTTPClient", "PostgresStore",
                "ArgoHTTP",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks",
            swiftSettings: swiftSettings
        ),

        // Hostile calls over stdio against the built binary; a slice of it runs in the scenario tests.
        .executableTarget(
            name: "Fuzz",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Fuzz",
            swiftSettings: swiftSettings
        ),

        // libFuzzer targets for the parsers of foreign bytes (built with -sanitize=fuzzer; README "Fuzzing").
        .executableTarget(
            name: "ParserFuzz",
            dependencies: ["ArgoWire", "Ports", "Domain", "ArgoHTTP", "BoundedYAML", "ArtifactArchive"],
            path: "ParserFuzz",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "UnitTests",
            dependencies: [
                "ArgoWire",
                "Ports", "Domain", "ArgoHTTP", "ArgoSimulator", "Auth", "FileAudit", "Hooks", "MCPServer", "MCPStdio",
                "MCPHTTP", "BoundedYAML", "ParserFuzz", "ArgoMCP", "PostgresStore", "ArtifactArchive",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/Unit",
            exclude: ["__toolsnaps__"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScenarioTests",
            dependencies: [
                "MCPServer", "MCPStdio", "ArgoMCP", "Fuzz", "PostgresStore", "StreamableHTTPClient", "Ports",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/Scenario",
            swiftSettings: swiftSettings
        ),
    ]
)
