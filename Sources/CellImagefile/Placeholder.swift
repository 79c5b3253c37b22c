public enum CellImagefilePlaceholder {}
