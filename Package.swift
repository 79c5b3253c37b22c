// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cell",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cell", targets: ["cell"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C: the module map of libarchive (Debian's libarchive-dev).
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),

        // Shared plumbing: errors, digests, atomic files, locks, syscalls.
        .target(name: "CellCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Tar streams in and out through libarchive; safe extraction; whiteouts.
        .target(name: "CellArchive", dependencies: ["CArchive", "CellCore"]),
        // Go-template subset, ordered JSON, docker-style tables, human units.
        .target(name: "CellFormat", dependencies: ["CellCore"]),
        // The OCI image store: blobs, index, names, layers cache, import/save/load.
        .target(name: "CellImage", dependencies: ["CellCore", "CellArchive"]),

        // The command line: parsing, tables, messages, exit codes.
        .executableTarget(name: "cell", dependencies: [
            "CellCore", "CellFormat", "CellImage",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "CellArchiveTests", dependencies: ["CellArchive", "CArchive"]),
        .testTarget(name: "CellFormatTests", dependencies: ["CellFormat"]),
        .testTarget(name: "CellImageTests", dependencies: ["CellImage"]),
        .testTarget(name: "CellIntegrationTests", dependencies: ["CellCore"]),
    ]
)
