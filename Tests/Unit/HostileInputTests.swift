import ArgoHTTP
import BoundedYAML
import Domain
import FileAudit
import Foundation
import Hooks
import Ports
import Testing

@testable import ParserFuzz

/// Inputs a model, a user or a cluster will produce, each of which once crashed or hung the whole server.
@Suite("Hostile input: numbers, YAML, names, streams and hooks answer with an error, never a trap")
struct HostileInputTests {
    // MARK: Numbers from users

    @Test(
        "a duration too large to count is no duration (not an overflow trap)",
        arguments: ["200000000000000d", "9223372036854775808s", "99999999999999999999h", "1d9223372036854775807s"])
    func overflowingDurations(_ text: String) {
        #expect(Validation.durationSeconds(text) == nil)
    }

    @Test("durations still add up", arguments: [("90", 90), ("1h30m", 5400), ("2d", 172_800), ("10m5s", 605)])
    func durations(_ text: String, _ seconds: Int) {
        #expect(Validation.durationSeconds(text) == seconds)
    }

    @Test("non-ASCII digits are no duration", arguments: ["٣s", "５m"])
    func nonASCIIDigits(_ text: String) {
        #expect(Validation.durationSeconds(text) == nil)
    }

    @Test("checked arithmetic saturates, converts doubles without trapping")
    func checked() {
        #expect(Checked.add(.max, 1) == nil)
        #expect(Checked.multiply(.max / 2, 3) == nil)
        #expect(Checked.saturatingAdd(.max, .max) == .max)
        #expect(Checked.saturatingAdd(.min, -1) == .min)
        #expect(Checked.saturatingSum([Int.max, 5, 7]) == .max)
        #expect(Checked.int(.nan) == nil)
        #expect(Checked.int(.infinity) == nil)
        #expect(Checked.int(1e300) == .max)
        #expect(Checked.clampedInt(-1e300) == .min)
        #expect(Checked.clampedInt(2.5) == 3)
    }

    // MARK: Cron expressions from the cluster

    @Test(
        "cron steps and ranges near Int.max parse as robfig/cron does (a step past the range selects the start)",
        arguments: [
            "5/9223372036854775807 * * * *", "*/9223372036854775807 * * * *", "0-59/9223372036854775806 * * * *",
        ]
    )
    func hugeCronSteps(_ text: String) throws {
        let schedule = try CronSchedule.parse(text, timezone: nil).get()
        let runs = schedule.nextRuns(after: Date(timeIntervalSince1970: 1_700_000_000), count: 2)
        #expect(runs.count == 2)
    }

    @Test(
        "@every past Go's 292-year limit, and numbers past Int, are parse errors",
        arguments: [
            "@every 99999999999999999999h", "@every 9999999999h", "@every 1e400s", "99999999999999999999 * * * *",
            "@every 1.7976931348623157e308h",
        ])
    func overflowingCron(_ text: String) {
        guard case .failure = CronSchedule.parse(text, timezone: nil) else {
            Issue.record("'\(text)' parsed")
            return
        }
    }

    // MARK: Names

    @Test("a pod name cut inside a multi-byte character moves the cut back, it does not trap")
    func podNameMultibyte() {
        for length in 240...260 {
            let template = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
            let node = NodeStatus(
                id: "wf-1234567890", name: "wf.step", type: .pod, templateName: template)
            let name = PodNames.podName(workflowName: "wf", format: nil, node: node)
            #expect(name.utf8.count <= 253)
            #expect(name.hasSuffix("-1234567890"))
        }
    }

    // MARK: Streams

    @Test("a stream frame without a line break past the limit ends the stream with an error; the buffer is dropped")
    func streamFrameLimit() {
        var parser = StreamFrameParser<String>(maxFrameBytes: 1024)
        var frames = parser.feed(Array("{\"result\":\"a\"}\n".utf8))
        #expect(frames.count == 1)
        frames = []
        for _ in 0..<10 { frames += parser.feed([UInt8](repeating: UInt8(ascii: "x"), count: 300)) }
        #expect(frames.count == 1)
        guard case .error(let error)? = frames.first else {
            Issue.record("no error frame")
            return
        }
        #expect(error.message.contains("1024"))
        #expect(parser.feed(Array("{\"result\":\"b\"}\n".utf8)).isEmpty)
        #expect(parser.finish().isEmpty)
    }

