import CellCore

extension Instruction {
    /// The typed command, validated as BuildKit's `instructions.Parse` validates it (argument counts,
    /// accepted flags, stage names, HEALTHCHECK options). Errors name `fileName` and the start line.
    public func command(fileName: String = "Imagefile") throws(CellError) -> Command {
        do {
            return try typedCommand()
        } catch {
            throw CellError.invalidInput("\(fileName):\(startLine): \(error.message)")
        }
    }

    private typealias Failure = InstructionSyntax.Failure

    private func noFlags() throws(Failure) {
        _ = try InstructionFlags(flags, accepting: [:])
    }

    private func exactlyOne(_ keyword: String) throws(Failure) -> String {
        try noFlags()
        guard arguments.count == 1 else { throw Failure("\(keyword) requires exactly one argument") }
        return arguments[0]
    }

    /// Shell form is one string (Docker joins the parser's pieces with spaces), exec form the array.
    private func commandForm(_ arguments: [String]) -> CommandForm {
        isJSON ? .exec(arguments) : .shell(arguments.joined(separator: " "))
    }

    private func keyValuePairs(_ keyword: String) throws(Failure) -> [KeyValuePair] {
        try noFlags()
        guard !arguments.isEmpty else { throw Failure("\(keyword) requires at least one argument") }
        guard arguments.count % 3 == 0 else { throw Failure("Bad input to \(keyword), too many arguments") }
        var pairs: [KeyValuePair] = []
        for start in stride(from: 0, to: arguments.count, by: 3) {
            guard !arguments[start].isEmpty else { throw Failure("\(keyword) names can not be blank") }
            pairs.append(KeyValuePair(key: arguments[start], value: arguments[start + 1], usesEquals: arguments[start + 2] == "="))
        }
        return pairs
    }

    /// Splits COPY/ADD arguments into paths, heredoc sources and the destination.
    private func sourcesAndDestination(_ keyword: String) throws(Failure) -> ([String], [Heredoc], String) {
        guard arguments.count >= 2 else {
            throw Failure("\(keyword) requires at least two arguments, but only one was provided. Destination could not be determined")
        }
        let destination = arguments[arguments.count - 1]
        if (try? Heredoc.opener(destination)) ?? nil != nil {
            throw Failure("\(keyword) cannot accept a heredoc as a destination")
        }
        var paths: [String] = []
        var inline: [Heredoc] = []
        for source in arguments.dropLast() {
            if let opener = (try? Heredoc.opener(source)) ?? nil {
                var heredoc = heredocs.first { $0.name == opener.name } ?? opener
                heredoc.stripsTabs = opener.stripsTabs
                inline.append(heredoc)
            } else {
                paths.append(source)
            }
        }
        return (paths, inline, destination)
    }

    private func interval(_ flags: InstructionFlags, _ name: String) throws(Failure) -> Duration? {
        guard let text = flags.string(name), !text.isEmpty else { return nil }
        guard let duration = GoDuration.parse(text) else { throw Failure("time: invalid duration \(GoText.quote(text))") }
        if duration == .zero { return nil }
        if duration < .milliseconds(1) { throw Failure("Interval \(GoText.quote(name)) cannot be less than 1ms") }
        return duration
    }

