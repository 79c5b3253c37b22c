#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// C copies of Swift strings and arrays for one call into C, freed together: the C config
/// holds raw pointers, which must stay valid until the child has been cloned.
final class CStringArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { for pointer in allocations { free(pointer) } }

    func string(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        allocations.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    func optionalString(_ text: String?) -> UnsafePointer<CChar>? {
        text.map(string)
    }

    /// A NULL-terminated array of C strings.
    func stringArray(_ texts: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: texts.count + 1)
        for (index, text) in texts.enumerated() { array[index] = string(text) }
        array[texts.count] = nil
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }

    func values<T>(_ items: [T]) -> UnsafePointer<T>? {
        guard !items.isEmpty else { return nil }
        let array = UnsafeMutablePointer<T>.allocate(capacity: items.count)
        array.initialize(from: items, count: items.count)
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }
}
