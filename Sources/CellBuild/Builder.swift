#if canImport(Glibc)
import Glibc
#endif
import CellContainers
import CellCore
import CellImage
import CellImagefile
import CellRuntime

/// `cell build`: an Imagefile and its context into a layered image in the store.
///
/// Each stage the target needs is built in order, step by step. A step's result (a config,
/// with a new layer for RUN, COPY and ADD) is found in the build cache by a key made of its
/// parent state, the instruction after expansion and what COPY copies; a hit creates no
/// container and no layer. RUN runs in a throwaway container whose upper directory becomes the
/// layer; COPY and ADD build their layer in a private directory. The whole build is one write
/// session of the store: garbage collection waits for it, and the image is named only at the
/// end, so a failed build leaves no image behind.
public final class Builder {
    let images: ImageStore
    let monitorPath: String
    /// cell-init, through which RUN steps exec their commands (ContainerSpec.execHelper).
    let initPath: String
    let options: BuildOptions
    /// Where each step's start, end and output are reported; nil with -q.
    let progress: BuildProgress?
    private let cache: BuildCache
    private let buildDirectory: String

    public init(images: ImageStore, monitorPath: String, initPath: String, options: BuildOptions,
                progress: BuildProgress?) {
        self.images = images
        self.monitorPath = monitorPath
        self.initPath = initPath
        self.options = options
        self.progress = progress
        cache = BuildCache(directory: images.layout.buildCache)
        buildDirectory = images.layout.buildContainers
    }

    // MARK: The Imagefile

    /// -f, else Imagefile, Dockerfile or Containerfile in the context: its path and the name
    /// errors give it.
    public static func locateImagefile(_ options: BuildOptions) throws -> (path: String, name: String) {
        if let explicit = options.imagefile {
            let path = explicit == "-" ? "/dev/stdin" : explicit
            return (path, FileSystem.basename(of: explicit))
        }
        for name in ["Imagefile", "Dockerfile", "Containerfile"] where FileSystem.exists("\(options.contextDirectory)/\(name)") {
            return ("\(options.contextDirectory)/\(name)", name)
        }
        throw CellError.usage("no Imagefile, Dockerfile or Containerfile in \(options.contextDirectory) (name one with -f)")
    }

    /// Parses and checks the Imagefile (`--check`): the stages the target needs, their base
    /// names and arguments. Returns the stages.
    public static func check(_ options: BuildOptions) throws -> BuildStages {
        try plan(options).stages
    }

    /// The parsed Imagefile and the stages the target needs, in build order, checked.
    static func plan(_ options: BuildOptions) throws -> (stages: BuildStages, required: [Int]) {
        let (path, name) = try locateImagefile(options)
        guard let bytes = try? FileSystem.readFile(path) else { throw CellError.usage("unable to read \(path)") }
        let text = String(decoding: bytes, as: UTF8.self)
        let imagefile = try Imagefile(parsing: text, fileName: name)
        try refuseNULBytes(in: imagefile, text: text)
        let stages = try imagefile.stages()
        let required = try stages.requiredStages(for: options.target, buildArgs: options.buildArgs)
        for index in required {
            _ = try stages.baseName(of: stages.stages[index], buildArgs: options.buildArgs)
        }
        return (stages, required)
    }

