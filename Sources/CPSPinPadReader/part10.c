// PC/SC part 10 on the simulated reader: the feature list, the PIN properties, and PIN
// verification on the keypad (FEATURE_VERIFY_PIN_DIRECT). Control codes are built the way
// pcsc-lite's CCID driver builds them: SCARD_CTL_CODE(0x330000 + feature).
#define _GNU_SOURCE
#include "cps_pinpad_reader.h"
#include "pinpad.h"

#include <PCSC/ifdhandler.h>
#include <PCSC/reader.h>
#include <errno.h>
#include <string.h>
#include <time.h>

/// The control code of `feature`.
#define FEATURE_CODE(feature) SCARD_CTL_CODE(0x330000 + (feature))
/// bTimerOut 0 means the reader's default.
#define DEFAULT_ENTRY_SECONDS 30
/// The display, 2 lines of 16 characters (wLcdLayout 0xLLCC).
#define LCD_LAYOUT 0x0210
#define MIN_PIN_SIZE 4
#define MAX_PIN_SIZE 8
/// The reader ends an entry on the validation key (bEntryValidationCondition).
#define ENTRY_VALIDATION 0x02

/// The features announced, in the order of CM_IOCTL_GET_FEATURE_REQUEST's answer.
static const uint8_t features[] = {
    FEATURE_VERIFY_PIN_DIRECT, FEATURE_MODIFY_PIN_DIRECT, FEATURE_IFD_PIN_PROPERTIES, FEATURE_GET_TLV_PROPERTIES,
};

/// Copies `length` bytes to the caller, or reports that its buffer is too small.
static long answer(const uint8_t *bytes, size_t length, uint8_t *output, size_t capacity, size_t *output_length) {
    if (length > capacity) return IFD_ERROR_INSUFFICIENT_BUFFER;
    memcpy(output, bytes, length);
    *output_length = length;
    return IFD_SUCCESS;
}

/// Answers with a reader status word (64 00, 64 01, 64 03, 6B 80).
static long status(uint16_t word, uint8_t *output, size_t capacity, size_t *output_length) {
    uint8_t bytes[2] = {(uint8_t)(word >> 8), (uint8_t)word};
    return answer(bytes, 2, output, capacity, output_length);
}

static long feature_list(uint8_t *output, size_t capacity, size_t *output_length) {
    uint8_t list[sizeof features * 6];
    for (size_t i = 0; i < sizeof features; i++) {
        uint32_t code = FEATURE_CODE(features[i]);
        uint8_t *entry = list + i * 6;
        entry[0] = features[i];
        entry[1] = 4;
        entry[2] = (uint8_t)(code >> 24);  // big-endian (part 10)
        entry[3] = (uint8_t)(code >> 16);
        entry[4] = (uint8_t)(code >> 8);
        entry[5] = (uint8_t)code;
    }
    return answer(list, sizeof list, output, capacity, output_length);
}

static long pin_properties(uint8_t *output, size_t capacity, size_t *output_length) {
    // PIN_PROPERTIES_STRUCTURE: wLcdLayout (little-endian), bEntryValidationCondition, bTimeOut2.
    const uint8_t bytes[4] = {LCD_LAYOUT & 0xFF, LCD_LAYOUT >> 8, ENTRY_VALIDATION, 0x00};
    return answer(bytes, sizeof bytes, output, capacity, output_length);
}

