// The card side of the reader: a TCP listener on 127.0.0.1 that `cps-card-sim` connects to,
// with vpcd's framing (a 2-byte big-endian length, then the bytes; 1-byte frames from the
// reader are controls: 00 power off, 01 power on, 02 reset, 04 get ATR). A connection is an
// inserted card; a closed connection is a removed card.
#define _GNU_SOURCE
#include "pinpad.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/// How long the card may take to answer one frame.
#define CARD_ANSWER_TIMEOUT_MS 60000

enum { CONTROL_POWER_OFF = 0x00, CONTROL_POWER_ON = 0x01, CONTROL_RESET = 0x02, CONTROL_GET_ATR = 0x04 };

int card_link_open(struct reader *reader) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons(reader->port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 4) != 0) {
        pinpad_log(reader, "cannot listen on 127.0.0.1:%u: %s", reader->port, strerror(errno));
        close(fd);
        return -1;
    }
    reader->listen_fd = fd;
    reader->card_fd = -1;
    return 0;
}

/// Forgets the card (the connection ended or failed).
static void drop_card(struct reader *reader, const char *why) {
    if (reader->card_fd < 0) return;
    close(reader->card_fd);
    reader->card_fd = -1;
    reader->atr_length = 0;
    pthread_mutex_lock(&reader->lock);
    reader->card_present = 0;
    pthread_cond_broadcast(&reader->changed);
    pthread_mutex_unlock(&reader->lock);
    display_set(reader, "CPS PIN Pad", "Carte absente");
    pinpad_log(reader, "card removed (%s)", why);
}

void card_link_close(struct reader *reader) {
    drop_card(reader, "reader closed");
    if (reader->listen_fd >= 0) close(reader->listen_fd);
    reader->listen_fd = -1;
}

/// Whether the card's connection was closed by the other end (nothing else is ever sent
/// unasked, so a readable socket means the end of the stream or an error).
int card_link_dropped(struct reader *reader) {
    if (reader->card_fd < 0) return 1;
    struct pollfd p = {.fd = reader->card_fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) return 0;
    if (p.revents & (POLLHUP | POLLERR)) return 1;
    uint8_t byte;
    ssize_t n = recv(reader->card_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

int card_link_present(struct reader *reader) {
    if (reader->card_fd >= 0 && card_link_dropped(reader)) drop_card(reader, "connection closed");
    if (reader->card_fd < 0 && reader->listen_fd >= 0) {
        int fd = accept4(reader->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            reader->card_fd = fd;
            pthread_mutex_lock(&reader->lock);
            reader->card_present = 1;
            pthread_cond_broadcast(&reader->changed);
            pthread_mutex_unlock(&reader->lock);
            display_set(reader, "CPS PIN Pad", "Carte presente");
            pinpad_log(reader, "card inserted");
        }
    }
    return reader->card_fd >= 0;
}

/// Writes all of `length` bytes, or fails.
static int write_all(int fd, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = send(fd, bytes, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        bytes += n;
        length -= (size_t)n;
    }
    return 0;
}

/// Reads exactly `length` bytes within the card's answer time, or fails.
static int read_exactly(int fd, uint8_t *bytes, size_t length) {
    while (length > 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, CARD_ANSWER_TIMEOUT_MS);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return -1;
        ssize_t n = recv(fd, bytes, length, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        bytes += n;
        length -= (size_t)n;
    }
    return 0;
}

/// Sends one frame.
static int send_frame(struct reader *reader, const uint8_t *bytes, size_t length) {
    if (length > 0xFFFF) return -1;
    uint8_t header[2] = {(uint8_t)(length >> 8), (uint8_t)length};
    if (write_all(reader->card_fd, header, 2) != 0 || write_all(reader->card_fd, bytes, length) != 0) {
        drop_card(reader, "write failed");
        return -1;
    }
    return 0;
}

/// Receives one frame into `buffer`; a frame larger than `capacity` is an error.
static int receive_frame(struct reader *reader, uint8_t *buffer, size_t capacity, size_t *length) {
    uint8_t header[2];
    if (read_exactly(reader->card_fd, header, 2) != 0) {
        drop_card(reader, "no answer");
        return -1;
    }
    size_t size = (size_t)header[0] << 8 | header[1];
    if (size > capacity) {
        drop_card(reader, "answer too large");
        return -1;
    }
    if (read_exactly(reader->card_fd, buffer, size) != 0) {
        drop_card(reader, "answer cut short");
        return -1;
    }
    *length = size;
    return 0;
}

int card_link_power(struct reader *reader, int on, int reset) {
    if (!card_link_present(reader)) return -1;
    uint8_t control = !on ? CONTROL_POWER_OFF : reset ? CONTROL_RESET : CONTROL_POWER_ON;
    if (send_frame(reader, &control, 1) != 0) return -1;
    reader->atr_length = 0;
    if (!on) return 0;
    uint8_t get_atr = CONTROL_GET_ATR;
    size_t length = 0;
    if (send_frame(reader, &get_atr, 1) != 0 || receive_frame(reader, reader->atr, sizeof reader->atr, &length) != 0) {
        return -1;
    }
    reader->atr_length = length;
    return 0;
}

int card_link_exchange(struct reader *reader, const uint8_t *command, size_t length,
                       uint8_t *response, size_t capacity, size_t *response_length) {
    if (reader->card_fd < 0) return -1;
    // A 1-byte frame would be read as a control: the card link carries APDUs of 4 bytes or more.
    if (length < 4) return -1;
    if (send_frame(reader, command, length) != 0) return -1;
    return receive_frame(reader, response, capacity, response_length);
}
