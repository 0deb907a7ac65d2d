import Foundation
import Ports

/// A cron schedule as Argo's controller reads it (robfig/cron's standard parser): five fields with ranges, steps,
/// lists and month/weekday names; the `@yearly`…`@hourly` macros and `@every <duration>`; an optional
/// `CRON_TZ=`/`TZ=` prefix. Computes the next run times in the schedule's time zone.
public struct CronSchedule: Sendable, Equatable {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var schedule: String
        public var reason: String
        public var description: String { "schedule '\(schedule)': \(reason)" }
    }

    enum Rule: Sendable, Equatable {
        case fields(minute: UInt64, hour: UInt64, dom: UInt64, month: UInt64, dow: UInt64, domStar: Bool, dowStar: Bool)
        case every(seconds: Int)
    }

    public let text: String
    public let timeZone: TimeZone
    let rule: Rule

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `text` in `timezone` (an IANA name; nil means UTC). A `CRON_TZ=` prefix wins over `timezone`.
    public static func parse(_ text: String, timezone: String?) -> Result<CronSchedule, ParseError> {
        func fail(_ reason: String) -> Result<CronSchedule, ParseError> {
            .failure(ParseError(schedule: text, reason: reason))
        }
        var spec = text.trimmingCharacters(in: .whitespaces)
        var zoneName = timezone.flatMap { $0.isEmpty ? nil : $0 }
        for prefix in ["CRON_TZ=", "TZ="] where spec.hasPrefix(prefix) {
            let rest = spec.dropFirst(prefix.count)
            guard let space = rest.firstIndex(of: " ") else { return fail("time zone prefix without a schedule") }
            zoneName = String(rest[..<space])
            spec = rest[space...].trimmingCharacters(in: .whitespaces)
        }
        var zone = TimeZone.gmt
        if let zoneName {
            guard let z = TimeZone(identifier: zoneName) else { return fail("unknown time zone '\(zoneName)'") }
            zone = z
        }
        if spec.isEmpty { return fail("empty schedule") }
        if spec.hasPrefix("@every") {
            let duration = spec.dropFirst("@every".count).trimmingCharacters(in: .whitespaces)
            guard let seconds = goDuration(duration), seconds >= 1 else {
                return fail("'@every' needs a duration such as 90s, 15m or 1h30m")
            }
            return .success(CronSchedule(text: text, timeZone: zone, rule: .every(seconds: seconds)))
        }
        if spec.hasPrefix("@") {
            guard let expanded = macros[spec.lowercased()] else {
                return fail(
                    "unknown descriptor '\(spec)'; use @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>"
                )
            }
            spec = expanded
        }
        let parts = spec.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 5 else {
            return fail("expected 5 fields (minute hour day-of-month month day-of-week), found \(parts.count)")
        }
        do {
            let minute = try field(parts[0], 0...59, names: [], what: "minute")
            let hour = try field(parts[1], 0...23, names: [], what: "hour")
            let dom = try field(parts[2], 1...31, names: [], what: "day of month")
            let month = try field(parts[3], 1...12, names: monthNames, what: "month", nameOffset: 1)
            var dow = try field(parts[4], 0...7, names: dayNames, what: "day of week")
            if dow.bits & (1 << 7) != 0 { dow.bits = (dow.bits | 1) & ~(1 << 7) }
            return .success(
                CronSchedule(
                    text: text, timeZone: zone,
                    rule: .fields(
                        minute: minute.bits, hour: hour.bits, dom: dom.bits, month: month.bits, dow: dow.bits,
                        domStar: dom.star, dowStar: dow.star)))
        } catch let error as FieldError {
            return fail(error.reason)
        } catch {
            return fail("\(error)")
        }
    }

    struct FieldError: Error { var reason: String }

    static func field(_ text: String, _ range: ClosedRange<Int>, names: [String], what: String, nameOffset: Int = 0)
        throws
        -> (bits: UInt64, star: Bool)
    {
        var bits: UInt64 = 0
        var star = false
        func value(_ token: Substring) throws -> Int {
            if let n = Int(token) {
                guard range.contains(n) else {
                    throw FieldError(reason: "\(what) \(n) is outside \(range.lowerBound)-\(range.upperBound)")
                }
                return n
            }
            if let i = names.firstIndex(of: token.lowercased()) { return i + nameOffset }
            throw FieldError(reason: "'\(token)' is not a valid \(what)")
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else {
                throw FieldError(reason: "'\(part)' is not a valid \(what) expression")
            }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s > 0 else {
                    throw FieldError(reason: "step '\(pieces[1])' in '\(part)' must be a positive number")
                }
                step = s
            }
            var low: Int
            var high: Int
            if pieces[0] == "*" || pieces[0] == "?" {
                low = range.lowerBound
                high = range.upperBound == 7 ? 6 : range.upperBound
                if pieces.count == 1 { star = true }
            } else if let dash = pieces[0].firstIndex(of: "-") {
                low = try value(pieces[0][..<dash])
                high = try value(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else { throw FieldError(reason: "range '\(pieces[0])' runs backwards") }
            } else {
                low = try value(pieces[0])
                high = pieces.count == 2 ? range.upperBound : low
            }
            // robfig/cron's getRange accepts any positive step (a step beyond the range selects the start alone);
            // counting past Int.max must end the loop, not trap.
            var v = low
            while v <= high {
                bits |= 1 << UInt64(v)
                guard let next = Checked.add(v, step) else { break }
                v = next
            }
        }
        return (bits, star)
    }

    /// The longest duration Go's `time.ParseDuration` accepts: `math.MaxInt64` nanoseconds (about 292 years).
    static let maxGoDurationSeconds = 9_223_372_036.0

    /// Go's `time.ParseDuration` for the units cron uses (h, m, s, ms); nil past Go's limit, where Go errors too.
    static func goDuration(_ text: String) -> Int? {
        var total = 0.0
        var number = ""
        var index = text.startIndex
        guard !text.isEmpty else { return nil }
        while index < text.endIndex {
            let ch = text[index]
            if (ch.isASCII && ch.isNumber) || ch == "." {
                number.append(ch)
                index = text.index(after: index)
                continue
            }
            guard let n = Double(number) else { return nil }
            let rest = text[index...]
            if rest.hasPrefix("ms") {
                total += n / 1000
                index = text.index(index, offsetBy: 2)
            } else if ch == "h" {
                total += n * 3600
                index = text.index(after: index)
            } else if ch == "m" {
                total += n * 60
                index = text.index(after: index)
            } else if ch == "s" {
                total += n
                index = text.index(after: index)
            } else {
                return nil
            }
            number = ""
            guard total.isFinite, total <= Self.maxGoDurationSeconds else { return nil }
        }
        return number.isEmpty ? Checked.int(total.rounded(.down)) : nil
    }

    /// The next `count` run times strictly after `date` (none if the schedule never fires within five years).
    public func nextRuns(after date: Date, count: Int) -> [Date] {
        var out: [Date] = []
        var from = date
        while out.count < count, let next = next(after: from) {
            out.append(next)
            from = next
        }
        return out
    }

    public func next(after date: Date) -> Date? {
        switch rule {
        case .every(let seconds):
            return Date(timeIntervalSince1970: (date.timeIntervalSince1970 + Double(seconds)).rounded(.down))
        case .fields(let minute, let hour, let dom, let month, let dow, let domStar, let dowStar):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
            let limit = date.addingTimeInterval(5 * 366 * 86400)
            func has(_ bits: UInt64, _ v: Int) -> Bool { bits & (1 << UInt64(v)) != 0 }
            while t < limit {
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: t)
                guard let year = c.year, let mo = c.month, let day = c.day, let h = c.hour, let mi = c.minute,
                    let wd = c.weekday
                else {
                    return nil
                }
                if !has(month, mo) {
                    let nextMonth =
                        mo == 12
                        ? DateComponents(year: year + 1, month: 1, day: 1)
                        : DateComponents(year: year, month: mo + 1, day: 1)
                    guard let d = calendar.date(from: nextMonth) else { return nil }
                    t = d
                    continue
                }
                let domOK = has(dom, day)
                let dowOK = has(dow, wd - 1)
                let dayOK = (domStar || dowStar) ? (domOK && dowOK) : (domOK || dowOK)
                if !dayOK {
                    guard let d = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: t)) else {
                        return nil
                    }
                    t = d
                    continue
                }
                if !has(hour, h) {
                    // To the next hour in absolute time: a wall-clock hour repeated at the end of summer time
                    // must not be found again.
                    t = t.addingTimeInterval(Double(3600 - mi * 60))
                    continue
                }
                if !has(minute, mi) {
                    t = t.addingTimeInterval(60)
                    continue
                }
                return t
            }
            return nil
        }
    }
}
