/// A route's path: literal segments and captures. `{id}` takes one segment; `{name*}` takes one or
/// more (image names hold slashes: `/images/localhost:5000/team/app:1/json`), as Docker's
/// `{name:.*}` does, leaving the literal segments after it to the end of the path.
struct PathPattern: Sendable {
    private enum Segment: Sendable {
        case literal(String)
        case capture(String)
        case rest(String)
    }

    private let segments: [Segment]

    init(_ text: String) {
        segments = text.split(separator: "/").map { part in
            if part.hasPrefix("{") && part.hasSuffix("*}") { return .rest(String(part.dropFirst().dropLast(2))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .capture(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
    }

    /// The captures (still percent-encoded) when `path` matches; nil otherwise.
    func match(_ path: [Substring]) -> [String: Substring]? {
        var captures: [String: Substring] = [:]
        guard let restIndex = segments.firstIndex(where: { if case .rest = $0 { true } else { false } }) else {
            guard path.count == segments.count else { return nil }
            return matchEach(segments[...], path[...], into: &captures) ? captures : nil
        }
        let before = segments[..<restIndex], after = segments[(restIndex + 1)...]
        guard path.count >= before.count + after.count + 1,
              matchEach(before, path.prefix(before.count), into: &captures),
              matchEach(after, path.suffix(after.count), into: &captures),
              case .rest(let name) = segments[restIndex] else { return nil }
        let middle = path[before.count..<(path.count - after.count)]
        captures[name] = Substring(middle.joined(separator: "/"))
        return captures
    }

    private func matchEach(_ segments: ArraySlice<Segment>, _ path: ArraySlice<Substring>, into captures: inout [String: Substring]) -> Bool {
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let text): if part != text { return false }
            case .capture(let name): captures[name] = part
            case .rest: return false
            }
        }
        return true
    }
}
