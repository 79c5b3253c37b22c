import Foundation
import Testing

/// Mistakes on the command line answered as the Docker CLI 28 answers them: the same lines (with
/// `cell` for `docker`) and the same exit statuses.
@Suite("the command line: Docker's answers to mistakes")
struct CommandLineTests {
    /// Cases and Docker's answers, as docker 28 prints them (without an engine).
    static let cases: [([String], String, Int32)] = [
        (["frobnicate"], "cell: unknown command: cell frobnicate\n\nRun 'cell --help' for more information\n", 1),
        (["run", "--bogus", "x"], "unknown flag: --bogus\n\nUsage:  cell run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'cell run --help' for more information\n", 125),
        (["run", "-z", "x"], "unknown shorthand flag: 'z' in -z\n\nUsage:  cell run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'cell run --help' for more information\n", 125),
        (["run"], "cell: 'cell run' requires at least 1 argument\n\nUsage:  cell run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'cell run --help' for more information\n", 1),
        (["exec", "web"], "cell: 'cell exec' requires at least 2 arguments\n\nUsage:  cell exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'cell exec --help' for more information\n", 1),
        (["logs"], "cell: 'cell logs' requires 1 argument\n\nUsage:  cell logs [OPTIONS] CONTAINER\n\nRun 'cell logs --help' for more information\n", 1),
        (["ps", "extra"], "cell: 'cell ps' accepts no arguments\n\nUsage:  cell ps [OPTIONS]\n\nRun 'cell ps --help' for more information\n", 1),
        (["port"], "cell: 'cell port' requires at least 1 and at most 2 arguments\n\nUsage:  cell port CONTAINER [PRIVATE_PORT[/PROTO]]\n\nRun 'cell port --help' for more information\n", 1),
        (["images", "a", "b"], "cell: 'cell images' requires at most 1 argument\n\nUsage:  cell images [OPTIONS] [REPOSITORY[:TAG]]\n\nRun 'cell images --help' for more information\n", 1),
        (["container", "ls", "x"], "cell: 'cell container ls' accepts no arguments\n\nUsage:  cell container ls [OPTIONS]\n\nRun 'cell container ls --help' for more information\n", 1),
        (["ls"], "cell: unknown command: cell ls\n\nRun 'cell --help' for more information\n", 1),
        (["image", "rm"], "cell: 'cell image rm' requires at least 1 argument\n\nUsage:  cell image rm [OPTIONS] IMAGE [IMAGE...]\n\nSee 'cell image rm --help' for more information\n", 1),
        (["container", "frobnicate"], "cell: unknown command: cell container frobnicate\n\nUsage:  cell container\n\nRun 'cell container --help' for more information\n", 1),
    ]

    @Test func mistakesGetDockersLinesAndStatuses() throws {
        let root = try CellRoot()
        for (arguments, expected, status) in CommandLineTests.cases {
            let result = try root.cell(arguments)
            #expect(result.stderr == expected && result.status == status, "cell \(arguments): \(result.status) \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    /// `ls` and `list` name the listings inside their groups only, as in Docker; the top-level
    /// help lists each command once.
    @Test func listingsAndRemovalHaveDockersNamesInTheirGroups() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for words in [["container", "ls", "-aq"], ["container", "list", "-aq"], ["container", "ps", "-aq"]] {
            #expect(try root.cell(words).status == 0, "\(words)")
        }
        for words in [["image", "ls", "-q"], ["image", "list", "-q"]] {
            #expect(try root.cell(words).lines.count == 1, "\(words)")
        }
        try root.cell("tag", "busybox", "spare:1").expectSuccess()
        #expect(try root.cell("image", "rm", "spare:1").stdout == "Untagged: spare:1\n")
        let help = try root.cell("--help").stdout
        #expect(!help.contains("ls, list") && !help.contains("ps, ls"), "\(help)")
    }

    /// The same against the docker binary itself where this machine has one (it answers these
    /// without an engine): every verb's missing-argument and unknown-flag answers.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker")
                   || FileManager.default.isExecutableFile(atPath: "/usr/bin/docker")))
    func everyVerbAnswersAsTheDockerBinaryDoes() throws {
        let root = try CellRoot()
        let docker = FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") ? "/usr/local/bin/docker" : "/usr/bin/docker"
        let verbs = ["run", "create", "ps", "logs", "start", "stop", "restart", "kill", "rm", "wait", "port", "exec", "attach", "cp",
                     "top", "commit", "inspect", "images", "import", "tag", "rmi", "history", "save", "load", "version",
                     "rename", "diff", "export", "container ls", "container rm", "container logs", "container rename", "container diff",
                     "container export", "image ls", "image rm", "image inspect", "image prune",
                     "container prune", "completion", "completion bash", "completion zsh", "completion fish"]
        for verb in verbs {
            let words = verb.split(separator: " ").map(String.init)
            for extra in [["--bogus"], [], ["a", "b", "c"]] {
                let mine = try root.cell(words + extra)
                let theirs = try Command.run(docker, words + extra, environment: ["DOCKER_HOST": "unix:///nonexistent"])
                // Docker's own typo ("SRun") in one message is not copied.
                let expected = theirs.stderr.replacingOccurrences(of: "docker", with: "cell").replacingOccurrences(of: "SRun", with: "Run")
                guard theirs.stderr.contains("\nUsage:  ") else { continue }  // a mistake, not a call to the engine
                #expect(mine.stderr == expected && mine.status == theirs.status,
                        "cell \(words + extra): \(mine.status) vs \(theirs.status)\n\(mine.stderr)\n---\n\(expected)")
            }
        }
    }

    /// pflag's short options: a value in the same word (`-t0`, `-n1`), and a bundle of flags
    /// ending with one that takes the rest (`-dp8080:80`); never in the container's command.
    @Test func shortOptionsTakeTheirValueInTheSameWord() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let values = try root.cell("run", "--rm", "-eA=1", "-e", "B=2", "-w/tmp", "-m64m", "busybox",
                                   "sh", "-c", "echo $A$B $(pwd) $(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)")
        #expect(values.stdout == "12 /tmp 67108864\n", "\(values.stderr)")
        let untouched = try root.cell("run", "--rm", "busybox", "printf", "%s\n", "-t0", "-dp80:80")
        #expect(untouched.stdout == "-t0\n-dp80:80\n")
        let id = try root.cell("run", "-dp127.0.0.1::80", "--name", "bundled", "busybox", "sh", "-c", "echo a; echo b; sleep 1000")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? root.cell("rm", "-f", "bundled") }
        #expect(id.count == 64)
        #expect(try root.cell("port", "bundled").stdout.hasPrefix("80/tcp -> 127.0.0.1:"))
        #expect(waitUntil { (try? root.cell("logs", "bundled").stdout) == "a\nb\n" })
        #expect(try root.cell("logs", "-n1", "bundled").stdout == "b\n")
        #expect(try root.cell("ps", "-qn1").stdout == String(id.prefix(12)) + "\n")
        try root.cell("stop", "-t0", "bundled").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.State.ExitCode}}", "bundled").stdout == "137\n", "-t0 killed it at once")
        try root.cell("rm", "bundled").expectSuccess()
        try expectNothingLeft(root)
    }
}