    private func typedCommand() throws(Failure) -> Command {
        switch name {
        case "from":
            let flags = try InstructionFlags(self.flags, accepting: ["platform": .string])
            var stageName: String?
            if arguments.count == 3 && arguments[1].lowercased() == "as" {
                let lowered = arguments[2].lowercased()
                guard Self.isValidStageName(lowered) else {
                    throw Failure("invalid name for build stage: \(GoText.quote(arguments[2])), name can't start with a number or contain symbols")
                }
                stageName = lowered
            } else if arguments.count != 1 {
                throw Failure("FROM requires either one or three arguments")
            }
            return .from(FromCommand(image: arguments[0], stageName: stageName, platform: flags.string("platform")))

        case "run":
            let flags = try InstructionFlags(
                self.flags, accepting: ["mount": .strings, "network": .string, "security": .string, "device": .strings])
            return .run(RunCommand(
                command: commandForm(arguments), heredocs: heredocs, mounts: flags.strings("mount"),
                network: flags.string("network"), security: flags.string("security"), devices: flags.strings("device")))

        case "copy":
            let flags = try InstructionFlags(self.flags, accepting: [
                "chown": .string, "chmod": .string, "from": .string, "link": .bool, "parents": .bool, "exclude": .strings,
            ])
            let (sources, inline, destination) = try sourcesAndDestination("COPY")
            return .copy(CopyCommand(
                sources: sources, destination: destination, inlineSources: inline, from: flags.string("from"),
                chown: flags.string("chown"), chmod: flags.string("chmod"), link: flags.bool("link"),
                parents: flags.bool("parents"), excludes: flags.strings("exclude")))

        case "add":
            let flags = try InstructionFlags(self.flags, accepting: [
                "chown": .string, "chmod": .string, "link": .bool, "keep-git-dir": .bool, "checksum": .string,
                "unpack": .bool, "exclude": .strings,
            ])
            let (sources, inline, destination) = try sourcesAndDestination("ADD")
            return .add(AddCommand(
                sources: sources, destination: destination, inlineSources: inline, chown: flags.string("chown"),
                chmod: flags.string("chmod"), link: flags.bool("link"), keepGitDir: flags.bool("keep-git-dir"),
                checksum: flags.string("checksum"), unpack: flags.optionalBool("unpack"), excludes: flags.strings("exclude")))

        case "env":
            return .env(try keyValuePairs("ENV"))

        case "label":
            return .label(try keyValuePairs("LABEL"))

        case "arg":
            try noFlags()
            guard !arguments.isEmpty else { throw Failure("ARG requires at least one argument") }
            var definitions: [ArgDefinition] = []
            for argument in arguments {
                if let equals = argument.firstIndex(of: "=") {
                    guard equals != argument.startIndex else { throw Failure("ARG names can not be blank") }
                    definitions.append(ArgDefinition(
                        name: String(argument[..<equals]), defaultValue: String(argument[argument.index(after: equals)...])))
                } else {
                    definitions.append(ArgDefinition(name: argument))
                }
            }
            return .arg(definitions)

        case "workdir":
            return .workdir(try exactlyOne("WORKDIR"))

        case "user":
            return .user(try exactlyOne("USER"))

        case "stopsignal":
            return .stopSignal(try exactlyOne("STOPSIGNAL"))

        case "maintainer":
            return .maintainer(try exactlyOne("MAINTAINER"))

        case "expose":
            try noFlags()
            guard !arguments.isEmpty else { throw Failure("EXPOSE requires at least one argument") }
            return .expose(arguments.sorted())

        case "volume":
            try noFlags()
            guard !arguments.isEmpty else { throw Failure("VOLUME requires at least one argument") }
            var volumes: [String] = []
            for argument in arguments {
                let volume = GoText.trimSpace(argument)
                guard !volume.isEmpty else { throw Failure("VOLUME specified can not be an empty string") }
                volumes.append(volume)
            }
            return .volume(volumes)

        case "cmd":
            try noFlags()
            return .cmd(commandForm(arguments))

        case "entrypoint":
            try noFlags()
            return .entrypoint(commandForm(arguments))

        case "shell":
            try noFlags()
            guard !arguments.isEmpty else { throw Failure("SHELL requires at least one argument") }
            guard isJSON else { throw Failure("SHELL requires the arguments to be in JSON form") }
            return .shell(arguments)

        case "healthcheck":
            guard let kind = arguments.first?.uppercased() else {
                throw Failure("HEALTHCHECK requires at least one argument")
            }
            let rest = Array(arguments.dropFirst())
            if kind == "NONE" {
                guard rest.isEmpty else { throw Failure("HEALTHCHECK NONE takes no arguments") }
                return .healthcheck(HealthcheckCommand(test: .none))
            }
            let flags = try InstructionFlags(self.flags, accepting: [
                "interval": .string, "timeout": .string, "start-period": .string, "start-interval": .string,
                "retries": .string,
            ])
            guard kind == "CMD" else { throw Failure("Unknown type \(GoText.quote(kind)) in HEALTHCHECK (try CMD)") }
            guard !rest.isEmpty else { throw Failure("Missing command after HEALTHCHECK CMD") }
            var retries: Int?
            if let text = flags.string("retries"), !text.isEmpty {
                guard let value = Int32(text) else {
                    throw Failure("strconv.ParseInt: parsing \(GoText.quote(text)): invalid syntax")
                }
                guard value >= 0 else { throw Failure("--retries cannot be negative (\(value))") }
                retries = Int(value)
            }
            return .healthcheck(HealthcheckCommand(
                test: .command(commandForm(rest)), interval: try interval(flags, "interval"),
                timeout: try interval(flags, "timeout"), startPeriod: try interval(flags, "start-period"),
                startInterval: try interval(flags, "start-interval"), retries: retries))

        case "onbuild":
            try noFlags()
            guard let trigger else { throw Failure("ONBUILD requires at least one argument") }
            switch trigger.name {
            case "onbuild": throw Failure("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
            case "maintainer", "from": throw Failure("\(trigger.keyword.uppercased()) isn't allowed as an ONBUILD trigger")
            default: break
            }
            // The trigger's text, with its heredoc bodies, is stored and parsed again by the child build.
            var expression = Self.droppingOnbuildKeyword(original)
            for heredoc in heredocs {
                expression += "\n" + heredoc.content + heredoc.name
            }
            return .onbuild(expression)

        default:
            throw Failure("unknown instruction: \(keyword)")
        }
    }

    /// `^[a-z][a-z0-9-_.]*$`
    static func isValidStageName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    /// `(?i)^\s*ONBUILD\s*` removed.
    static func droppingOnbuildKeyword(_ line: String) -> String {
        var scalars = GoText.trimLeadingSpace(Array(line.unicodeScalars)[...])
        if scalars.count >= 7, String(scalars: scalars.prefix(7)).lowercased() == "onbuild" {
            scalars = GoText.trimLeadingSpace(scalars.dropFirst(7))
        }
        return String(scalars: scalars)
    }
}