    @Test("frames split over many small feeds are found once each (only new bytes are scanned)")
    func streamFramesInPieces() {
        var parser = StreamFrameParser<String>()
        let text = Array((0..<200).map { "data: {\"result\":\"line \($0)\"}\n\n" }.joined().utf8)
        var results: [String] = []
        var i = 0
        while i < text.count {
            let end = min(text.count, i + 7)
            for frame in parser.feed(text[i..<end]) { if case .result(let r) = frame { results.append(r) } }
            i = end
        }
        #expect(results.count == 200)
        #expect(results.last == "line 199")
    }

    // MARK: Hooks

    @Test("a command that exits without reading a large payload is a hook result, not SIGPIPE", .timeLimit(.minutes(1)))
    func commandIgnoresInput() async throws {
        let payload = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<10 {
            try await CommandNotifier(command: "exit 0").notify(payload)
        }
        await #expect(throws: HookFailed.self) { try await CommandNotifier(command: "exit 3").notify(payload) }
    }

    @Test("a command that never reads nor exits is ended by the time limit, even mid-write", .timeLimit(.minutes(1)))
    func commandTimeout() async throws {
        let payload = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        let start = ContinuousClock.now
        let failure = await #expect(throws: HookFailed.self) {
            try await CommandNotifier(command: "sleep 30", timeout: .milliseconds(300)).notify(payload)
        }
        // Ended by the limit's signal, long before the command's own 30 s. (How soon after 0.3 s is a matter of
        // scheduling: a run with both cores saturated took 11.7 s, so the bound is the command's length, not a
        // latency.)
        #expect(failure?.description.contains("stopped by signal") == true)
        #expect(ContinuousClock.now - start < .seconds(25))
    }

    @Test("a hook command's environment has no credentials")
    func commandEnvironment() {
        let env = CommandNotifier.childEnvironment([
            "PATH": "/bin", "HOME": "/root", "ARGO_TOKEN": "Bearer x", "ARGO_SERVER": "https://u:p@h",
            "GITHUB_TOKEN": "t", "DB_PASSWORD": "p", "MY_SECRET_FILE": "s", "ARGO_NAMESPACE": "argo",
            "ARGO_CLIENT_KEY": "/k.pem",
        ])
        #expect(env == ["PATH": "/bin", "HOME": "/root", "ARGO_NAMESPACE": "argo"])
    }
}

