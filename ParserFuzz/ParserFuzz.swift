import ArgoHTTP
import ArgoWire
import ArtifactArchive
import BoundedYAML
import Domain
import Foundation
import Ports

/// libFuzzer targets for the parsers that read foreign bytes. `ARGO_FUZZ_TARGET` picks one:
/// `yaml` (YAML→JSON), `workflow` (the workflow JSON reader and its fallback), `cron` (schedules), `frames` (the
/// Argo stream frame splitter), `artifact` (gzip, tar and the artifact service's pages as get_artifact reads them). Built with `-sanitize=fuzzer` (see README, "Fuzzing"); without it, the same binary
/// replays files: `argo-mcp-parser-fuzz TARGET FILE…`.
enum ParserFuzz {
    static func run(_ target: String, _ data: Data) {
        switch target {
        case "yaml":
            let text = String(decoding: data, as: UTF8.self)
            _ = try? YAMLToJSON.documents(text, limits: YAMLLimits(maxBytes: 1 << 20, maxNodes: 200_000))
        case "workflow":
            if let wf = try? Workflow.decode(from: data) {
                // Everything a read shows must survive what was decoded.
                let shaping = WorkflowShaping(now: Date(timeIntervalSince1970: 1_800_000_000))
                _ = shaping.summary(wf)
                _ = shaping.tree(wf)
            }
            _ = JSONScanner.member("spec", of: data)
        case "cron":
            let text = String(decoding: data, as: UTF8.self)
            let parts = text.split(separator: "\n", maxSplits: 1).map(String.init)
            if case .success(let schedule) = CronSchedule.parse(
                parts.first ?? "", timezone: parts.count > 1 ? parts[1] : nil)
            {
                _ = schedule.nextRuns(after: Date(timeIntervalSince1970: 1_800_000_000), count: 3)
            }
        case "artifact":
            // What an artifact service may answer: gzip, tar, both, a directory page, text or binary, cut anywhere.
            let bytes = ArtifactBytes(
                data: data, complete: data.count % 2 == 0, contentType: nil, fileName: nil, route: "/fuzz")
            let file = data.count % 3 == 0 ? "a.txt" : nil
            _ = try? ArtifactReads.content(
                of: bytes, limit: 1 + data.count % 8192, file: file, unpacker: ArchiveUnpacker())
        case "frames":
            var parser = StreamFrameParser<WorkflowEvent>(maxFrameBytes: 1 << 16)
            let bytes = [UInt8](data)
            let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % max(1, bytes.count)
            _ = parser.feed(bytes[..<cut])
            _ = parser.feed(bytes[cut...])
            _ = parser.finish()
        default:
            break
        }
    }

    static var target: String { ProcessInfo.processInfo.environment["ARGO_FUZZ_TARGET"] ?? "yaml" }
}

#if FUZZING
    /// libFuzzer's driver (LLVM ≥ 11). SwiftPM names an executable's entry point after its module and points `main`
    /// at it, so libFuzzer's own `main` is not used: ours hands control to the driver.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        let data = start.map { Data(bytes: $0, count: count) } ?? Data()
        ParserFuzz.run(ParserFuzz.target, data)
        return 0
    }

    @main
    struct ParserFuzzDriver {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            let status = LLVMFuzzerRunDriver(&argc, &argv) { start, count in fuzzOne(start, count) }
            exit(status)
        }
    }
#else
    @main
    struct ParserFuzzReplay {
        static func main() throws {
            let args = Array(CommandLine.arguments.dropFirst())
            guard let target = args.first, args.count > 1 else {
                FileHandle.standardError.write(
                    Data("usage: argo-mcp-parser-fuzz yaml|workflow|cron|frames FILE…\n".utf8))
                return
            }
            for path in args.dropFirst() {
                ParserFuzz.run(target, try Data(contentsOf: URL(fileURLWithPath: path)))
                print("ok \(path)")
            }
        }
    }
#endif
