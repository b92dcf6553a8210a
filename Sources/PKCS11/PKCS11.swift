// PKCS#11 typed wrappers: see PKCS11Module.swift.
import CPKCS11
