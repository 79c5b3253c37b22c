#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// `--filter` for images: dangling=true|false, reference=PATTERN (shell glob on the name).
public struct ImageFilter {
    public var dangling: Bool?
    public var references: [String] = []

    public init(_ filters: [String], repository: String?) throws {
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw CellError.usage("invalid filter '\(filter)': expected key=value")
            }
            let key = String(filter[..<equals]), value = String(filter[filter.index(after: equals)...])
            switch key {
            case "dangling":
                guard value == "true" || value == "false" else {
                    throw CellError.usage("invalid filter 'dangling=\(value)'")
                }
                dangling = value == "true"
            case "reference":
                references.append(value)
            default:
                throw CellError.usage("invalid filter '\(key)'")
            }
        }
        if let repository { references.append(repository.contains(":") ? repository : repository + ":*") }
    }

    public func matches(_ row: ImageRow) -> Bool {
        if let dangling, dangling != (row.reference == nil) { return false }
        guard !references.isEmpty else { return true }
        guard let reference = row.reference else { return false }
        let candidates = [reference.familiarName, reference.familiarRepository, reference.description]
        return references.contains { pattern in
            candidates.contains { fnmatch(pattern, $0, 0) == 0 }
        }
    }
}
