// The IFD handler API v3 (pcsc-lite's ifdhandler.h) of the simulated PIN-pad reader.
//
// pcscd loads this library once and calls it for every reader.conf entry naming it, each with
// its own Lun: all state is per Lun (struct reader), found in a small table under one lock.
// The library says it is thread safe, so pcscd serialises calls per reader only and a PIN
// entry blocking one reader's IFDHControl never stalls the others.
#define _GNU_SOURCE
#include "pinpad.h"

#include <PCSC/ifdhandler.h>
#include <PCSC/reader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// pcscd's PCSCLITE_MAX_READERS_CONTEXTS.
#define MAX_READERS 16

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reader *table[MAX_READERS];

/// The reader of `lun`, or NULL.
static struct reader *find(DWORD lun) {
    struct reader *found = NULL;
    pthread_mutex_lock(&table_lock);
    for (int i = 0; i < MAX_READERS; i++) {
        if (table[i] && table[i]->lun == lun) found = table[i];
    }
    pthread_mutex_unlock(&table_lock);
    return found;
}

/// Opens a reader: the card port and the keypad socket.
static RESPONSECODE open_reader(DWORD lun, const char *keypad_path, unsigned long port) {
    if (port == 0 || port > 0xFFFF) {
        fprintf(stderr, "cps-pinpad-ifd: Lun %lX: card port %lu out of range\n", (unsigned long)lun, port);
        return IFD_COMMUNICATION_ERROR;
    }
    if (find(lun)) return IFD_COMMUNICATION_ERROR;
    struct reader *reader = calloc(1, sizeof *reader);
    if (!reader) return IFD_COMMUNICATION_ERROR;
    reader->lun = lun;
    reader->port = (uint16_t)port;
    reader->listen_fd = reader->card_fd = reader->keypad_fd = -1;
    snprintf(reader->label, sizeof reader->label, "port %lu", port);
    snprintf(reader->keypad_path, sizeof reader->keypad_path, "%s", keypad_path);
    pthread_mutex_init(&reader->lock, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_cond_init(&reader->changed, &attributes);
    pthread_condattr_destroy(&attributes);
    display_set(reader, "CPS PIN Pad", "Carte absente");
    if (card_link_open(reader) != 0 || keypad_start(reader) != 0) {
        card_link_close(reader);
        pthread_cond_destroy(&reader->changed);
        pthread_mutex_destroy(&reader->lock);
        free(reader);
        return IFD_COMMUNICATION_ERROR;
    }
    int placed = 0;
    pthread_mutex_lock(&table_lock);
    for (int i = 0; i < MAX_READERS && !placed; i++) {
        if (!table[i]) { table[i] = reader; placed = 1; }
    }
    pthread_mutex_unlock(&table_lock);
    if (!placed) {
        keypad_stop(reader);
        card_link_close(reader);
        free(reader);
        return IFD_COMMUNICATION_ERROR;
    }
    pinpad_log(reader, "ready: card on 127.0.0.1:%lu, keypad %s", port, keypad_path);
    return IFD_SUCCESS;
}

/// DEVICENAME is `/path/keypad.sock:PORT` (PORT in C notation, e.g. 0x9300).
RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName) {
    const char *colon = DeviceName ? strrchr(DeviceName, ':') : NULL;
    if (!colon || colon == DeviceName || (size_t)(colon - DeviceName) >= sizeof(((struct reader *)0)->keypad_path)) {
        fprintf(stderr, "cps-pinpad-ifd: DEVICENAME must be /path/keypad.sock:PORT, not %s\n", DeviceName ? DeviceName : "(none)");
        return IFD_COMMUNICATION_ERROR;
    }
    char path[108];
    memcpy(path, DeviceName, (size_t)(colon - DeviceName));
    path[colon - DeviceName] = '\0';
    char *end = NULL;
    unsigned long port = strtoul(colon + 1, &end, 0);
    if (!end || *end != '\0') port = 0;
    return open_reader(Lun, path, port);
}

/// Without DEVICENAME: the card on TCP port `Channel`, the keypad at /tmp/cps-pinpad-PORT.sock.
RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel) {
    char path[108];
    snprintf(path, sizeof path, "/tmp/cps-pinpad-%lu.sock", (unsigned long)Channel);
    return open_reader(Lun, path, Channel);
}

