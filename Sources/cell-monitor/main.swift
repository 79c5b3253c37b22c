import CellRuntime
print("cell-monitor")
