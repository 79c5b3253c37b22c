import CRuntime

/// The monitor lives as long as its container: keep what it holds resident small.
public enum ResidentMemory {
    /// Releases resident pages of read-only code (see cell_trim_resident_code).
    public static func trim() {
        cell_trim_resident_code()
    }
}
