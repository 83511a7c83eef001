print("curfew-bench: not built yet")
