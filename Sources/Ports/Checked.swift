/// Arithmetic on numbers that came from outside (a tool argument, a config file, an object read from Argo):
/// overflow gives nil or the nearest representable value, never a trap.
public enum Checked {
    public static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : r
    }

    public static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : r
    }

    /// `a + b`, held at `Int.max` / `Int.min` instead of overflowing.
    public static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : r
    }

    /// The sum of `values`, held at the ends of `Int`'s range.
    public static func saturatingSum<S: Sequence>(_ values: S) -> Int where S.Element == Int {
        values.reduce(0, saturatingAdd)
    }

    /// The integer nearest to `value`: nil for NaN or infinity, the ends of `Int`'s range beyond them.
    public static func int(_ value: Double) -> Int? {
        guard value.isFinite else { return nil }
        let r = value.rounded()
        if r >= 9_223_372_036_854_775_807.0 { return .max }
        if r <= -9_223_372_036_854_775_808.0 { return .min }
        return Int(r)
    }

    /// `value` rounded to an integer, 0 for NaN and the ends of `Int`'s range for infinities.
    public static func clampedInt(_ value: Double) -> Int {
        if value.isNaN { return 0 }
        return int(value) ?? (value > 0 ? .max : .min)
    }
}
