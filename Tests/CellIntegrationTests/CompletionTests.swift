import Foundation
import Testing

/// `cell completion bash|zsh|fish`: each script sourced in its shell and driven as the shell
/// drives it at a TAB, against a store with a stopped and a running container and an image.
@Suite struct CompletionTests {
    /// The shells find `cell` on PATH, as a user's do.
    static let environment = [
        "PATH": URL(fileURLWithPath: Paths.cell).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
    ]

    static func installed(_ shell: String) -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/\(shell)") }

    /// A store with busybox:latest, a created container and a running one; `body` gets the root.
    static func withContainers(_ body: (CellRoot) throws -> Void) throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "--name", "completion-stopped", "busybox", "true").expectSuccess()
        try root.cell("run", "-d", "--name", "completion-running", "busybox", "sleep", "60").expectSuccess()
        #expect(try waitUntil { try root.cell("inspect", "-f", "{{.State.Running}}", "completion-running").stdout == "true\n" })
        defer { _ = try? root.cell("rm", "-f", "completion-stopped", "completion-running") }
        try body(root)
    }

    /// Expects bash's `_cell` to leave `expected` (in any order) in COMPREPLY for a line, given as
    /// bash splits it into COMP_WORDS (blanks, and ':' or '=' on their own); the last word is the
    /// one being completed.
    static func expectBash(_ root: CellRoot, _ words: [String], line: String, environment: [String: String] = [:], offers expected: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let script = """
            source <(cell completion bash) || exit 1
            COMP_LINE="$1"; shift
            COMP_POINT=${#COMP_LINE}
            COMP_WORDS=("$@")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMPREPLY=()
            _cell cell "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try Command.run("/bin/bash", ["-c", script, "bash", line] + words,
                                     environment: Self.environment.merging(["CELL_ROOT": root.path]) { $1 }.merging(environment) { $1 })
        #expect(result.stderr.isEmpty && result.lines.sorted() == expected.sorted(), "\(line): \(result)", sourceLocation: sourceLocation)
    }

    @Test func bashCompletesVerbsFlagsAndTheNamesEachVerbTakes() throws {
        try Self.withContainers { root in
            try Self.expectBash(root, ["cell", "r"], line: "cell r", offers: ["run", "restart", "rm", "rename", "rmi"])
            try Self.expectBash(root, ["cell", "rm", "--f"], line: "cell rm --f", offers: ["--force"])
            // rm offers what it can remove (every container with -f), stop what runs, start what does not.
            try Self.expectBash(root, ["cell", "rm", ""], line: "cell rm ", offers: ["completion-stopped"])
            try Self.expectBash(root, ["cell", "rm", "-f", ""], line: "cell rm -f ", offers: ["completion-running", "completion-stopped"])
            try Self.expectBash(root, ["cell", "stop", "-t", "5", ""], line: "cell stop -t 5 ", offers: ["completion-running"])
            try Self.expectBash(root, ["cell", "container", "start", ""], line: "cell container start ", offers: ["completion-stopped"])
            try Self.expectBash(root, ["cell", "exec", "-it", "completion-r"], line: "cell exec -it completion-r", offers: ["completion-running"])
            try Self.expectBash(root, ["cell", "inspect", "b"], line: "cell inspect b", offers: ["busybox:latest"])
            // Images: whole, and after the colon (bash splits the word there and replaces what follows it).
            try Self.expectBash(root, ["cell", "run", "--rm", "-e", "A", "=", "B", ""], line: "cell run --rm -e A=B ", offers: ["busybox:latest"])
            try Self.expectBash(root, ["cell", "run", "busybox", ":", "la"], line: "cell run busybox:la", offers: ["latest"])
            try Self.expectBash(root, ["cell", "image", "rm", "busybox", ":"], line: "cell image rm busybox:", offers: ["latest"])
            // After the image comes the container's command: nothing of cell's.
            try Self.expectBash(root, ["cell", "run", "busybox", "-"], line: "cell run busybox -", offers: [])
            // --root before the verb names the store to list, whatever CELL_ROOT says.
            let elsewhere = ["CELL_ROOT": "\(root.scratch)/no-store"]
            try Self.expectBash(root, ["cell", "--root", root.path, "rmi", ""], line: "cell --root \(root.path) rmi ", environment: elsewhere,
                                offers: ["busybox:latest"])
            try Self.expectBash(root, ["cell", "rmi", ""], line: "cell rmi ", environment: elsewhere, offers: [])
        }
    }

    /// No store: nothing offered, nothing printed on stderr, nothing created.
    @Test func completesNothingQuietlyWithoutAStore() throws {
        let root = try CellRoot()
        let missing = "\(root.scratch)/no-store"
        for words in [["rm", ""], ["run", ""], ["inspect", "x"], ["--root", missing, "stop", ""], ["bogus", ""]] {
            let result = try Command.run(Paths.cell, ["__complete"] + words, environment: ["CELL_ROOT": missing])
            #expect(result.status == 0 && result.stdout == ":\n" && result.stderr.isEmpty, "\(words): \(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test(.enabled(if: installed("fish"))) func fishCompletesTheNames() throws {
        try Self.withContainers { root in
            let script = root.file("cell.fish")
            try root.cell("completion", "fish").stdout.write(toFile: script, atomically: true, encoding: .utf8)
            #expect(try Command.run("/usr/bin/fish", ["-n", script]).status == 0)
            func expect(_ line: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
                let result = try Command.run("/usr/bin/fish", ["-c", "source $argv[1]; complete -C $argv[2]", script, line],
                                             environment: Self.environment.merging(["CELL_ROOT": root.path]) { $1 })
                let names = result.lines.map { String($0.prefix { $0 != "\t" }) }
                #expect(result.stderr.isEmpty && names == expected, "\(line): \(result)", sourceLocation: sourceLocation)
            }
            try expect("cell stop ", ["completion-running"])
            try expect("cell run busybox:", ["busybox:latest"])
            try expect("cell container rm --fo", ["--force"])
            try expect("cell rmi ", ["busybox:latest"])
        }
    }

    /// zsh's completion system needs a terminal; `_cell` is driven with the words a TAB gives it and
    /// stand-ins for `_describe` and `_files` that print what they were handed.
    @Test(.enabled(if: installed("zsh"))) func zshHandsTheNamesToDescribe() throws {
        try Self.withContainers { root in
            let script = root.file("_cell")
            try root.cell("completion", "zsh").stdout.write(toFile: script, atomically: true, encoding: .utf8)
            #expect(try Command.run("/usr/bin/zsh", ["-n", script]).status == 0)
            let driver = """
                compdef() { : }
                _describe() { print -rl -- "${(@P)${@[-1]}}" }
                _files() { print -r -- "files $*" }
                source "$1"
                shift
                words=("$@")
                CURRENT=${#words}
                PREFIX="${words[CURRENT]}"
                _cell
                """
            func complete(_ words: String...) throws -> [String] {
                let result = try Command.run("/usr/bin/zsh", ["-c", driver, "zsh", script] + words,
                                             environment: Self.environment.merging(["CELL_ROOT": root.path]) { $1 })
                #expect(result.stderr.isEmpty, "\(words): \(result)")
                return result.lines
            }
            // _describe reads NAME:DESCRIPTION, so the colon of a name is escaped; it picks the
            // candidates that match the word itself.
            let images = try complete("cell", "run", "")
            #expect(images == ["busybox\\:latest"])
            let running = try complete("cell", "kill", "")
            #expect(running == ["completion-running"])
            let flags = try complete("cell", "rm", "--fo")
            #expect(flags.contains("--force:Force the removal of a running container (uses SIGKILL)."))
            let context = try complete("cell", "build", "")
            #expect(context == ["files -/"])
        }
    }

    /// Docker's answers: a shell it has no script for gets the group's help on stdout (status 0),
    /// an extra word cobra's "unknown command", an unknown flag the usage line.
    @Test func aShellWithoutAScriptGetsTheHelp() throws {
        let root = try CellRoot()
        let bogus = try root.cell("completion", "powershell")
        #expect(bogus.status == 0 && bogus.stderr.isEmpty && bogus.stdout.contains("  fish "))
        let extra = try root.cell("completion", "bash", "zsh")
        #expect(extra.status == 1 && extra.stdout.isEmpty && extra.stderr == "unknown command \"zsh\" for \"cell completion bash\"\n")
        let flag = try root.cell("completion", "zsh", "--bogus")
        #expect(flag.status == 125 && flag.stderr == """
            unknown flag: --bogus

            Usage:  cell completion zsh [flags]

            Run 'cell completion zsh --help' for more information

            """)
        for shell in ["bash", "zsh", "fish"] {
            #expect(try root.cell("completion", shell).stdout.contains("__complete"))
        }
    }
}
