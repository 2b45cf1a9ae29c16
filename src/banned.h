/* banned.h -- functions that are easy to misuse, turned into compile errors
 * (after git's banned.h). Included by every rgmon source file via
 * include/rgmon/common.h. Use snprintf, strtol/strtoll with checks, and
 * gmtime_r. */
#ifndef RGMON_BANNED_H
#define RGMON_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_rgmon

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
