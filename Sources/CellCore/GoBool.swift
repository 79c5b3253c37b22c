/// Go's strconv.ParseBool, which Docker reads its boolean options and flags with: 1, t, T,
/// TRUE, true, True and their false twins; nil for anything else (each caller words the refusal
/// as Docker does there).
public enum GoBool {
    public static func parse(_ text: some StringProtocol) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}
