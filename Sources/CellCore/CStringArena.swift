#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// C copies of Swift strings and arrays for one call into C, freed together: the C config
/// holds raw pointers, which must stay valid until the child has been cloned. Text with a NUL
/// byte is refused here, the last line of defence behind the input boundaries: C would cut it
/// short (an argument or path silently changed).
public final class CStringArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    public init() {}

    deinit { for pointer in allocations { free(pointer) } }

    public func string(_ text: String) throws -> UnsafePointer<CChar> {
        try NULByte.check(text, as: "argument", kind: .setup)
        guard let copy = strdup(text) else { throw CellError(.system, "out of memory") }
        allocations.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    public func optionalString(_ text: String?) throws -> UnsafePointer<CChar>? {
        try text.map(string)
    }

    /// A NULL-terminated array of C strings.
    public func stringArray(_ texts: [String]) throws -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: texts.count + 1)
        allocations.append(UnsafeMutableRawPointer(array))
        for (index, text) in texts.enumerated() { array[index] = try string(text) }
        array[texts.count] = nil
        return UnsafePointer(array)
    }

    public func values<T>(_ items: [T]) -> UnsafePointer<T>? {
        guard !items.isEmpty else { return nil }
        let array = UnsafeMutablePointer<T>.allocate(capacity: items.count)
        array.initialize(from: items, count: items.count)
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }
}
