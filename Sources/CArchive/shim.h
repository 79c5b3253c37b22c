#ifndef CELL_CARCHIVE_SHIM_H
#define CELL_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
