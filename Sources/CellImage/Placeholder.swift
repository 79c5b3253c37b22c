public enum CellImagePlaceholder {}
