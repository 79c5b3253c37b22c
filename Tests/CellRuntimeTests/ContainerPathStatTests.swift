#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CellRuntime

/// The path stat's two pure parts: Go's FileMode bits as Docker's clients decode them, and the
/// lexical clean that names the path and a link's target.
@Suite struct ContainerPathStatTests {
    @Test func modesAreGoFileModes() {
        #expect(ContainerPathStat.goFileMode(S_IFREG | 0o644) == 0o644)
        #expect(ContainerPathStat.goFileMode(S_IFDIR | 0o755) == 1 << 31 | 0o755)
        #expect(ContainerPathStat.goFileMode(S_IFLNK | 0o777) == 1 << 27 | 0o777)
        #expect(ContainerPathStat.goFileMode(S_IFCHR | 0o666) == 1 << 26 | 1 << 21 | 0o666)
        #expect(ContainerPathStat.goFileMode(S_IFBLK | 0o660) == 1 << 26 | 0o660)
        #expect(ContainerPathStat.goFileMode(S_IFIFO | 0o600) == 1 << 25 | 0o600)
        #expect(ContainerPathStat.goFileMode(S_IFSOCK | 0o755) == 1 << 24 | 0o755)
        #expect(ContainerPathStat.goFileMode(S_IFREG | S_ISUID | 0o755) == 1 << 23 | 0o755)
        #expect(ContainerPathStat.goFileMode(S_IFDIR | S_ISVTX | 0o777) == 1 << 31 | 1 << 20 | 0o777)
    }

    @Test func pathsAreCleanedAsGoCleansThem() {
        #expect(ContainerPathStat.cleaned("../../etc/shadow") == "/etc/shadow")
        #expect(ContainerPathStat.cleaned("/a/./b//c/") == "/a/b/c")
        #expect(ContainerPathStat.cleaned("/a/../../b") == "/b")
        #expect(ContainerPathStat.cleaned("") == "/")
        #expect(ContainerPathStat.cleaned("/") == "/")
    }
}
