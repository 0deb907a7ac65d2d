import Domain
import Foundation
import MCP

/// The host's model asked in a later round (MCP 2026-07-28 has no server-to-client requests): the first call of a
/// tool that wants a completion (`analyze_failure` with `explain`) answers `input_required` with a
/// `sampling/createMessage` request; the retry brings the model's answer, which the tool then uses as if it had
/// asked in place. The state is the digest of the question (prompt and findings): the answer is used only for the
/// same question, so findings that changed between the rounds are asked about again. Tampering with it can do no
/// worse than ask again, so it is not sealed.
final class ModernSampling: @unchecked Sendable {
    /// The key of the question in `inputRequests` and `inputResponses`.
    static let key = "explain"

    struct Question {
        var request: Value
        var state: String
    }

    /// The answer the retry brought, with the state it came with.
    private let answer: (state: String, text: String)?
    private let lock = NSLock()
    private var question: Question?

    init(_ request: ModernRequest) throws {
        guard case .string(let state)? = request.params["requestState"],
            case .object(let responses)? = request.params["inputResponses"], let response = responses[Self.key]
        else {
            answer = nil
            return
        }
        guard case .object(let result) = response else {
            throw ModernError(
                id: request.id, code: ModernProtocol.Code.invalidParams,
                "params.inputResponses.\(Self.key) must be a sampling result {role, content, model}")
        }
        let text: String
        switch result["content"] {
        case .object(let block)?: text = Self.text(block)
        case .array(let blocks)?:
            text = blocks.compactMap { if case .object(let b) = $0 { Self.text(b) } else { nil } }.joined(
                separator: "\n")
        default:
            throw ModernError(
                id: request.id, code: ModernProtocol.Code.invalidParams,
                "params.inputResponses.\(Self.key).content must be a content block or an array of them")
        }
        answer = (state, String(text.prefix(16_384)))
    }

    static func text(_ block: [String: Value]) -> String {
        if case .string("text")? = block["type"], case .string(let text)? = block["text"] { return text }
        return ""
    }

    var asked: Question? { lock.withLock { question } }

    /// What the tool calls to ask the model: the retry's answer when it is for this question; otherwise the
    /// question is kept for the `input_required` answer and the tool is told the model did not answer (its result
    /// is not sent).
    var sampler: @Sendable (String, String, Int) async throws -> String {
        { [self] system, text, maxTokens in
            let state = "amsq1." + Confirmations.hash(system + "\u{0}" + text)
            if let answer, answer.state == state { return answer.text }
            let params: [String: Value] = [
                "messages": .array([
                    .object(["role": "user", "content": .object(["type": "text", "text": .string(text)])])
                ]),
                "systemPrompt": .string(system), "maxTokens": .int(maxTokens), "temperature": .double(0.2),
                "includeContext": "none",
            ]
            lock.withLock {
                question = Question(
                    request: .object(["method": "sampling/createMessage", "params": .object(params)]), state: state)
            }
            throw AskedLater()
        }
    }

    struct AskedLater: Error, CustomStringConvertible {
        var description: String { "asked in a later round" }
    }
}
