// The reader's keypad and display, driven over a Unix socket: one command a line, one answer
// line each (docs/TESTING.md, "The PIN-pad reader"):
//   type DIGITS   types the digits then OK          -> OK | ERR ...
//   cancel        presses Cancel                    -> OK | ERR ...
//   timeout       lets the entry time out now       -> OK | ERR ...
//   display       -> WAITING "<line 1>" "<line 2>" | IDLE "<line 1>" "<line 2>"
// type, cancel and timeout wait up to KEYPAD_WAIT_SECONDS for a PIN entry to be waiting.
#define _GNU_SOURCE
#include "pinpad.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/// How long type, cancel and timeout wait for an entry to start.
#define KEYPAD_WAIT_SECONDS 10
/// The longest command line.
#define KEYPAD_LINE_MAX 128

void pinpad_log(const struct reader *reader, const char *format, ...) {
    char message[256];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    fprintf(stderr, "cps-pinpad-ifd [%s]: %s\n", reader->label, message);
    fflush(stderr);
}

void display_set(struct reader *reader, const char *line1, const char *line2) {
    pthread_mutex_lock(&reader->lock);
    snprintf(reader->line1, sizeof reader->line1, "%s", line1);
    snprintf(reader->line2, sizeof reader->line2, "%s", line2);
    pthread_mutex_unlock(&reader->lock);
}

/// Waits (bounded) for a PIN entry with no key yet, then ends it with `result`. Returns 0 on
/// success, -1 when no entry was waiting in time. The caller holds nothing; `digits` may be NULL.
static int press(struct reader *reader, enum entry_result result, const char *digits, size_t count) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += KEYPAD_WAIT_SECONDS;
    pthread_mutex_lock(&reader->lock);
    while (!reader->stopping && !(reader->entry_waiting && reader->result == ENTRY_NONE)) {
        if (pthread_cond_timedwait(&reader->changed, &reader->lock, &deadline) == ETIMEDOUT) break;
    }
    int ok = !reader->stopping && reader->entry_waiting && reader->result == ENTRY_NONE;
    if (ok) {
        if (digits) memcpy(reader->digits, digits, count);
        reader->digit_count = count;
        reader->result = result;
        pthread_cond_broadcast(&reader->changed);
    }
    pthread_mutex_unlock(&reader->lock);
    return ok ? 0 : -1;
}

/// Answers one command line into `answer`.
static void handle(struct reader *reader, char *line, char *answer, size_t capacity) {
    if (strncmp(line, "type ", 5) == 0) {
        const char *digits = line + 5;
        size_t count = strlen(digits);
        int valid = count >= 1 && count <= KEYPAD_MAX_DIGITS;
        for (size_t i = 0; valid && i < count; i++) valid = digits[i] >= '0' && digits[i] <= '9';
        if (!valid) {
            snprintf(answer, capacity, "ERR type takes 1 to %d digits", KEYPAD_MAX_DIGITS);
        } else if (press(reader, ENTRY_DIGITS, digits, count) == 0) {
            pinpad_log(reader, "keypad: digits typed then OK (PIN hidden)");
            snprintf(answer, capacity, "OK");
        } else {
            snprintf(answer, capacity, "ERR no PIN entry waiting");
        }
        explicit_bzero(line, strlen(line));
    } else if (strcmp(line, "cancel") == 0 || strcmp(line, "timeout") == 0) {
        int cancel = line[0] == 'c';
        if (press(reader, cancel ? ENTRY_CANCEL : ENTRY_TIMEOUT, NULL, 0) == 0) {
            pinpad_log(reader, "keypad: %s", cancel ? "Cancel pressed" : "entry timed out (keypad command)");
            snprintf(answer, capacity, "OK");
        } else {
            snprintf(answer, capacity, "ERR no PIN entry waiting");
        }
    } else if (strcmp(line, "display") == 0) {
        pthread_mutex_lock(&reader->lock);
        int waiting = reader->entry_waiting && reader->result == ENTRY_NONE;
        snprintf(answer, capacity, "%s \"%s\" \"%s\"", waiting ? "WAITING" : "IDLE", reader->line1, reader->line2);
        pthread_mutex_unlock(&reader->lock);
    } else {
        snprintf(answer, capacity, "ERR unknown command (type DIGITS, cancel, timeout, display)");
    }
}

