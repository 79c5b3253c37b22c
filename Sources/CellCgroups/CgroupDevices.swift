#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

extension Cgroup {
    /// Lets the cgroup's processes open (and mknod) only the devices the rules allow, whatever
    /// their capabilities: v1's devices controller where the host has one (deny all, then each
    /// rule), else an eBPF program on the v2 cgroup (v2 has no devices files). A hybrid host's
    /// v1 controller binds alone, as runc leaves it: the program on its v2 directory as well
    /// cost ~0.4 ms a start (the verifier) and closes nothing more. Called before any process
    /// joins.
    public func restrictDevices(to rules: [DeviceRule]) throws {
        if case .legacy = layout, directory(forController: "devices") != nil {
            try setValue("a", file: "devices.deny", controller: "devices")
            for rule in rules { try setValue(rule.description, file: "devices.allow", controller: "devices") }
            return
        }
        guard let unified = unifiedDirectory else {
            throw CellError(.setup, "cgroup: no devices controller and no cgroup v2 hierarchy to restrict devices")
        }
        try attachDeviceFilter(DeviceFilterProgram.instructions(allowing: rules), to: unified)
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
