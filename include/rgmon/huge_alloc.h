/* huge_alloc.h -- zeroed memory for large tables, straight from mmap with
 * transparent huge pages asked for. In this VM a first touch of a 4 KB
 * page faults for ~4 us: for a table filled once or read at random
 * (evaluate's players and duplicate window, serve's player cache) that
 * was most of the cost of its first use, and with 4 KB pages nearly every
 * random look-up also missed the TLB. The huge pages are a hint: without
 * them the memory is the same, in 4 KB pages. */
#ifndef RGMON_HUGE_ALLOC_H
#define RGMON_HUGE_ALLOC_H

#include <stddef.h>

/* bytes of zeroed memory, or NULL when out of memory. */
void *huge_alloc(size_t bytes);
/* Frees what huge_alloc(bytes) gave (NULL is fine). */
void huge_free(void *p, size_t bytes);

#endif
