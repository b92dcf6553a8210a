// The PC/SC API as pcsc-lite installs it. Swift cannot import <PCSC/winscard.h> through a
// module map on its own path layout, so this shim names the headers once.
#include <PCSC/winscard.h>
#include <PCSC/reader.h>
