// swift-tools-version:6.0
import PackageDescription

/// The executables' link: static archives in place of libstdc++, libseccomp, libcap and nettle
/// (link/static/README.md), so that a start maps glibc alone. glibc stays shared: dlopen works as
/// before. No symbol of ours is exported (SwiftPM exports them all, for testable executables):
/// the Swift runtime's start looks itself up with dladdr, which walks every exported symbol.
/// Release builds (built with --static-swift-stdlib: .ci/setup, bench/).
let staticLinking: [LinkerSetting] = [
    .unsafeFlags(["-L\(Context.packageDirectory)/link/static", "-Xlinker", "--no-export-dynamic"], .when(configuration: .release)),
]
/// The long-lived root processes (a container's monitor, the API server) resolve every symbol at
/// their start and get a read-only GOT (full RELRO): a write through a bug cannot redirect a call.
let daemonLinking: [LinkerSetting] = staticLinking + [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "now"])]

let package = Package(
    name: "cell",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cell", targets: ["cell"]),
        .executable(name: "cell-monitor", targets: ["cell-monitor"]),
        .executable(name: "cell-init", targets: ["cell-init"]),
        .executable(name: "cell-service", targets: ["cell-service"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The Engine API server only (cell-service): never linked into `cell` or the monitor.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // TLS for the Engine API on TCP (dockerd's --tlsverify): cell-service only.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // C: the module map of libarchive (Debian's libarchive-dev; linked by CellArchive).
        .systemLibrary(name: "CArchive", path: "Sources/CArchive"),
        // C: the module map of nettle's sha256 (small, SHA-NI where the CPU has it). swift-crypto
        // would bring all of Foundation into every cell command.
        .systemLibrary(name: "CNettle", path: "Sources/CNettle"),
        // C: the module map of libseccomp (the default profile and --security-opt seccomp=, compiled to BPF).
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp"),
        // libcap: capability names and the kernel's highest capability.
        .systemLibrary(name: "CCap", path: "Sources/CCap"),
        // C: libcurl's declarations (Debian's libcurl4-openssl-dev); the library itself is
        // loaded when a registry is first used, so no other command pays for it.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        // C: libnl-route-3's declarations (Debian's libnl-route-3-dev): bridges, veths, addresses
        // and routes over rtnetlink. Linked in statically by CellNetwork.
        .systemLibrary(name: "CNetlink", path: "Sources/CNetlink"),
        // C: what the lowest layer cannot do in Swift: openat2 inside a root, GNU open flags.
        .target(name: "CCore"),
        // C: the fork->exec path of a container (clone, mounts, pivot_root, exec).
        .target(name: "CRuntime", dependencies: ["CCore"]),

        // Shared plumbing without Foundation (the monitor links it): errors, atomic files, locks,
        // syscalls, paths resolved inside a root.
        .target(name: "CellCore", dependencies: ["CCore"]),
        // Tar streams in and out through libarchive; safe extraction; whiteouts.
        // libarchive linked in statically: only the parts cell calls come along (tar, pax, raw and
        // the compression filters), not the xar reader's libxml2 and ICU, which every command
        // would otherwise load (a millisecond of each start). Its compressors too: loading five
        // shared libraries cost each start more than the archives' few pages.
        .target(name: "CellArchive", dependencies: ["CArchive", "CellCore"], linkerSettings: [
            .unsafeFlags(["libarchive.a", "libnettle.a", "libz.a", "libbz2.a", "liblzma.a", "libzstd.a", "liblz4.a"]
                .flatMap { ["-Xlinker", "-l:\($0)"] }),
            // The pax writer's file brings the table of every format, the xar writer's libxml2
            // calls with it: a release link collects that garbage (--gc-sections), a debug one
            // (the tests') needs the library.
            .unsafeFlags(["-Xlinker", "-l:libxml2.so.2"], .when(configuration: .debug)),
        ]),
        // Go-template subset, ordered JSON, docker-style tables, human units.
        .target(name: "CellFormat", dependencies: ["CellCore"]),
        // The store's event journal (`cell events`): appended by every process that acts, followed with inotify.
        .target(name: "CellEvents", dependencies: ["CellCore", "CellFormat"]),
        // The OCI image store: digests, blobs, index, names, layer cache, import/save/load.
        .target(name: "CellImage", dependencies: ["CellCore", "CellArchive", "CellFormat", "CellImagefile", "CNettle", "CellEvents"]),
        // The Imagefile (Dockerfile) language: parser, variable expansion, stages, ignore rules.
        .target(name: "CellImagefile", dependencies: ["CellCore"]),
        // Containers as the CLI sees them: records, names, states, logs, ports.
        .target(name: "CellContainers", dependencies: [
            "CellCore", "CellArchive", "CellFormat", "CellImage", "CellCgroups", "CellPrivileges", "CellNetwork", "CellRuntime", "CellEvents",
        ]),
        // The builder: Imagefile stages and steps, the build cache, RUN containers, COPY layers.
        .target(name: "CellBuild", dependencies: [
            "CellCore", "CellArchive", "CellFormat", "CellImage", "CellImagefile", "CellRuntime", "CellContainers", "CellRegistry",
        ]),
        // Registries (OCI Distribution): pull and push over libcurl, authentication, platforms.
        .target(name: "CellRegistry", dependencies: ["CellCore", "CellArchive", "CellFormat", "CellImage", "CCurl"],
                linkerSettings: [.linkedLibrary("dl")]),
        // Cgroups v1 and v2: layout, a container's cgroup, resource limits, the device allow-list,
        // statistics. No Foundation (the monitor links it).
        .target(name: "CellCgroups", dependencies: ["CellCore", "CRuntime"]),
        // What a container's processes may do: capabilities, seccomp profiles (Docker's default and
        // Docker's JSON format) compiled to BPF. No Foundation.
        .target(name: "CellPrivileges", dependencies: ["CellCore", "CellFormat", "CSeccomp", "CCap"]),
        // Networking: the network modes, published ports (-p and the user-space proxy the monitor
        // runs), sockets in a container's namespace, bridges, veths, addresses and firewall rules. No Foundation.
        .target(name: "CellNetwork", dependencies: ["CellCore", "CRuntime", "CellNetlink"]),
        // rtnetlink through libnl-route, linked in statically (only the calls made come along).
        // Its own module: libnl's headers take glibc's socket declarations over, and the
        // files of a module that imports them no longer see SOCK_STREAM through Glibc.
        .target(name: "CellNetlink", dependencies: ["CellCore", "CRuntime", "CNetlink"],
                swiftSettings: [.unsafeFlags(["-Xcc", "-I/usr/include/libnl3"])],
                linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libnl-route-3.a", "-Xlinker", "-l:libnl-3.a"])]),
        // A container spec -> a running process: rootfs, namespaces, mounts, joining a running
        // container. No Foundation.
        .target(name: "CellRuntime", dependencies: ["CellCore", "CRuntime", "CellCgroups", "CellPrivileges", "CellNetwork", "CellEvents"]),

        // C: the --init process (PID 1 that forwards signals and reaps), static: it runs inside images.
        .executableTarget(name: "cell-init", linkerSettings: [.unsafeFlags(["-static-executable", "-Xlinker", "--gc-sections"])]),
        // The per-container monitor: small, no Foundation.
        .executableTarget(name: "cell-monitor", dependencies: ["CellRuntime", "CellCgroups", "CellNetwork", "CellCore", "CellFormat", "CellEvents"],
                         linkerSettings: daemonLinking),
        // Docker's views of containers and images: inspect's JSON, the rows of ps, images, stats and
        // history (the values --format templates see). The `cell` command and the API server both show these.
        .target(name: "CellPresentation", dependencies: ["CellCore", "CellFormat", "CellImage", "CellNetwork", "CellCgroups", "CellContainers", "CellBuild"]),
        // cell test: container-structure-test specs against an image or a running container.
        .target(name: "CellStructureTest", dependencies: ["CellCore", "CellFormat", "CellImage", "CellContainers", "CellRuntime"]),
        // The command line: argument parsing, terminal handling, printing, exit codes. It reaches the
        // runtime only through CellContainers (no CellRuntime, no CRuntime), as the API server will.
        .executableTarget(name: "cell", dependencies: [
            "CellCore", "CellFormat", "CellImage", "CellContainers", "CellPresentation", "CellBuild", "CellStructureTest",
            "CellRegistry", "CellEvents", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: staticLinking),
        // The Docker Engine API on a socket (`cell system service` execs it): HTTP/1.1 on SwiftNIO,
        // routes that call the same operations and show the same views as the CLI.
        .executableTarget(name: "cell-service", dependencies: [
            "CellCore", "CellFormat", "CellImage", "CellContainers", "CellPresentation", "CellEvents", "CellRegistry", "CellBuild",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
        ], linkerSettings: daemonLinking),

        .testTarget(name: "CellCoreTests", dependencies: ["CellCore"]),
        .testTarget(name: "CellArchiveTests", dependencies: ["CellArchive", "CArchive"]),
        .testTarget(name: "CellFormatTests", dependencies: ["CellFormat"]),
        .testTarget(name: "CellImageTests", dependencies: ["CellImage"]),
        .testTarget(name: "CellRegistryTests", dependencies: ["CellRegistry", "CellCore"]),
        .testTarget(name: "CellImagefileTests", dependencies: ["CellImagefile"]),
        .testTarget(name: "CellContainersTests", dependencies: ["CellContainers", "CellPrivileges", "CellRuntime", "CellCore"]),
        .testTarget(name: "CellNetworkTests", dependencies: ["CellNetwork", "CellCore"]),
        .testTarget(name: "CellRuntimeTests", dependencies: ["CellRuntime", "CellCgroups", "CellPrivileges"]),
        .testTarget(name: "CellIntegrationTests", dependencies: ["CellCore", "CRuntime"]),
    ]
)
