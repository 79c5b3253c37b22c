import ArgumentParser
import CellCore
import CellRegistry

/// `cell logout`: what is kept for a registry forgotten, in config.json and its helper, under
/// every spelling Docker may have kept it by (`host`, `http://host`, `https://host`).
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Log out from a registry.",
        discussion: "If no server is specified, the default is Docker Hub.")

    @Argument(help: "SERVER")
    var server: String?

    func run() throws {
        let hostname = server.map(RegistryHost.hostname(ofServer:)) ?? RegistryHost.dockerHubKey
        var keys = [server ?? RegistryHost.dockerHubKey]
        if server != nil {
            for key in [hostname, "http://\(hostname)", "https://\(hostname)"] where !keys.contains(key) { keys.append(key) }
        }
        Output.line("Removing login credentials for \(hostname)")
        let store = CredentialStore()
        var failures: [(String, String)] = []
        for key in keys {
            do {
                try store.erase(key)
            } catch let error as CellError {
                failures.append((key, error.message))
            }
        }
        // As Docker: a warning only when no spelling could be erased.
        if failures.count == keys.count {
            Output.error("WARNING: could not erase credentials:\n" + failures.map { "\($0.0): \($0.1)" }.joined(separator: "\n"))
        }
    }
}
