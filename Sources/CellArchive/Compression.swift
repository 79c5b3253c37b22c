import CArchive

/// A compression found on an input stream.
public enum Compression: String, Equatable, Sendable {
    case none, gzip, zstd, xz, bzip2, lzma, lz4, other

    init(filterCode: Int32) {
        switch filterCode {
        case ARCHIVE_FILTER_NONE: self = .none
        case ARCHIVE_FILTER_GZIP: self = .gzip
        case ARCHIVE_FILTER_ZSTD: self = .zstd
        case ARCHIVE_FILTER_XZ: self = .xz
        case ARCHIVE_FILTER_BZIP2: self = .bzip2
        case ARCHIVE_FILTER_LZMA: self = .lzma
        case ARCHIVE_FILTER_LZ4: self = .lz4
        default: self = .other
        }
    }
}

/// A compression to write with, and its level (gzip 1...9, zstd 1...19; nil = the library default).
public enum OutputCompression: Equatable, Sendable {
    case none
    case gzip(level: Int? = nil)
    case zstd(level: Int? = nil)
}
