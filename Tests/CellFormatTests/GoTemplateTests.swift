import CellCore
import Testing
@testable import CellFormat

private let container: JSONValue = [
    "Id": "4fa6e0f0c678",
    "Name": "/web",
    "Args": ["-g", "daemon off;"],
    "State": ["Status": "running", "Running": true, "Pid": 4242, "ExitCode": 0],
    "Config": [
        "Image": "nginx:latest",
        "Cmd": ["sh", "-c", "a && b <c>"],
        "Labels": ["maintainer": "NGINX", "com.example.tier": "front", "a": "1"],
        "Env": [],
        "Entrypoint": nil,
    ],
    "NetworkSettings": ["IPAddress": "172.17.0.2", "Ports": ["80/tcp": [["HostIp": "0.0.0.0", "HostPort": "8080"]]]],
    "Ratio": 1.5,
    "Big": .double(1_000_000),
    "Count": 1_000_000,
    "Mixed": [1, "a", nil, true, ["k": "v"]],
]

private func render(_ template: String, _ value: JSONValue = container) throws -> String {
    try GoTemplate(template).render(value)
}

private func errorMessage(_ template: String, _ value: JSONValue = container, missingKeyIsError: Bool = false) -> String? {
    do {
        _ = try GoTemplate(template, missingKeyIsError: missingKeyIsError).render(value)
        return nil
    } catch let error as CellError {
        #expect(error.kind == .usage)
        return error.message
    } catch {
        return "\(error)"
    }
}

@Suite struct GoTemplateTests {
    @Test func fields() throws {
        #expect(try render("{{.Id}}") == "4fa6e0f0c678")
        #expect(try render("{{ .Config.Image }}") == "nginx:latest")
        #expect(try render("ip={{.NetworkSettings.IPAddress}}\n") == "ip=172.17.0.2\n")
        #expect(try render("{{.State.Pid}} {{.State.Running}}") == "4242 true")
        #expect(try render("plain text") == "plain text")
        #expect(try render("") == "")
    }

    @Test func missingKeysPrintNoValue() throws {
        #expect(try render("{{.Nope}}") == "<no value>")
        #expect(try render("{{.Nope.Deeper}}") == "<no value>")
        #expect(try render("{{.Config.Labels.missing}}") == "<no value>")
        #expect(try render("{{index .Config.Labels \"missing\"}}") == "<no value>")
        // A JSON null is a nil interface{}, which the pipeline unwraps to no value as Go does.
        #expect(try render("{{.Config.Entrypoint}}") == "<no value>")
    }

    @Test func printingValuesLikeGo() throws {
        #expect(try render("{{.Args}}") == "[-g daemon off;]")
        #expect(try render("{{.Config.Labels}}") == "map[a:1 com.example.tier:front maintainer:NGINX]")
        #expect(try render("{{.Mixed}}") == "[1 a <nil> true map[k:v]]")
        #expect(try render("{{.Ratio}} {{.Big}} {{.Count}}") == "1.5 1e+06 1000000")
        #expect(try render("{{.Config.Env}}") == "[]")
        #expect(try render("{{.}}", [:]) == "map[]")
        #expect(try render("{{.}}", "just a string") == "just a string")
    }

    @Test func jsonFunction() throws {
        #expect(try render("{{json .Config.Cmd}}") == #"["sh","-c","a && b <c>"]"#)
        #expect(try render("{{json .State}}") == #"{"Status":"running","Running":true,"Pid":4242,"ExitCode":0}"#)
        #expect(try render("{{json .Nope}}") == "null")
        #expect(try render("{{.State | json}}") == #"{"Status":"running","Running":true,"Pid":4242,"ExitCode":0}"#)
        #expect(try render("{{json .Big}}") == "1000000")
    }

    @Test func index() throws {
        #expect(try render(#"{{index .Config.Labels "com.example.tier"}}"#) == "front")
        #expect(try render("{{index .Args 1}}") == "daemon off;")
        #expect(try render(#"{{index .NetworkSettings.Ports "80/tcp" 0 "HostPort"}}"#) == "8080")
        #expect(try render(#"{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}"#) == "8080")
    }

