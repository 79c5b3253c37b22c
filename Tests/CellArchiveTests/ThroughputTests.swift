#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellArchive
import CellCore
import Testing

@Suite struct ThroughputTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }

    /// 200 MB of file data through an uncompressed TarWriter: libarchive passes big writes
    /// straight to the sink, so this runs at memory speed (well above the loose bound here,
    /// which only catches a per-byte slowdown on a busy 2-core machine).
    @Test func uncompressedTarWritesAtMemorySpeed() throws {
        let chunk = [UInt8](repeating: 0x5a, count: 4 * 1024 * 1024)
        var total = 0
        var calls = 0
        let elapsed = try Self.seconds {
            let writer = try TarWriter { buffer in
                total += buffer.count
                calls += 1
            }
            for file in 0..<5 {
                try writer.append(TarEntry(path: "f\(file)", kind: .regular, size: Int64(chunk.count * 10)))
                for _ in 0..<10 { try writer.writeData(chunk) }
            }
            try writer.finish()
        }
        let megabytes = Double(total) / 1e6
        print("TarWriter: \(Int(megabytes)) MB in \(elapsed) s = \(Int(megabytes / elapsed)) MB/s, \(calls) sink calls")
        #expect(total > 200_000_000)
        #expect(calls < 400)
        #expect(megabytes / elapsed > 300)
    }
}
