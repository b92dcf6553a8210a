// prctl(2) is variadic, which Swift cannot call: this shim gives the one use the daemon makes
// of it a fixed signature.
#include <sys/prctl.h>

/// Makes the process not dumpable (`PR_SET_DUMPABLE` 0): no core dump, and no other process of
/// the same user may ptrace it or read its /proc/PID/mem. Returns 0, or -1 with errno set.
static inline int cps_bridge_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
}

/// 1 when the process is dumpable, 0 when not, -1 on error.
static inline int cps_bridge_is_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0L, 0L, 0L, 0L);
}
