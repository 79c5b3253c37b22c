/// Text that becomes a C string (an argument, a variable, a path, a name) cannot hold a NUL
/// byte: C would end it there, and cell's records use NUL as their separator. Each boundary
/// where text enters (flags, files, Imagefiles, image configs) refuses it with one line.
public enum NULByte {
    public static func isPresent(in text: String) -> Bool { text.utf8.contains(0) }

    /// Throws `invalid WHAT "TEXT": contains a NUL byte` (TEXT quoted as Go does, the NUL as \x00).
    public static func check(_ text: String, as what: @autoclosure () -> String, kind: CellError.Kind = .setup) throws {
        guard isPresent(in: text) else { return }
        throw CellError(kind, "invalid \(what()) \(GoQuote.quote(text)): contains a NUL byte")
    }

    public static func check<Texts: Sequence<String>>(_ texts: Texts, as what: @autoclosure () -> String,
                                                      kind: CellError.Kind = .setup) throws {
        for text in texts { try check(text, as: what(), kind: kind) }
    }
}
