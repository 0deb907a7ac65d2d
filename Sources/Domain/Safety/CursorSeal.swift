import Crypto
import Foundation

/// Seals the continue tokens of listings that namespace rules filter: Argo's own tokens name the object a page
/// starts at (a Kubernetes continue token is base64 JSON with its namespace and name), so a caller who may not see
/// a namespace must not be handed one. A sealed token is AES-GCM over Argo's token and what it is bound to (the
/// caller and its namespace rules); it is opaque, cannot be altered, and only the caller it was issued to reads it
/// back. Every replica that shares the key (`ARGO_MCP_STATE_KEY`) reads every other's. The same key seals the state
/// of a confirmation asked in a later request (`RoundTripConfirmer`), under its own prefix.
public struct CursorSeal: Sendable {
    let key: SymmetricKey
    static let prefix = "amcur1."

    /// `key`: 32 bytes shared by the replicas; nil makes a key for this process only.
    public init(key: Data? = nil) {
        self.key = key.map { SymmetricKey(data: $0) } ?? SymmetricKey(size: .bits256)
    }

    /// A key from its base64 text (32 bytes), or why it is not one.
    public static func key(base64 text: String) throws -> Data {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
        else {
            throw PolicyDenied("not 32 bytes in base64 (make one with: head -c 32 /dev/urandom | base64)")
        }
        return data
    }

    struct Sealed: Codable {
        var token: String
        var binding: String
    }

    /// The sealed form of Argo's `token`; it fails closed (never hands out Argo's own token).
    func seal(_ token: String, binding: String) throws -> String {
        guard let sealed = seal(Sealed(token: token, binding: binding), prefix: Self.prefix) else {
            throw ReadFailure("could not seal the listing's continue token; list again")
        }
        return sealed
    }

    /// `value` as `prefix` and URL-safe base64 of its AES-GCM box (a fresh nonce each time); nil if it cannot be
    /// sealed. The prefix names what is sealed, so one kind of sealed state is never read as another.
    func seal<Value: Encodable>(_ value: Value, prefix: String) -> String? {
        // The prefix is authenticated with the box: one kind of sealed state is never opened as another.
        guard let json = try? JSONEncoder().encode(value),
            let box = try? AES.GCM.seal(json, using: key, authenticating: Data(prefix.utf8)),
            let combined = box.combined
        else { return nil }
        return prefix
            + combined.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What `text` seals, when it is `prefix` and a box this key sealed, unaltered; nil for anything else (forged,
    /// truncated, another prefix, another key). `text` is bounded before it is decoded.
    func open<Value: Decodable>(_ text: String, prefix: String, as type: Value.Type) -> Value? {
        guard text.utf8.count <= 16_384, text.hasPrefix(prefix) else { return nil }
        var base64 = String(text.dropFirst(prefix.count)).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let box = try? AES.GCM.SealedBox(combined: data),
            let json = try? AES.GCM.open(box, using: key, authenticating: Data(prefix.utf8))
        else { return nil }
        return try? JSONDecoder().decode(type, from: json)
    }

    /// Argo's token inside `text` when it is a sealed token for `binding`; `text` itself when it is not sealed and
    /// `requireSealed` is false (a token from an unfiltered listing); an error when it is sealed for someone else,
    /// altered, not ours, or not sealed where it must be.
    func open(_ text: String, binding: String, requireSealed: Bool = false) throws -> String {
        guard text.hasPrefix(Self.prefix) else {
            guard !requireSealed else {
                throw ReadFailure(
                    "the continue token is not one this server issued for this listing; list again from the first page")
            }
            return text
        }
        guard let sealed = open(text, prefix: Self.prefix, as: Sealed.self), sealed.binding == binding else {
            throw ReadFailure(
                "the continue token is not one this server issued to this caller (altered, another caller's, or from before a key change); list again from the first page"
            )
        }
        return sealed.token
    }
}
