print("curfew-engine-bench: not built yet")
