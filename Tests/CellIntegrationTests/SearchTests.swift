import Foundation
import Testing

/// `cell search`: a registry's v1 search where it has one, else its catalog.
@Suite("registries: search")
struct SearchTests {
    @Test func aSearchingRegistryIsShownAsDockerShowsIt() throws {
        let description = "A very long description that goes on\nfor more than forty-five characters"
        let answer = """
            {"num_results": 2, "query": "box", "results": [
             {"name": "library/box", "description": \(String(reflecting: description)), "star_count": 1234, "is_official": true},
             {"name": "someone/box", "description": "", "star_count": 3, "is_official": false}]}
            """
        let registry = try ScriptedRegistry(routes: [
            "/v2/": (200, "application/json", Array("{}".utf8)),
            "/v1/search": (200, "application/json", Array(answer.utf8)),
        ])
        let root = try CellRoot()
        let table = try root.cell("search", "\(registry.address)/box")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout == """
            NAME          DESCRIPTION                                     STARS     OFFICIAL
            library/box   A very long description that goes on for mor…   1234      [OK]
            someone/box                                                   3         

            """)
        #expect(try root.cell("search", "--filter", "is-official=true", "--format", "{{.Name}} {{.StarCount}} {{.IsOfficial}}", "\(registry.address)/box").stdout
                == "library/box 1234 [OK]\n")
        #expect(try root.cell("search", "-f", "stars=10", "--no-trunc", "--format", "{{.Description}}", "\(registry.address)/box").stdout
                == "A very long description that goes on for more than forty-five characters\n")
        let bad = try root.cell("search", "--filter", "color=red", "\(registry.address)/box")
        #expect(bad.status == 1 && bad.stderr == "Error response from daemon: invalid filter 'color=red'\n")
        let limit = try root.cell("search", "--limit", "101", "\(registry.address)/box")
        #expect(limit.status == 1 && limit.stderr == "Error response from daemon: limit 101 is outside the range of [1, 100]\n")
    }

    @Test func aRegistryWithoutSearchListsItsCatalog() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/busybox:1")
        try registry.push("busybox", from: source, as: "other/thing:1")
        let root = try CellRoot()
        #expect(try root.cell("search", "--format", "{{.Name}}", "\(registry.address)/busy").stdout == "\(registry.address)/tools/busybox\n")
        #expect(try root.cell("search", "--format", "{{.Name}}", "\(registry.address)/").lines.count == 2)
    }
}
