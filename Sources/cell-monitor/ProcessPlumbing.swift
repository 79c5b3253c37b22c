#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellRuntime

/// What the container's process is cloned with: the monitor's signalfd (its signals blocked
/// from its first instruction), the pipes of the process's stdio, and /dev/null for a stdin
/// nobody feeds. A `-t` process has a pty instead, which the child makes.
struct ProcessPlumbing {
    let signals: SignalDescriptor
    let output: PipePair
    let errorOutput: PipePair
    /// -i: the container's stdin, fed from ours (attached) or from attach clients.
    let input: PipePair?
    let null: FileDescriptorHandle
    let stdio: ProcessSpawner.StandardStreams

    init(spec: ContainerSpec, interactive: Bool) throws {
        signals = try SignalDescriptor(signals: [SIGCHLD] + Monitor.forwardedSignals)
        output = try PipePair()
        errorOutput = try PipePair()
        // A container that writes fast is read in large pieces, with fewer switches between it and us.
        output.requestCapacity(1 << 20)
        errorOutput.requestCapacity(1 << 20)
        input = interactive ? try PipePair() : nil
        null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDONLY)
        // -t: one pty carries all three streams; its output is logged as stdout, as Docker does.
        // The child makes it in the container's devpts and hands us the master (`terminal`).
        stdio = spec.process.terminal ? ProcessSpawner.StandardStreams(input: -1, output: -1, error: -1)
            : ProcessSpawner.StandardStreams(input: input?.readEnd ?? null.fd, output: output.writeEnd, error: errorOutput.writeEnd)
    }
}
