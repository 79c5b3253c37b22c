#if canImport(Glibc)
import Glibc
#endif
import CellContainers
import CellCore
import CellFormat
import CellImage
import CellRegistry
import CellImagefile
import CellRuntime

/// One stage of a build: its FROM, then each step, with the stage's ARGs in scope.
struct StageBuild {
    let builder: Builder
    let stages: BuildStages
    let stage: Stage
    let context: BuildContext
    let built: [Int: BuildState]
    var counter: StepCounter
    var state: BuildState
    /// ARGs declared in this stage: name → value (nil: declared without a value).
    private var arguments: [String: String?] = [:]
    /// CMD set in this stage (ENTRYPOINT then keeps it; one from the base is reset).
    private var commandSetHere = false
    private var lexer: ShellLexer
    /// The step reported as started and not yet as finished, and when it started: a failure
    /// meanwhile is its.
    private var current: (step: BuildStep, started: Double)?

    init(builder: Builder, stages: BuildStages, stage: Stage, context: BuildContext, built: [Int: BuildState],
         counter: StepCounter) throws {
        self.builder = builder
        self.stages = stages
        self.stage = stage
        self.context = context
        self.built = built
        self.counter = counter
        lexer = ShellLexer(escapeCharacter: stages.escapeCharacter)
        state = BuildState(config: ImageConfig(created: nil, diffIDs: [], history: []), configDigest: Digest.sha256(of: []),
                           layers: [], layerDirectories: [])
    }

    mutating func run() throws {
        do {
            try runSteps()
        } catch {
            fail()
            throw error
        }
    }

    private mutating func runSteps() throws {
        let base = try stages.baseName(of: stage, buildArgs: builder.options.buildArgs)
        let position = counter.next()
        start(.from, "FROM \(base)\(stage.name.map { " AS \($0)" } ?? "")", at: position)
        state = try located { try baseState(base) }
        finish()
        PhaseTrace.mark("FROM \(base)")
        try located { try runTriggers(of: base, at: position) }
        for step in stage.steps {
            try builder.options.cancellation?.check()
            let position = counter.next()
            try located(step.instruction) { try execute(step, at: position) }
            PhaseTrace.mark(step.instruction.keyword + " step")
        }
    }

    // MARK: Progress

    /// Reports `instruction` started as a step at `position`.
    @discardableResult
    private mutating func start(_ kind: BuildStep.Kind, _ instruction: String, at position: StepCounter.Position) -> BuildStep {
        let step = counter.step(at: position, kind: kind, instruction: instruction)
        current = (step, Deadline.monotonicNow())
        builder.report(.started(step))
        return step
    }

    /// Reports the current step done, with its time.
    private mutating func finish() {
        guard let (step, started) = current else { return }
        current = nil
        builder.report(.finished(step, seconds: Deadline.monotonicNow() - started))
    }

    /// Reports the current step failed (if one is under way: an error before a step started
    /// is no step's).
    private mutating func fail(lastLines: [String] = []) {
        guard let (step, _) = current else { return }
        current = nil
        builder.report(.failed(step, lastLines: lastLines))
    }

    /// Errors name the Imagefile and the line.
    private func located<T>(_ instruction: Instruction? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CellError {
            let line = (instruction ?? stage.instruction).startLine
            let prefix = "\(stages.fileName):\(line): "
            throw error.message.hasPrefix(prefix) ? error : CellError(error.kind, prefix + error.message)
        }
    }

    // MARK: FROM

    /// A FROM image the store lacks (or every one, with --pull) comes from its registry.
    private func pull(_ base: String) throws {
        let given = builder.options.registryCredentials
        var puller = ImagePuller(store: builder.images, credentialStore: given == nil ? CredentialStore() : nil)
        // --pull: every name again (an id the store has is used as it is); else the missing one.
        let wanted = builder.options.pullAlways ? try puller.referenceToPull(base, policy: .always) : try? ImageReference(parsing: base)
        guard let reference = wanted else { return }
        puller.credentials = given?[RegistryHost.credentialKey(ofDomain: reference.domain)]
        do {
            _ = try puller.pull(reference) { _ in }
        } catch let error as CellError {
            throw CellError(error.kind, "failed to resolve source metadata for \(reference): \(error.message)")
        }
    }