    /// No text of an Imagefile may hold a NUL byte, written as one or as a JSON form's "\u0000":
    /// it would reach an argument, a variable, a path or the image config, which C strings and
    /// cell's records cannot carry. Checked here, not by the parser, which reads what BuildKit's does.
    static func refuseNULBytes(in imagefile: Imagefile, text: String) throws {
        if let index = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<index].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw CellError.invalidInput("\(imagefile.fileName):\(line): the Imagefile contains a NUL byte")
        }
        for instruction in imagefile.instructions {
            if let argument = instruction.arguments.first(where: NULByte.isPresent) {
                throw CellError.invalidInput("\(imagefile.fileName):\(instruction.startLine): invalid argument \(GoQuote.quote(argument)): contains a NUL byte")
            }
        }
    }

    // MARK: Building

    /// Builds the target stage; its image id. The image gets the -t names.
    public func build() throws -> Digest {
        let (stages, required) = try Builder.plan(options)
        let names = try options.tags.map { try ImageReference(parsing: $0) }
        let fileDigests = ContextFileDigests(layout: images.layout)
        let context = try BuildContext(directory: options.contextDirectory, fileDigests: fileDigests)
        let total = required.reduce(0) { $0 + stages.stages[$1].steps.count + 1 }
        var counter = StepCounter(total: total)
        report(.planned(steps: total + 1))
        PhaseTrace.mark("Imagefile parsed, context opened")
        BuildContainer.sweepAbandoned(in: buildDirectory)
        return try images.withWriteSession {
            var built: [Int: BuildState] = [:]
            for index in required {
                let stage = stages.stages[index]
                var stageBuild = try StageBuild(builder: self, stages: stages, stage: stage, context: context, built: built,
                                                counter: counter)
                try stageBuild.run()
                built[index] = stageBuild.state
                counter = stageBuild.counter
            }
            guard let last = required.last, var final = built[last] else { throw CellError.usage("nothing to build") }
            // Only a cache: a build does not fail for want of it.
            try? fileDigests.save()
            if !options.labels.isEmpty {
                var runtime = final.runtime
                runtime.labels = (runtime.labels ?? [:]).merging(options.labels) { $1 }
                final.runtime = runtime
            }
            let export = counter.step(at: .init(number: total), kind: .export, instruction: "exporting to image")
            report(.started(export))
            let started = Deadline.monotonicNow()
            do {
                let id = try images.commitImage(config: final.config, layers: final.layers, names: names)
                PhaseTrace.mark("image committed and named")
                report(.finished(export, seconds: Deadline.monotonicNow() - started))
                return id
            } catch {
                report(.failed(export, lastLines: []))
                throw error
            }
        }
    }

    func report(_ event: BuildEvent) { progress?.report(event) }

    var now: Timestamp { options.sourceDateEpoch ?? .now() }

    /// The state a cache entry names, if its blobs are all still in the store.
    func cachedState(_ key: Digest, unpack: Bool = true) throws -> BuildState? {
        guard !options.noCache, let entry = cache.entry(for: key),
              images.hasBlobs([entry.config] + entry.layers.map(\.digest)) else { return nil }
        let config = try images.config(entry.config)
        let directories = unpack ? try zip(entry.layers, config.rootfs.diffIDs).map { try images.unpackedLayer($0.0, diffID: $0.1) } : []
        return BuildState(config: config, configDigest: entry.config, layers: entry.layers, layerDirectories: directories)
    }

    /// Stores a step's result under its key.
    func remember(_ state: BuildState, as key: Digest) throws {
        try cache.store(.init(config: state.configDigest, layers: state.layers), for: key)
    }

    /// A new state from `parent`: the config changed by `change`, a history entry, and the
    /// layer made from `layerDirectory` (nil for a metadata step).
    func commit(from parent: BuildState, createdBy: String, layerDirectory: String? = nil, author: String? = nil,
                change: (inout ContainerConfig) throws -> Void = { _ in }) throws -> BuildState {
        var state = parent
        var runtime = state.runtime
        try change(&runtime)
        state.runtime = runtime
        if let author { state.config.author = author }
        let created = now.rfc3339Nano
        state.config.created = created
        if let layerDirectory {
            let layer = try images.writeLayer(fromDirectory: layerDirectory, clampModificationTime: options.sourceDateEpoch)
            let unpacked = try images.adoptUnpackedLayer(layerDirectory, diffID: layer.digest)
            state.layers.append(layer)
            state.layerDirectories.append(unpacked)
            state.config.rootfs.diffIDs.append(layer.digest)
        }
        state.config.history = (state.config.history ?? []) + [
            History(created: created, createdBy: createdBy, comment: "buildkit.dockerfile.v0",
                    emptyLayer: layerDirectory == nil ? true : nil),
        ]
        state.configDigest = try images.storeConfig(state.config).digest
        return state
    }

    /// An image of the store as the state a stage starts from (or COPY --from reads).
    func state(of summary: ImageSummary) throws -> BuildState {
        let image = try images.load(summary)
        return BuildState(config: image.config, configDigest: image.id, layers: image.layers,
                          layerDirectories: try images.unpackedLayers(of: image))
    }

    func temporaryDirectory(_ prefix: String) throws -> String {
        try FileSystem.makeTemporaryDirectory(in: images.layout.temporary, prefix: prefix, mode: 0o755)
    }

    func buildContainer() throws -> BuildContainer {
        try BuildContainer(parent: buildDirectory, seccompCache: images.layout.seccompCache, execHelper: initPath)
    }
}

/// Numbers the steps across the stages (`[n/total]`), and gives every reported step its id.
struct StepCounter {
    /// Where a step stands: its number, and whether it is an ONBUILD trigger under a FROM.
    struct Position {
        var number: Int
        var isTrigger = false
    }

    let total: Int
    var current = 0
    private var reported = 0

    init(total: Int) {
        self.total = total
    }

    /// The next instruction's position.
    mutating func next() -> Position {
        current += 1
        return Position(number: current)
    }

    mutating func step(at position: Position, kind: BuildStep.Kind, instruction: String) -> BuildStep {
        reported += 1
        return BuildStep(id: reported, number: position.number, total: total, kind: kind, instruction: instruction,
                         isTrigger: position.isTrigger)
    }
}
