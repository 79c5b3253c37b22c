public enum CellArchivePlaceholder {}
