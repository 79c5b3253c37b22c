#ifndef CELL_CNETTLE_SHIM_H
#define CELL_CNETTLE_SHIM_H
#include <nettle/sha2.h>
#endif
