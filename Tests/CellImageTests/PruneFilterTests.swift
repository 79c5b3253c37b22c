import CellCore
import Testing
@testable import CellImage

/// `--filter` of the prunes, with moby's meanings and answers.
@Suite struct PruneFilterTests {
    let now = Timestamp(rfc3339: "2024-05-01T10:00:00Z")!

    func filter(_ pairs: [(String, String)], for subject: PruneFilter.Subject = .containers) throws -> PruneFilter {
        try PruneFilter(pairs.map { (key: $0.0, value: $0.1) }, for: subject, now: now)
    }

    @Test func untilKeepsWhatWasCreatedLater() throws {
        let hourAgo = try filter([("until", "1h")])
        #expect(hourAgo.admits(created: Timestamp(rfc3339: "2024-05-01T08:59:59Z"), labels: [:]))
        #expect(hourAgo.admits(created: Timestamp(rfc3339: "2024-05-01T09:00:00Z"), labels: [:]))
        #expect(!hourAgo.admits(created: Timestamp(rfc3339: "2024-05-01T09:00:01Z"), labels: [:]))
        // No creation time: kept, as moby keeps an image without one.
        #expect(!hourAgo.admits(created: nil, labels: [:]))
        #expect(try filter([]).admits(created: nil, labels: [:]))
        #expect(hourAgo.admitsCacheEntry(lastUsed: Timestamp(rfc3339: "2024-05-01T08:00:00Z")!))
        #expect(!hourAgo.admitsCacheEntry(lastUsed: Timestamp(rfc3339: "2024-05-01T09:30:00Z")!))
    }

    @Test func labelsMustAllBeCarriedAndLabelBangKeepsWhatCarriesThemAll() throws {
        let tier = try filter([("label", "tier"), ("label", "env=prod")])
        #expect(tier.admits(created: nil, labels: ["tier": "db", "env": "prod"]))
        #expect(!tier.admits(created: nil, labels: ["tier": "db", "env": "test"]))
        #expect(!tier.admits(created: nil, labels: ["env": "prod"]))
        #expect(!tier.admits(created: nil, labels: [:]))
        let keep = try filter([("label!", "keep"), ("label!", "env=prod")])
        #expect(!keep.admits(created: nil, labels: ["keep": "", "env": "prod"]))
        // Only what carries every label! one is kept (moby's MatchKVList), nothing carried keeps nothing.
        #expect(keep.admits(created: nil, labels: ["keep": "yes"]))
        #expect(keep.admits(created: nil, labels: [:]))
        let until = try filter([("until", "1h")])
        #expect(keep.looksAtLabels && !until.looksAtLabels)
        // Labels mean nothing to the build cache, as in moby.
        #expect(tier.admitsCacheEntry(lastUsed: now))
    }

    @Test func danglingIsForImagesOnly() throws {
        #expect(try filter([("dangling", "false")], for: .images).allImages)
        let dangling = try filter([("dangling", "1")], for: .images)
        #expect(!dangling.allImages)
        #expect(throws: CellError(.invalidInput, "invalid filter 'dangling'")) { try filter([("dangling", "false")]) }
        #expect(throws: CellError(.invalidInput, "invalid filter 'dangling=maybe'")) { try filter([("dangling", "maybe")], for: .images) }
        #expect(throws: CellError(.invalidInput, "invalid filter 'dangling=false,true'")) {
            try filter([("dangling", "true"), ("dangling", "false")], for: .images)
        }
    }

    @Test func mistakesGetMobysAnswers() {
        #expect(throws: CellError(.invalidInput, "invalid filter 'foo'")) { try filter([("until", "1h"), ("foo", "bar")]) }
        #expect(throws: CellError(.invalidInput, "more than one until filter specified")) { try filter([("until", "1h"), ("until", "2h")]) }
        #expect(throws: CellError(.invalidInput, "failed to parse value as time or duration: \"soon\"")) { try filter([("until", "soon")]) }
    }
}
