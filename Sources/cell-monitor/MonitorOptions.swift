/// The monitor's command line.
struct MonitorOptions {
    var containerDirectory = ""
    /// Where the one-line start result goes (see MonitorSyncMessage); -1 for none.
    var syncDescriptor: Int32 = -1
    /// Foreground: copy the container's output to ours, forward signals, exit with its status.
    var attach = false
    /// Forward our stdin to the container's (else the container's stdin is /dev/null).
    var interactive = false
}
