/// The `--name[=value]` flags of one instruction, checked against what the instruction accepts
/// (BuildKit's `BFlags`): unknown or repeated flags and bad booleans are errors.
struct InstructionFlags {
    enum Kind { case string, bool, strings }

    private var values: [String: [String]] = [:]

    init(_ flags: [String], accepting accepted: [String: Kind]) throws(InstructionSyntax.Failure) {
        for flag in flags {
            guard flag.hasPrefix("--") else { throw InstructionSyntax.Failure("Arg should start with -- : \(flag)") }
            let body = flag.dropFirst(2)
            let name: String
            let value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
                value = nil
            }
            guard let kind = accepted[name] else { throw InstructionSyntax.Failure("Unknown flag: \(name)") }
            if kind != .strings && values[name] != nil {
                throw InstructionSyntax.Failure("Duplicate flag specified: \(name)")
            }
            switch kind {
            case .bool:
                let text = (value ?? "true").lowercased()
                guard text == "true" || text == "false" else {
                    throw InstructionSyntax.Failure("expecting boolean value for flag \(name), not: \(value ?? "")")
                }
                values[name] = [text]
            case .string, .strings:
                guard let value else { throw InstructionSyntax.Failure("Missing a value on flag: \(name)") }
                values[name, default: []].append(value)
            }
        }
    }

    func string(_ name: String) -> String? { values[name]?.last }
    func strings(_ name: String) -> [String] { values[name] ?? [] }
    func bool(_ name: String) -> Bool { values[name]?.last == "true" }
    func optionalBool(_ name: String) -> Bool? { values[name].map { $0.last == "true" } }
}
