import ArgoSimulator
import Domain
import Foundation
import Ports
import Testing

@Suite("Cron schedules and next runs")
struct CronScheduleTests {
    /// 2026-11-25T10:07:30Z, a Wednesday.
    static let now = ArgoTime.parse("2026-11-25T10:07:30Z")!

    func next(_ schedule: String, tz: String? = nil, count: Int = 3, after: Date = now) throws -> [String] {
        try CronSchedule.parse(schedule, timezone: tz).get().nextRuns(after: after, count: count).map(ArgoTime.format)
    }

    @Test(
        "standard fields, ranges, steps, lists and names",
        arguments: [
            ("*/15 * * * *", ["2026-11-25T10:15:00Z", "2026-11-25T10:30:00Z", "2026-11-25T10:45:00Z"]),
            ("0 2 * * *", ["2026-11-26T02:00:00Z", "2026-11-27T02:00:00Z", "2026-11-28T02:00:00Z"]),
            ("0-36/12 21-22 * * *", ["2026-11-25T21:00:00Z", "2026-11-25T21:12:00Z", "2026-11-25T21:24:00Z"]),
            ("30 9 * * MON-FRI", ["2026-11-26T09:30:00Z", "2026-11-27T09:30:00Z", "2026-11-30T09:30:00Z"]),
            ("0 0 1 JAN,jul *", ["2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
            ("0 12 13 * 5", ["2026-11-27T12:00:00Z", "2026-12-04T12:00:00Z", "2026-12-11T12:00:00Z"]),
            ("0 0 29 2 *", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"]),
            ("5 4 * * 7", ["2026-11-29T04:05:00Z", "2026-12-06T04:05:00Z", "2026-12-13T04:05:00Z"]),
        ])
    func fields(schedule: String, expected: [String]) throws {
        #expect(try next(schedule) == expected)
    }

    @Test(
        "macros",
        arguments: [
            ("@hourly", "2026-11-25T11:00:00Z"), ("@daily", "2026-11-26T00:00:00Z"),
            ("@midnight", "2026-11-26T00:00:00Z"),
            ("@weekly", "2026-11-29T00:00:00Z"), ("@monthly", "2026-12-01T00:00:00Z"),
            ("@yearly", "2027-01-01T00:00:00Z"),
            ("@annually", "2027-01-01T00:00:00Z"), ("@every 90s", "2026-11-25T10:09:00Z"),
            ("@every 1h30m", "2026-11-25T11:37:30Z"),
        ])
    func macros(schedule: String, first: String) throws {
        #expect(try next(schedule, count: 1) == [first])
    }

    @Test("time zones: the schedule's zone, CRON_TZ prefixes, and daylight saving")
    func timeZones() throws {
        #expect(try next("0 9 * * *", tz: "America/Los_Angeles", count: 1) == ["2026-11-25T17:00:00Z"])
        #expect(
            try next("CRON_TZ=Asia/Tokyo 0 9 * * *", tz: "America/Los_Angeles", count: 1) == ["2026-11-26T00:00:00Z"])
        // Berlin leaves summer time on 2026-10-25: 06:00 local is 04:00Z before and 05:00Z after.
        let before = ArgoTime.parse("2026-10-23T12:00:00Z")!
        #expect(
            try next("0 6 * * *", tz: "Europe/Berlin", count: 3, after: before)
                == ["2026-10-24T04:00:00Z", "2026-10-25T05:00:00Z", "2026-10-26T05:00:00Z"])
    }

    @Test(
        "bad schedules say what is wrong",
        arguments: [
            ("* * * *", "expected 5 fields"), ("61 * * * *", "minute 61"), ("* * * FOO *", "'FOO'"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"), ("@sometimes", "unknown descriptor"), ("0 0 * * *x", "not a valid"),
            ("@every soon", "'@every'"),
        ])
    func bad(schedule: String, fragment: String) {
        guard case .failure(let e) = CronSchedule.parse(schedule, timezone: nil) else {
            Issue.record("'\(schedule)' parsed")
            return
        }
        #expect(e.reason.contains(fragment), "\(e.reason)")
    }

    @Test("an unknown time zone is an error")
    func badZone() {
        guard case .failure(let e) = CronSchedule.parse("0 0 * * *", timezone: "Mars/Olympus") else {
            Issue.record("parsed")
            return
        }
        #expect(e.reason.contains("Mars/Olympus"))
    }
}

@Suite("CronWorkflow reads")
struct CronReadsTests {
    func reads(now: String) async throws -> CronReads {
        let sim = ArgoSimulator()
        for object in try ArgoSimulator.objects(inManifest: ArgoSimulator.demoManifests) { try await sim.load(object) }
        try await sim.loadSeeds(from: Fixtures.root.appendingPathComponent("cronworkflows"))
        let date = ArgoTime.parse(now)!
        return CronReads(
            ArgoContext(gateway: SimulatedArgoGateway(simulator: sim), defaultNamespace: "argo", now: { date }))
    }

    @Test("v4 multiple schedules merge into one list of next runs in the cron's time zone")
    func multipleSchedules() async throws {
        let detail = try await reads(now: "2026-11-25T10:00:00Z").get(
            namespace: "data-team", name: "report-weekly", nextRunCount: 4)
        #expect(detail.schedules == ["0 6 * * MON", "30 6 1 * *"])
        #expect(detail.timezone == "Europe/Berlin")
        // Mondays 06:00 and the 1st at 06:30, shown on Berlin's clock with its winter offset (UTC+1).
        #expect(
            detail.nextRuns == [
                "2026-11-30T06:00:00+01:00", "2026-12-01T06:30:00+01:00", "2026-12-07T06:00:00+01:00",
                "2026-12-14T06:00:00+01:00",
            ])
        #expect(detail.conditions.first?.type == "SubmissionError")
        #expect(detail.scheduleErrors.isEmpty)
        // The last run too is on the cron's clock, beside the next ones (Argo writes it in UTC).
        #expect(detail.lastScheduledTime == "2026-11-23T06:00:00+01:00")
        let row = try await reads(now: "2026-11-25T10:00:00Z").list(
            ListCronWorkflowsRequest(namespace: "data-team")
        ).items.first
        #expect(row?.lastScheduledTime == "2026-11-23T06:00:00+01:00")
    }

    @Test("the older single 'schedule' is read; no time zone means UTC, said to be assumed")
    func legacySchedule() async throws {
        let detail = try await reads(now: "2026-11-25T10:20:00Z").get(namespace: nil, name: "hourly-sync")
        #expect(detail.schedules == ["15 * * * *"])
        #expect(detail.timezoneAssumed)
        // hourly-sync is suspended: no next run is promised, only when it would run if resumed.
        #expect(detail.nextRuns.isEmpty)
        #expect(detail.nextRunsIfResumed?.first == "2026-11-25T11:15:00Z")
        let list = try await reads(now: "2026-11-25T10:20:00Z").list(ListCronWorkflowsRequest(suspended: true))
        #expect(list.items.map(\.name) == ["hourly-sync"])
        #expect(list.items.first?.nextRun == nil)
    }
}
