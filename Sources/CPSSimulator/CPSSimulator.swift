// The simulated CPS3 card: see CPS3Card.swift.
import SmartCard
