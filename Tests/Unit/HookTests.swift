import Domain
import FileAudit
import Foundation
import Hooks
import Hummingbird
import Logging
import Ports
import Testing

@Suite("Completion hooks: webhook and command, behind the policy and the audit file", .serialized)
struct HookTests {
    actor Inbox {
        var bodies: [Data] = []
        func add(_ d: Data) { bodies.append(d) }
    }

    /// A loopback receiver: POST /ok stores the body, POST /fail answers 500.
    static func receiver(_ inbox: Inbox) async throws -> (Int, Task<Void, any Error>) {
        let router = Router()
        router.post("/ok") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            await inbox.add(Data(buffer.readableBytesView))
            return .ok
        }
        router.post("/fail") { _, _ -> HTTPResponse.Status in .internalServerError }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService() }
        var it = ports.makeAsyncIterator()
        return (await it.next() ?? 0, task)
    }

    static func result(_ phase: String = "Succeeded") -> WatchResult {
        let json = """
            {"namespace": "argo", "name": "etl-1", "endedBy": "completed", "phase": "\(phase)", "progress": "3/3",
             "elapsedSeconds": 42, "timeline": [], "failedNodes": [], "recoveredNodes": [], "events": 3, "reconnects": 0}
            """
        return try! JSONDecoder().decode(WatchResult.self, from: Data(json.utf8))
    }

    static func hooks(_ notifier: (any CompletionNotifier)?, policy: Policy, audit: URL) -> CompletionHooks {
        CompletionHooks(
            notifier: notifier,
            runner: MutationRunner(
                policy: policy, audit: FileAuditSink(path: audit.path),
                confirmations: Confirmations(store: InMemoryConfirmationStore(), ttlSeconds: 60)))
    }

    static func auditFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("argo-mcp-hooks-\(UUID().uuidString)/a.jsonl")
    }

    static let operatorPolicy = Policy(readOnly: false, allowMutations: true, allowDestructive: false)

    @Test("a webhook receives the JSON summary; a 500 is reported, not thrown; both are audited")
    func webhook() async throws {
        let inbox = Inbox()
        let (port, task) = try await Self.receiver(inbox)
        defer { task.cancel() }
        let audit = Self.auditFile()
        let ok = WebhookNotifier(url: URL(string: "http://127.0.0.1:\(port)/ok?token=secret")!)
        #expect(!ok.target.contains("secret"))
        let sent = await Self.hooks(ok, policy: Self.operatorPolicy, audit: audit).announce(Self.result(), client: "t")
        #expect(sent.hasPrefix("sent to webhook"))
        let body = try #require(await inbox.bodies.first)
        let payload = try JSONDecoder().decode(CompletionPayload.self, from: body)
        #expect(payload.name == "etl-1" && payload.phase == "Succeeded" && payload.endedBy == "completed")

        let failing = WebhookNotifier(url: URL(string: "http://127.0.0.1:\(port)/fail")!)
        let failed = await Self.hooks(failing, policy: Self.operatorPolicy, audit: audit).announce(
            Self.result(), client: "t")
        #expect(failed.contains("HTTP 500"))
        let decisions = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["decision"] as? String
        }
        #expect(decisions == ["allowed", "succeeded", "allowed", "failed"])
        #expect(!(try String(contentsOf: audit, encoding: .utf8)).contains("secret"))
    }

    @Test("a command gets the payload on stdin; a failing command and a read-only policy are reported")
    func command() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent(
            "argo-mcp-hook-\(UUID().uuidString).json")
        let audit = Self.auditFile()
        let command = CommandNotifier(command: "cat > '\(out.path)'")
        let sent = await Self.hooks(command, policy: Self.operatorPolicy, audit: audit).announce(
            Self.result("Failed"), client: nil)
        #expect(sent == "sent to command cat")
        let payload = try JSONDecoder().decode(CompletionPayload.self, from: try Data(contentsOf: out))
        #expect(payload.phase == "Failed")

        let failing = await Self.hooks(CommandNotifier(command: "exit 3"), policy: Self.operatorPolicy, audit: audit)
            .announce(Self.result(), client: nil)
        #expect(failing.contains("status 3"))

        let readOnly = await Self.hooks(command, policy: Policy(), audit: audit).announce(Self.result(), client: nil)
        #expect(readOnly.hasPrefix("not sent:") && readOnly.contains("readOnly"))
        let none = await Self.hooks(nil, policy: Self.operatorPolicy, audit: audit).announce(Self.result(), client: nil)
        #expect(none.contains("no notification hook is configured"))
    }
}
