import CellCore

/// `--filter` of the prunes (`container prune`, `image prune`, `system prune`), with moby's keys
/// and meanings: `until=` keeps what was created after a time, `label=KEY[=VALUE]` prunes only
/// what carries every such label, `label!=KEY[=VALUE]` keeps what carries every such label, and
/// for images `dangling=false` widens the prune to every unused image (as `-a` does). The command
/// line splits each `--filter KEY=VALUE`; the key and the value are judged here, so that the API
/// server will answer the same mistakes with the same words.
public struct PruneFilter: Sendable {
    /// What a prune offers the filter to judge.
    public enum Subject: Sendable {
        /// Containers, and `system prune` (whose first prune, of containers, judges its filters).
        case containers
        case images

        /// The keys moby accepts for each.
        var keys: Set<String> {
            self == .images ? ["label", "label!", "until", "dangling"] : ["label", "label!", "until"]
        }
    }

    /// Created later than this: kept.
    public private(set) var until: Timestamp?
    /// `KEY` or `KEY=VALUE`, each of which the pruned must carry.
    public private(set) var labels: [String] = []
    /// `KEY` or `KEY=VALUE`: what carries all of them is kept.
    public private(set) var keptLabels: [String] = []
    /// `dangling=false`: every unused image, not only dangling ones.
    public private(set) var allImages = false

    /// No filter at all.
    public init() {}

    /// Judges `filters` (lowercased keys, as the command line splits them) for a prune of `subject`;
    /// `now` anchors a relative `until`.
    public init(_ filters: [(key: String, value: String)], for subject: Subject, now: Timestamp = .now()) throws {
        if let unknown = filters.first(where: { !subject.keys.contains($0.key) }) {
            throw CellError(.invalidInput, "invalid filter '\(unknown.key)'")
        }
        let untils = filters.filter { $0.key == "until" }.map(\.value)
        if untils.count > 1 { throw CellError(.invalidInput, "more than one until filter specified") }
        until = try untils.first.map { try TimeArgument.parse($0, now: now) }
        labels = filters.filter { $0.key == "label" }.map(\.value)
        keptLabels = filters.filter { $0.key == "label!" }.map(\.value)
        let dangling = Set(filters.filter { $0.key == "dangling" }.map(\.value))
        if !dangling.isEmpty {
            let falsy = !dangling.isDisjoint(with: ["false", "0"]), truthy = !dangling.isDisjoint(with: ["true", "1"])
            guard falsy != truthy, dangling.isSubset(of: ["false", "0", "true", "1"]) else {
                throw CellError(.invalidInput, "invalid filter 'dangling=\(dangling.sorted().joined(separator: ","))'")
            }
            allImages = falsy
        }
    }

    /// Whether something created at `created` (nil: unknown) and carrying `labels` may go. As moby,
    /// with `until` what has no creation time stays.
    public func admits(created: Timestamp?, labels carried: [String: String]) -> Bool {
        if let until {
            guard let created, created <= until else { return false }
        }
        if !labels.isEmpty && !Self.carriesAll(labels, carried) { return false }
        if !keptLabels.isEmpty && Self.carriesAll(keptLabels, carried) { return false }
        return true
    }

    /// Whether a build cache entry last used at `lastUsed` may go: moby's build cache prune reads
    /// `until` as "unused since", and takes label filters but ignores them (so a `system prune`
    /// with labels empties the build cache, in Docker as here).
    public func admitsCacheEntry(lastUsed: Timestamp) -> Bool {
        until.map { lastUsed <= $0 } ?? true
    }

    /// Whether anything in the filter looks at labels (images then read their configs).
    public var looksAtLabels: Bool { !labels.isEmpty || !keptLabels.isEmpty }

    /// moby's `MatchKVList`: every `KEY` present, every `KEY=VALUE` equal; nothing carried matches nothing.
    static func carriesAll(_ wanted: [String], _ carried: [String: String]) -> Bool {
        guard !carried.isEmpty else { return false }
        return wanted.allSatisfy { label in
            let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let value = carried[String(parts[0])] else { return false }
            return parts.count == 1 || value == parts[1]
        }
    }
}
