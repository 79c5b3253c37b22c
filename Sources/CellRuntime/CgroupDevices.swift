#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

extension Cgroup {
    /// Lets the cgroup's processes open (and mknod) only the devices the rules allow, whatever
    /// their capabilities: v1's devices controller (deny all, then each rule), and on v2 an
    /// eBPF program on the cgroup. A hybrid host gets both (its v1 devices controller, and the
    /// program on its v2 directory), so the v2 path runs on the real kernel here too. Called
    /// before any process joins.
    public func restrictDevices(to rules: [DeviceRule]) throws {
        var restricted = false
        if case .legacy = layout, directory(forController: "devices") != nil {
            try setValue("a", file: "devices.deny", controller: "devices")
            for rule in rules { try setValue(rule.description, file: "devices.allow", controller: "devices") }
            restricted = true
        }
        if let unified = unifiedDirectory {
            do {
                try attachDeviceFilter(DeviceFilterProgram.instructions(allowing: rules), to: unified)
            } catch where restricted {
                // A hybrid host whose kernel refuses the program: its v1 controller binds already.
            }
        } else if !restricted {
            throw CellError(.setup, "cgroup: no devices controller and no cgroup v2 hierarchy to restrict devices")
        }
    }

    private func attachDeviceFilter(_ program: [UInt64], to directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CellError(.setup, "open \(directory): \(Syscall.errorString(errno))") }
        defer { close(fd) }
        let result = program.withUnsafeBufferPointer { cell_device_filter_attach(fd, $0.baseAddress, $0.count) }
        if result < 0 {
            throw CellError(.setup, "attach the device filter to \(directory): \(Syscall.errorString(-result))")
        }
    }
}