RESPONSECODE IFDHCloseChannel(DWORD Lun) {
    struct reader *reader = NULL;
    pthread_mutex_lock(&table_lock);
    for (int i = 0; i < MAX_READERS; i++) {
        if (table[i] && table[i]->lun == Lun) { reader = table[i]; table[i] = NULL; }
    }
    pthread_mutex_unlock(&table_lock);
    if (!reader) return IFD_COMMUNICATION_ERROR;
    keypad_stop(reader);
    card_link_close(reader);
    pinpad_log(reader, "closed");
    pthread_cond_destroy(&reader->changed);
    pthread_mutex_destroy(&reader->lock);
    free(reader);
    return IFD_SUCCESS;
}

/// Copies a one-byte capability.
static RESPONSECODE one_byte(PDWORD Length, PUCHAR Value, UCHAR byte) {
    if (*Length < 1) return IFD_ERROR_INSUFFICIENT_BUFFER;
    *Length = 1;
    Value[0] = byte;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value) {
    struct reader *reader = find(Lun);
    if (!reader || !Length || !Value) return IFD_COMMUNICATION_ERROR;
    switch (Tag) {
    case TAG_IFD_ATR:
    case SCARD_ATTR_ATR_STRING:
        if (*Length < reader->atr_length) return IFD_ERROR_INSUFFICIENT_BUFFER;
        memcpy(Value, reader->atr, reader->atr_length);
        *Length = (DWORD)reader->atr_length;
        return IFD_SUCCESS;
    case TAG_IFD_SLOTS_NUMBER: return one_byte(Length, Value, 1);
    case TAG_IFD_SIMULTANEOUS_ACCESS: return one_byte(Length, Value, MAX_READERS);
    case TAG_IFD_THREAD_SAFE: return one_byte(Length, Value, 1);
    case TAG_IFD_SLOT_THREAD_SAFE: return one_byte(Length, Value, 0);
    default: return IFD_ERROR_TAG;
    }
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value) {
    (void)Lun; (void)Tag; (void)Length; (void)Value;
    return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2, UCHAR PTS3) {
    (void)Flags; (void)PTS1; (void)PTS2; (void)PTS3;
    if (!find(Lun)) return IFD_COMMUNICATION_ERROR;
    return Protocol == SCARD_PROTOCOL_T0 || Protocol == SCARD_PROTOCOL_T1 ? IFD_SUCCESS : IFD_PROTOCOL_NOT_SUPPORTED;
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength) {
    struct reader *reader = find(Lun);
    if (!reader) return IFD_COMMUNICATION_ERROR;
    if (AtrLength) *AtrLength = 0;
    if (!card_link_present(reader)) return IFD_ICC_NOT_PRESENT;
    switch (Action) {
    case IFD_POWER_DOWN:
        return card_link_power(reader, 0, 0) == 0 ? IFD_SUCCESS : IFD_ERROR_POWER_ACTION;
    case IFD_POWER_UP:
    case IFD_RESET:
        if (card_link_power(reader, 1, Action == IFD_RESET) != 0) return IFD_ERROR_POWER_ACTION;
        if (Atr && AtrLength) {
            memcpy(Atr, reader->atr, reader->atr_length);
            *AtrLength = (DWORD)reader->atr_length;
        }
        return IFD_SUCCESS;
    default:
        return IFD_NOT_SUPPORTED;
    }
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength,
                               PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci) {
    (void)SendPci;
    struct reader *reader = find(Lun);
    if (!reader || !RxLength) return IFD_COMMUNICATION_ERROR;
    size_t capacity = *RxLength;
    *RxLength = 0;
    if (reader->card_fd < 0) return IFD_ICC_NOT_PRESENT;
    size_t length = 0;
    if (card_link_exchange(reader, TxBuffer, TxLength, RxBuffer, capacity, &length) != 0) return IFD_COMMUNICATION_ERROR;
    *RxLength = (DWORD)length;
    if (RecvPci) RecvPci->Protocol = SendPci.Protocol;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength,
                         PUCHAR RxBuffer, DWORD RxLength, LPDWORD pdwBytesReturned) {
    struct reader *reader = find(Lun);
    if (!reader || !pdwBytesReturned) return IFD_COMMUNICATION_ERROR;
    size_t returned = 0;
    long rv = part10_control(reader, dwControlCode, TxBuffer, TxLength, RxBuffer, RxLength, &returned);
    *pdwBytesReturned = (DWORD)returned;
    return (RESPONSECODE)rv;
}

RESPONSECODE IFDHICCPresence(DWORD Lun) {
    struct reader *reader = find(Lun);
    if (!reader) return IFD_COMMUNICATION_ERROR;
    return card_link_present(reader) ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}
