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
        // Bounds swift-otel does not check: a zero delay spins a core, a zero batch never drains at shutdown, a
        // huge queue is allocated up front.
        let bounds: [(String, ClosedRange<Int>)] = [
            ("OTEL_BSP_SCHEDULE_DELAY", 10...3_600_000), ("OTEL_BSP_EXPORT_TIMEOUT", 100...600_000),
            ("OTEL_BSP_MAX_QUEUE_SIZE", 1...100_000), ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1...100_000),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", 100...600_000), ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", 100...600_000),
        ]
        for (name, range) in bounds {
            guard let given = value(name) else { continue }
            guard let n = Int(given), range.contains(n) else {
                throw ConfigError(
                    "\(name)=\(given.prefix(40)) is out of range; give \(range.lowerBound) to \(range.upperBound)")
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
        // swift-otel logs each OTEL_* value it reads, OTEL_EXPORTER_OTLP_HEADERS (API keys) included: its log goes
        // through a handler that drops every value from the metadata.
        configuration.diagnosticLogger = .custom(Logger(label: "otel") { _ in ValuelessLogHandler(base: logger) })
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

/// Forwards to `base` without the metadata values a library may log from its configuration (keys holding
/// `value`, `header` or `endpoint`): what happened stays, what was read does not.
struct ValuelessLogHandler: LogHandler {
    let base: Logger
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    init(base: Logger) {
        self.base = base
        self.logLevel = base.logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var kept = merged.filter { key, _ in
            let k = key.lowercased()
            return !k.contains("value") && !k.contains("header") && !k.contains("endpoint")
                && !k.contains("carrier")
        }
        // An error's text may quote what was read; its type says what went wrong.
        if let error = event.error { kept["error"] = .string("\(type(of: error))") }
        base.log(level: event.level, event.message, metadata: kept, source: event.source)
    }
}
