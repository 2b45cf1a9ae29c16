/* fuzz_verify.c -- libFuzzer harness for the audit verifier: any file must
 * verify or be refused with its first problem named, never crash. The
 * verifier reads a path, so each input is written to a per-process file. */
#include "rgmon/audit_export.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char report[1024];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/rgmon-fuzz-verify.%d", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	report[0] = '\0';
	int rc = audit_verify_file(path, NULL, report, sizeof(report));
	if (rc != 0 && report[0] == '\0')
		__builtin_trap();
	return 0;
}
