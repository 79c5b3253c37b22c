import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// `cell image inspect`
struct ImageInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Display detailed information on one or more images.")

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    @Argument(help: "IMAGE...", completion: NameCompletion.images)
    var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let store = try GlobalOptions.imageStore()
        try Inspection.print(images, format: format) { name in
            guard let summary = try store.find(name) else { return nil }
            return ImageInspection.json(try store.load(summary))
        } notFound: { "No such image: \($0)" }
    }
}

/// `cell inspect`: any object by name or id (images now; containers with the runtime).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Return low-level information on cell objects.")

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    @Option(help: "Only inspect objects of the given type (image, container).")
    var type: String?

    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes if the type is container.")
    var size = false

    @Argument(help: "NAME|ID...", completion: NameCompletion.containersAndImages)
    var objects: [String] = []

    func validate() throws {
        if objects.isEmpty { throw ValidationError("\"inspect\" requires at least 1 argument.") }
        if let type, !["image", "container"].contains(type) {
            throw ValidationError("\"\(type)\" is not a valid value for --type")
        }
    }

    func run() throws {
        let store = try GlobalOptions.imageStore()
        let containers = try GlobalOptions.containerStore()
        try Inspection.print(objects, format: format) { name in
            if type == nil || type == "container", let container = try containers.find(name) {
                return ContainerInspection.json(container)
            }
            if type == nil || type == "image", let summary = try store.find(name) {
                return ImageInspection.json(try store.load(summary))
            }
            return nil
        } notFound: { "No such object: \($0)" }
    }
}

/// `cell container inspect`
struct ContainerInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Display detailed information on one or more containers.")

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes.")
    var size = false

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.all))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let store = try GlobalOptions.containerStore()
        try Inspection.print(containers, format: format) { name in
            try store.find(name).map(ContainerInspection.json)
        } notFound: { "No such container: \($0)" }
    }
}

/// Prints inspected objects as docker does: one JSON array, or the template once per object;
/// objects not found are reported on stderr after the others, and the exit status is 1.
enum Inspection {
    static func print(_ names: [String], format: String?, find: (String) throws -> JSONValue?,
                      notFound: (String) -> String) throws {
        var found: [JSONValue] = []
        var missing: [String] = []
        for name in names {
            if let value = try find(name) { found.append(value) } else { missing.append(name) }
        }
        if let format, format != "json" {
            let template = try GoTemplate(format)
            for value in found { Output.line(try template.render(value)) }
        } else {
            Output.line(JSONValue.array(found).indentedString)
        }
        if !missing.isEmpty {
            for name in missing { Output.error("Error: \(notFound(name))") }
            throw ExitCode(1)
        }
    }
}
