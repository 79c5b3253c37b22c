/// An Engine API version (`1.43`), as the `/v1.NN/` prefix names it and Go's versions.Compare
/// orders them: number by number.
struct APIVersion: Comparable, Sendable, CustomStringConvertible {
    var major: Int
    var minor: Int

    /// What this service speaks: Docker 24's API.
    static let current = APIVersion(major: 1, minor: 43)
    /// The oldest it answers: from 1.24 on the endpoints kept the shapes served here (a start
    /// with a body was removed in 1.24, JSON errors came in 1.24).
    static let minimum = APIVersion(major: 1, minor: 24)

    init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// `1.43`, or `1` (Docker's prefix takes any digits and dots); nil for anything else.
    init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let major = Int(parts[0]), major >= 0 else { return nil }
        let minor = parts.count > 1 ? Int(parts[1]) : 0
        guard let minor, minor >= 0 else { return nil }
        self.init(major: major, minor: minor)
    }

    static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    var description: String { "\(major).\(minor)" }
}
