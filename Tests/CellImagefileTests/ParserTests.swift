import CellCore
import Testing
@testable import CellImagefile

private func parse(_ text: String) throws(CellError) -> Imagefile {
    try Imagefile(parsing: text, fileName: "Imagefile")
}

private func parseError(_ text: String) -> String? {
    do {
        _ = try parse(text).stages()
        return nil
    } catch {
        #expect(error.kind == .invalidInput)
        return error.message
    }
}

@Suite struct ParserTests {
    @Test func lineNumbersCoverContinuationsAndHeredocs() throws {
        let file = try parse("""
            # comment
            FROM alpine AS build

            RUN echo a \\
                b
            RUN <<EOF
            echo hi
            EOF
            CMD ["x"]
            """)
        #expect(file.instructions.map(\.startLine) == [2, 4, 6, 9])
        #expect(file.instructions.map(\.endLine) == [2, 5, 8, 9])
        #expect(file.instructions[0].comments == ["comment"])
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let file = try parse("from alpine\nRuN echo x\n")
        #expect(file.dump() == "(from \"alpine\")\n(run \"echo x\")\n")
        #expect(file.instructions[1].keyword == "RuN")
    }

    @Test func escapeDirectiveChangesContinuation() throws {
        let file = try parse("# escape=`\nFROM windows\nRUN dir `\n  c:\\\\\nCOPY a\\b c:\\\n")
        #expect(file.escapeCharacter == "`")
        #expect(file.instructions[1].arguments == ["dir   c:\\\\"])
        #expect(file.instructions[2].arguments == ["a\\b", "c:\\"])
    }

    @Test func directivesAreRecordedOnlyAtTheTop() throws {
        let file = try parse("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n# escape=\\\nRUN x `\n y\n")
        #expect(file.syntax == "docker/dockerfile:1")
        #expect(file.directives.map(\.name) == ["syntax", "check", "escape"])
        #expect(file.instructions[1].arguments == ["x  y"])
        #expect(parseError("# escape=\\\n# escape=`\nFROM a\n") == "Imagefile:2: only one escape parser directive can be used")
        #expect(parseError("# escape=x\nFROM a\n") == "Imagefile:1: invalid escape token 'x' does not match ` or \\")
    }

    @Test func commentsInsideContinuationsAreSkipped() throws {
        let file = try parse("FROM a\nRUN one \\\n# inner comment\n  two \\\n\n  three\n")
        #expect(file.instructions[1].arguments == ["one   two   three"])
        #expect(file.warnings.count == 1)
    }

    @Test func flagsAreSplitFirst() throws {
        let file = try parse("""
            FROM --platform=linux/amd64 golang AS build
            COPY --from=build --chown=1:1 --chmod=755 --link /out /bin/
            RUN --mount=type=cache,target=/root/.cache --network=none go build
            """)
        #expect(file.instructions[0].flags == ["--platform=linux/amd64"])
        #expect(file.instructions[1].flags == ["--from=build", "--chown=1:1", "--chmod=755", "--link"])
        #expect(file.instructions[1].arguments == ["/out", "/bin/"])
        #expect(file.instructions[2].dump() == #"run ["--mount=type=cache,target=/root/.cache" "--network=none"] "go build""#)
    }

