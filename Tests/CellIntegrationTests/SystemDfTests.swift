import Foundation
import Testing

/// `cell system df`: docker's summary table, `-v`'s sections and `--format`.
@Suite struct SystemDfTests {
    @Test func showsUsageByKindAsDockerDoes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.buildOneStepImage("built")
        try root.cell("run", "--name", "stopped", "busybox", "sh", "-c", "echo data > /data").expectSuccess()
        try root.cell("run", "-d", "--name", "running", "busybox", "sleep", "60").expectSuccess()
        #expect(try waitUntil { try root.cell("inspect", "-f", "{{.State.Running}}", "running").stdout == "true\n" })

        let table = try root.cell("system", "df")
        #expect(table.status == 0 && table.stderr.isEmpty)
        let lines = table.lines
        #expect(lines.count == 5)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"])
        let columns = lines.dropFirst().map { $0.components(separatedBy: "   ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        #expect(columns.map { Array($0.prefix(3)) } == [["Images", "2", "1"], ["Containers", "2", "1"], ["Local Volumes", "0", "0"], ["Build Cache", "1", "0"]])
        #expect(columns[1].last?.hasSuffix("B (100%)") == true)  // only the stopped container's layer is reclaimable

        let json = try root.cell("system", "df", "--format", "json")
        let rows = try json.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(rows.map { $0?["Type"] } == ["Images", "Containers", "Local Volumes", "Build Cache"])
        #expect(rows.first??.keys.sorted() == ["Active", "Reclaimable", "Size", "TotalCount", "Type"])
        #expect(try root.cell("system", "df", "--format", "{{.Type}}={{.TotalCount}}").stdout
                    == "Images=2\nContainers=2\nLocal Volumes=0\nBuild Cache=1\n")

        let verbose = try root.cell("system", "df", "-v")
        #expect(verbose.status == 0)
        for heading in ["Images space usage:\n\nREPOSITORY   TAG       IMAGE ID", "\n\nContainers space usage:\n\nCONTAINER ID   IMAGE",
                        "\n\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n", "\n\nBuild cache usage: ",
                        "\nCACHE ID       CACHE TYPE   SIZE"] {
            #expect(verbose.stdout.contains(heading), "\(heading)")
        }
        #expect(verbose.lines.contains { $0.hasPrefix("busybox      latest ") && $0.hasSuffix(" 2") })
        #expect(try root.cell("system", "df", "-v", "--format", "{{range .Containers}}{{.Names}} {{end}}").stdout.split(separator: " ").filter { $0 != "\n" }.sorted() == ["running", "stopped"])
        #expect(try root.cell("system", "df", "extra").status == 1)

        try root.cell("rm", "-f", "stopped", "running").expectSuccess()
        try expectNothingLeft(root)
    }
}
