import CellCore
import CellFormat

/// docker's ways of showing sizes, times and long text.
enum Presentation {
    static func humanSize(_ bytes: Int64) -> String {
        HumanUnits.size(bytes)
    }

    /// `2 hours ago`
    static func since(_ time: Timestamp, now: Timestamp) -> String {
        HumanUnits.duration(seconds: max(0, time.secondsUntil(now))) + " ago"
    }

    /// Go's time.Time.String() in UTC: `2024-05-01 10:20:30 +0000 UTC`.
    static func goTimeString(_ time: Timestamp) -> String {
        let text = time.rfc3339
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " +0000 UTC"
    }

    /// docker's stringutils.Ellipsis: cut to `max` characters, the last one `…`.
    static func ellipsis(_ text: String, _ max: Int) -> String {
        text.count <= max ? text : String(text.prefix(max - 1)) + "…"
    }
}

/// Lists (`images`, `ps`, `history`): docker's `--format` handling. `table` formats get a header row
/// (the template rendered over header names) and aligned columns; `json` prints one object per
/// line; any other template prints once per row.
enum Listing {
    static func print(_ rows: [JSONValue], format: String, headers: [String: String]) throws {
        if format == "json" {
            // docker's {{json .}}: no HTML escaping (unlike inspect's MarshalIndent).
            rows.forEach { Output.line($0.serialized(indent: nil, escapingHTML: false)) }
            return
        }
        let (isTable, text) = GoTemplate.splitTableDirective(format)
        if isTable && text.isEmpty {
            throw CellError.usage("template parsing error: table needs a format, e.g. table {{.ID}}")
        }
        let template = try GoTemplate(text)
        guard isTable else {
            for row in rows { Output.line(try template.render(row)) }
            return
        }
        let headerValue = JSONValue.object(headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        let table = TableWriter()
        for value in [headerValue] + rows {
            table.addRow(try template.render(value).split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
        }
        Swift.print(table.render(), terminator: "")
    }
}