    @Test func range() throws {
        #expect(try render("{{range .Args}}[{{.}}]{{end}}") == "[-g][daemon off;]")
        #expect(try render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}") == "a=1;com.example.tier=front;maintainer=NGINX;")
        #expect(try render("{{range $i, $a := .Args}}{{$i}}:{{$a}} {{end}}") == "0:-g 1:daemon off; ")
        #expect(try render("{{range $a := .Args}}{{$a}},{{end}}") == "-g,daemon off;,")
        #expect(try render("{{range .Config.Env}}x{{else}}empty{{end}}") == "empty")
        #expect(try render("{{range .Nope}}x{{else}}none{{end}}") == "none")
        #expect(try render("{{range .Args}}{{$.Id}} {{end}}") == "4fa6e0f0c678 4fa6e0f0c678 ")
        #expect(try render("{{range 3}}{{.}}{{end}}", nil) == "012")
    }

    @Test func nestedRange() throws {
        let value: JSONValue = ["Groups": [["Name": "a", "Items": [1, 2]], ["Name": "b", "Items": [3]]]]
        #expect(try render("{{range .Groups}}{{.Name}}:{{range .Items}}{{.}}{{end}};{{end}}", value) == "a:12;b:3;")
        #expect(try render("{{range $g := .Groups}}{{range .Items}}{{$g.Name}}{{.}} {{end}}{{end}}", value) == "a1 a2 b3 ")
    }

    @Test func breakAndContinue() throws {
        let value: JSONValue = ["L": [1, 2, 3, 4]]
        #expect(try render("{{range .L}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", value) == "12")
        #expect(try render("{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", value) == "134")
    }

    @Test func conditionals() throws {
        #expect(try render("{{if .State.Running}}up{{else}}down{{end}}") == "up")
        #expect(try render("{{if .State.ExitCode}}failed{{else}}ok{{end}}") == "ok")
        #expect(try render("{{if .Nope}}yes{{end}}") == "")
        #expect(try render("{{if .Config.Env}}yes{{else}}no{{end}}") == "no")
        #expect(try render("{{if .Config.Entrypoint}}yes{{else}}no{{end}}") == "no")
        #expect(try render(#"{{if eq .State.Status "exited"}}E{{else if eq .State.Status "running"}}R{{else}}?{{end}}"#) == "R")
        #expect(try render("{{with .State}}{{.Status}}/{{.Pid}}{{end}}") == "running/4242")
        #expect(try render("{{with .Nope}}x{{else}}nothing{{end}}") == "nothing")
        #expect(try render("{{with $s := .State.Status}}{{$s}}{{end}}") == "running")
    }

    @Test func trimming() throws {
        #expect(try render("a  {{- .State.Status -}}  b") == "arunningb")
        #expect(try render("a {{.State.Status -}} \n b") == "a runningb")
        #expect(try render("{{range .Args -}}\n  {{.}}\n{{- end}}") == "-gdaemon off;")
        #expect(try render("{{-3}}", nil) == "-3")
        #expect(try render("x{{/* a comment */}}y") == "xy")
        #expect(try render("x {{- /* a comment */ -}} y") == "xy")
    }

    @Test func variables() throws {
        #expect(try render("{{$n := .Name}}{{$n}}") == "/web")
        #expect(try render("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", nil) == "2")
        #expect(try render("{{$}}", "root") == "root")
        #expect(try render("{{$.State.Status}}") == "running")
    }

