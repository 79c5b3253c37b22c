import CellCore

extension ContainerConfig {
    /// Refuses a config with a NUL byte in any of its texts. Each becomes a C string (an
    /// argument, a variable, the user, the working directory...) or a field of a container's
    /// record when the image runs, and neither can hold one: checked before an image is stored
    /// (load, import, commit, build) and when one from an older cell is run.
    public func checkForNULBytes(kind: CellError.Kind = .invalidInput) throws {
        try NULByte.check(env ?? [], as: "environment variable", kind: kind)
        try NULByte.check(entrypoint ?? [], as: "Entrypoint", kind: kind)
        try NULByte.check(cmd ?? [], as: "Cmd", kind: kind)
        try NULByte.check(shell ?? [], as: "Shell", kind: kind)
        try NULByte.check(healthcheck?.test ?? [], as: "Healthcheck", kind: kind)
        try NULByte.check(onBuild ?? [], as: "OnBuild", kind: kind)
        try NULByte.check(user ?? "", as: "User", kind: kind)
        try NULByte.check(workingDir ?? "", as: "WorkingDir", kind: kind)
        try NULByte.check(stopSignal ?? "", as: "StopSignal", kind: kind)
        try NULByte.check((volumes ?? [:]).keys, as: "volume", kind: kind)
        try NULByte.check((exposedPorts ?? [:]).keys, as: "port", kind: kind)
        for (key, value) in labels ?? [:] {
            try NULByte.check(key, as: "label", kind: kind)
            try NULByte.check(value, as: "label \(GoQuote.quote(key))", kind: kind)
        }
    }
}