static long tlv_properties(uint8_t *output, size_t capacity, size_t *output_length) {
    // tag, length, value (integers little-endian).
    static const char firmware[] = "cps-pinpad-sim 1";
    uint8_t bytes[64];
    size_t n = 0;
#define TLV1(tag, v) do { bytes[n++] = (tag); bytes[n++] = 1; bytes[n++] = (uint8_t)(v); } while (0)
#define TLV2(tag, v) do { bytes[n++] = (tag); bytes[n++] = 2; bytes[n++] = (uint8_t)(v); bytes[n++] = (uint8_t)((v) >> 8); } while (0)
    TLV2(PCSCv2_PART10_PROPERTY_wLcdLayout, LCD_LAYOUT);
    TLV1(PCSCv2_PART10_PROPERTY_bEntryValidationCondition, ENTRY_VALIDATION);
    TLV1(PCSCv2_PART10_PROPERTY_bTimeOut2, 0);
    TLV2(PCSCv2_PART10_PROPERTY_wLcdMaxCharacters, DISPLAY_WIDTH);
    TLV2(PCSCv2_PART10_PROPERTY_wLcdMaxLines, 2);
    TLV1(PCSCv2_PART10_PROPERTY_bMinPINSize, MIN_PIN_SIZE);
    TLV1(PCSCv2_PART10_PROPERTY_bMaxPINSize, MAX_PIN_SIZE);
    TLV1(PCSCv2_PART10_PROPERTY_bPPDUSupport, 0);
#undef TLV1
#undef TLV2
    bytes[n++] = PCSCv2_PART10_PROPERTY_sFirmwareID;
    bytes[n++] = (uint8_t)(sizeof firmware - 1);
    memcpy(bytes + n, firmware, sizeof firmware - 1);
    n += sizeof firmware - 1;
    return answer(bytes, n, output, capacity, output_length);
}

/// Waits for the keypad to end the entry, for `seconds`, or for the card to leave. Returns
/// the result, or ENTRY_NONE when the card left. The digits stay in the reader (caller wipes).
static enum entry_result wait_for_keys(struct reader *reader, unsigned seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&reader->lock);
    reader->result = ENTRY_NONE;
    reader->digit_count = 0;
    reader->entry_waiting = 1;
    pthread_cond_broadcast(&reader->changed);
    enum entry_result result = ENTRY_NONE;
    for (;;) {
        if (reader->result != ENTRY_NONE) { result = reader->result; break; }
        if (reader->stopping) break;
        struct timespec now, slice;
        clock_gettime(CLOCK_REALTIME, &now);
        if (now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
            result = ENTRY_TIMEOUT;
            break;
        }
        // Wake every 100 ms to see whether the card is still there.
        slice = now;
        slice.tv_nsec += 100 * 1000 * 1000;
        if (slice.tv_nsec >= 1000000000L) { slice.tv_sec += 1; slice.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&reader->changed, &reader->lock, &slice);
        if (reader->result != ENTRY_NONE) continue;
        pthread_mutex_unlock(&reader->lock);
        int gone = card_link_dropped(reader);
        pthread_mutex_lock(&reader->lock);
        if (gone) break;
    }
    reader->entry_waiting = 0;
    pthread_mutex_unlock(&reader->lock);
    return result;
}

