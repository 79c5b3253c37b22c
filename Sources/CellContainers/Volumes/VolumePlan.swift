#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// The volumes a new container mounts: those `-v` and `--mount` name (made when missing), an
/// anonymous one for each `-v /path`, and one for each of the image's VOLUMEs that nothing else
/// covers. Names are chosen first (the spec needs the paths); the volumes are made only once the
/// rest of the creation has been checked, and an empty one is filled with what the image has at
/// its destination, as Docker fills it (unless `nocopy`).
struct VolumePlan {
    struct Entry: Equatable {
        var name: String
        var destination: String
        var readOnly: Bool
        var copiesImageContent: Bool
        var anonymous: Bool
    }

    var entries: [Entry]

    init(requests: [MountOptions.VolumeRequest], imageVolumes: [String], otherDestinations: [String]) throws {
        entries = requests.map { request in
            Entry(name: request.name ?? VolumeName.anonymous(), destination: request.destination, readOnly: request.readOnly,
                  copiesImageContent: request.copiesImageContent, anonymous: request.name == nil)
        }
        let taken = Set(otherDestinations + entries.map(\.destination))
        for path in imageVolumes.sorted() {
            guard let destination = try? MountDestination.checked(path, kind: .bind), !taken.contains(destination),
                  !entries.contains(where: { $0.destination == destination }) else { continue }
            entries.append(Entry(name: VolumeName.anonymous(), destination: destination, readOnly: false,
                                 copiesImageContent: true, anonymous: true))
        }
    }

    /// What the runtime mounts for each volume: its directory, or what its options say.
    func mounts(in store: VolumeStore) throws -> [ContainerSpec.Mount] {
        try entries.map { entry in
            let options = try store.find(entry.name)?.options ?? [:]
            let access: ContainerSpec.BindAccess = entry.readOnly ? .readOnly : .readWrite
            if options["type"] == "tmpfs" {
                let tmpfsOptions = ((options["o"].map { [$0] } ?? []) + (entry.readOnly ? ["ro"] : [])).joined(separator: ",")
                return .tmpfs(destination: entry.destination, options: tmpfsOptions)
            }
            let source = VolumeOptions.bindsDirectory(options) ?? store.dataDirectory(of: entry.name)
            return .bind(source: source, destination: entry.destination, access: access)
        }
    }

    /// Makes the volumes that are missing and fills the empty ones from the image (its layers,
    /// bottom first); the names it made, for a creation that fails after.
    func realize(in store: VolumeStore, imageLayers: [String]) throws -> [String] {
        var made: [String] = []
        do {
            var view: Int32 = -1
            defer { if view >= 0 { close(view) } }
            for entry in entries {
                let (volume, created) = try store.create(entry.anonymous ? nil : entry.name, anonymousName: entry.name)
                if created { made.append(volume.name) }
                guard entry.copiesImageContent, volume.options.isEmpty, try store.isEmpty(volume.name), !imageLayers.isEmpty else { continue }
                if view < 0 { view = try LayerView.open(imageLayers) }
                try VolumePlan.copy(entry.destination, from: view, into: store.dataDirectory(of: volume.name))
            }
        } catch {
            for name in made { try? store.remove(name) }
            throw error
        }
        return made
    }

    /// The image's directory at `path` (if it has one) into the volume: its entries, and its
    /// owner and mode on the volume's root, so that a server's data directory keeps its user.
    static func copy(_ path: String, from view: Int32, into data: String) throws {
        let source = RootedPath.open(path, in: view, flags: OpenFlags.path | O_DIRECTORY)
        if source == -ENOENT || source == -ENOTDIR { return }
        guard source >= 0 else { throw CellError.system("open \(path) in the image: \(Syscall.errorString(-source))") }
        defer { close(source) }
        let target = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard target >= 0 else { throw CellError.system("open \(data): \(Syscall.errorString(errno))") }
        defer { close(target) }
        try FileTreeCopier(owner: nil).copyContents(of: source, into: target)
        var st = stat()
        if fstat(source, &st) == 0 {
            _ = fchown(target, st.st_uid, st.st_gid)
            _ = fchmod(target, st.st_mode & 0o7777)
        }
    }
}
