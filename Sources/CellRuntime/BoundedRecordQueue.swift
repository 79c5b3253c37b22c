/// Encoded records waiting for a receiver, oldest first, bounded by a count and a total size.
/// When either bound would be passed, the oldest records are dropped to make room: a log
/// receiver that comes back gets the most recent output, and the memory of the process that
/// holds the queue stays bounded however long the receiver is gone. (Docker's fluentd client
/// refuses the newest instead; the oldest are the ones least likely still to matter.)
///
/// The first record may be partly sent already (`sentOfFirst`): it is never dropped then, so a
/// connection never carries half a record followed by another one.
public struct BoundedRecordQueue {
    public let maximumCount: Int
    public let maximumBytes: Int
    private var records: [[UInt8]] = []
    private var head = 0
    public private(set) var byteCount = 0
    /// Records dropped to make room, since the queue was made.
    public private(set) var droppedCount = 0
    /// Bytes of the first record already written to the current connection.
    public var sentOfFirst = 0

    public init(maximumCount: Int, maximumBytes: Int) {
        self.maximumCount = max(1, maximumCount)
        self.maximumBytes = max(1, maximumBytes)
    }

    public var count: Int { records.count - head }
    public var isEmpty: Bool { head == records.count }

    /// Adds a record at the end, dropping the oldest ones (all but a partly sent first) until it
    /// fits. A record larger than the whole size bound is kept alone: lines are at most 16 KiB.
    public mutating func append(_ record: [UInt8]) {
        while !isEmpty && (count + 1 > maximumCount || byteCount + record.count > maximumBytes) {
            if sentOfFirst > 0 {
                // The first stays for its connection; the one after it goes, if any.
                guard count > 1 else { break }
                // In O(1): the first moves into the second's place, over it.
                byteCount -= records[head + 1].count
                records[head + 1] = records[head]
                records[head] = []
                head += 1
            } else {
                byteCount -= records[head].count
                records[head] = []
                head += 1
            }
            droppedCount += 1
        }
        records.append(record)
        byteCount += record.count
        compactIfWorthIt()
    }

    /// The records to write next, in order, the first one from where its sending stopped, up to
    /// about `limit` bytes (at least one record).
    public func pending(upTo limit: Int) -> [ArraySlice<UInt8>] {
        var slices: [ArraySlice<UInt8>] = []
        var total = 0
        var index = head
        while index < records.count && (slices.isEmpty || total < limit) {
            let slice = index == head ? records[index][sentOfFirst...] : records[index][...]
            slices.append(slice)
            total += slice.count
            index += 1
        }
        return slices
    }

    /// `written` bytes of what `pending` gave went out: whole records leave the queue.
    public mutating func consume(_ written: Int) {
        var left = written
        while left > 0 && !isEmpty {
            let remaining = records[head].count - sentOfFirst
            if left < remaining {
                sentOfFirst += left
                return
            }
            left -= remaining
            byteCount -= records[head].count
            records[head] = []
            head += 1
            sentOfFirst = 0
        }
        compactIfWorthIt()
    }

    /// The connection went away: the first record is sent again whole on the next one.
    public mutating func restartFirst() { sentOfFirst = 0 }

    /// Gives up everything queued (counted as dropped).
    public mutating func removeAll() {
        droppedCount += count
        records.removeAll(keepingCapacity: false)
        head = 0
        byteCount = 0
        sentOfFirst = 0
    }

    /// The consumed front is cut away once it is at least half the storage.
    private mutating func compactIfWorthIt() {
        if head > 64 && head * 2 >= records.count {
            records.removeFirst(head)
            head = 0
        }
    }
}
