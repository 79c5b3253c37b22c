import CellCore

/// A log driver that sends each line of a container's output to a receiver of its own (syslog,
/// fluentd), beside the local file that `logs` reads (Docker's dual logging).
public protocol LogLineForwarder: AnyObject {
    /// One line without its newline, or a piece of one: `complete` is false for a piece cut at
    /// 16 KiB and for a last line that never got its newline.
    func forward(_ line: ArraySlice<UInt8>, stream: ContainerLogWriter.Stream, complete: Bool, time: Timestamp)
}