    @Test func jsonFormAndFallback() throws {
        let file = try parse("""
            FROM a
            CMD ["echo", "hi"]
            CMD ["echo", 'hi']
            CMD ["echo"] extra
            ENTRYPOINT []
            RUN [ "a\\u0041" ]
            """)
        #expect(file.instructions[1].isJSON && file.instructions[1].arguments == ["echo", "hi"])
        #expect(!file.instructions[2].isJSON && file.instructions[2].arguments == [#"["echo", 'hi']"#])
        #expect(!file.instructions[3].isJSON)
        #expect(file.instructions[4].isJSON && file.instructions[4].arguments.isEmpty)
        #expect(file.instructions[5].arguments == ["aA"])
        #expect(parseError("FROM a\nCMD [\"a\", 1]\n")
            == "Imagefile:2: when using JSON array syntax, arrays must be comprised of strings only")
    }

    @Test func heredocs() throws {
        let file = try parse("""
            FROM a
            RUN <<EOF
            echo $HOME
            EOF
            RUN <<-"END" bash
            \t\techo tabbed
            \tEND
            RUN cat <<A <<'B' > out
            a
            A
            b
            B
            COPY <<conf.txt /etc/app/
            key=value
            conf.txt
            RUN ["echo", "<<EOF"]
            """)
        let run = file.instructions[1]
        #expect(run.heredocs == [Heredoc(name: "EOF", expands: true, content: "echo $HOME\n")])
        let chomped = file.instructions[2].heredocs[0]
        #expect(chomped.name == "END" && chomped.stripsTabs && !chomped.expands)
        #expect(chomped.effectiveContent == "echo tabbed\n")
        #expect(file.instructions[3].heredocs.map(\.name) == ["A", "B"])
        #expect(file.instructions[3].heredocs.map(\.content) == ["a\n", "b\n"])
        #expect(file.instructions[3].heredocs.map(\.expands) == [true, false])
        #expect(file.instructions[5].heredocs.isEmpty)
        #expect(file.instructions[5].startLine == 16)

        guard case .copy(let copy) = try file.instructions[4].command() else {
            Issue.record("not a copy")
            return
        }
        #expect(copy.sources.isEmpty && copy.destination == "/etc/app/")
        #expect(copy.inlineSources == [Heredoc(name: "conf.txt", content: "key=value\n")])

        #expect(parseError("FROM a\nRUN <<EOF\necho\n") == "Imagefile:2: unterminated heredoc")
    }

    @Test func onbuild() throws {
        let file = try parse("FROM a\nONBUILD RUN [\"echo\", \"x\"]\nonbuild copy --from=b . /\nONBUILD RUN <<EOF\nhi\nEOF\n")
        #expect(file.dump() == """
            (from "a")
            (onbuild (run "echo" "x"))
            (onbuild (copy ["--from=b"] "." "/"))
            (onbuild (run "<<EOF"))

            """)
        #expect(try file.instructions[2].command() == .onbuild("copy --from=b . /"))
        #expect(try file.instructions[3].command() == .onbuild("RUN <<EOF\nhi\nEOF"))
        #expect(parseError("FROM a\nONBUILD ONBUILD RUN x\n") == "Imagefile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        #expect(parseError("FROM a\nONBUILD FROM b\n") == "Imagefile:2: FROM isn't allowed as an ONBUILD trigger")
    }

    @Test func errorsNameFileAndLine() {
        #expect(parseError("FROM a\n\nRUN x\n\n\n\nFROBNICATE now\n") == "Imagefile:7: unknown instruction: FROBNICATE")
        #expect(parseError("") == "Imagefile:1: file with no instructions")
        #expect(parseError("# only\n\n# comments\n") == "Imagefile:3: file with no instructions")
        #expect(parseError("FROM a\nENV PATH\n") == "Imagefile:2: ENV must have two arguments")
        #expect(parseError("FROM a\nENV a=b c\n")
            == "Imagefile:2: Syntax error - can't find = in \"c\". Must be of the form: name=value")
        #expect(parseError("RUN x\n") == "Imagefile:1: no build stage in current context")
        #expect(parseError("FROM a b\n") == "Imagefile:1: FROM requires either one or three arguments")
        #expect(parseError("FROM a AS 1x\n")
            == "Imagefile:1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols")
        #expect(parseError("FROM a\nCOPY --frm=x a b\n") == "Imagefile:2: Unknown flag: frm")
        #expect(parseError("FROM a\nCOPY onlyone\n")?.hasPrefix("Imagefile:2: COPY requires at least two arguments") == true)
        #expect(parseError("FROM a\nSHELL /bin/bash -c\n") == "Imagefile:2: SHELL requires the arguments to be in JSON form")
        #expect(parseError("FROM a\nWORKDIR\n") == "Imagefile:2: WORKDIR requires exactly one argument")
        #expect(parseError("FROM a\nHEALTHCHECK --interval=1us CMD x\n")
            == "Imagefile:2: Interval \"interval\" cannot be less than 1ms")
        #expect(parseError("FROM a\nRUN \\\n  x\nCOPY --link=maybe a b\n")
            == "Imagefile:4: expecting boolean value for flag link, not: maybe")
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let file = try parse("\u{FEFF}FROM a\r\nRUN echo \\\r\n  b\r\n")
        #expect(file.dump() == "(from \"a\")\n(run \"echo   b\")\n")
    }

    @Test func quoteMatchesGo() {
        #expect(GoText.quote("a\"b\\c\u{0}\u{7F}♥\u{200B}") == #""a\"b\\c\x00\x7f♥\u200b""#)
    }
}
