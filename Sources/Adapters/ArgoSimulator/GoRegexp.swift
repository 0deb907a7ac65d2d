import Foundation

/// Argo compiles `grep` with Go's `regexp.Compile` (RE2 syntax) and matches each line with it
/// (`util/logs/workflow-logger.go` `WorkflowLogs`). This checks a pattern the way Go's `regexp/syntax` parser does
/// for the mistakes people make (unbalanced groups and classes, dangling or nested repetition, backreferences,
/// look-around, bad ranges and counts) and reports them in Go's words; a valid pattern is matched with
/// `NSRegularExpression`, whose syntax agrees with RE2 for everything RE2 accepts apart from `(?P<name>`, which is
/// rewritten.
struct GoRegexp: Sendable {
    let pattern: String
    let regex: NSRegularExpression?

    /// Go's `*syntax.Error`: `error parsing regexp: <code>: `<expr>``.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        var code: String
        var expr: String
        var description: String { "error parsing regexp: \(code): `\(expr)`" }
    }

    init(_ pattern: String) throws {
        try Self.check(pattern)
        self.pattern = pattern
        self.regex = try? NSRegularExpression(pattern: pattern.replacingOccurrences(of: "(?P<", with: "(?<"))
    }

    func matches(_ text: String) -> Bool {
        guard let regex else { return text.contains(pattern) }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Go's `regexp/syntax` `Parse` errors, for the cases above (`syntax/parse.go`).
    static func check(_ pattern: String) throws {
        let chars = Array(pattern)
        var depth = 0
        var i = 0
        // Whether the last item can take a repetition, and whether it already is one.
        var canRepeat = false
        var lastWasRepeat = false
        func text(_ from: Int, _ to: Int) -> String { String(chars[from..<min(to, chars.count)]) }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                guard i + 1 < chars.count else {
                    throw ParseError(code: "trailing backslash at end of expression", expr: "")
                }
                let e = chars[i + 1]
                if e == "Q" {
                    // \Q…\E: literal text.
                    var j = i + 2
                    while j + 1 < chars.count, !(chars[j] == "\\" && chars[j + 1] == "E") { j += 1 }
                    i = j + 1 < chars.count ? j + 2 : chars.count
                    canRepeat = true
                    lastWasRepeat = false
                    continue
                }
                if ("1"..."7").contains(e), !(i + 2 < chars.count && ("0"..."7").contains(chars[i + 2])) {
                    throw ParseError(code: "invalid escape sequence", expr: text(i, i + 2))
                }
                if e == "8" || e == "9" || (e.isLetter && !"afnrtvxdDsSwWpPbBAz".contains(e)) {
                    throw ParseError(code: "invalid escape sequence", expr: text(i, i + 2))
                }
                i += 2
                canRepeat = !"bBAz".contains(e)
                lastWasRepeat = false
                continue
            case "(":
                if i + 1 < chars.count, chars[i + 1] == "?" {
                    let rest = text(i + 2, chars.count)
                    // `parsePerlFlags`: `(?P<` and `(?<` start a named capture (so `(?<=` and `(?<!` fail as one).
                    let named = chars.count - i > 4 && (rest.hasPrefix("P<") || rest.hasPrefix("<"))
                    if named {
                        let nameStart = i + (rest.hasPrefix("P<") ? 4 : 3)
                        guard let close = chars[nameStart...].firstIndex(of: ">") else {
                            throw ParseError(code: "invalid named capture", expr: text(i, chars.count))
                        }
                        let name = chars[nameStart..<close]
                        if name.isEmpty
                            || !name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
                        {
                            throw ParseError(code: "invalid named capture", expr: text(i, close + 1))
                        }
                    }
                    let flags = rest.prefix { "imsU-".contains($0) }
                    let afterFlags = rest.dropFirst(flags.count).first
                    if !named && !(afterFlags == ":" || (afterFlags == ")" && !flags.isEmpty)) {
                        throw ParseError(code: "invalid or unsupported Perl syntax", expr: text(i, i + 3))
                    }
                    if afterFlags == ")" && !named {
                        // `(?i)`: a flag group, not a group.
                        i += 2 + flags.count + 1
                        canRepeat = false
                        lastWasRepeat = false
                        continue
                    }
                    // `(?:`, `(?i:`, `(?P<name>`, `(?<name>`: the group's body starts after `:` or `>`.
                    let opener: Character = named ? ">" : ":"
                    guard let close = chars[(i + 2)...].firstIndex(of: opener) else {
                        throw ParseError(code: "invalid named capture", expr: text(i, chars.count))
                    }
                    depth += 1
                    i = close + 1
                    canRepeat = false
                    lastWasRepeat = false
                    continue
                }
                depth += 1
                canRepeat = false
                lastWasRepeat = false
            case ")":
                guard depth > 0 else { throw ParseError(code: "unexpected )", expr: pattern) }
                depth -= 1
                canRepeat = true
                lastWasRepeat = false
            case "|":
                canRepeat = false
                lastWasRepeat = false
            case "[":
                i = try classEnd(chars, from: i)
                canRepeat = true
                lastWasRepeat = false
                continue
            case "*", "+", "?", "{":
                var end = i + 1
                if c == "{" {
                    guard let close = repeatEnd(chars, from: i) else {
                        // Not a repeat: a literal brace.
                        i += 1
                        canRepeat = true
                        lastWasRepeat = false
                        continue
                    }
                    end = close
                    let counts = text(i + 1, close - 1).split(separator: ",", omittingEmptySubsequences: false)
                    let numbers = counts.compactMap { Int($0) }
                    if numbers.contains(where: { $0 > 1000 }) || (numbers.count == 2 && numbers[0] > numbers[1]) {
                        throw ParseError(code: "invalid repeat count", expr: text(i, close))
                    }
                }
                if end < chars.count, chars[end] == "?" { end += 1 }
                if lastWasRepeat {
                    throw ParseError(code: "invalid nested repetition operator", expr: text(i - 1, end))
                }
                guard canRepeat else {
                    throw ParseError(code: "missing argument to repetition operator", expr: text(i, end))
                }
                i = end
                lastWasRepeat = true
                continue
            default:
                canRepeat = !"^$".contains(c)
                lastWasRepeat = false
            }
            i += 1
        }
        if depth > 0 { throw ParseError(code: "missing closing )", expr: pattern) }
    }

    /// The index after a character class that starts at `start`, or Go's error for it.
    private static func classEnd(_ chars: [Character], from start: Int) throws -> Int {
        var i = start + 1
        if i < chars.count, chars[i] == "^" { i += 1 }
        var first = true
        var previous: Character?
        while i < chars.count {
            let c = chars[i]
            if c == "]" && !first { return i + 1 }
            first = false
            if c == "[", i + 1 < chars.count, chars[i + 1] == ":" {
                if let close = String(chars[i...]).range(of: ":]") {
                    i += String(chars[i...])[..<close.upperBound].count
                    previous = nil
                    continue
                }
            }
            var literal = c
            if c == "\\" {
                guard i + 1 < chars.count else { break }
                literal = chars[i + 1]
                i += 2
            } else {
                i += 1
            }
            if literal == "-", let lo = previous, i < chars.count, chars[i] != "]" {
                var hi = chars[i]
                var width = 1
                if hi == "\\", i + 1 < chars.count {
                    hi = chars[i + 1]
                    width = 2
                }
                if hi < lo {
                    throw GoRegexp.ParseError(
                        code: "invalid character class range", expr: String(lo) + "-" + String(hi))
                }
                i += width
                previous = nil
                continue
            }
            previous = literal
        }
        throw GoRegexp.ParseError(code: "missing closing ]", expr: String(chars[start...]))
    }

    /// The index after `{n}`, `{n,}` or `{n,m}` starting at `start`, or nil when the brace is a literal.
    private static func repeatEnd(_ chars: [Character], from start: Int) -> Int? {
        var i = start + 1
        var digits = 0
        while i < chars.count, chars[i].isASCII, chars[i].isNumber {
            i += 1
            digits += 1
        }
        guard digits > 0, i < chars.count else { return nil }
        if chars[i] == "}" { return i + 1 }
        guard chars[i] == "," else { return nil }
        i += 1
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
        return i < chars.count && chars[i] == "}" ? i + 1 : nil
    }
}
