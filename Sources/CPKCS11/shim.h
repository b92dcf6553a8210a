// The standard PKCS#11 names from p11-kit's copy of pkcs11.h. Modules are dlopen'ed, so
// nothing is linked here: only the types, constants and the function list are needed.
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>
