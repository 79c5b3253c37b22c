#if canImport(Glibc)
import Glibc
#endif
import CellContainers
import CellCore
import CellImage
import CellRuntime

/// An image under test. Each command runs in a fresh container of its own, as container-
/// structure-test's docker driver does: the image's entrypoint cleared, the command as given,
/// setup commands each in a container committed as the next one's image. Files and metadata
/// come from the image itself: its layers as one read-only overlay mounted nowhere.
public final class ImageTarget: StructureTestTarget, @unchecked Sendable {
    public let metadata: TargetMetadata
    public let rootDirectory: Int32
    private let image: Image
    private let images: ImageStore
    private let containers: ContainerStore
    /// The collection lock, shared for the target's life: the layers the view and the test
    /// containers mount are not collected under them (no container record names the view's).
    private let session: FileLock
    private let removedImages = SharedSlots<Bool>(count: 1)
    private let creator: ContainerCreator
    private let lifecycle: ContainerLifecycle
    private let runOptions: StructureTestSpec.ContainerRunOptions

    public init(image reference: String, images: ImageStore, containers: ContainerStore, monitorPath: String,
                initBinary: String, runOptions: StructureTestSpec.ContainerRunOptions) throws {
        session = try FileLock(path: images.layout.collectionLock)
        try session.lock(.shared)
        guard let summary = try images.find(reference) else {
            throw CellError(.notFound, "Unable to find image '\(reference)' locally: cell does not pull images; import or load it first")
        }
        image = try images.load(summary)
        self.images = images
        self.containers = containers
        creator = ContainerCreator(images: images, containers: containers, initBinary: initBinary)
        lifecycle = ContainerLifecycle(store: containers, monitorPath: monitorPath)
        self.runOptions = runOptions
        metadata = TargetMetadata(image: image.config.config ?? ContainerConfig())
        rootDirectory = try LayerView.open(try images.unpackedLayers(of: image))
    }

    deinit {
        close(rootDirectory)
        session.unlock()
        // The setup images left the index during the run; their files go now that we no
        // longer hold the collection lock.
        if removedImages[0] == true { _ = try? images.collectGarbage(users: containers.imageUsers) }
    }

    public func run(_ command: [String], environment: [String], setup: [[String]], teardown: [[String]]) throws -> CommandOutput {
        var current = image.id.description
        var committed: [String] = []
        defer {
            for id in committed.reversed() {
                _ = try? images.remove(id, force: true, users: containers.imageUsers, collect: false)
                removedImages[0] = true
            }
        }
        for step in setup {
            let id = try inContainer(of: current, step, environment: environment) { container, output in
                guard output.exitCode == 0 else {
                    throw CellError(.setup, "setup command \(step) exited \(output.exitCode): \(output.stderr)")
                }
                return try ContainerCommit.commit(container, images: images).description
            }
            committed.append(id)
            current = id
        }
        let output = try inContainer(of: current, command, environment: environment) { $1 }
        // Teardown commands run in containers of the set-up image (the command's own is gone);
        // their outcome does not change the test's.
        for step in teardown { _ = try? inContainer(of: current, step, environment: environment) { $1 } }
        return output
    }

    /// Runs `command` to its end in a new container of `image`, hands the container and its
    /// output to `body`, then removes the container.
    private func inContainer<T>(of image: String, _ command: [String], environment: [String],
                                _ body: (Container, CommandOutput) throws -> T) throws -> T {
        var options = RunOptions(image: image)
        options.command = command
        options.entrypoint = [""]
        options.environment = environment + runOptions.environmentNames
        options.environmentFiles = runOptions.environmentFile.map { [$0] } ?? []
        options.user = runOptions.user
        options.privileged = runOptions.privileged
        options.capAdd = runOptions.capabilities
        options.volumes = runOptions.bindMounts
        let container = try creator.create(options)
        defer { try? lifecycle.remove(container, force: true) }
        let output: CommandOutput
        do {
            try lifecycle.start(container)
            let state = try ContainerSignaller.waitForExit(containerDirectory: container.directory, timeout: .infinity)
            let files = try OutputFiles(in: container.directory)
            var copier = ContainerLogCopier(path: ContainerLog.path(of: container), selection: LogSelection(),
                                            stdout: files.stdout.fd, stderr: files.stderr.fd)
            copier.copyAvailable()
            output = try files.read(exitCode: state?.exitCode ?? 125)
        } catch let error as CellError where error.kind == .commandNotFound || error.kind == .commandNotExecutable {
            // The command could not start: reported as docker's exit status and message.
            output = CommandOutput(exitCode: error.kind == .commandNotFound ? 127 : 126, stdout: "", stderr: error.message + "\n")
        }
        return try body(container, output)
    }
}
