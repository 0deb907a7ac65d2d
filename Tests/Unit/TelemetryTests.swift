import Foundation
import Testing

@testable import ArgoMCP

@Suite("OpenTelemetry settings")
struct TelemetryTests {
    @Test("traces are off unless an OTLP endpoint or exporter is asked for, and never when disabled")
    func requested() {
        #expect(!Telemetry.requested([:]))
        #expect(Telemetry.requested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]))
        #expect(Telemetry.requested(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"]))
        #expect(Telemetry.requested(["OTEL_TRACES_EXPORTER": "OTLP"]))
        #expect(!Telemetry.requested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"]))
        #expect(!Telemetry.requested(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"]))
        #expect(!Telemetry.requested(["OTEL_EXPORTER_OTLP_ENDPOINT": "  "]))
    }

    @Test("values the exporter cannot honour are refused with the variable, not left to stop the process")
    func unsupported() throws {
        for (name, value, says) in [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "http/json, http/protobuf"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc", "http/json, http/protobuf"),
            ("OTEL_TRACES_EXPORTER", "console", "none, otlp"),
            ("OTEL_TRACES_SAMPLER", "jaeger_remote", "parentbased_always_on"),
            ("OTEL_PROPAGATORS", "tracecontext,b3", "'b3'"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5", "ratio from 0 to 1"),
        ] {
            do {
                try Telemetry.check([name: value])
                Issue.record("\(name)=\(value) was taken")
            } catch {
                #expect("\(error)".contains(name) && "\(error)".contains(says), "\(error)")
            }
        }
        try Telemetry.check([
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_PROPAGATORS": "tracecontext",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25",
        ])
    }
}
