import ArgumentParser
import CellFormat

/// `--format` over one document (`info`, `version`): `json` is `{{json .}}`, and a template that
/// does not parse exits 64, as docker's StatusError does.
enum DocumentFormat {
    static func print(_ document: JSONValue, format: String) throws {
        let template: GoTemplate
        do {
            template = try GoTemplate(format == "json" ? "{{json .}}" : format)
        } catch {
            Output.error("\(error)")
            throw ExitCode(64)
        }
        Output.line(try template.render(document))
    }
}
