import CellCore

/// `pause` and `unpause`: every process of the cgroup stopped where it is, or let go. v2's
/// `cgroup.freeze` where the cgroup has it (a hybrid host's v2 directory has it too), else v1's
/// freezer. The kernel freezes asynchronously: both wait until it reports the state reached.
extension Cgroup {
    public func setFrozen(_ frozen: Bool, timeout: Double = 10) throws {
        let deadline = Deadline(after: timeout)
        if let unified = unifiedDirectory, FileSystem.exists("\(unified)/cgroup.freeze") {
            try write(frozen ? "1" : "0", to: "\(unified)/cgroup.freeze")
            while try readIfPresent("\(unified)/cgroup.events")?.split(separator: "\n").contains(frozen ? "frozen 1" : "frozen 0") == false {
                guard !deadline.hasPassed else { throw CellError(.system, "cgroup \(unified) did not \(frozen ? "freeze" : "thaw")") }
                Deadline.pause()
            }
            return
        }
        guard let freezer = directory(forController: "freezer") else {
            throw CellError(.setup, "this host has no cgroup freezer: containers cannot be paused")
        }
        let wanted = frozen ? "FROZEN" : "THAWED"
        try write(wanted, to: "\(freezer)/freezer.state")
        while try readIfPresent("\(freezer)/freezer.state")?.trimmedWhitespace != wanted {
            guard !deadline.hasPassed else { throw CellError(.system, "cgroup \(freezer) did not \(frozen ? "freeze" : "thaw")") }
            Deadline.pause()
        }
    }
}
