/* Keeping the monitor small: it is resident for as long as its container runs. */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int trim_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name && strstr(info->dlpi_name, "vdso")) return 0;
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        /* Only segments that can never have been written: dropping a written private page
           would lose the write (relocations, RELRO). Code is re-read from the page cache. */
        if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_X) || (segment->p_flags & PF_W)) continue;
        uintptr_t start = (info->dlpi_addr + segment->p_vaddr) & ~(uintptr_t)(page - 1);
        uintptr_t end = info->dlpi_addr + segment->p_vaddr + segment->p_memsz;
        madvise((void *)start, end - start, MADV_DONTNEED);
    }
    return 0;
}

void cell_trim_resident_code(void) {
    dl_iterate_phdr(trim_object, NULL);
}
