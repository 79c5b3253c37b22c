import CellFormat

/// A registry's error body (`{"errors": [{"code": "MANIFEST_UNKNOWN", "message": "..."}]}`) as
/// Docker prints it: `manifest unknown: manifest unknown`.
enum RegistryError {
    static func describe(_ response: HTTPResponse) -> String {
        if let document = try? JSONValue(parsing: response.body), let errors = document["errors"]?.arrayValue, !errors.isEmpty {
            return errors.map { error in
                let code = (error["code"]?.stringValue ?? "unknown").lowercased().replacingUnderscores()
                let message = error["message"]?.stringValue ?? ""
                return message.isEmpty ? code : "\(code): \(message)"
            }.joined(separator: "; ")
        }
        // A HEAD's answer has no body: the distribution registry's words for its codes.
        switch response.status {
        case 401: return "unauthorized: authentication required"
        case 403: return "denied: requested access to the resource is denied"
        default: return "unexpected status code \(response.status)"
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