    private func baseState(_ base: String) throws -> BuildState {
        if base == "scratch" {
            var config = ImageConfig(created: nil, config: ContainerConfig(), diffIDs: [], history: [])
            config.config?.env = ["PATH=\(ContainerSpec.defaultPath)"]
            return BuildState(config: config, configDigest: try builder.images.storeConfig(config).digest, layers: [],
                              layerDirectories: [])
        }
        if let index = stageIndex(named: base), index < stage.index, let earlier = built[index] {
            return earlier
        }
        var found = builder.options.pullAlways ? nil : try builder.images.find(base)
        if found == nil {
            try pull(base)
            found = try builder.images.find(base)
        }
        guard let summary = found else {
            let shown = (try? ImageReference(parsing: base))?.familiarName ?? base
            throw CellError.notFound("Unable to find image '\(shown)' locally")
        }
        return try builder.state(of: summary)
    }

    /// The stage a FROM or ONBUILD names (by name only, any case).
    private func stageIndex(named name: String) -> Int? {
        stages.stages.firstIndex { $0.name?.lowercased() == name.lowercased() }
    }

    /// ONBUILD: a base image's triggers run first, as steps of this stage; the new image does
    /// not inherit them.
    private mutating func runTriggers(of base: String, at position: StepCounter.Position) throws {
        guard let triggers = state.runtime.onBuild, !triggers.isEmpty,
              stageIndex(named: base) == nil else { return }
        var runtime = state.runtime
        runtime.onBuild = nil
        state.runtime = runtime
        state.configDigest = try builder.images.storeConfig(state.config).digest
        for trigger in triggers {
            for step in try Imagefile(parsing: trigger, fileName: stages.fileName).steps() {
                try execute(step, at: StepCounter.Position(number: position.number, isTrigger: true))
            }
        }
    }

    // MARK: Steps

    /// The variables a step's words are expanded with: the stage's ARGs, then ENV over them.
    private var environment: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in arguments { if let value { result[name] = value } }
        for entry in state.runtime.env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    private func expand(_ word: String) throws -> String {
        try lexer.processWord(word, environment: environment)
    }

    private mutating func execute(_ step: Step, at position: StepCounter.Position) throws {
        let text = step.instruction.original.trimmedWhitespace
        switch step.command {
        case .from:
            return
        case .arg(let definitions):
            start(.argument, text, at: position)
            for definition in definitions {
                let value = try builder.options.buildArgs[definition.name] ?? definition.defaultValue.map(expand)
                    ?? (try? stages.globalEnvironment(buildArgs: builder.options.buildArgs))?[definition.name]
                arguments[definition.name] = .some(value)
            }
            finish()
        case .run(let run):
            try runStep(run, at: position)
        case .copy(let copy):
            try copyStep(CopySpecification(copy), keyword: "COPY", at: position)
        case .add(let add):
            try copyStep(CopySpecification(add), keyword: "ADD", at: position)
        default:
            try metadataStep(step.command, text: text, at: position)
        }
    }

    /// ENV, LABEL, CMD and the rest: a new config, no layer.
    private mutating func metadataStep(_ command: Command, text: String, at position: StepCounter.Position) throws {
        let context = ConfigInstruction.Context(
            expand: { [self] in try expand($0) }, expandWords: { [self] in try lexer.processWords($0, environment: environment) },
            workingDirectory: state.workingDirectory, shell: state.shell, commandSetBefore: commandSetHere)
        guard let instruction = try ConfigInstruction(command, in: context) else {
            throw CellError.invalidInput("unsupported instruction: \(text)")
        }
        if instruction.setsCommand { commandSetHere = true }
        let description = instruction.description
        let key = BuildCache.key(parent: state.configDigest, step: description)
        if try takeFromCache(key, description, kind: .metadata, at: position, layersChange: false) { return }
        start(.metadata, description, at: position)
        let next = try builder.commit(from: state, createdBy: description, author: instruction.author, change: instruction.apply)
        try builder.remember(next, as: key)
        state = next
        finish()
    }