@Suite("Bounded YAML: manifests and config files converted to JSON within limits")
struct BoundedYAMLTests {
    func json(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> String {
        String(decoding: try YAMLToJSON.document(text, limits: limits), as: UTF8.self)
    }

    func failure(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLConversionError? {
        do {
            _ = try YAMLToJSON.documents(text, limits: limits)
            return nil
        } catch let error as YAMLConversionError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("an unquoted Argo expression as a list item is a mapping key error with its line and the fix")
    func unquotedExpression() throws {
        let manifest = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {generateName: x-}
            spec:
              templates:
              - name: main
                container:
                  args: [{{inputs.parameters.x}}]
            """
        let error = try #require(failure(manifest))
        #expect(error.line == 8)
        #expect(error.reason.contains("quote it"))
    }

    @Test("a billion-laughs alias bomb is refused quickly, within the node budget")
    func aliasBomb() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(i): &a\(i) [\(refs)]")
        }
        let start = ContinuousClock.now
        let error = try #require(failure(lines.joined(separator: "\n")))
        #expect(error.reason.contains("alias"))
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test("an aliased collection as a mapping key is refused at once (Yams' composer would hash all of it)")
    func aliasedKey() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x]"]
        for i in 1...6 {
            lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 8).joined(separator: ", ") + "]")
        }
        lines.append("? *a6\n: 1")
        let start = ContinuousClock.now
        let error = try #require(failure(lines.joined(separator: "\n"), limits: YAMLLimits(maxNodes: 10_000_000)))
        #expect(error.reason.contains("plain value"))
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(try json("k: &k name\n*k : v") == #"{"k":"name","name":"v"}"#)
    }

    @Test("aliases within the budget expand; merge keys apply, explicit keys win")
    func aliasesAndMerge() throws {
        let text = """
            base: &base {image: alpine, command: [sh]}
            one:
              <<: *base
              image: busybox
            list: [*base, *base]
            """
        let out = try json(text)
        #expect(
            out
                == #"{"base":{"image":"alpine","command":["sh"]},"one":{"image":"busybox","command":["sh"]},"list":[{"image":"alpine","command":["sh"]},{"image":"alpine","command":["sh"]}]}"#
        )
    }

    @Test("nesting past the depth limit is refused; libyaml's own limit is an error too, not a stack overflow")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        #expect(failure(deep)?.reason.contains("nests deeper") == true)
        let deeper = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(failure(deeper) != nil)
        let braces = String(repeating: "{a: ", count: 5_000) + "1" + String(repeating: "}", count: 5_000)
        #expect(failure(braces) != nil)
    }

    @Test("text over the size limit is refused before parsing")
    func sizeLimit() throws {
        let text = "a: " + String(repeating: "x", count: 2_000)
        #expect(failure(text, limits: YAMLLimits(maxBytes: 1024))?.reason.contains("1024") == true)
    }

    @Test("scalars resolve as Kubernetes' YAML reader does; quoted scalars stay strings")
    func scalars() throws {
        let text = """
            a: 12
            b: "12"
            c: 0x1F
            d: 1.5
            e: true
            f: yes
            g: ~
            h: 2024-01-02T03:04:05Z
            i: 99999999999999999999
            j: 1:30
            k: 9223372036854775807:59
            l: .inf
            m: 'on'
            n: |
              line
            o: 1_000
            p: 0o17
            q: -9223372036854775808
            """
        let out = try json(text)
        #expect(
            out
                == #"{"a":12,"b":"12","c":31,"d":1.5,"e":true,"f":true,"g":null,"h":"2024-01-02T03:04:05Z","i":1e+20,"j":"1:30","k":"9223372036854775807:59","l":".inf","m":"on","n":"line\n","o":"1_000","p":15,"q":-9223372036854775808}"#
        )
    }

    @Test("duplicate keys, undefined aliases and invalid YAML name their line")
    func errors() throws {
        #expect(failure("a: 1\na: 2")?.line == 2)
        #expect(failure("a: *nope") != nil)
        let bad = try #require(failure("a: [1, 2\nb: 3"))
        #expect(bad.line != nil)
        #expect(bad.description.contains("line"))
    }

    @Test("JSON is YAML: control characters and non-ASCII survive the round trip")
    func jsonRoundTrip() throws {
        let original = #"{"s":"tab\tnew\nline \u0001 ünïcødé 🚀 \"q\" \\"}"#
        let out = try json(original)
        let a = try JSONSerialization.jsonObject(with: Data(original.utf8)) as? [String: String]
        let b = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: String]
        #expect(a == b)
    }

    @Test("several documents: each converted, empty ones skipped")
    func documents() throws {
        let docs = try YAMLToJSON.documents("---\na: 1\n---\n---\nb: 2\n")
        #expect(docs.map { String(decoding: $0, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":2}"#])
    }
}

@Suite("Shared state: the token store and the audit file between processes")
struct SharedStateTests {
    static func pending(_ id: String) -> PendingConfirmation {
        PendingConfirmation(
            id: id, tool: "delete_workflow", namespace: "argo", name: "x", uid: "u", argumentsDigest: "d",
            fingerprint: "f", expiresAt: Date().addingTimeInterval(300))
    }

    static func directory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-shared-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("two stores on one file (two processes) keep each other's tokens, and each token is taken exactly once")
    func twoStores() async throws {
        let path = Self.directory().appendingPathComponent("audit.jsonl.tokens.json").path
        let a = FileConfirmationStore(path: path)
        let b = FileConfirmationStore(path: path)
        for i in 0..<50 {
            try await a.put(Self.pending("a\(i)"))
            try await b.put(Self.pending("b\(i)"))
        }
        // Every token issued by either is there for the other.
        #expect(try await b.take(id: "a7", now: Date(), caller: nil)?.id == "a7")
        #expect(try await a.take(id: "b9", now: Date(), caller: nil)?.id == "b9")
        // Both race for every remaining token: exactly one wins each.
        let ids = (0..<50).flatMap { ["a\($0)", "b\($0)"] }.filter { $0 != "a7" && $0 != "b9" }
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for id in ids {
                group.addTask { try await a.take(id: id, now: Date(), caller: nil) == nil ? 0 : 1 }
                group.addTask { try await b.take(id: id, now: Date(), caller: nil) == nil ? 0 : 1 }
            }
            return try await group.reduce(0, +)
        }
        #expect(wins == ids.count)
    }

    @Test("the audit file and the token store refuse to follow a symbolic link planted at their path")
    func noFollow() async throws {
        let dir = Self.directory()
        let target = dir.appendingPathComponent("elsewhere")
        try Data().write(to: target)
        let audit = dir.appendingPathComponent("audit.jsonl")
        try FileManager.default.createSymbolicLink(at: audit, withDestinationURL: target)
        let sink = FileAuditSink(path: audit.path)
        let record = AuditRecord(
            time: "t", tool: "x", safety: "mutating",
            target: AuditRecord.Target(kind: "Workflow", namespace: "argo", name: "x", uid: nil), arguments: [:],
            decision: "allowed", reason: nil, tokenID: nil, outcome: nil, durationMilliseconds: nil, client: nil)
        await #expect(throws: (any Error).self) { try await sink.record(record) }
        #expect(try Data(contentsOf: target).isEmpty)
        let tokens = dir.appendingPathComponent("tokens.json")
        try FileManager.default.createSymbolicLink(at: tokens, withDestinationURL: target)
        await #expect(throws: (any Error).self) {
            try await FileConfirmationStore(path: tokens.path).put(Self.pending("x"))
        }
        #expect(try Data(contentsOf: target).isEmpty)
    }

    @Test("the argument digest is canonical JSON: a value with a newline cannot imitate another argument")
    func digest() {
        let a = Confirmations.digest(["a": "1\nb=2"])
        let b = Confirmations.digest(["a": "1", "b": "2"])
        #expect(a != b)
        #expect(Confirmations.digest(["x": "1", "y": "2"]) == Confirmations.digest(["y": "2", "x": "1"]))
    }
}

@Suite("Parser fuzz corpus: every input that once crashed or hung a parser is replayed")
struct ParserFuzzCorpusTests {
    static let root = Fixtures.root.appendingPathComponent("fuzz")

    static var cases: [String] {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? [])
                .sorted().map { "\(target)/\($0)" }
        }
    }

    @Test("each corpus input runs through its parser without a trap", .timeLimit(.minutes(2)), arguments: cases)
    func replay(_ path: String) throws {
        let target = String(path.split(separator: "/")[0])
        let start = ContinuousClock.now
        ParserFuzz.run(target, try Data(contentsOf: Self.root.appendingPathComponent(path)))
        #expect(ContinuousClock.now - start < .seconds(20), "\(path) took too long")
    }

    @Test("the corpus holds inputs for all five targets")
    func corpusCoversEveryTarget() {
        #expect(
            Set(Self.cases.map { String($0.split(separator: "/")[0]) }) == [
                "artifact", "cron", "frames", "workflow", "yaml",
            ])
    }
}
