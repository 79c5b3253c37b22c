import CellRuntime

/// The monitor's command line.
struct MonitorOptions {
    var containerDirectory = ""
    /// Where the one-line start result goes (see MonitorSyncMessage); -1 for none.
    var syncDescriptor: Int32 = -1
    /// Foreground: copy the container's output to ours, forward signals, exit with its status.
    var attach = false
    /// Attached: which output streams, the detach keys, --sig-proxy.
    var attachment = Attachment()
    /// The container's stdin is a pipe: fed from our stdin with --attach, else from attach
    /// clients (`attach.sock`). Without it, the container's stdin is /dev/null.
    var interactive = false
    /// Handed a container whose spec was previewed: its start changed the spec since.
    var specRewritten = true
}
