import CellCore
import CellFormat

/// docker's ways of showing sizes, times and long text.
public enum Presentation {
    public static func humanSize(_ bytes: Int64) -> String {
        HumanUnits.size(bytes)
    }

    /// `2 hours ago`
    public static func since(_ time: Timestamp, now: Timestamp) -> String {
        HumanUnits.duration(seconds: max(0, time.secondsUntil(now))) + " ago"
    }

    /// Go's time.Time.String() in UTC: `2024-05-01 10:20:30 +0000 UTC`.
    public static func goTimeString(_ time: Timestamp) -> String {
        let text = time.rfc3339
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " +0000 UTC"
    }

    /// docker's stringutils.Ellipsis: cut to `max` characters, the last one `…`.
    public static func ellipsis(_ text: String, _ max: Int) -> String {
        text.count <= max ? text : String(text.prefix(max - 1)) + "…"
    }
}
