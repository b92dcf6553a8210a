// What Swift cannot call from Glibc as it is: prctl(2), variadic, gets the one use the daemon makes
// of it as a fixed signature; posix_spawn_file_actions_addclosefrom_np gets a declaration.
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

// glibc (2.34 and later) declares this only for _GNU_SOURCE, which Swift's Glibc module is not
// built with; the same prototype, declared here, lets a spawned child start with none of the
// parent's descriptors but the ones it is given (SpawnedProcess, ChildProcesses).
#include <spawn.h>
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
