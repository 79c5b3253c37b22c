public enum CellFormatPlaceholder {}
