import AsyncHTTPClient
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry traces over OTLP/HTTP (swift-otel), configured by the standard `OTEL_*` environment variables and
/// off unless one of them asks for an exporter. Only traces: logs stay on stderr and metrics on `/metrics`.
enum Telemetry {
    /// Whether the environment asks for traces: an OTLP endpoint, or `OTEL_TRACES_EXPORTER=otlp`; never with
    /// `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
    static func requested(_ env: [String: String]) -> Bool {
        func value(_ name: String) -> String? {
            env[name].map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if value("OTEL_SDK_DISABLED") == "true" || value("OTEL_TRACES_EXPORTER") == "none" { return false }
        return value("OTEL_EXPORTER_OTLP_ENDPOINT") != nil || value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil
            || value("OTEL_TRACES_EXPORTER") == "otlp"
    }

    /// The `OTEL_*` values swift-otel cannot honour and would stop the process on (a gRPC exporter, which is not
    /// built; propagators and samplers it does not have), refused at start-up with the variable and what it takes.
    static func check(_ env: [String: String]) throws {
        func value(_ name: String) -> String? {
            env[name].map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let choices: [(String, Set<String>)] = [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", ["http/protobuf", "http/json"]),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", ["http/protobuf", "http/json"]),
            ("OTEL_TRACES_EXPORTER", ["otlp", "none"]),
            (
                "OTEL_TRACES_SAMPLER",
                [
                    "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
                    "parentbased_traceidratio",
                ]
            ),
        ]
        for (name, allowed) in choices {
            guard let given = value(name), !allowed.contains(given) else { continue }
            throw ConfigError(
                "\(name)=\(given.prefix(60)) is not supported by argo-mcp's OpenTelemetry exporter (OTLP over HTTP); give one of \(allowed.sorted().joined(separator: ", "))"
            )
        }
        if let propagators = value("OTEL_PROPAGATORS") {
            for p in propagators.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !["tracecontext", "none"].contains(p) {
                throw ConfigError(
                    "OTEL_PROPAGATORS names '\(p.prefix(40))'; argo-mcp propagates W3C trace context only: give tracecontext (or none)"
                )
            }
        }
        if let ratio = value("OTEL_TRACES_SAMPLER_ARG") {
            guard let r = Double(ratio), (0...1).contains(r) else {
                throw ConfigError("OTEL_TRACES_SAMPLER_ARG=\(ratio.prefix(40)) is not a ratio from 0 to 1")
            }
        }
    }

    /// The trace exporter, when the environment asks for one: the process's tracer is set (once), and the
    /// returned service must run for spans to leave (its graceful shutdown sends the last ones).
    static func start(version: String, logger: Logger, environment: [String: String]) throws -> (any Service)? {
        guard requested(environment) else { return nil }
        try check(environment)
        var configuration = OTel.Configuration.default
        configuration.serviceName = "argo-mcp"
        configuration.resourceAttributes["service.version"] = version
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.diagnosticLogger = .custom(logger)
        let backend: (factory: any Tracer, service: any Service)
        do {
            let made = try OTel.makeTracingBackend(configuration: configuration)
            backend = (made.factory, made.service)
        } catch {
            throw ConfigError("OpenTelemetry traces cannot start: \(error)")
        }
        // The shared HTTP client (webhooks, the OIDC issuer's keys) is made before the tracer is set, so it never
        // traces: its spans would carry full URLs, and a webhook's URL may hold a secret.
        _ = HTTPClient.shared
        InstrumentationSystem.bootstrap(backend.factory)
        var endpoint = URLComponents(
            string: environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"]
                ?? "http://localhost:4318")
        endpoint?.user = nil
        endpoint?.password = nil
        endpoint?.query = nil
        logger.info("OpenTelemetry traces on", metadata: ["endpoint": "\(endpoint?.string ?? "?")"])
        return backend.service
    }
}