    @Test func pipelinesAndFunctions() throws {
        #expect(try render("{{.Config.Image | upper}}") == "NGINX:LATEST")
        #expect(try render("{{.Name | printf \"%s!\"}}") == "/web!")
        #expect(try render(#"{{join .Args ", "}}"#) == "-g, daemon off;")
        #expect(try render(#"{{split .Config.Image ":"}}"#) == "[nginx latest]")
        #expect(try render(#"{{index (split .Config.Image ":") 0}}"#) == "nginx")
        #expect(try render(#"{{lower "ABC"}} {{upper "abc"}} {{title "hello wide-world"}}"#) == "abc ABC Hello Wide-World")
        #expect(try render("{{len .Args}} {{len .Config.Labels}} {{len .Name}}") == "2 3 4")
        #expect(try render(#"{{len (split "a,b,c" ",")}}"#) == "3")
        #expect(try render(#"{{println "a" 1}}"#) == "a 1\n")
        #expect(try render(#"{{print "a" 1 2 "b"}}"#) == "a1 2b")
        #expect(try render(#"{{print .Nope}}"#) == "<nil>")
        #expect(try render(#"{{pad "x" 1 2}}|{{truncate "abcdef" 3}}"#) == " x  |abc")
    }

    @Test func printf() throws {
        #expect(try render(#"{{printf "%s-%d-%v-%q" "a" 5 true "b"}}"#) == #"a-5-true-"b""#)
        #expect(try render(#"{{printf "%v %v" .Ratio .Nope}}"#) == "1.5 <nil>")
        #expect(try render(#"{{printf "%5s|%-5s|%05d|%x" "ab" "cd" 42 255}}"#) == "   ab|cd   |00042|ff")
        #expect(try render(#"{{printf "%.2f %d%%" .Ratio 7}}"#) == "1.50 7%")
        #expect(try render(#"{{printf "%d" "x"}}"#) == "%!d(string=x)")
        #expect(try render(#"{{printf "%s %s" "x"}}"#) == "x %!s(MISSING)")
        #expect(try render(#"{{printf "%s" "x" 3}}"#) == "x%!(EXTRA int=3)")
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try render(#"{{eq .State.Status "running"}} {{ne .State.Pid 4242}}"#) == "true false")
        #expect(try render(#"{{eq .State.Status "exited" "running"}}"#) == "true")
        #expect(try render("{{not .State.Running}} {{not .Nope}}") == "false true")
        #expect(try render(#"{{and .State.Running .Name}} {{and .Nope "x"}}"#) == "/web <no value>")
        #expect(try render(#"{{or .Nope "default"}} {{or .Name "default"}}"#) == "default /web")
        #expect(try render("{{lt 1 2}} {{le 2 2}} {{gt 1.5 2}} {{ge \"b\" \"a\"}}", nil) == "true true false true")
        #expect(try render(#"{{eq .Nope "x"}}"#) == "false")
    }

    @Test func tableDirective() {
        #expect(GoTemplate.splitTableDirective(#"table {{.ID}}\t{{.Names}}"#) == (true, "{{.ID}}\t{{.Names}}"))
        #expect(GoTemplate.splitTableDirective("  {{.ID}}  ") == (false, "{{.ID}}"))
        #expect(GoTemplate.splitTableDirective(#"{{.ID}}\n"#) == (false, "{{.ID}}\n"))
        #expect(GoTemplate.splitTableDirective("table") == (true, ""))
    }

    @Test func parseErrors() {
        #expect(errorMessage("{{.Name") == "template parsing error: template: :1: unclosed action")
        #expect(errorMessage("{{foo .Name}}") == #"template parsing error: template: :1: function "foo" not defined"#)
        #expect(errorMessage("{{if .Name}}x") == "template parsing error: template: :1: unexpected EOF")
        #expect(errorMessage("{{end}}") == "template parsing error: template: :1: unexpected {{end}}")
        #expect(errorMessage("{{else}}") == "template parsing error: template: :1: unexpected {{else}}")
        #expect(errorMessage("{{}}") == "template parsing error: template: :1: missing value for command")
        #expect(errorMessage("a\n{{$x}}") == #"template parsing error: template: :2: undefined variable "$x""#)
        #expect(errorMessage("{{.Name}") == #"template parsing error: template: :1: unexpected "}" in operand"#)
        #expect(errorMessage("{{break}}") == "template parsing error: template: :1: {{break}} outside {{range}}")
        #expect(errorMessage(#"{{"unterminated}}"#) == "template parsing error: template: :1: unterminated quoted string")
        #expect(errorMessage("{{.Name | 3}}") == "template parsing error: template: :1: non executable command in pipeline stage 2")
    }

    @Test func executionErrors() {
        #expect(errorMessage("{{.Name.First}}")
                == #"template parsing error: template: :1:2: executing "" at <.Name.First>: can't evaluate field First in type string"#)
        #expect(errorMessage("{{index .Args 5}}")
                == #"template parsing error: template: :1:2: executing "" at <index .Args 5>: error calling index: index out of range: 5"#)
        #expect(errorMessage("x\n  {{.Config.Entrypoint.X}}")
                == #"template parsing error: template: :2:4: executing "" at <.Config.Entrypoint.X>: nil pointer evaluating interface {}.X"#)
        #expect(errorMessage("{{range .Name}}{{end}}")
                == #"template parsing error: template: :1:8: executing "" at <.Name>: range can't iterate over /web"#)
        #expect(errorMessage("{{upper .State.Pid}}")
                == #"template parsing error: template: :1:2: executing "" at <upper .State.Pid>: wrong type for value; expected string; got int"#)
        #expect(errorMessage("{{.Foo}}", missingKeyIsError: true)
                == #"template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo""#)
        #expect(errorMessage(#"{{"x" 1}}"#)
                == #"template parsing error: template: :1:2: executing "" at <"x">: can't give argument to non-function "x""#)
    }
}

@Suite struct GoTemplateEdgeTests {
    @Test func trimmedElseAndEnd() throws {
        let template = """
        {{- range .Args }}
          {{- if eq . "-g" -}}
            flag
          {{- else -}}
            value
          {{- end }}
        {{- end }}
        """
        #expect(try render(template) == "flagvalue")
    }

