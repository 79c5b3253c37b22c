/// A template failure before it becomes a CellError: where it happened (a byte offset) and,
/// for execution errors, the node being evaluated (`at <.Config.Foo>`).
struct TemplateError: Error {
    var message: String
    var position: Int
    var isParse: Bool
    var context: String? = nil
}

/// A function's own complaint, which Go reports as `error calling name: …`.
struct TemplateCallError: Error {
    var message: String
}

/// `{{break}}` and `{{continue}}` unwind to the enclosing range.
enum TemplateLoopControl: Error {
    case breakLoop
    case continueLoop
}
