import CellFormat

/// Docker's progress bar for a transfer, `[=====>      ]  1.2MB/3.4MB`: drawn by `cell pull` and
/// `push` on a terminal and sent as the `progress` field of the Engine API's JSON messages.
public enum ProgressBar {
    public static func text(_ current: Int64, _ total: Int64) -> String {
        guard total > 0 else { return HumanUnits.size(current, precision: 4) }
        let filled = Int(min(50, current * 50 / total))
        let arrow = filled < 50 ? ">" : "="
        let body = String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? arrow : "")
        return "[" + body + String(repeating: " ", count: 50 - body.count) + "]  "
            + HumanUnits.size(current, precision: 4) + "/" + HumanUnits.size(total, precision: 4)
    }
}
