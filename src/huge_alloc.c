/* huge_alloc.c -- see huge_alloc.h. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise(MADV_HUGEPAGE) */
#include "rgmon/huge_alloc.h"

#include <stdlib.h>
#include <sys/mman.h>

/* Under AddressSanitizer the heap instead: it checks the bounds of what
 * malloc gives, not of a mapping. */
#if defined(__SANITIZE_ADDRESS__)
#define HUGE_ALLOC_FROM_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HUGE_ALLOC_FROM_HEAP 1
#endif
#endif

void *huge_alloc(size_t bytes)
{
	if (bytes == 0)
		bytes = 1;
#ifdef HUGE_ALLOC_FROM_HEAP
	return calloc(1, bytes);
#else
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, 4 KB pages */
	return p;
#endif
}

void huge_free(void *p, size_t bytes)
{
	if (!p)
		return;
#ifdef HUGE_ALLOC_FROM_HEAP
	(void)bytes;
	free(p);
#else
	munmap(p, bytes ? bytes : 1);
#endif
}
