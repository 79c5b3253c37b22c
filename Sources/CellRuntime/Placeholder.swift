import CRuntime
public enum CellRuntimePlaceholder {}
