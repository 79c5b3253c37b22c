import ArgumentParser
import CellCore
import CellImage
import CellRegistry

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload an image to a registry.")

    @Flag(name: [.customShort("a"), .customLong("all-tags")], help: "Push all tags of an image to the repository.")
    var allTags = false

    @Flag(name: [.customShort("q"), .long], help: "Suppress verbose output.")
    var quiet = false

    @Flag(name: .customLong("disable-content-trust"), help: "Skip image signing (cell does not sign).")
    var disableContentTrust = false

    @Argument(help: "NAME[:TAG]", completion: NameCompletion.images)
    var name: String

    @Argument(help: "DESTINATION: push the image NAME names under this name instead (as podman push).")
    var destination: String?

    func run() throws {
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: destination ?? name)
        } catch let error as CellError {
            Output.error(error.message)
            throw ExitCode(1)
        }
        let store = try GlobalOptions.imageStore()
        let pusher = ImagePusher(store: store, credentialStore: CredentialStore())
        let display = RegistryProgressDisplay()
        let quiet = self.quiet
        let show: @Sendable (PushProgress) -> Void = { event in
            if !quiet { display.show(event) }
        }
        var references = [reference]
        if allTags && destination != nil {
            throw CellError.usage("--all-tags pushes the tags of NAME: it takes no destination")
        }
        if allTags {
            guard !ImagePuller.namesTag(name) else { throw CellError.usage("tag can't be used with --all-tags/-a") }
            references = try store.tags(of: reference.repository)
        } else if !quiet && !ImagePuller.namesTag(destination ?? name) {
            Output.line("Using default tag: \(ImageReference.defaultTag)")
            Output.flush()
        }
        for each in references {
            try DaemonError.reporting {
                _ = try destination == nil ? pusher.push(each, progress: show) : pusher.push(name, to: each, progress: show)
            }
        }
        if quiet { Output.line(allTags ? reference.repository : reference.description) }
    }
}
