#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore

/// `cell system ...`: the machine-level helpers.
struct SystemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system", abstract: "Manage cell on this machine.",
        subcommands: [InstallDockerAliasCommand.self, InfoCommand.self, SystemDfCommand.self, SystemPruneCommand.self, EventsCommand.self,
                      SystemBootCommand.self, ServiceCommand.self, SystemResetCommand.self])
}

/// `cell system install-docker-alias DIR`: DIR/docker → cell, so that tools which run `docker`
/// (Ansible's docker connection, Testinfra, Serverspec, dgoss) drive cell unchanged.
struct InstallDockerAliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-docker-alias", abstract: "Make DIR/docker run cell (a symlink).")

    @Argument(help: "DIR")
    var directory: String

    func run() throws {
        guard let cell = FileSystem.symlinkTarget("/proc/self/exe") else { throw CellError.system("cannot find cell's own binary") }
        guard FileSystem.isDirectory(directory) else { throw CellError.usage("\(directory) is not a directory") }
        let link = directory.hasSuffix("/") ? directory + "docker" : directory + "/docker"
        var st = stat()
        if lstat(link, &st) == 0 {
            // Only an alias of ours is replaced: a real docker stays.
            guard let target = FileSystem.symlinkTarget(link), FileSystem.basename(of: target) == "cell" || target == cell else {
                throw CellError.conflict("\(link) exists and is not a cell alias: remove it first")
            }
        }
        let temporary = link + ".tmp-\(FileSystem.randomSuffix())"
        guard symlink(cell, temporary) == 0 else { throw CellError.system("symlink \(temporary): \(Syscall.errorString(errno))") }
        try FileSystem.rename(temporary, to: link)
        Output.line(link)
    }
}

/// `cell system boot`: what Docker's daemon does as it comes up, for a daemonless cell (run by
/// contrib/systemd/cell-boot.service at boot, as podman-restart.service runs podman).
struct SystemBootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Start the containers whose restart policy says so (always; unless-stopped if not stopped; on-failure if it was running).")

    func run() throws {
        let started = try DaemonError.reporting { try GlobalOptions.lifecycle().startForBoot() }
        started.forEach(Output.line)
    }
}

/// `cell system reset [-f]`, as podman's: every container (killed), network (its bridge and
/// firewall rules too), volume, image and cache of the store, gone; the store starts anew.
struct SystemResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "Reset cell's store back to its initial state.")

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    func run() throws {
        if !force {
            let message = "WARNING! This will remove:\n  - all containers\n  - all networks\n  - all images\n  - all build cache\n  - all volumes\n"
            guard Prompt.confirm(message + "Are you sure you want to continue? [y/N] ") else { return }
        }
        try DaemonError.reporting { try StoreReset.reset(GlobalOptions.lifecycle()) }
    }
}
