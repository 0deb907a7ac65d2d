/// Cutting text by its UTF-8 size without splitting a character.
public enum UTF8Cut {
    /// The first `count` bytes of `text`; a cut inside a multi-byte character moves back to that character's start
    /// (Go's `name[0:n]` would leave an invalid sequence, which a Swift string cannot hold).
    public static func prefix(_ text: String, _ count: Int) -> String {
        let bytes = Array(text.utf8)
        var end = min(max(0, count), bytes.count)
        while end > 0 && end < bytes.count && (bytes[end] & 0xC0) == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
