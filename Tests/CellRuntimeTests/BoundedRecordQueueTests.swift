import Testing
@testable import CellRuntime

/// The fluentd driver's buffer: bounded by count and by bytes, the oldest dropped first, a
/// record half on the wire never cut.
@Suite struct BoundedRecordQueueTests {
    func record(_ byte: UInt8, _ size: Int = 4) -> [UInt8] { [UInt8](repeating: byte, count: size) }
    func contents(_ queue: BoundedRecordQueue) -> [UInt8] { queue.pending(upTo: .max).flatMap { $0 } }

    @Test func theOldestGoPastTheCount() {
        var queue = BoundedRecordQueue(maximumCount: 3, maximumBytes: 1000)
        for byte in UInt8(1)...5 { queue.append(record(byte, 1)) }
        #expect(contents(queue) == [3, 4, 5])
        #expect(queue.count == 3 && queue.droppedCount == 2 && queue.byteCount == 3)
    }

    @Test func theOldestGoPastTheBytes() {
        var queue = BoundedRecordQueue(maximumCount: 100, maximumBytes: 10)
        queue.append(record(1))
        queue.append(record(2))
        queue.append(record(3))
        #expect(contents(queue) == record(2) + record(3))
        #expect(queue.byteCount == 8 && queue.droppedCount == 1)
        // A record larger than the bound is kept alone.
        queue.append(record(9, 20))
        #expect(contents(queue) == record(9, 20) && queue.count == 1)
    }

    @Test func sendingConsumesWholeRecordsAndRemembersWhereAPieceStopped() {
        var queue = BoundedRecordQueue(maximumCount: 10, maximumBytes: 100)
        queue.append(record(1))
        queue.append(record(2))
        queue.consume(6)
        #expect(queue.count == 1 && queue.sentOfFirst == 2)
        #expect(contents(queue) == [2, 2])
        // A lost connection sends the record again whole.
        queue.restartFirst()
        #expect(contents(queue) == record(2))
        queue.consume(4)
        #expect(queue.isEmpty && queue.byteCount == 0)
    }

    @Test func aRecordHalfSentIsNeverDropped() {
        var queue = BoundedRecordQueue(maximumCount: 2, maximumBytes: 100)
        queue.append(record(1))
        queue.append(record(2))
        queue.consume(1)
        queue.append(record(3))
        queue.append(record(4))
        #expect(contents(queue) == [1, 1, 1] + record(4))
        #expect(queue.droppedCount == 2 && queue.byteCount == 8)
    }

    @Test func pendingBatchesUpToTheLimit() {
        var queue = BoundedRecordQueue(maximumCount: 10, maximumBytes: 100)
        for byte in UInt8(1)...4 { queue.append(record(byte)) }
        #expect(queue.pending(upTo: 6).count == 2)
        #expect(queue.pending(upTo: 1).count == 1, "at least one record")
    }

    @Test func aLongStreamPassesThroughInOrder() {
        var queue = BoundedRecordQueue(maximumCount: 1000, maximumBytes: 1 << 20)
        for round in 0..<10_000 {
            queue.append(record(UInt8(round & 0xff)))
            if round % 3 == 2 { queue.consume(queue.byteCount) }
        }
        #expect(contents(queue) == record(UInt8(9999 & 0xff)) && queue.droppedCount == 0)
    }

    @Test func removingAllCountsThemDropped() {
        var queue = BoundedRecordQueue(maximumCount: 10, maximumBytes: 100)
        queue.append(record(1))
        queue.append(record(2))
        queue.removeAll()
        #expect(queue.isEmpty && queue.droppedCount == 2 && queue.byteCount == 0)
    }
}
