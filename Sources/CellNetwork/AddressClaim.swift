#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// A network's address claim, `networks/<name>/addresses/<IPv4>`: made with O_EXCL by the
/// creation that takes the address, holding the id of the container that has it. It is read
/// only as what cell makes: a small regular file with an id in it. Anything else there (a
/// symlink, a FIFO, a directory, a device node) is no one's claim and is never followed or
/// opened for reading: a FIFO would stall every creation and removal on the network, which all
/// read the claims, and a link to /dev/zero would fill memory.
public enum AddressClaim {
    /// The container id in the claim at `path`; nil when there is none that cell wrote.
    public static func owner(at path: String) -> String? {
        guard let fd = try? RegularFile.open(at: AT_FDCWD, path, flags: O_RDONLY, describing: path) else { return nil }
        let handle = FileDescriptorHandle(fd: fd, path: path)
        defer { try? handle.close() }
        guard let bytes = try? handle.readToEnd(limit: 64) else { return nil }
        let id = String(decoding: bytes, as: UTF8.self)
        return isContainerID(id) ? id : nil
    }

    /// 64 lower-case hex digits, as every container id.
    static func isContainerID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