    /// On a cache hit the step's recorded result becomes the state (a metadata step keeps the
    /// layers it had, unpacked already), and the step is shown as CACHED.
    private mutating func takeFromCache(_ key: Digest, _ description: String, kind: BuildStep.Kind, at position: StepCounter.Position,
                                        layersChange: Bool = true) throws -> Bool {
        guard var cached = try builder.cachedState(key, unpack: layersChange) else { return false }
        if !layersChange {
            cached.layers = state.layers
            cached.layerDirectories = state.layerDirectories
        }
        state = cached
        builder.report(.cached(counter.step(at: position, kind: kind, instruction: description)))
        return true
    }

    // MARK: RUN

    private mutating func runStep(_ run: RunCommand, at position: StepCounter.Position) throws {
        var arguments: [String]
        switch run.command {
        case .exec(let words):
            arguments = words
        case .shell(var script):
            if run.heredocs.count == 1, script.trimmedWhitespace.hasPrefix("<<"), !script.trimmedWhitespace.contains(" ") {
                // `RUN <<EOF`: the heredoc is the script.
                script = run.heredocs[0].content
            } else {
                // `RUN cmd <<EOF`: the shell reads the heredocs itself, as written.
                for heredoc in run.heredocs { script += "\n" + heredoc.content + heredoc.name }
            }
            arguments = state.shell + [script]
        }
        // The command's environment: the image's, and the stage's ARGs under it.
        var environment = state.runtime.env ?? ["PATH=\(ContainerSpec.defaultPath)"]
        for (name, value) in self.arguments.sorted(by: { $0.key < $1.key }) {
            if let value, !environment.contains(where: { $0.hasPrefix(name + "=") }) { environment.append("\(name)=\(value)") }
        }
        var (mounts, copied) = try runMounts(run)
        let mountFlags = run.mounts.map { "--mount=\($0) " }.joined()
        let description = "RUN " + mountFlags + (run.command.isShell ? arguments.suffix(1).joined() : JSONValue.compactArray(arguments))
        let key = BuildCache.key(parent: state.configDigest, step: description + "\n" + environment.joined(separator: "\n"))
        if try takeFromCache(key, description, kind: .run, at: position) { return }
        let step = start(.run, description, at: position)
        let user = try ImageUserResolver(layerDirectories: state.layerDirectories.reversed()).resolve(state.runtime.user ?? "")
        let container = try builder.buildContainer()
        defer { container.remove() }
        var scratch: String?
        defer { if let scratch { try? FileSystem.removeTree(scratch) } }
        if !copied.isEmpty {
            scratch = try FileSystem.makeTemporaryDirectory(in: builder.images.layout.temporary, prefix: "mount")
            mounts = try privateCopies(of: mounts, copied, in: scratch!)
        }
        let output: BuildContainer.Output
        switch builder.progress?.commandOutput {
        case nil: output = .logged
        case .inherited: output = .inherited
        case .events: output = .relayed { [builder] in builder.report(.output(step, $0)) }
        }
        let status = try container.run(arguments: arguments, environment: environment, user: user,
                                       workingDirectory: state.workingDirectory, layerDirectories: state.layerDirectories,
                                       mounts: mounts, monitorPath: builder.monitorPath, output: output,
                                       cancellation: builder.options.cancellation)
        guard status == 0 else {
            builder.report(.commandFailed(step, arguments: arguments, status: status))
            fail(lastLines: container.lastLines(10))
            throw CellError.invalidInput("process \(GoQuote.quote(arguments.joined(separator: " "))) did not complete successfully: exit code: \(status)")
        }
        container.dropMountPoints(presentIn: state.layerDirectories, mountTargets: mounts.map(\.destination))
        let next = try builder.commit(from: state, createdBy: description + " # buildkit", layerDirectory: container.upperDirectory)
        try builder.remember(next, as: key)
        state = next
        finish()
    }

