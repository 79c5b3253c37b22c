import Testing
@testable import CellRuntime

/// The waits between a log driver's tries: growing by half each failure, capped at a minute.
@Suite struct ReconnectScheduleTests {
    @Test func waitsGrowByHalfUpToAMinute() {
        var schedule = ReconnectSchedule(firstWait: 1)
        #expect(schedule.isDue(at: 0), "the first try is at once")
        var waits: [Int32] = []
        for _ in 0..<14 {
            schedule.failed(at: 100)
            waits.append(schedule.millisecondsUntilDue(at: 100))
        }
        #expect(Array(waits.prefix(5)) == [1000, 1500, 2250, 3375, 5063])
        #expect(waits.last == 60000)
        #expect(!schedule.isDue(at: 159.9) && schedule.isDue(at: 160))
        schedule.connected()
        #expect(schedule.failures == 0 && schedule.isDue(at: 0))
    }
}
