import Foundation

/// Kubernetes timestamps (RFC 3339, with or without fractional seconds).
public enum ArgoTime {
    /// Parses `2026-11-25T10:00:00Z`, `…T10:00:00.123Z` and `…T10:00:00+01:00` directly (Foundation's ISO 8601
    /// parsing costs tens of microseconds a call, and diagnostics parse two timestamps per node); anything else
    /// goes to Foundation.
    /// Only years 1 to 9999 count (RFC 3339's range): every interval between two parsed times then fits an `Int`
    /// of seconds with room to spare, whatever an object in the cluster says.
    public static func parse(_ text: String?) -> Date? {
        guard let text, !text.isEmpty, text.utf8.count <= 64 else { return nil }
        let date =
            fast(text) ?? (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        guard let date, validRange.contains(date.timeIntervalSince1970) else { return nil }
        return date
    }

    /// 0001-01-01T00:00:00Z ... 9999-12-31T23:59:60Z, in seconds since 1970.
    static let validRange: ClosedRange<Double> = -62_135_596_800...253_402_300_800

    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func fast(_ text: String) -> Date? {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { b -> Date? in
            guard b.count >= 20 else { return nil }
            func digits(_ at: Int, _ count: Int) -> Int? {
                var v = 0
                for i in at..<(at + count) {
                    let d = Int(b[i]) - 48
                    guard d >= 0 && d <= 9 else { return nil }
                    v = v * 10 + d
                }
                return v
            }
            guard b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
                let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2), let hour = digits(11, 2),
                let minute = digits(14, 2), let second = digits(17, 2),
                (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
            else { return nil }
            var i = 19
            var fraction = 0.0
            if b[i] == 0x2E {
                i += 1
                var scale = 0.1
                let start = i
                while i < b.count, let d = digits(i, 1) {
                    fraction += Double(d) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
            guard i < b.count else { return nil }
            var offset = 0
            if b[i] == 0x5A || b[i] == 0x7A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D, i + 6 == b.count, b[i + 3] == 0x3A,
                let oh = digits(i + 1, 2), let om = digits(i + 4, 2)
            {
                offset = (oh * 3600 + om * 60) * (b[i] == 0x2B ? 1 : -1)
                i += 6
            } else {
                return nil
            }
            guard i == b.count else { return nil }
            // Days from 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mp = (month + 9) % 12
            let doy = (153 * mp + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146_097 + doe - 719_468
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        } ?? nil
    }
}
