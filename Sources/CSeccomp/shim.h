#ifndef CELL_CSECCOMP_SHIM_H
#define CELL_CSECCOMP_SHIM_H
#include <seccomp.h>
#endif
