import CPSSimulator
print("cps-card-sim: not yet")
