import CellCore
import NIOHTTP1

/// A failed request as Docker's daemon answers it: a status code and `{"message": "..."}`.
struct APIError: Error, Sendable {
    var status: HTTPResponseStatus
    var message: String

    init(_ status: HTTPResponseStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    /// gorilla/mux's answer to a path or method no route has, through Docker's error handler.
    static let pageNotFound = APIError(.notFound, "page not found")

    /// The library's error kinds as Docker's status codes (moby's errdefs → httpstatus): what the
    /// caller got wrong is 400, what is missing 404, a state that forbids the operation 409, and
    /// the machine's or cell's own failures 500 with their cause.
    init(_ error: CellError) {
        switch error.kind {
        case .usage, .invalidInput, .commandNotFound, .commandNotExecutable: status = .badRequest
        case .notFound: status = .notFound
        case .conflict: status = .conflict
        case .system, .setup: status = .internalServerError
        }
        message = error.message
    }

    /// Whatever a route threw, as an answer.
    init(describing error: any Error) {
        if let error = error as? APIError {
            self = error
        } else if let error = error as? CellError {
            self.init(error)
        } else {
            self.init(.internalServerError, "\(error)")
        }
    }
}
