/*
 * Preloaded (LD_PRELOAD) into a journal process by FailedFlushTest and into a daemon by it/ StorageFaultsIT: while the file named by $VNETD_FAIL_FSYNC exists, every
 * fsync and fdatasync fails with EIO, as on a disk that can no longer write, without touching the data written before.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int failing(void) {
    const char *flag = getenv("VNETD_FAIL_FSYNC");
    return flag != NULL && access(flag, F_OK) == 0;
}

int fsync(int fd) {
    static int (*real)(int);
    if (failing()) {
        errno = EIO;
        return -1;
    }
    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
    }
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (failing()) {
        errno = EIO;
        return -1;
    }
    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
    }
    return real(fd);
}
