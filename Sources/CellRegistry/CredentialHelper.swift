#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat

/// A `docker-credential-NAME` program on the PATH (`credsStore`, `credHelpers`), spoken to in
/// Docker's credential helper protocol: the action as the only argument, what it needs on stdin
/// (the server, or `{"ServerURL","Username","Secret"}`), JSON on stdout. Secrets travel through
/// the pipe alone, never in arguments or the environment, where `ps` would show them.
struct CredentialHelper {
    let name: String

    var program: String { "docker-credential-\(name)" }

    /// What the helper keeps for `server`; nil when it keeps nothing (its "credentials not found").
    func get(_ server: String) throws -> RegistryCredentials? {
        let (output, status) = try run("get", input: Array(server.utf8), action: "getting")
        if status != 0 {
            if String(decoding: output, as: UTF8.self).trimmedWhitespace == CredentialHelper.notFound { return nil }
            throw failure("getting", status: status, output: output)
        }
        guard let document = try? JSONValue(parsing: output), let username = document["Username"]?.stringValue,
              let secret = document["Secret"]?.stringValue else {
            throw CellError.invalidInput("error getting credentials - \(program) answered with something other than its JSON")
        }
        // "<token>" marks an identity token (an OAuth refresh token), which cell does not use.
        guard !username.isEmpty, !secret.isEmpty, username != "<token>" else { return nil }
        return RegistryCredentials(username: username, password: secret)
    }

    func store(_ server: String, _ credentials: RegistryCredentials) throws {
        let document: JSONValue = ["ServerURL": .string(server), "Username": .string(credentials.username),
                                   "Secret": .string(credentials.password)]
        let (output, status) = try run("store", input: Array(document.compactString.utf8), action: "storing")
        if status != 0 { throw failure("storing", status: status, output: output) }
    }

    func erase(_ server: String) throws {
        let (output, status) = try run("erase", input: Array(server.utf8), action: "erasing")
        if status != 0 { throw failure("erasing", status: status, output: output) }
    }

    /// The helpers' word for "nothing kept" (docker-credential-helpers' ErrCredentialsNotFound).
    static let notFound = "credentials not found in native keychain"

    /// Docker's words: `error getting credentials - err: exit status 1, out: `...``. The output
    /// is the helper's own message; a helper that echoes what it was given is the helper's fault.
    private func failure(_ action: String, status: Int32, output: [UInt8]) -> CellError {
        let text = String(decoding: output.prefix(4096), as: UTF8.self).trimmedWhitespace
        return CellError.system("error \(action) credentials - err: exit status \(status), out: `\(text)`")
    }

    /// Runs the helper with `input` on stdin (sockets rather than pipes: a helper that exits
    /// without reading its input costs us no SIGPIPE); its stdout, up to 1 MiB, and exit status. stderr is dropped,
    /// as Docker drops it.
    private func run(_ argument: String, input bytes: [UInt8], action: String) throws -> (output: [UInt8], status: Int32) {
        guard let path = CredentialHelper.find(program) else {
            throw CellError.system("error \(action) credentials - err: exec: \"\(program)\": executable file not found in $PATH, out: ``")
        }
        var stdinPair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdinPair) == 0 else {
            throw CellError.system("socketpair: \(Syscall.errorString(errno))")
        }
        var stdoutPair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdoutPair) == 0 else {
            close(stdinPair[0]); close(stdinPair[1])
            throw CellError.system("socketpair: \(Syscall.errorString(errno))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPair[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = [strdup(program), strdup(argument), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(stdinPair[1])
        close(stdoutPair[1])
        let input = FileDescriptorHandle(fd: stdinPair[0], path: program)
        let output = FileDescriptorHandle(fd: stdoutPair[0], path: program)
        guard spawned == 0 else {
            throw CellError.system("error \(action) credentials - err: exec \(program): \(Syscall.errorString(spawned)), out: ``")
        }
        // A helper that stops reading early leaves the rest unsent; its exit status tells.
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(input.fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            sent += count
        }
        _ = shutdown(input.fd, Int32(SHUT_WR))
        let answer = (try? output.readToEnd(limit: 1 << 20)) ?? []
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (answer, (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
    }

    /// `name` in the PATH's folders, as execvp would find it.
    static func find(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 && !FileSystem.isDirectory(candidate) { return candidate }
        }
        return nil
    }
}
