print("cell")
