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
    /// Byte by byte, as Go's: a line ends at every '\n', a cell at every '\t'.
    public static func align(_ text: String, minWidth: Int = 10, padding: Int = 3) -> String {
        let bytes = Array(text.utf8)
        // Each line's cells (byte ranges of `bytes`) and their widths in Unicode scalars.
        var lines: [[Range<Int>]] = []
        var widths: [[Int]] = []
        var cells: [Range<Int>] = []
        var cellWidths: [Int] = []
        var cellStart = 0
        var scalars = 0
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") {
                cells.append(cellStart..<offset)
                cellWidths.append(scalars)
                cellStart = offset + 1
                scalars = 0
                if byte == UInt8(ascii: "\n") {
                    lines.append(cells)
                    widths.append(cellWidths)
                    cells.removeAll(keepingCapacity: true)
                    cellWidths.removeAll(keepingCapacity: true)
                }
            } else if byte & 0xC0 != 0x80 {
                scalars += 1
            }
        }
        cells.append(cellStart..<bytes.count)
        cellWidths.append(scalars)
        lines.append(cells)
        widths.append(cellWidths)

        var columnWidths: [Int] = []
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)

        func writeLines(_ from: Int, _ to: Int) {
            for i in from..<to {
                let line = lines[i]
                for (j, cell) in line.enumerated() {
                    out.append(contentsOf: bytes[cell])
                    // Only tab-terminated cells (not the last) belong to a column and are padded.
                    if j < columnWidths.count && j < line.count - 1 {
                        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(columnWidths[j] - widths[i][j], 0)))
                    }
                }
                if i + 1 < lines.count { out.append(UInt8(ascii: "\n")) }
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
        return String(decoding: out, as: UTF8.self)
    }
}