    /// RUN --mount: `type=cache` (a directory kept between builds, by id or target),
    /// `type=bind` (a context path, read-only unless rw), `type=tmpfs`. Not part of the layer.
    /// `copied`: the binds the step may write, which get a copy of their own (`privateCopies`).
    private func runMounts(_ run: RunCommand) throws -> (mounts: [ContainerSpec.Mount], copied: Set<Int>) {
        var copied = Set<Int>()
        let mounts = try run.mountOptions.enumerated().map { index, options -> ContainerSpec.Mount in
            guard let target = options["target"] ?? options["dst"] ?? options["destination"] else {
                throw CellError.invalidInput("RUN --mount: target is required")
            }
            // BuildKit's rules: a relative target is below the working directory; then the
            // container's: cleaned, never /, /proc or inside it (checked before a cache directory is made).
            let kind: MountDestination.Kind = options["type"] == "tmpfs" ? .tmpfs : .bind
            let destination = try MountDestination.checked(state.absolute(try expand(target)), kind: kind)
            switch options["type"] ?? "bind" {
            case "cache":
                let id = options["id"] ?? destination
                let directory = "\(builder.images.layout.buildCacheMounts)/\(Digest.sha256(of: Array(id.utf8)).hex.prefix(32))"
                try FileSystem.createDirectory(builder.images.layout.buildCacheMounts, mode: 0o700)
                try FileSystem.createDirectory(directory, mode: 0o755)
                return .bind(source: directory, destination: destination,
                             access: options["readonly"] == "true" || options["ro"] == "true" ? .readOnly : .readWrite)
            case "bind":
                if options["from"] != nil { throw CellError.invalidInput("RUN --mount=type=bind,from=... is not supported yet") }
                let source = "\(context.path)/\(BuildContext.clean(try expand(options["source"] ?? options["src"] ?? ".")))"
                guard let real = FileSystem.realPath(source), let base = FileSystem.realPath(context.path),
                      real == base || real.hasPrefix(base + "/") else {
                    throw CellError.invalidInput("RUN --mount: \(options["source"] ?? ".") is not in the build context")
                }
                let writable = options["rw"] == "true" || options["readwrite"] == "true"
                if writable { copied.insert(index) }
                return ContainerSpec.Mount.bind(source: real, destination: destination, access: writable ? .readWrite : .readOnly)
            case "tmpfs":
                // BuildKit's tmpfs mounts allow exec (a step may build and run a tool there).
                return .tmpfs(destination: destination, options: "exec" + (options["size"].map { ",size=\($0)" } ?? ""))
            case let other:
                throw CellError.invalidInput("RUN --mount=type=\(other) is not supported")
            }
        }
        return (mounts, copied)
    }