/// FEATURE_VERIFY_PIN_DIRECT: waits for the PIN on the keypad, builds the VERIFY and sends it.
static long verify_pin(struct reader *reader, const uint8_t *input, size_t input_length,
                       uint8_t *output, size_t capacity, size_t *output_length) {
    if (input_length < 19) return status(0x6B80, output, capacity, output_length);
    if (!card_link_present(reader)) return IFD_ICC_NOT_PRESENT;
    // A dry run with no digits checks the structure before anyone is asked for a PIN.
    uint8_t apdu[300];
    size_t apdu_length = 0;
    char probe[KEYPAD_MAX_DIGITS];
    memset(probe, '0', sizeof probe);
    unsigned max_digits = input[5];
    int check = cps_pinpad_build_verify(input, input_length, probe, max_digits, apdu, sizeof apdu, &apdu_length);
    explicit_bzero(apdu, sizeof apdu);
    if (check == CPS_PINPAD_BUILD_BAD_STRUCTURE || max_digits == 0 || max_digits > KEYPAD_MAX_DIGITS
        || input[6] > max_digits) {
        pinpad_log(reader, "PIN verify structure refused (6B 80)");
        return status(0x6B80, output, capacity, output_length);
    }
    unsigned seconds = input[0] ? input[0] : DEFAULT_ENTRY_SECONDS;
    display_set(reader, input[8] == 0 ? "" : (input[9] | input[10] << 8) == 0x0409 ? "Enter PIN" : "Saisir code PIN", "");
    pinpad_log(reader, "PIN entry started (%u s)", seconds);
    enum entry_result result = wait_for_keys(reader, seconds);
    long rv;
    if (result == ENTRY_NONE) {
        pinpad_log(reader, "PIN entry ended: the card left");
        rv = IFD_COMMUNICATION_ERROR;
    } else if (result == ENTRY_CANCEL) {
        display_set(reader, "CPS PIN Pad", "Annule");
        rv = status(0x6401, output, capacity, output_length);
    } else if (result == ENTRY_TIMEOUT) {
        display_set(reader, "CPS PIN Pad", "Temps ecoule");
        pinpad_log(reader, "PIN entry timed out (64 00)");
        rv = status(0x6400, output, capacity, output_length);
    } else {
        pthread_mutex_lock(&reader->lock);
        int built = cps_pinpad_build_verify(input, input_length, reader->digits, reader->digit_count,
                                            apdu, sizeof apdu, &apdu_length);
        explicit_bzero(reader->digits, sizeof reader->digits);
        reader->digit_count = 0;
        pthread_mutex_unlock(&reader->lock);
        if (built == CPS_PINPAD_BUILD_WRONG_LENGTH) {
            display_set(reader, "CPS PIN Pad", "Longueur PIN");
            pinpad_log(reader, "PIN of the wrong length: nothing sent to the card (64 03)");
            rv = status(0x6403, output, capacity, output_length);
        } else if (built != CPS_PINPAD_BUILD_OK) {
            rv = status(0x6B80, output, capacity, output_length);
        } else {
            uint8_t response[258];
            size_t response_length = 0;
            pinpad_log(reader, "VERIFY sent, PIN hidden");
            int sent = card_link_exchange(reader, apdu, apdu_length, response, sizeof response, &response_length);
            if (sent != 0) {
                rv = IFD_COMMUNICATION_ERROR;
            } else {
                if (response_length >= 2) {
                    pinpad_log(reader, "card answered %02X %02X", response[response_length - 2], response[response_length - 1]);
                }
                display_set(reader, "CPS PIN Pad", response_length == 2 && response[0] == 0x90 ? "PIN correct" : "PIN refuse");
                rv = answer(response, response_length, output, capacity, output_length);
            }
        }
    }
    pthread_mutex_lock(&reader->lock);
    reader->result = ENTRY_NONE;
    explicit_bzero(reader->digits, sizeof reader->digits);
    pthread_mutex_unlock(&reader->lock);
    explicit_bzero(apdu, sizeof apdu);
    return rv;
}

long part10_control(struct reader *reader, unsigned long code, const uint8_t *input, size_t input_length,
                    uint8_t *output, size_t capacity, size_t *output_length) {
    *output_length = 0;
    if (code == CM_IOCTL_GET_FEATURE_REQUEST) return feature_list(output, capacity, output_length);
    if (code == FEATURE_CODE(FEATURE_IFD_PIN_PROPERTIES)) return pin_properties(output, capacity, output_length);
    if (code == FEATURE_CODE(FEATURE_GET_TLV_PROPERTIES)) return tlv_properties(output, capacity, output_length);
    if (code == FEATURE_CODE(FEATURE_VERIFY_PIN_DIRECT)) {
        return verify_pin(reader, input, input_length, output, capacity, output_length);
    }
    if (code == FEATURE_CODE(FEATURE_MODIFY_PIN_DIRECT)) {
        pinpad_log(reader, "PIN modification on the keypad is not simulated (6B 80)");
        return status(0x6B80, output, capacity, output_length);
    }
    return IFD_ERROR_NOT_SUPPORTED;
}
