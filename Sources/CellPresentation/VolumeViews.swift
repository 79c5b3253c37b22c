import CellContainers
import CellCore
import CellFormat

/// Docker's views of a volume: `volume inspect`'s object and `volume ls`'s row.
public enum VolumeViews {
    public static func inspection(_ volume: Volume, mountpoint: String) -> JSONValue {
        .object([
            ("CreatedAt", .string(volume.createdAt)),
            ("Driver", .string("local")),
            ("Labels", volume.labels.isEmpty ? .null : .object(volume.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("Mountpoint", .string(mountpoint)),
            ("Name", .string(volume.name)),
            ("Options", volume.options.isEmpty ? .null : .object(volume.options.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("Scope", .string("local")),
        ])
    }

    public static let rowHeaders = ["Driver": "DRIVER", "Name": "VOLUME NAME", "Mountpoint": "MOUNTPOINT", "Labels": "LABELS",
                                    "Scope": "SCOPE", "Links": "LINKS", "Size": "SIZE", "CreatedAt": "CREATED"]

    /// The values `volume ls --format` sees; `users` is how many containers use it.
    public static func row(_ volume: Volume, mountpoint: String, users: Int) -> JSONValue {
        .object([
            ("CreatedAt", .string(volume.createdAt)),
            ("Driver", .string("local")),
            ("Labels", .string(volume.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))),
            ("Links", .string("N/A")),
            ("Mountpoint", .string(mountpoint)),
            ("Name", .string(volume.name)),
            ("Scope", .string("local")),
            ("Size", .string("N/A")),
        ])
    }
}
