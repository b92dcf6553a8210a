// cps-pinpad-ifd: a simulated PIN-pad reader for pcscd (docs/TESTING.md, "The PIN-pad reader").
//
// pcscd loads the shared library from a reader.conf entry and calls the IFD handler API v3
// (pcsc-lite's ifdhandler.h). The card comes from `cps-card-sim` over TCP with vpcd's
// framing; the person's keys come from a Unix socket (the keypad). This header names the one
// pure function the library offers besides the IFDH* entry points.
#ifndef CPS_PINPAD_READER_H
#define CPS_PINPAD_READER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Why `cps_pinpad_build_verify` refused to build a command.
enum cps_pinpad_build_result {
    CPS_PINPAD_BUILD_OK = 0,
    /// Fewer than the minimum or more than the maximum digits: the reader answers 64 03.
    CPS_PINPAD_BUILD_WRONG_LENGTH = 1,
    /// The structure's format fields cannot be applied to its APDU template: 6B 80.
    CPS_PINPAD_BUILD_BAD_STRUCTURE = 2,
};

/// Builds the command a CCID reader sends for FEATURE_VERIFY_PIN_DIRECT: the APDU template
/// of `structure` (a PIN_VERIFY_STRUCTURE, `structure_length` bytes) with `digits` (ASCII
/// '0'-'9', `digit_count` of them) put in as its bmFormatString, bmPINBlockString and
/// bmPINLengthFormat say. Writes at most `capacity` bytes to `apdu` and their count to
/// `apdu_length`. Never logs.
int cps_pinpad_build_verify(const uint8_t *structure, size_t structure_length,
                            const char *digits, size_t digit_count,
                            uint8_t *apdu, size_t capacity, size_t *apdu_length);

#ifdef __cplusplus
}
#endif

#endif
