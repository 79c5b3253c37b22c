import CellCore
import CellImage

/// `--platform os/arch[/variant]`: which entry of a multi-platform index is pulled. The default
/// is this host's (linux and its architecture); a variant given must match, one not given
/// takes the first entry of the architecture (amd64 has none; arm64 entries say v8).
public struct PlatformSelector: Equatable, Sendable {
    public var os: String
    public var architecture: String
    public var variant: String?

    public static let host = PlatformSelector(os: "linux", architecture: ImageConfig.hostArchitecture)

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// Docker's form: `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`; `linux` alone is this
    /// host's architecture.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw CellError.usage("\"\(text)\": unknown operating system or architecture: invalid argument")
        }
        os = parts[0]
        architecture = parts.count > 1 ? PlatformSelector.normalized(parts[1]) : ImageConfig.hostArchitecture
        variant = parts.count > 2 ? parts[2] : nil
    }

    /// The names containerd's platforms package takes for the same architecture.
    static func normalized(_ architecture: String) -> String {
        switch architecture {
        case "x86_64", "x86-64": return "amd64"
        case "aarch64": return "arm64"
        case "i386": return "386"
        default: return architecture
        }
    }

    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

    /// The index entry for this platform, or an error naming the platforms there are.
    func choose(from index: ImageIndex, name: String) throws -> Descriptor {
        let candidates = index.manifests.filter { entry in
            guard let platform = entry.platform else { return false }
            return platform.os == os && PlatformSelector.normalized(platform.architecture) == architecture
                && (variant == nil || platform.variant == variant)
        }
        if let chosen = candidates.first { return chosen }
        let offered = index.manifests.compactMap(\.platform).map {
            [$0.os, $0.architecture, $0.variant].compactMap { $0 }.joined(separator: "/")
        }
        throw CellError.notFound("no matching manifest for \(description) in the manifest list entries of \(name)"
                                 + (offered.isEmpty ? "" : " (it has \(offered.joined(separator: ", ")))"))
    }
}
