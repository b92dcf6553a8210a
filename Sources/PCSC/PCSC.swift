// PC/SC typed wrappers: see PCSCContext.swift.
import CPCSCLite
