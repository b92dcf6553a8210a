// timerfd(2), which Swift's Glibc module does not bring in: a timer the kernel keeps, that a
// thread can wait on with read(2) and that any thread can arm or disarm without waking it.
#include <sys/timerfd.h>
