print("curfew: not yet")
