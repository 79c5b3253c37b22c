#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

extension TarEntry {
    /// Reads a libarchive entry. Paths are taken as raw bytes; a name that is not UTF-8 is
    /// repaired (Swift strings are Unicode), which only matters for hostile or ancient tarballs.
    init(archiveEntry entry: OpaquePointer, archiveName: String) throws {
        let rawPath = archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry)
        guard let rawPath else {
            throw CellError.invalidInput("archive \(archiveName) has an entry without a path")
        }
        let path = String(cString: rawPath)
        let hardlink = archive_entry_hardlink(entry) ?? archive_entry_hardlink_utf8(entry)
        let fileType = UInt32(archive_entry_filetype(entry))
        let kind: Kind
        if hardlink != nil {
            kind = .hardlink
        } else {
            switch fileType {
            case S_IFREG: kind = .regular
            case S_IFDIR: kind = .directory
            case S_IFLNK: kind = .symlink
            case S_IFCHR: kind = .characterDevice
            case S_IFBLK: kind = .blockDevice
            case S_IFIFO: kind = .fifo
            case S_IFSOCK: kind = .socket
            default:
                throw CellError.invalidInput("archive \(archiveName): entry \"\(path)\" has an unknown file type")
            }
        }
        func owner(_ value: Int64, _ what: String) throws -> UInt32 {
            guard let id = UInt32(exactly: value) else {
                throw CellError.invalidInput("archive \(archiveName): entry \"\(path)\" has an out-of-range \(what) \(value)")
            }
            return id
        }
        var linkTarget: String?
        if let hardlink {
            linkTarget = String(cString: hardlink)
        } else if kind == .symlink, let target = archive_entry_symlink(entry) ?? archive_entry_symlink_utf8(entry) {
            linkTarget = String(cString: target)
        }
        var attributes: [ExtendedAttribute] = []
        if archive_entry_xattr_reset(entry) > 0 {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK {
                guard let name else { continue }
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                let attribute = ExtendedAttribute(name: String(cString: name), value: bytes)
                // pax headers from libarchive carry each attribute twice (LIBARCHIVE.xattr and
                // SCHILY.xattr), and both are reported: keep one, the later.
                if let index = attributes.firstIndex(where: { $0.name == attribute.name }) {
                    attributes[index] = attribute
                } else {
                    attributes.append(attribute)
                }
            }
        }
        self.init(
            path: path, kind: kind,
            size: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0,
            mode: UInt32(archive_entry_perm(entry)) & 0o7777,
            uid: try owner(archive_entry_uid(entry), "uid"),
            gid: try owner(archive_entry_gid(entry), "gid"),
            userName: Self.nonEmpty(archive_entry_uname(entry)),
            groupName: Self.nonEmpty(archive_entry_gname(entry)),
            modificationTime: Timestamp(
                seconds: Int64(archive_entry_mtime(entry)),
                nanoseconds: Int32(truncatingIfNeeded: archive_entry_mtime_nsec(entry))),
            linkTarget: linkTarget,
            deviceMajor: UInt32(truncatingIfNeeded: archive_entry_rdevmajor(entry)),
            deviceMinor: UInt32(truncatingIfNeeded: archive_entry_rdevminor(entry)),
            extendedAttributes: attributes)
    }

    /// ustar stores "no name" as an empty field.
    private static func nonEmpty(_ text: UnsafePointer<CChar>?) -> String? {
        guard let text, text.pointee != 0 else { return nil }
        return String(cString: text)
    }

    /// Fills a fresh libarchive entry for writing. Only what the tar should carry is set: no
    /// atime/ctime, so the same tree always gives the same bytes.
    func fill(archiveEntry entry: OpaquePointer) {
        archive_entry_set_pathname(entry, path)
        let fileType: UInt32
        switch kind {
        case .regular, .hardlink: fileType = S_IFREG
        case .directory: fileType = S_IFDIR
        case .symlink: fileType = S_IFLNK
        case .characterDevice: fileType = S_IFCHR
        case .blockDevice: fileType = S_IFBLK
        case .fifo: fileType = S_IFIFO
        case .socket: fileType = S_IFSOCK
        }
        archive_entry_set_filetype(entry, fileType)
        archive_entry_set_perm(entry, mode & 0o7777)
        archive_entry_set_uid(entry, Int64(uid))
        archive_entry_set_gid(entry, Int64(gid))
        if let userName { archive_entry_set_uname(entry, userName) }
        if let groupName { archive_entry_set_gname(entry, groupName) }
        archive_entry_set_mtime(entry, time_t(modificationTime.seconds), Int(modificationTime.nanoseconds))
        archive_entry_set_size(entry, kind == .regular ? size : 0)
        switch kind {
        case .symlink: archive_entry_set_symlink(entry, linkTarget ?? "")
        case .hardlink: archive_entry_set_hardlink(entry, linkTarget ?? "")
        case .characterDevice, .blockDevice:
            archive_entry_set_rdevmajor(entry, dev_t(deviceMajor))
            archive_entry_set_rdevminor(entry, dev_t(deviceMinor))
        default: break
        }
        for attribute in extendedAttributes {
            attribute.value.withUnsafeBytes {
                archive_entry_xattr_add_entry(entry, attribute.name, $0.baseAddress, $0.count)
            }
        }
    }
}
