import CellCore
import CellImage
import CellRuntime

/// `docker create` and `docker run`: a new container from an image and run options, started
/// detached or attached to our stdio until it exits, removed afterwards with --rm.
public struct ContainerRunner {
    /// The store's root directory.
    public let root: String
    /// The cell-monitor binary started for each container.
    public let monitorPath: String
    /// The static cell-init binary (--init, and every exec of a container's process).
    public let initBinary: String
    /// `run`'s monitor, started before the container is created (`startMonitorAhead`): shown
    /// the spec once it is planned, handed the container at its start.
    public var monitorAhead: PendingMonitor?

    public init(root: String, monitorPath: String, initBinary: String) {
        self.root = root
        self.monitorPath = monitorPath
        self.initBinary = initBinary
    }

    /// docker create: the container, not started. `warn` gets Docker's warnings (a limit the
    /// host cannot apply is dropped); `fetchMissingImage` is asked for an image the store lacks.
    /// Errors keep their kinds (no such image, a name in use): the CLI turns them into run's
    /// exit codes (`asRunError`), the API server into status codes.
    public func create(_ options: RunOptions, warn: (String) -> Void = { _ in },
                       fetchMissingImage: ((String) throws -> Void)? = nil) throws -> Container {
        var creator = ContainerCreator(images: try ImageStore(root: root),
                                       containers: try ContainerStore(layout: StoreLayout(root: root)),
                                       initBinary: initBinary)
        if let monitorAhead { creator.planned = { monitorAhead.preview($0, encoded: $1, containerDirectory: $2) } }
        return try creator.create(options, warn: warn, fetchMissingImage: fetchMissingImage)
    }

    /// Starts the monitor of the container `run` is about to create (`monitorAhead`), so that
    /// its own start overlaps the creating (`PendingMonitor`); if it cannot be, `start` starts
    /// one. `interactive` is -i; `attachment` is for a run without -d.
    public mutating func startMonitorAhead(detach: Bool, interactive: Bool, attachment: Attachment) {
        monitorAhead = try? ContainerLauncher.startAhead(monitorPath: monitorPath, attach: !detach,
                                                         attachment: detach ? Attachment() : attachment, interactive: interactive)
    }

    /// docker run -d: starts `container` and returns; a --rm container that fails to start is
    /// removed. False when it was running already.
    @discardableResult
    public func startDetached(_ container: Container) throws -> Bool {
        let lifecycle = try lifecycle()
        do {
            return try lifecycle.start(container, pending: monitorAhead) != nil
        } catch {
            removeIfAutoRemove(container, lifecycle: lifecycle)
            throw error
        }
    }

    /// docker run: starts `container` with our stdio (stdin with -i; the output streams
    /// `attachment` names) and waits until it exits (its status) or the detach keys are typed.
    /// A --rm container is gone when its exit status is returned, whether it ran or failed to start.
    public func runAttached(_ container: Container, attachment: Attachment = Attachment()) throws -> AttachOutcome {
        let lifecycle = try lifecycle()
        let outcome: AttachOutcome
        do {
            guard let end = try Self.asRunError({
                try lifecycle.startAttached(container, interactive: container.record.config.openStdin, attachment: attachment,
                                            pending: monitorAhead)
            }) else {
                throw CellError(.setup, "container \(container.shortID) is already running")
            }
            outcome = end
        } catch {
            removeIfAutoRemove(container, lifecycle: lifecycle)
            throw error
        }
        // The monitor removed it as it exited, unless that failed.
        if case .exited = outcome, container.record.hostConfig.autoRemove, let left = try? lifecycle.store.find(container.id) {
            try? lifecycle.remove(left, force: true)
        }
        PhaseTrace.mark("removal checked")
        return outcome
    }

    private func lifecycle() throws -> ContainerLifecycle {
        ContainerLifecycle(store: try ContainerStore(layout: StoreLayout(root: root)), monitorPath: monitorPath)
    }

    private func removeIfAutoRemove(_ container: Container, lifecycle: ContainerLifecycle) {
        if container.record.hostConfig.autoRemove { try? lifecycle.remove(container, force: true) }
    }

    /// docker run and create exit 125 for every failure of their own (a name in use, a missing
    /// image, a bad flag); only a command that cannot run keeps 126 or 127.
    @discardableResult
    public static func asRunError<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CellError {
            switch error.kind {
            case .commandNotFound, .commandNotExecutable, .usage, .setup: throw error
            default: throw CellError(.setup, error.message)
            }
        }
    }
}
