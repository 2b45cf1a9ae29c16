/* fuzz_verify.c -- libFuzzer harness for the audit verifier: any file must
 * verify or be refused with its first problem named, never crash; the
 * same bytes read as held checkpoints (`audit verify --checkpoints`) too,
 * and compared with the file when it verified. The verifier reads a path,
 * so each input is written to a per-process file. */
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
	struct audit_held held = { 0 };
	char err[512] = "";
	if (audit_held_load(&held, path, err, sizeof(err)) < 0 && err[0] == '\0')
		__builtin_trap();
	if (rc == 0) {
		report[0] = '\0';
		if (audit_verify_checkpoints(path, &held, NULL, report, sizeof(report)) != 0 && report[0] == '\0')
			__builtin_trap();
	}
	audit_held_release(&held);
	return 0;
}
