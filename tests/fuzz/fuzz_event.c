/* fuzz_event.c -- libFuzzer harness for the event parser: any bytes must
 * give a parsed event or a one-line reason, never a crash, leak or
 * undefined behaviour. */
#include "rgmon/event.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event ev;
	char reason[512];
	if (event_parse((const char *)data, size, &ev, reason, sizeof(reason)) < 0 && reason[0] == '\0')
		__builtin_trap(); /* a rejection always says why */
	return 0;
}
