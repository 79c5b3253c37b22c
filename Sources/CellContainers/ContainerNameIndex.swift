#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// Container names → ids: one symlink per name (`<root>/container-names/web -> <id>`), so that
/// resolving a name and refusing one in use do not read every container's record; with a
/// thousand containers that made each `run` and `stop web` cost tens of milliseconds.
/// Changed only under the store's names lock. A link whose container is gone (a crash between
/// linking and publishing, or between removing and unlinking) names nothing: the name is free.
struct ContainerNameIndex {
    let directory: String
    let containers: String

    /// The id of the live container with this name. The record has the last word: a rename
    /// killed between its steps leaves a link whose container is now called otherwise, and
    /// such a link names nothing.
    func id(named name: String) -> String? {
        guard NameGenerator.isValid(name), let id = FileSystem.symlinkTarget(path(of: name)), id.utf8.count == 64,
              let bytes = try? FileSystem.readFileIfPresent("\(containers)/\(id)/config.json"),
              let record = try? StoredJSON.decode(NamedRecord.self, from: bytes, what: id) else { return nil }
        return record.name == name ? id : nil
    }

    /// The one field of a record the index checks.
    private struct NamedRecord: Decodable {
        var name: String
    }

    /// The symlink that holds `name`.
    func path(of name: String) -> String { "\(directory)/\(name)" }

    /// Points `name` at `id`, replacing a stale link atomically.
    func link(_ name: String, to id: String) throws {
        let temporary = "\(directory)/.tmp-\(name)-\(FileSystem.randomSuffix())"
        guard symlink(id, temporary) == 0 else {
            throw CellError.system("name \(name): symlink: \(Syscall.errorString(errno))")
        }
        do {
            try FileSystem.rename(temporary, to: path(of: name))
        } catch {
            Glibc.unlink(temporary)
            throw error
        }
    }

    /// Frees `name` if it still names `id`.
    func unlink(_ name: String, from id: String) {
        FileSystem.removeSymlink(path(of: name), ifPointingTo: id)
    }

    /// Builds the index from the records, for a store made before it existed. Creates the
    /// directory last, so that an interrupted rebuild starts again.
    func rebuild(from records: [(name: String, id: String)]) throws {
        let building = "\(directory).building"
        try FileSystem.removeTree(building)
        try FileSystem.createDirectory(building, mode: 0o700)
        for (name, id) in records where NameGenerator.isValid(name) {
            if symlink(id, "\(building)/\(name)") != 0 && errno != EEXIST {
                throw CellError.system("name \(name): symlink: \(Syscall.errorString(errno))")
            }
        }
        try FileSystem.rename(building, to: directory)
    }
}
