import Testing
@testable import CellFormat

@Suite struct TableWriterTests {
    @Test func dockerImagesLayout() {
        let table = TableWriter()
        table.addRow(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"])
        table.addRow(["nginx", "latest", "a1b2c3d4e5f6", "2 weeks ago", "187MB"])
        table.addRow(["alpine", "3.19", "05455a08881e", "3 months ago", "7.38MB"])
        let expected = """
        REPOSITORY   TAG       IMAGE ID       CREATED        SIZE
        nginx        latest    a1b2c3d4e5f6   2 weeks ago    187MB
        alpine       3.19      05455a08881e   3 months ago   7.38MB

        """
        #expect(table.render() == expected)
    }

    @Test func headerOnlyTableUsesMinimumWidth() {
        let table = TableWriter()
        table.addRow(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"])
        #expect(table.render() == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n")
    }

    @Test func widthCountsCharactersNotBytes() {
        let text = TableWriter.align("ÄÖÜ\tx\nab\ty\n")
        #expect(text == "ÄÖÜ       x\nab        y\n")
    }

    @Test func emptyCellsArePadded() {
        #expect(TableWriter.align("a\t\tc\n") == "a                   c\n")
    }

    @Test func lineWithoutTabsBreaksColumnBlocks() {
        // Go's tabwriter aligns consecutive lines only: the plain line splits two blocks.
        let text = TableWriter.align("a\tb\nplain\nlonger-than-ten\tc\n")
        #expect(text == "a         b\nplain\nlonger-than-ten   c\n")
    }

    @Test func ragged() {
        let text = TableWriter.align("a\tb\tc\nxx\tyy\n", minWidth: 0, padding: 1)
        #expect(text == "a  b c\nxx yy\n")
    }

    @Test func noTrailingNewlineKept() {
        #expect(TableWriter.align("a\tb") == "a         b")
    }
}
