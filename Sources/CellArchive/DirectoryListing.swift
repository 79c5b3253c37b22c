#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// readdir on a descriptor, shared by extraction (opaque directories) and archiving.
enum DirectoryListing {
    /// The names in an open directory, without "." and "..".
    static func names(in directory: FileDescriptorHandle) throws -> [String] {
        // fdopendir takes ownership of the descriptor it is given, so give it a duplicate.
        let copy = fcntl(directory.fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw CellError.system("read directory \(directory.path): \(Syscall.errorString(errno))")
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