    @Test func elseWithAndCompoundConditions() throws {
        #expect(try render("{{if .Nope}}a{{else with .State}}{{.Status}}{{end}}") == "running")
        #expect(try render("{{if and .State.Running (not .Nope)}}ok{{end}}") == "ok")
        #expect(try render(#"{{if or (eq .State.Status "exited") (eq .State.Status "running")}}alive{{end}}"#) == "alive")
    }

    @Test func variablesAreScopedToTheirBlock() {
        #expect(errorMessage("{{if true}}{{$x := 1}}{{end}}{{$x}}")
                == #"template parsing error: template: :1: undefined variable "$x""#)
    }

    @Test func rawStringsAndCharacters() throws {
        #expect(try render("{{`a\\tb`}}", nil) == "a\\tb")
        #expect(try render(#"{{"a\tb"}}"#, nil) == "a\tb")
        #expect(try render("{{'a'}}", nil) == "97")
        #expect(try render("{{0x1F}} {{1.5}} {{1e3}}", nil) == "31 1.5 1000")
    }

    @Test func dockerPsStyleRow() throws {
        let template = try GoTemplate(GoTemplate.splitTableDirective(#"table {{.ID}}\t{{.Image}}\t{{.Status}}"#).template)
        let header: JSONValue = ["ID": "CONTAINER ID", "Image": "IMAGE", "Status": "STATUS"]
        let row: JSONValue = ["ID": "4fa6e0f0c678", "Image": "nginx", "Status": "Up 18 seconds"]
        let table = TableWriter()
        table.write(try template.render(header) + "\n")
        table.write(try template.render(row) + "\n")
        #expect(table.render() == "CONTAINER ID   IMAGE     STATUS\n4fa6e0f0c678   nginx     Up 18 seconds\n")
    }

    @Test func templateIsReusable() throws {
        let template = try GoTemplate("{{.N}}")
        #expect(try template.render(["N": 1]) == "1")
        #expect(try template.render(["N": 2]) == "2")
    }
}
