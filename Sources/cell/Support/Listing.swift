import CellCore
import CellFormat

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
        let headerValue = JSONValue.sortedObject(headers)
        let table = TableWriter()
        for value in [headerValue] + rows {
            table.addRow(try template.render(value).split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
        }
        Swift.print(table.render(), terminator: "")
    }
}
