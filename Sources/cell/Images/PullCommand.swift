import ArgumentParser
import CellCore
import CellImage
import CellRegistry

struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download an image from a registry.")

    @Flag(name: [.customShort("a"), .customLong("all-tags")], help: "Download all tagged images in the repository.")
    var allTags = false

    @Flag(name: [.customShort("q"), .long], help: "Suppress verbose output.")
    var quiet = false

    @Option(help: "Set platform if server is multi-platform capable (os/arch[/variant]).")
    var platform: String?

    @Flag(name: .customLong("disable-content-trust"), help: "Skip image verification (cell does not verify signatures).")
    var disableContentTrust = false

    @Argument(help: "NAME[:TAG|@DIGEST]")
    var name: String

    func run() throws {
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: name)
        } catch let error as CellError {
            // Docker's CLI says it as it is, and exits 1.
            Output.error(error.message)
            throw ExitCode(1)
        }
        var puller = ImagePuller(store: try GlobalOptions.imageStore(), credentialStore: CredentialStore())
        if let platform { puller.platform = try PlatformSelector(parsing: platform) }
        let display = RegistryProgressDisplay()
        let quiet = self.quiet
        let show: @Sendable (PullProgress) -> Void = { event in
            if !quiet { display.show(event) }
        }
        let references: [ImageReference]
        if allTags {
            guard reference.tag == ImageReference.defaultTag && !name.hasSuffix(":latest") && reference.digest == nil else {
                throw CellError.usage("tag can't be used with --all-tags/-a")
            }
            references = try DaemonError.reporting { try puller.allTags(of: reference) }
        } else {
            references = [reference]
            if !quiet && reference.digest == nil && !ImagePuller.namesTag(name) {
                Output.line("Using default tag: \(ImageReference.defaultTag)")
                Output.flush()
            }
        }
        for each in references {
            try DaemonError.reporting { _ = try puller.pull(each, progress: show) }
        }
        Output.line(allTags ? reference.repository : reference.description)
    }
}
