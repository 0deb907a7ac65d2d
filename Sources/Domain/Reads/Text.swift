import Foundation
import Ports

public enum Text {
    /// The known name closest to `name` (edit distance at most a third of its length, at least 2), if any; for
    /// "did you mean" hints. Names longer than 256 characters get none (the distance is quadratic).
    public static func nearest(_ name: String, in known: [String]) -> String? {
        guard name.count <= 256 else { return nil }
        let scored = known.filter { $0.count <= 256 }.map { ($0, distance(name.lowercased(), $0.lowercased())) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let best = scored.first, best.1 <= max(2, name.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Cuts `text` to at most `limit` characters, marking the cut with an ellipsis.
    static func trim(_ text: String?, to limit: Int) -> (String?, Bool) {
        guard let text else { return (nil, false) }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        guard flat.count > limit else { return (flat, false) }
        return (String(flat.prefix(limit - 1)) + "…", true)
    }

    /// The note for list items the server sent that could not be read (not objects).
    static func unreadable(_ count: Int, _ kind: String) -> String? {
        count > 0 ? "\(count) \(kind) item(s) of this page could not be read (not JSON objects) and are left out" : nil
    }

    /// The notes a page of workflows needs: rows left out as unreadable or as the archive's copy of a live row.
    static func pageNotes(_ page: WorkflowPage) -> String? {
        var notes = page.notes
        if let unreadable = unreadable(page.unreadableItems, "workflow") { notes.append(unreadable) }
        if page.duplicateItems > 0 {
            notes.append(
                "\(page.duplicateItems) workflow(s) are both live and archived; Argo lists both copies, shown here once (the live one)"
            )
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// `3h2m1s`-style duration.
    public static func duration(_ seconds: Int?) -> String? {
        guard let seconds, seconds >= 0 else { return nil }
        let d = seconds / 86400
        let h = (seconds % 86400) / 3600
        let m = (seconds % 3600) / 60
        let s = seconds % 60
        var out = ""
        if d > 0 { out += "\(d)d" }
        if h > 0 { out += "\(h)h" }
        if m > 0 && d == 0 { out += "\(m)m" }
        if (s > 0 || out.isEmpty) && d == 0 && h == 0 { out += "\(s)s" }
        return out
    }

    /// A UTF-8 safe slice of `data` starting at `offset`, at most `maxBytes` long.
    static func page(_ data: Data, offset: Int, maxBytes: Int) -> (text: String, end: Int) {
        let bytes = [UInt8](data)
        var start = min(max(0, offset), bytes.count)
        while start < bytes.count && start > 0 && (bytes[start] & 0xC0) == 0x80 { start += 1 }
        var end = min(bytes.count, start + maxBytes)
        while end < bytes.count && end > start && (bytes[end] & 0xC0) == 0x80 { end -= 1 }
        return (String(decoding: bytes[start..<end], as: UTF8.self), end)
    }
}
