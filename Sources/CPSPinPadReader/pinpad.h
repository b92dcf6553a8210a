// One simulated PIN-pad reader (one reader.conf entry, one pcscd Lun): its card link, its
// keypad and what its display shows. Internal to the library.
#ifndef CPS_PINPAD_INTERNAL_H
#define CPS_PINPAD_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/// How a PIN entry ended (set by the keypad, read by the waiting IFDHControl).
enum entry_result {
    ENTRY_NONE = 0,
    ENTRY_DIGITS,
    ENTRY_CANCEL,
    ENTRY_TIMEOUT,
};

/// The largest number of digits `type` accepts (more than any structure's maximum, so that a
/// too-long PIN reaches the length check and gets 64 03).
#define KEYPAD_MAX_DIGITS 32
/// One line of the 2x16 display, and its terminating zero.
#define DISPLAY_WIDTH 16

struct reader {
    unsigned long lun;
    char label[32];                 // "port 37632", for log lines
    uint16_t port;                  // the card's TCP port on 127.0.0.1
    char keypad_path[108];          // the keypad's Unix socket

    // Card link: touched only from pcscd's calls for this Lun (pcscd serialises them).
    int listen_fd;
    int card_fd;                    // -1: no card
    uint8_t atr[33];
    size_t atr_length;

    // Keypad thread.
    int keypad_fd;
    pthread_t keypad_thread;
    int keypad_started;

    // Shared between pcscd's threads and the keypad thread, under `lock`.
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int stopping;
    int card_present;
    int entry_waiting;              // an IFDHControl waits for keys
    enum entry_result result;
    char digits[KEYPAD_MAX_DIGITS];
    size_t digit_count;
    char line1[DISPLAY_WIDTH + 1];
    char line2[DISPLAY_WIDTH + 1];
};

// Logging (stderr, i.e. pcscd's log). Never pass a PIN.
void pinpad_log(const struct reader *reader, const char *format, ...) __attribute__((format(printf, 2, 3)));

// Card link (card_link.c).
int card_link_open(struct reader *reader);
void card_link_close(struct reader *reader);
int card_link_present(struct reader *reader);
int card_link_power(struct reader *reader, int on, int reset);
int card_link_exchange(struct reader *reader, const uint8_t *command, size_t length,
                       uint8_t *response, size_t capacity, size_t *response_length);
int card_link_dropped(struct reader *reader);

// Keypad (keypad.c).
int keypad_start(struct reader *reader);
void keypad_stop(struct reader *reader);
void display_set(struct reader *reader, const char *line1, const char *line2);

// PC/SC part 10 (part10.c).
long part10_control(struct reader *reader, unsigned long code, const uint8_t *input, size_t input_length,
                    uint8_t *output, size_t capacity, size_t *output_length);

#endif
