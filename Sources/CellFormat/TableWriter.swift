/// docker's table layout: Go's text/tabwriter as docker/cli's formatter sets it up,
/// `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`. Each column is as wide as its widest cell plus 3
/// spaces, but at least 10; a line's last cell is not padded. Widths count Unicode scalars (runes),
/// as Go does. Columns are aligned over runs of consecutive lines that have the column (tabwriter's
/// column blocks), so a line without tabs breaks the alignment just as in Go.
public final class TableWriter {
    public let minWidth: Int
    public let padding: Int
    private var text = ""

    public init(minWidth: Int = 10, padding: Int = 3) {
        self.minWidth = minWidth
        self.padding = padding
    }

    /// Adds one row: the cells become tab-separated text ending in a newline.
    public func addRow(_ cells: [String]) {
        text += cells.joined(separator: "\t") + "\n"
    }

    /// Adds raw text with `\t` cell separators and `\n` line ends, as a template's output.
    public func write(_ raw: String) {
        text += raw
    }

    /// The aligned text of everything added (rows end in newlines).
    public func render() -> String {
        TableWriter.align(text, minWidth: minWidth, padding: padding)
    }

    /// Aligns tab-separated text the way Go's tabwriter (padchar ' ', no flags) does on Flush.
    public static func align(_ text: String, minWidth: Int = 10, padding: Int = 3) -> String {
        let lines: [[Substring]] = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let widths: [[Int]] = lines.map { $0.map { $0.unicodeScalars.count } }
        var columnWidths: [Int] = []
        var out = ""
        out.reserveCapacity(text.utf8.count * 2)
        // Padding is cut from one run of blanks, not made anew for each cell.
        let blanks = String(repeating: " ", count: 128)

        func writeLines(_ from: Int, _ to: Int) {
            for i in from..<to {
                for (j, cell) in lines[i].enumerated() {
                    out += cell
                    // Only tab-terminated cells (not the last) belong to a column and are padded.
                    if j < columnWidths.count && j < lines[i].count - 1 {
                        let pad = max(columnWidths[j] - widths[i][j], 0)
                        if pad <= 128 { out += blanks.prefix(pad) } else { out += String(repeating: " ", count: pad) }
                    }
                }
                if i + 1 < lines.count { out += "\n" }
            }
        }

        // tabwriter's recursive format: find a block of lines sharing column `column`, size it,
        // then lay out the columns to its right within that block.
        func format(_ start: Int, _ end: Int) {
            let column = columnWidths.count
            var line0 = start
            var this = start
            while this < end {
                if column >= lines[this].count - 1 { this += 1; continue }
                writeLines(line0, this)
                line0 = this
                var width = minWidth
                while this < end && column < lines[this].count - 1 {
                    width = max(width, widths[this][column] + padding)
                    this += 1
                }
                columnWidths.append(width)
                format(line0, this)
                columnWidths.removeLast()
                line0 = this
            }
            writeLines(line0, end)
        }

        format(0, lines.count)
        return out
    }
}
