/* fuzz_policy.c -- libFuzzer harness for the policy loader: any bytes must
 * load or be refused with the field named, never crash. */
#include "rgmon/policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy pol;
	char err[512];
	err[0] = '\0';
	if (policy_load_json(&pol, (const char *)data, size, err, sizeof(err)) < 0 && err[0] == '\0')
		__builtin_trap();
	return 0;
}
