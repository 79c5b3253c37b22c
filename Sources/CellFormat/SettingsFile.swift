import CellCore

/// One of cell's settings files (`registries.json`, `logging.json`): a JSON object in the
/// settings folder. A missing file is no setting (nil); one that is not a JSON object is an error
/// naming its path.
public enum SettingsFile {
    public static func read(_ name: String, in directory: String) throws -> (path: String, fields: [(String, JSONValue)])? {
        let path = "\(directory)/\(name)"
        guard let bytes = try FileSystem.readFileIfPresent(path) else { return nil }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw CellError.invalidInput("\(path): not JSON: \(error)")
        }
        guard let fields = document.objectValue else { throw CellError.invalidInput("\(path): not a JSON object") }
        return (path, fields)
    }
}
