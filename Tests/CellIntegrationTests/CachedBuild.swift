import Foundation
import Testing

extension CellRoot {
    /// Builds `tag` FROM busybox with one RUN step: an image on busybox's layer and one build cache
    /// entry, for the tests of what uses and frees space.
    func buildOneStepImage(_ tag: String) throws {
        let context = file("context-\(tag)")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nRUN echo built > /built\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try cell("build", "-q", "-t", tag, context).expectSuccess()
    }
}
