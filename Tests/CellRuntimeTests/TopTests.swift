#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root")) struct TopTests {
    @Test func listsTheContainersProcessesAsPsDoes() throws {
        let container = try BusyboxContainer.running("sleep 1001 & true")
        defer { container.remove() }
        let pid1 = try #require(try ContainerState.read(fromContainerDirectory: container.directory)).pid
        // The shell execs `sleep 1000` after printing ready: wait for it.
        var rows: [ContainerTop.Row] = []
        #expect(try Deadline.wait(timeout: 10) {
            rows = try ContainerTop.processes(containerDirectory: container.directory)
            return rows.map(\.command).sorted() == ["sleep 1000", "sleep 1001"]
        })
        #expect(ContainerTop.titles == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"])
        #expect(rows.map(\.command).sorted() == ["sleep 1000", "sleep 1001"])
        let main = try #require(rows.first { $0.pid == pid1 })
        #expect(main.user == "root")
        #expect(main.terminal == "?")
        #expect(main.cpuTime == "00:00:00")
        #expect(main.columns.count == 8)
        #expect(main.startTime.count == 5 && main.startTime.contains(":"))
        // The background sleep's parent was the shell that became pid 1.
        #expect(rows.first { $0.command == "sleep 1001" }?.parentPid == pid1)
        #expect(rows.map(\.pid) == rows.map(\.pid).sorted())

        try ContainerSignaller.signal(containerDirectory: container.directory, signal: SIGKILL)
        _ = try container.waitForExit()
        let error = #expect(throws: CellError.self) { try ContainerTop.processes(containerDirectory: container.directory) }
        #expect(error?.kind == .conflict)
    }
}