    /// A writable bind of the context (`rw=true`) is, as in BuildKit, a copy whose changes are
    /// thrown away with the step: a RUN must never write the user's files (an untrusted
    /// Imagefile would plant a git hook or a setuid binary in the context). The copies are made
    /// in `scratch` (under the store's tmp/, which the build's write session keeps from GC).
    private func privateCopies(of mounts: [ContainerSpec.Mount], _ copied: Set<Int>, in scratch: String) throws -> [ContainerSpec.Mount] {
        try mounts.enumerated().map { index, mount in
            guard copied.contains(index), case .bind(let source, let destination, let access) = mount else { return mount }
            let copy = "\(scratch)/\(index)"
            try FileSystem.createDirectory(copy, mode: 0o755)
            let from = try FileDescriptorHandle(path: source, flags: OpenFlags.path | O_NOFOLLOW)
            let into = try FileDescriptorHandle(path: copy, flags: O_RDONLY | O_DIRECTORY)
            var st = stat()
            guard fstat(from.fd, &st) == 0 else { throw CellError.system("stat \(source): \(Syscall.errorString(errno))") }
            let copier = FileTreeCopier(owner: nil)
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try copier.copyContents(of: from.fd, into: into.fd)
                return .bind(source: copy, destination: destination, access: access)
            }
            try copier.copy(from.fd, to: into.fd, name: "file")
            return .bind(source: "\(copy)/file", destination: destination, access: access)
        }
    }

    // MARK: COPY and ADD

    private mutating func copyStep(_ copy: CopySpecification, keyword: String, at position: StepCounter.Position) throws {
        if let flag = copy.unsupported.first { throw CellError.invalidInput("\(keyword) \(flag) is not supported yet") }
        var sources = try copy.sources.map(expand)
        if keyword == "ADD", let remote = sources.first(where: { $0.contains("://") || $0.hasPrefix("git@") }) {
            throw CellError.invalidInput("ADD \(remote): cell builds offline and fetches nothing; download it into the context and ADD the file")
        }
        // Inline files (`COPY <<EOF /path`) are a small context of their own.
        var context = self.context
        var inlineDirectory: String?
        defer { if let inlineDirectory { try? FileSystem.removeTree(inlineDirectory) } }
        if !copy.inline.isEmpty {
            let directory = try builder.temporaryDirectory("inline")
            inlineDirectory = directory
            for heredoc in copy.inline {
                try FileSystem.writeNewFile(Array(heredoc.effectiveContent.utf8), to: "\(directory)/\(heredoc.name)", durable: false)
            }
            context = try BuildContext(directory: directory)
            sources = copy.inline.map(\.name)
        }
        let destinationText = try expand(copy.destination)
        let destination = state.absolute(destinationText)
        var flags = ""
        if let from = copy.from { flags += " --from=\(from)" }
        if let chown = copy.chown { flags += " --chown=\(chown)" }
        if let chmod = copy.chmod { flags += " --chmod=\(chmod)" }
        let description = "\(keyword)\(flags) \(sources.joined(separator: " ")) \(destinationText)"

        let origin: CopyOrigin
        let content: Digest
        if let from = copy.from {
            let source = try copySourceState(from)
            origin = .layers(source.layerDirectories)
            content = source.configDigest
        } else {
            let paths = try sources.flatMap { try context.expand($0, instruction: keyword) }
            origin = .context(paths)
            content = try context.contentDigest(of: paths)
        }
        let key = BuildCache.key(parent: state.configDigest, step: description, content: content)
        if try takeFromCache(key, description, kind: .copy, at: position) { return }
        start(.copy, description, at: position)
        let owner = try copy.chown.map { text -> (UInt32, UInt32) in
            let user = try ImageUserResolver(layerDirectories: state.layerDirectories.reversed()).resolve(try expand(text))
            return (user.uid, user.gid)
        } ?? (0, 0)
        var mode: mode_t?
        if let chmod = copy.chmod {
            guard let value = mode_t(chmod, radix: 8), value <= 0o7777 else {
                throw CellError.invalidInput("invalid chmod parameter: \(chmod)")
            }
            mode = value
        }
        let layer = try builder.temporaryDirectory("copy")
        do {
            let writer = LayerTreeWriter(root: layer, imageLayers: state.layerDirectories)
            // "dir/", ".", "dir/." and several sources all name a directory.
            let many = sources.count > 1 || destinationText.hasSuffix("/") || destinationText == "." || destinationText.hasSuffix("/.")
            try writer.copy(origin: origin, sources: sources, context: context, destination: destination,
                            destinationIsDirectory: many, owner: owner, mode: mode, extractArchives: keyword == "ADD")
            let next = try builder.commit(from: state, createdBy: description + " # buildkit", layerDirectory: layer)
            try builder.remember(next, as: key)
            state = next
        } catch {
            try? FileSystem.removeTree(layer)
            throw error
        }
        finish()
    }

    /// COPY --from: an earlier stage (by name or index), else an image.
    private func copySourceState(_ from: String) throws -> BuildState {
        let expanded = try expand(from)
        if let index = stageIndex(named: expanded) ?? Int(expanded), let earlier = built[index] {
            return earlier
        }
        guard let summary = try builder.images.find(expanded) else {
            throw CellError.notFound("COPY --from: no stage or image named \(expanded)")
        }
        return try builder.state(of: summary)
    }
}

extension CommandForm {
    var isShell: Bool {
        if case .shell = self { return true }
        return false
    }
}

