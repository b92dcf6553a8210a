// The VERIFY command a CCID PIN-pad reader builds from a PIN_VERIFY_STRUCTURE (PC/SC part 10,
// CCID PC_to_RDR_Secure): the APDU template with the typed digits put in place. Pure: no I/O,
// no logging; the PIN only passes through the caller's buffers.
#define _DEFAULT_SOURCE
#include "cps_pinpad_reader.h"

#include <string.h>

/// Offsets in the PIN_VERIFY_STRUCTURE (reader.h; packed, little-endian words).
enum {
    VERIFY_FORMAT_STRING = 2,
    VERIFY_PIN_BLOCK_STRING = 3,
    VERIFY_PIN_LENGTH_FORMAT = 4,
    VERIFY_MAX_EXTRA_DIGIT = 5,
    VERIFY_DATA_LENGTH = 15,
    VERIFY_HEADER_SIZE = 19,
};

/// Writes the `bits` low bits of `value` into `buffer` at bit `position` (bit 0 is the most
/// significant bit of byte 0), most significant bit first.
static void put_bits(uint8_t *buffer, size_t position, unsigned bits, unsigned value) {
    for (unsigned i = 0; i < bits; i++) {
        size_t at = position + i;
        uint8_t mask = (uint8_t)(0x80u >> (at % 8));
        if ((value >> (bits - 1 - i)) & 1u) {
            buffer[at / 8] |= mask;
        } else {
            buffer[at / 8] &= (uint8_t)~mask;
        }
    }
}

/// A position field in bits: `units_are_bytes` multiplies it by 8.
static size_t in_bits(unsigned position, int units_are_bytes) {
    return units_are_bytes ? (size_t)position * 8 : (size_t)position;
}

int cps_pinpad_build_verify(const uint8_t *structure, size_t structure_length,
                            const char *digits, size_t digit_count,
                            uint8_t *apdu, size_t capacity, size_t *apdu_length) {
    if (structure_length < VERIFY_HEADER_SIZE) return CPS_PINPAD_BUILD_BAD_STRUCTURE;
    const uint8_t *s = structure;
    uint32_t data_length = (uint32_t)s[VERIFY_DATA_LENGTH] | (uint32_t)s[VERIFY_DATA_LENGTH + 1] << 8
        | (uint32_t)s[VERIFY_DATA_LENGTH + 2] << 16 | (uint32_t)s[VERIFY_DATA_LENGTH + 3] << 24;
    if ((size_t)data_length + VERIFY_HEADER_SIZE != structure_length) return CPS_PINPAD_BUILD_BAD_STRUCTURE;

    // wPINMaxExtraDigit is 0xXXYY: XX the minimum, YY the maximum number of digits.
    unsigned min_digits = s[VERIFY_MAX_EXTRA_DIGIT + 1];
    unsigned max_digits = s[VERIFY_MAX_EXTRA_DIGIT];
    if (digit_count < min_digits || digit_count > max_digits) return CPS_PINPAD_BUILD_WRONG_LENGTH;

    uint8_t format = s[VERIFY_FORMAT_STRING];
    unsigned pin_type = format & 0x03u;            // 0 binary, 1 BCD, 2 ASCII
    int right_justified = (format & 0x04u) != 0;
    size_t pin_position = in_bits((format >> 3) & 0x0Fu, (format & 0x80u) != 0);
    unsigned block_bytes = s[VERIFY_PIN_BLOCK_STRING] & 0x0Fu;
    unsigned length_field_bits = s[VERIFY_PIN_BLOCK_STRING] >> 4;
    uint8_t length_format = s[VERIFY_PIN_LENGTH_FORMAT];
    size_t length_position = in_bits(length_format & 0x0Fu, (length_format & 0x10u) != 0);
    if (pin_type == 3) return CPS_PINPAD_BUILD_BAD_STRUCTURE;
    unsigned digit_bits = pin_type == 1 ? 4 : 8;
    for (size_t i = 0; i < digit_count; i++) {
        if (digits[i] < '0' || digits[i] > '9') return CPS_PINPAD_BUILD_BAD_STRUCTURE;
    }

    // The template: CLA INS P1 P2 [Lc data] [Le].
    const uint8_t *template = s + VERIFY_HEADER_SIZE;
    if (data_length < 4) return CPS_PINPAD_BUILD_BAD_STRUCTURE;
    size_t lc = data_length > 4 ? template[4] : 0;
    size_t trailer_start = data_length > 4 ? 5 + lc : 4;
    if (trailer_start > data_length || data_length - trailer_start > 1) return CPS_PINPAD_BUILD_BAD_STRUCTURE;

    uint8_t data[255];
    memset(data, 0, sizeof data);
    if (lc > 0) memcpy(data, template + 5, lc);
    size_t pin_bits = digit_count * digit_bits;
    size_t start;
    size_t used = lc;
    if (block_bytes > 0) {
        // The block starts at the PIN position and is cut at the end of the APDU data.
        size_t block_end = pin_position + (size_t)block_bytes * 8;
        if (block_end > lc * 8) block_end = lc * 8;
        if (pin_position + pin_bits > block_end) return CPS_PINPAD_BUILD_BAD_STRUCTURE;
        start = right_justified ? block_end - pin_bits : pin_position;
    } else {
        // No fixed block: the digits go at the PIN position and the data grows to hold them.
        start = pin_position;
        size_t end = (pin_position + pin_bits + 7) / 8;
        if (end > sizeof data) return CPS_PINPAD_BUILD_BAD_STRUCTURE;
        if (end > used) used = end;
    }
    for (size_t i = 0; i < digit_count; i++) {
        unsigned value = (unsigned)(digits[i] - '0');
        put_bits(data, start + i * digit_bits, digit_bits, pin_type == 2 ? value + '0' : value);
    }
    if (length_field_bits > 0) {
        if (length_position + length_field_bits > used * 8) {
            explicit_bzero(data, sizeof data);
            return CPS_PINPAD_BUILD_BAD_STRUCTURE;
        }
        put_bits(data, length_position, length_field_bits, (unsigned)digit_count);
    }

    size_t trailer = data_length - trailer_start;
    size_t total = 4 + (used > 0 ? 1 + used : 0) + trailer;
    if (total > capacity) {
        explicit_bzero(data, sizeof data);
        return CPS_PINPAD_BUILD_BAD_STRUCTURE;
    }
    memcpy(apdu, template, 4);
    size_t at = 4;
    if (used > 0) {
        apdu[at++] = (uint8_t)used;
        memcpy(apdu + at, data, used);
        at += used;
    }
    if (trailer) apdu[at++] = template[trailer_start];
    *apdu_length = at;
    explicit_bzero(data, sizeof data);
    return CPS_PINPAD_BUILD_OK;
}