/// Whether the keypad is being shut down.
static int stopping(struct reader *reader) {
    pthread_mutex_lock(&reader->lock);
    int value = reader->stopping;
    pthread_mutex_unlock(&reader->lock);
    return value;
}

/// Serves one client until it hangs up or the reader closes.
static void serve(struct reader *reader, int client) {
    char line[KEYPAD_LINE_MAX + 1];
    size_t used = 0;
    int overlong = 0;
    while (!stopping(reader)) {
        struct pollfd p = {.fd = client, .events = POLLIN};
        int ready = poll(&p, 1, 200);
        if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
        if (ready < 0) break;
        char byte;
        ssize_t n = recv(client, &byte, 1, 0);
        if (n <= 0) break;
        if (byte == '\r') continue;
        if (byte != '\n') {
            if (used < KEYPAD_LINE_MAX) line[used++] = byte; else overlong = 1;
            continue;
        }
        line[used] = '\0';
        char answer[128];
        if (overlong) snprintf(answer, sizeof answer, "ERR line longer than %d bytes", KEYPAD_LINE_MAX);
        else handle(reader, line, answer, sizeof answer);
        explicit_bzero(line, sizeof line);
        used = 0;
        overlong = 0;
        size_t length = strlen(answer);
        answer[length++] = '\n';
        if (send(client, answer, length, MSG_NOSIGNAL) != (ssize_t)length) break;
    }
    explicit_bzero(line, sizeof line);
}

static void *keypad_main(void *argument) {
    struct reader *reader = argument;
    while (!stopping(reader)) {
        struct pollfd p = {.fd = reader->keypad_fd, .events = POLLIN};
        int ready = poll(&p, 1, 200);
        if (ready <= 0) continue;
        int client = accept4(reader->keypad_fd, NULL, NULL, SOCK_CLOEXEC);
        if (client < 0) continue;
        serve(reader, client);
        close(client);
    }
    return NULL;
}

int keypad_start(struct reader *reader) {
    struct sockaddr_un address = {0};
    address.sun_family = AF_UNIX;
    if (strlen(reader->keypad_path) >= sizeof address.sun_path) {
        pinpad_log(reader, "keypad socket path too long: %s", reader->keypad_path);
        return -1;
    }
    strcpy(address.sun_path, reader->keypad_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct stat existing;
    if (lstat(reader->keypad_path, &existing) == 0 && S_ISSOCK(existing.st_mode)) {
        unlink(reader->keypad_path);  // a stale socket from an earlier run
    }
    // The socket file takes the socket's mode at bind (Linux): 0600 from the start, with no
    // umask change, which would touch every thread of pcscd.
    fchmod(fd, 0600);
    int bound = bind(fd, (struct sockaddr *)&address, sizeof address);
    if (bound != 0 || chmod(reader->keypad_path, 0600) != 0 || listen(fd, 4) != 0) {
        pinpad_log(reader, "cannot listen on keypad socket %s: %s", reader->keypad_path, strerror(errno));
        close(fd);
        return -1;
    }
    reader->keypad_fd = fd;
    if (pthread_create(&reader->keypad_thread, NULL, keypad_main, reader) != 0) {
        close(fd);
        unlink(reader->keypad_path);
        reader->keypad_fd = -1;
        return -1;
    }
    reader->keypad_started = 1;
    return 0;
}

void keypad_stop(struct reader *reader) {
    pthread_mutex_lock(&reader->lock);
    reader->stopping = 1;
    pthread_cond_broadcast(&reader->changed);
    pthread_mutex_unlock(&reader->lock);
    if (reader->keypad_started) pthread_join(reader->keypad_thread, NULL);
    reader->keypad_started = 0;
    if (reader->keypad_fd >= 0) {
        close(reader->keypad_fd);
        unlink(reader->keypad_path);
    }
    reader->keypad_fd = -1;
}
