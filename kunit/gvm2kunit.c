// SPDX-License-Identifier: MIT
/*
 * gvm2kunit: turn the golden op scripts (tests/scripts/NAME.gvm and the
 * output each must print, NAME.out) into a KUnit suite for the kernel's
 * drm_gpuvm, drivers/gpu/drm/tests/drm_gpuvm_test.c: the hand-written
 * kernel-side model (kunit/drm_gpuvm_test_model.c) followed by one table
 * of commands, one table of expected lines and one KUnit case per script.
 * Scripts are parsed by the project's own parser (fuzz/gvm_parse.h).
 *
 * The kernel tree's GPUVM API era decides which scripts can run; a script
 * that needs a feature the era lacks, or a command the kernel cannot
 * express, is left out and named with the reason. With --patch it also
 * writes the change as a mail "git am" takes: the test file, the Kconfig
 * select and the Makefile line.
 *
 * Exit status: 0 done, 1 a bad input (script, expected output, skip list,
 * model, kernel tree or its era), 2 bad usage.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz/gvm_cmd.h"
#include "fuzz/gvm_file.h"
#include "fuzz/gvm_parse.h"

#define PROG		"gvm2kunit"
#define TEST_PATH	"drivers/gpu/drm/tests/drm_gpuvm_test.c"
#define KCONFIG_PATH	"drivers/gpu/drm/Kconfig"
#define MAKEFILE_PATH	"drivers/gpu/drm/tests/Makefile"
#define LINE_COLS	100

static __attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

static __attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* A whole file, NUL-terminated; NULL with errno set if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	char *text;

	if (!f)
		return NULL;
	text = gvm_read_all(f, &n);
	fclose(f);
	if (!text)
		return NULL;
	text[n] = '\0';
	if (len)
		*len = n;
	return text;
}

static bool exists(const char *dir, const char *rel)
{
	struct stat sb;
	char *path = xasprintf("%s/%s", dir, rel);
	bool ok = stat(path, &sb) == 0;

	free(path);
	return ok;
}

/* ---- API eras, as bazel/kernel_source.bzl tells them apart ---------------- */

enum feature {
	F_VM_BO,
	F_MAP_REQ,
	F_SM_MAP_EXEC_LOCK,
	F_MADVISE,
	F_IMMEDIATE_MODE,
	F_GEM_GPUVA_MUTEX,
	F_DEFERRED_CLEANUP,
	F_OBTAIN_LOCKED,
	F_CONST_OPS,
	F_NR
};

static const struct {
	const char *name;	/* as in upstream.skip and gvm_upstream_era.h */
	const char *marker;	/* text whose presence in @file means the feature */
	const char *file;
	const char *since;
} features[F_NR] = {
	[F_VM_BO] = { "VM_BO", "drm_gpuvm_bo_obtain_prealloc", "include/drm/drm_gpuvm.h", "6.8" },
	[F_MAP_REQ] = { "MAP_REQ", "struct drm_gpuvm_map_req", "include/drm/drm_gpuvm.h", "6.17" },
	[F_SM_MAP_EXEC_LOCK] = { "SM_MAP_EXEC_LOCK", "drm_gpuvm_sm_map_exec_lock",
				 "include/drm/drm_gpuvm.h", "6.17" },
	[F_MADVISE] = { "MADVISE", "drm_gpuvm_madvise_ops_create", "include/drm/drm_gpuvm.h",
			"6.18" },
	[F_IMMEDIATE_MODE] = { "IMMEDIATE_MODE", "DRM_GPUVM_IMMEDIATE_MODE",
			       "include/drm/drm_gpuvm.h", "6.18" },
	[F_GEM_GPUVA_MUTEX] = { "GEM_GPUVA_MUTEX", "gpuva.lock)", "drivers/gpu/drm/drm_gpuvm.c",
				"6.19" },
	[F_DEFERRED_CLEANUP] = { "DEFERRED_CLEANUP", "drm_gpuvm_bo_deferred_cleanup",
				 "include/drm/drm_gpuvm.h", "6.19" },
	[F_OBTAIN_LOCKED] = { "OBTAIN_LOCKED", "drm_gpuvm_bo_obtain_locked",
			      "include/drm/drm_gpuvm.h", "7.0" },
	[F_CONST_OPS] = { "CONST_OPS", "drm_gpuva_unmap(const struct", "include/drm/drm_gpuvm.h",
			  "7.0" },
};

#define BIT_F(f)	(1u << (f))
#define NEWER_F		(((1u << F_NR) - 1) & ~BIT_F(F_VM_BO))

/* The eras there are, by the features after vm_bo; the model supports the first. */
static const struct era {
	const char *name;	/* --era */
	const char *text;	/* in messages */
	unsigned int features;
	bool supported;
} eras[] = {
	{ "6.8-6.16", "Linux 6.8 to 6.16", BIT_F(F_VM_BO), true },
	{ "6.17", "the 6.17 API", BIT_F(F_VM_BO) | BIT_F(F_MAP_REQ) | BIT_F(F_SM_MAP_EXEC_LOCK),
	  false },
	{ "6.18", "the 6.18 API", BIT_F(F_VM_BO) | BIT_F(F_MAP_REQ) | BIT_F(F_SM_MAP_EXEC_LOCK) |
	  BIT_F(F_MADVISE) | BIT_F(F_IMMEDIATE_MODE), false },
	{ "6.19", "the 6.19 API", BIT_F(F_VM_BO) | BIT_F(F_MAP_REQ) | BIT_F(F_SM_MAP_EXEC_LOCK) |
	  BIT_F(F_MADVISE) | BIT_F(F_IMMEDIATE_MODE) | BIT_F(F_GEM_GPUVA_MUTEX) |
	  BIT_F(F_DEFERRED_CLEANUP), false },
	{ "7.0", "the 7.0 API", (1u << F_NR) - 1, false },
};

#define SUPPORTED_TEXT	"Linux 6.8 to 6.16 (tested: Debian's linux-source-6.12)"

static const struct era *era_by_features(unsigned int has)
{
	size_t i;

	for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		if (eras[i].features == has)
			return &eras[i];
	return NULL;
}

static int feature_by_name(const char *name)
{
	int i;

	for (i = 0; i < F_NR; i++)
		if (!strcmp(features[i].name, name))
			return i;
	return -1;
}

/* "6.12.117" from a tree's top Makefile, or "version unknown". */
static char *tree_version(const char *tree)
{
	char *path = xasprintf("%s/Makefile", tree);
	char *text = read_file(path, NULL);
	long v[3] = { -1, -1, -1 };
	static const char *const keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL" };
	char *line, *save = NULL;
	int i, n = 0;

	free(path);
	if (!text)
		return xstrdup("version unknown");
	for (line = strtok_r(text, "\n", &save); line && n < 10;
	     line = strtok_r(NULL, "\n", &save), n++) {
		for (i = 0; i < 3; i++) {
			size_t k = strlen(keys[i]);

			if (!strncmp(line, keys[i], k) && strspn(line + k, " \t") < strlen(line + k) &&
			    line[k + strspn(line + k, " \t")] == '=')
				v[i] = strtol(line + k + strspn(line + k, " \t") + 1, NULL, 10);
		}
	}
	free(text);
	if (v[0] < 0 || v[1] < 0 || v[2] < 0)
		return xstrdup("version unknown");
	return xasprintf("%ld.%ld.%ld", v[0], v[1], v[2]);
}

/*
 * The era of the kernel tree at @tree: one line and exit 1 if it is not a
 * kernel tree, lacks KUnit or DRM or GPUVM, or is of an era not supported.
 */
static const struct era *tree_era(const char *tree, char **version)
{
	static const char *const kunit = "tools/testing/kunit/kunit.py";
	unsigned int has = 0;
	const struct era *era;
	char *texts[F_NR] = { NULL };
	struct stat sb;
	int i;

	if (stat(tree, &sb) || !S_ISDIR(sb.st_mode))
		die("%s: no such directory", tree);
	if (!exists(tree, "Makefile") || !exists(tree, "include/linux"))
		die("%s: not a kernel tree (no Makefile and include/linux/)", tree);
	*version = tree_version(tree);
	if (!exists(tree, kunit))
		die("%s (Linux %s): no KUnit (%s)", tree, *version, kunit);
	if (!exists(tree, KCONFIG_PATH) || !exists(tree, MAKEFILE_PATH))
		die("%s (Linux %s): no DRM or no DRM KUnit tests (%s, %s)", tree, *version,
		    KCONFIG_PATH, MAKEFILE_PATH);
	if (!exists(tree, "include/drm/drm_gpuvm.h") || !exists(tree, "drivers/gpu/drm/drm_gpuvm.c"))
		die("%s (Linux %s): no GPUVM (drivers/gpu/drm/drm_gpuvm.c, include/drm/drm_gpuvm.h): "
		    "Linux 6.8 or later needed", tree, *version);
	for (i = 0; i < F_NR; i++) {
		int j;

		for (j = 0; j < i; j++)
			if (!strcmp(features[j].file, features[i].file))
				break;
		if (j == i) {
			char *path = xasprintf("%s/%s", tree, features[i].file);

			texts[i] = read_file(path, NULL);
			if (!texts[i])
				die("%s: %s", path, strerror(errno));
			free(path);
		}
		if (strstr(texts[j], features[i].marker))
			has |= BIT_F(i);
	}
	for (i = 0; i < F_NR; i++)
		free(texts[i]);
	if (!(has & BIT_F(F_VM_BO)))
		die("%s (Linux %s): GPUVM without the vm_bo API (before 6.8) is not supported; "
		    "supported: " SUPPORTED_TEXT, tree, *version);
	era = era_by_features(has);
	if (!era) {
		char with[256] = "", without[256] = "";

		for (i = 1; i < F_NR; i++) {
			char *s = has & BIT_F(i) ? with : without;

			snprintf(s + strlen(s), 256 - strlen(s), "%s%s (%s)", *s ? ", " : "",
				 features[i].name, features[i].since);
		}
		die("%s (Linux %s): an API era with %s but without %s is not known; supported: "
		    SUPPORTED_TEXT, tree, *version, with, without);
	}
	if (!era->supported)
		die("%s (Linux %s): %s is not supported by the KUnit model yet; supported: "
		    SUPPORTED_TEXT, tree, *version, era->text);
	return era;
}

/* ---- the skip list ------------------------------------------------------------ */

struct skip {
	char *script;
	int feature;		/* -1: "-" */
	char *reason;
};

static struct skip *skips;
static size_t nskips;

static void read_skips(const char *path)
{
	char *text = read_file(path, NULL);
	char *line, *save = NULL;
	unsigned int lineno = 0;

	if (!text)
		die("%s: %s", path, strerror(errno));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name, *feat, *rest;
		struct skip *s;

		lineno++;
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		name = line;
		line += strcspn(line, " \t");
		if (*line)
			*line++ = '\0';
		line += strspn(line, " \t");
		feat = line;
		line += strcspn(line, " \t");
		if (*line)
			*line++ = '\0';
		rest = line + strspn(line, " \t");
		if (!*feat || !*rest)
			die("%s: %s: expected NAME.gvm FEATURE reason", path, name);
		skips = realloc(skips, (nskips + 1) * sizeof(*skips));
		if (!skips)
			die("out of memory");
		s = &skips[nskips++];
		s->script = xstrdup(name);
		s->feature = strcmp(feat, "-") ? feature_by_name(feat) : -1;
		if (strcmp(feat, "-") && s->feature < 0)
			die("%s: %s: unknown feature %s", path, name, feat);
		s->reason = xstrdup(rest);
	}
	free(text);
}

static const struct skip *skip_of(const char *script)
{
	size_t i;

	for (i = 0; i < nskips; i++)
		if (!strcmp(skips[i].script, script))
			return &skips[i];
	return NULL;
}

/* ---- scripts ---------------------------------------------------------------- */

struct script {
	char *file;		/* NAME.gvm */
	char *ident;		/* C identifier stem */
	struct gvm_script cmds;
	char **out;
	size_t nout;
	char *left_out;		/* why, or NULL */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.gvm files of @dir, sorted. */
static char **list_scripts(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;

	*n = 0;
	if (!d)
		die("%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len <= 4 || strcmp(e->d_name + len - 4, ".gvm"))
			continue;
		names = realloc(names, (*n + 1) * sizeof(*names));
		if (!names)
			die("out of memory");
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

static char *make_ident(const char *file)
{
	size_t len = strlen(file) - 4, i;
	char *id = xmalloc(len + 2), *p = id;

	if (!isalpha((unsigned char)file[0]))
		*p++ = 's';
	for (i = 0; i < len; i++)
		*p++ = isalnum((unsigned char)file[i]) ? (char)tolower((unsigned char)file[i]) : '_';
	*p = '\0';
	return id;
}

/* The lines of @path; each must be printable ASCII. */
static char **read_lines(const char *path, size_t *n)
{
	char *text = read_file(path, NULL);
	char **lines = NULL, *p, *nl;

	*n = 0;
	if (!text)
		die("%s: %s", path, strerror(errno));
	for (p = text; *p; p = nl + 1) {
		char *c;

		nl = strchr(p, '\n');
		if (!nl)
			die("%s: the last line has no newline", path);
		*nl = '\0';
		for (c = p; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				die("%s:%zu: a byte that is not printable ASCII", path, *n + 1);
		lines = realloc(lines, (*n + 1) * sizeof(*lines));
		if (!lines)
			die("out of memory");
		lines[(*n)++] = xstrdup(p);
	}
	free(text);
	return lines;
}

/* Why the model cannot run @s on @era, or NULL. */
static char *why_left_out(const struct script *s, const struct era *era)
{
	const struct skip *skip = skip_of(s->file);
	size_t i;

	for (i = 0; i < s->cmds.n; i++) {
		const struct gvm_cmd *c = &s->cmds.cmds[i];

		if (c->kind == GVM_CMD_INJECT && !(c->flags & GVM_F_STEP))
			return xasprintf("line %u: inject alloc: the kernel cannot fail exactly "
					 "the Nth allocation of one command", c->line);
		if (c->kind == GVM_CMD_VM && (c->flags & GVM_F_IMMEDIATE) &&
		    !(era->features & BIT_F(F_DEFERRED_CLEANUP)))
			return xasprintf("line %u: an immediate VM: %s has no immediate mode with "
					 "deferred vm_bo cleanup (6.19+)", c->line, era->text);
		if (c->thread || c->kind == GVM_CMD_SCHEDULE)
			return xasprintf("line %u: threads (@T, schedule): the kernel's tests run "
					 "one thread", c->line);
		if (c->kind == GVM_CMD_VM && (c->flags & GVM_F_EMPTY_OK))
			return xasprintf("line %u: an empty_ok VM (empty ranges passed on to "
					 "GPUVM): not in the KUnit model yet", c->line);
		if (c->kind == GVM_CMD_MADVISE && !(era->features & BIT_F(F_MADVISE)))
			return xasprintf("line %u: madvise: %s has no "
					 "drm_gpuvm_madvise_ops_create() (6.18+)", c->line,
					 era->text);
		if (c->kind == GVM_CMD_TWIN && i)
			return xasprintf("line %u: twin after the first command", c->line);
	}
	if (skip && skip->feature >= 0 && !(era->features & BIT_F(skip->feature)))
		return xasprintf("%s: %s", features[skip->feature].name, skip->reason);
	return NULL;
}

static void load_script(struct script *s, const char *dir, const char *file,
			const struct era *era)
{
	char *path = xasprintf("%s/%s", dir, file);
	char err[GVM_MAX_LINE + 256];
	size_t len = 0;
	char *text = read_file(path, &len);

	if (!text)
		die("%s: %s", path, strerror(errno));
	memset(s, 0, sizeof(*s));
	s->file = xstrdup(file);
	s->ident = make_ident(file);
	if (gvm_parse(file, text, len, &s->cmds, err, sizeof(err)))
		die("%s/%s", dir, err);
	free(text);
	free(path);
	path = xasprintf("%s/%.*s.out", dir, (int)(strlen(file) - 4), file);
	s->out = read_lines(path, &s->nout);
	free(path);
	s->left_out = why_left_out(s, era);
}

/* ---- output ------------------------------------------------------------------ */

/* Columns @s takes from column @col, tabs to multiples of 8. */
static size_t cols(const char *s, size_t col)
{
	for (; *s; s++)
		col = *s == '\t' ? (col / 8 + 1) * 8 : col + 1;
	return col;
}

/* @text wrapped into " * " comment lines of at most 80 columns. */
static void put_comment_text(FILE *f, bool hanging, const char *text)
{
	const char *p = text;
	size_t width = 80 - 3, first = 1;

	while (*p) {
		size_t n = strlen(p);

		if (n > width) {
			n = width;
			while (n && p[n] != ' ')
				n--;
			if (!n)
				n = strcspn(p, " ");
		}
		fprintf(f, " * %s%.*s\n", !first && hanging ? "  " : "", (int)n, p);
		if (first && hanging)
			width = 80 - 5;
		first = 0;
		p += n;
		p += strspn(p, " ");
	}
}

static const char *const op_names[GVM_CMD_NR] = {
	[GVM_CMD_VM] = "GVM_VM", [GVM_CMD_BO] = "GVM_BO", [GVM_CMD_MAP] = "GVM_MAP",
	[GVM_CMD_UNMAP] = "GVM_UNMAP", [GVM_CMD_PREFETCH] = "GVM_PREFETCH",
	[GVM_CMD_BO_UNMAP] = "GVM_BO_UNMAP", [GVM_CMD_OBTAIN] = "GVM_OBTAIN",
	[GVM_CMD_PUT] = "GVM_PUT", [GVM_CMD_CLOSE] = "GVM_CLOSE", [GVM_CMD_EVICT] = "GVM_EVICT",
	[GVM_CMD_VALIDATE] = "GVM_VALIDATE", [GVM_CMD_CLEANUP] = "GVM_CLEANUP",
	[GVM_CMD_DESTROY] = "GVM_DESTROY", [GVM_CMD_DUMP] = "GVM_DUMP",
	[GVM_CMD_INJECT] = "GVM_INJECT_STEP", [GVM_CMD_LOOKUP] = "GVM_LOOKUP",
	[GVM_CMD_INVALIDATE] = "GVM_INVALIDATE", [GVM_CMD_LOCK] = "GVM_LOCK",
};

/* The flags the kernel-side model reads, per command kind, in the order written. */
static const struct {
	enum gvm_kind kind;
	uint32_t bit;
	const char *name;
} cmd_flags[] = {
	{ GVM_CMD_VM, GVM_F_RESV_PROTECTED, "GVM_F_RESV_PROTECTED" },
	{ GVM_CMD_BO, GVM_F_PRIVATE, "GVM_F_PRIVATE" },
	{ GVM_CMD_MAP, GVM_F_NO_BO, "GVM_F_NO_BO" },
	{ GVM_CMD_EVICT, GVM_F_EVICT, "GVM_F_EVICT" },
	{ GVM_CMD_INVALIDATE, GVM_F_INVALID, "GVM_F_INVALID" },
	{ GVM_CMD_LOCK, GVM_F_LRANGE, "GVM_F_LRANGE" },
	{ GVM_CMD_LOCK, GVM_F_LOBJS, "GVM_F_LOBJS" },
	{ GVM_CMD_LOCK, GVM_F_FENCE, "GVM_F_FENCE" },
	{ GVM_CMD_VALIDATE, GVM_F_VFAIL, "GVM_F_VFAIL" },
	{ GVM_CMD_VALIDATE, GVM_F_VEVICT, "GVM_F_VEVICT" },
	{ GVM_CMD_LOCK, GVM_F_OWN, "GVM_F_OWN" },
	{ GVM_CMD_VALIDATE, GVM_F_OWN, "GVM_F_OWN" },
};

static void put_cmd(FILE *f, const struct gvm_cmd *c)
{
	uint64_t nums[7] = { c->addr, c->range, c->offset, c->reserve_addr, c->reserve_range,
			     c->kind == GVM_CMD_LOCK ? c->objs : 0, 0 };
	char entry[256], flags[128] = "", text[GVM_MAX_LINE];
	size_t n = 7, len, k;
	int i;

	for (k = 0; k < sizeof(cmd_flags) / sizeof(cmd_flags[0]); k++) {
		if (c->kind != cmd_flags[k].kind || !(c->flags & cmd_flags[k].bit))
			continue;
		if (*flags)
			strcat(flags, " | ");
		strcat(flags, cmd_flags[k].name);
	}
	/* enum gvm_usage is in enum dma_resv_usage's order. */
	if (c->kind == GVM_CMD_LOCK && (c->flags & GVM_F_FENCE))
		nums[6] = gvm_cmd_usage_priv(c) | gvm_cmd_usage_ext(c) << 4;
	if (!(c->kind == GVM_CMD_VM && (c->flags & GVM_F_RESERVE)))
		nums[3] = nums[4] = 0;
	while (n && !nums[n - 1])
		n--;
	len = (size_t)snprintf(entry, sizeof(entry), "\t{ %u, %s, %s, %u, %u", c->line,
			       op_names[c->kind], *flags ? flags : "0", c->vm, c->bo);
	for (i = 0; i < (int)n; i++)
		len += (size_t)snprintf(entry + len, sizeof(entry) - len, ", 0x%" PRIx64, nums[i]);
	snprintf(entry + len, sizeof(entry) - len, " },");
	if (gvm_cmd_format(c, text, sizeof(text)) < 0)
		die("line %u: cannot format the command", c->line);
	if ((cols(entry, 0) / 8 + 1) * 8 + strlen(text) + 6 <= LINE_COLS)
		fprintf(f, "%s\t/* %s */\n", entry, text);
	else
		fprintf(f, "\t/* %s */\n%s\n", text, entry);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_script(FILE *f, const struct script *s)
{
	size_t i;

	fprintf(f, "\n/* %s */\nstatic const struct gvm_cmd %s_cmds[] = {\n", s->file, s->ident);
	for (i = 0; i < s->cmds.n; i++)
		if (s->cmds.cmds[i].kind != GVM_CMD_TWIN)
			put_cmd(f, &s->cmds.cmds[i]);
	fputs("};\n", f);
	if (s->nout) {
		fprintf(f, "\nstatic const char * const %s_out[] = {\n", s->ident);
		for (i = 0; i < s->nout; i++) {
			fputc('\t', f);
			put_string(f, s->out[i]);
			fputs(",\n", f);
		}
		fputs("};\n", f);
	}
	fprintf(f, "\nstatic void %s_gvm(struct kunit *test)\n{\n", s->ident);
	fputs("\tstatic const struct gvm_script script = {\n", f);
	fprintf(f, "\t\t.name = \"%s\",\n", s->file);
	fprintf(f, "\t\t.cmds = %s_cmds,\n", s->ident);
	fprintf(f, "\t\t.ncmds = ARRAY_SIZE(%s_cmds),\n", s->ident);
	if (s->nout) {
		fprintf(f, "\t\t.out = %s_out,\n", s->ident);
		fprintf(f, "\t\t.nout = ARRAY_SIZE(%s_out),\n", s->ident);
	}
	fputs("\t};\n\n\tgvm_run_script(test, &script);\n}\n", f);
}

static void put_suite(FILE *f, const char *model, const struct era *era,
		      struct script *scripts, size_t n)
{
	size_t i, left = 0;

	char *text;

	fputs(model, f);
	fputs("\n/*\n", f);
	text = xasprintf("The cases below were generated by gpuvm-fuzz's gvm2kunit from its "
			 "golden scripts, for the GPUVM API of %s: one per script, with its "
			 "commands and the lines it must print.", era->text);
	put_comment_text(f, false, text);
	free(text);
	for (i = 0; i < n; i++)
		left += scripts[i].left_out != NULL;
	if (left) {
		fputs(" *\n", f);
		put_comment_text(f, false, "Scripts left out, and why:");
		for (i = 0; i < n; i++) {
			if (scripts[i].left_out) {
				text = xasprintf("%s: %s", scripts[i].file, scripts[i].left_out);
				put_comment_text(f, true, text);
				free(text);
			}
		}
	}
	fputs(" */\n", f);
	for (i = 0; i < n; i++)
		if (!scripts[i].left_out)
			put_script(f, &scripts[i]);
	fputs("\nstatic struct kunit_case drm_gpuvm_tests[] = {\n", f);
	for (i = 0; i < n; i++)
		if (!scripts[i].left_out)
			fprintf(f, "\tKUNIT_CASE(%s_gvm),\n", scripts[i].ident);
	fputs("\t{}\n};\n\n", f);
	fputs("static struct kunit_suite drm_gpuvm_test_suite = {\n"
	      "\t.name = \"drm_gpuvm\",\n"
	      "\t.init = gvm_test_init,\n"
	      "\t.test_cases = drm_gpuvm_tests,\n"
	      "};\n\n"
	      "kunit_test_suite(drm_gpuvm_test_suite);\n\n"
	      "MODULE_DESCRIPTION(\"KUnit tests for DRM GPUVM\");\n"
	      "MODULE_LICENSE(\"Dual MIT/GPL\");\n", f);
}

/* ---- the patch ------------------------------------------------------------------ */

struct lines {
	char **l;
	size_t n;
};

static struct lines split_lines(char *text)
{
	struct lines ls = { NULL, 0 };
	char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		ls.l = realloc(ls.l, (ls.n + 1) * sizeof(*ls.l));
		if (!ls.l)
			die("out of memory");
		ls.l[ls.n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return ls;
}

/* One hunk that inserts @add before line @at (0-based) of @ls; unified, 3 lines of context. */
static void put_insert_hunk(FILE *f, const char *path, const struct lines *ls, size_t at,
			    const char *add)
{
	size_t from = at >= 3 ? at - 3 : 0, to = at + 3 < ls->n ? at + 3 : ls->n, i;

	fprintf(f, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", path, path, path, path);
	fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", from + 1, to - from, from + 1, to - from + 1);
	for (i = from; i < to; i++) {
		if (i == at)
			fprintf(f, "+%s\n", add);
		fprintf(f, " %s\n", ls->l[i]);
	}
	if (at == to)
		fprintf(f, "+%s\n", add);
}

/* Where "select DRM_GPUVM" goes in DRM_KUNIT_TEST, in the selects' order. */
static size_t kconfig_at(const char *tree, const struct lines *ls)
{
	size_t i, at = 0, last = 0;
	bool in = false;

	for (i = 0; i < ls->n; i++) {
		const char *l = ls->l[i];

		if (!strcmp(l, "config DRM_KUNIT_TEST")) {
			in = true;
			continue;
		}
		if (!in)
			continue;
		if (*l && *l != '\t' && *l != ' ')
			break;
		if (strncmp(l, "\tselect ", 8))
			continue;
		if (!strncmp(l + 8, "DRM_GPUVM", 9) && (!l[17] || l[17] == ' '))
			die("%s: %s already selects DRM_GPUVM in DRM_KUNIT_TEST", tree, KCONFIG_PATH);
		last = i + 1;
		if (!at && strcmp(l + 8, "DRM_GPUVM") > 0)
			at = i;
	}
	if (!last)
		die("%s: %s: no selects under config DRM_KUNIT_TEST", tree, KCONFIG_PATH);
	return at ? at : last;
}

/* Where "\tdrm_gpuvm_test.o \" goes in obj-$(CONFIG_DRM_KUNIT_TEST), in order. */
static size_t makefile_at(const char *tree, const struct lines *ls)
{
	size_t i;
	bool in = false;

	for (i = 0; i < ls->n; i++) {
		const char *l = ls->l[i];

		if (!strcmp(l, "obj-$(CONFIG_DRM_KUNIT_TEST) += \\")) {
			in = true;
			continue;
		}
		if (!in)
			continue;
		if (strstr(l, "drm_gpuvm_test.o"))
			die("%s: %s already builds drm_gpuvm_test.o", tree, MAKEFILE_PATH);
		if (*l != '\t' || !strstr(l, ".o"))
			break;
		if (strcmp(l + 1, "drm_gpuvm_test.o") > 0)
			return i;
		if (l[strlen(l) - 1] != '\\')
			break;
	}
	die("%s: %s: cannot place drm_gpuvm_test.o in the obj-$(CONFIG_DRM_KUNIT_TEST) list "
	    "(it would go last, or there is no such list)", tree, MAKEFILE_PATH);
}

/* The tree's Kconfig and tests/Makefile, and where the patch adds its lines. */
static struct {
	char *ktext, *mtext;
	struct lines kl, ml;
	size_t kat, mat;
} ptree;

/* Check that the patch can go into @tree, before anything is written. */
static void prepare_patch(const char *tree)
{
	char *kpath = xasprintf("%s/%s", tree, KCONFIG_PATH);
	char *mpath = xasprintf("%s/%s", tree, MAKEFILE_PATH);

	if (exists(tree, TEST_PATH))
		die("%s: %s exists already", tree, TEST_PATH);
	ptree.ktext = read_file(kpath, NULL);
	if (!ptree.ktext)
		die("%s: %s", kpath, strerror(errno));
	ptree.mtext = read_file(mpath, NULL);
	if (!ptree.mtext)
		die("%s: %s", mpath, strerror(errno));
	ptree.kl = split_lines(ptree.ktext);
	ptree.ml = split_lines(ptree.mtext);
	ptree.kat = kconfig_at(tree, &ptree.kl);
	ptree.mat = makefile_at(tree, &ptree.ml);
	free(kpath);
	free(mpath);
}

static void put_patch(FILE *f, const char *author, const char *test_c,
		      const struct era *era, const char *version, size_t ncases)
{
	char *tcopy = xstrdup(test_c);
	struct lines tl = split_lines(tcopy);
	size_t i;

	fputs("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n", f);
	fprintf(f, "From: %s\n", author ? author : "gpuvm-fuzz <gpuvm-fuzz@localhost>");
	fputs("Subject: [PATCH] drm/tests: Add KUnit tests for GPUVM\n\n", f);
	fprintf(f,
		"GPUVM has no unit tests. Add a KUnit suite that drives it the way a\n"
		"driver with staged binds does (drm_exec locking the VM and every object a\n"
		"request touches, vm_bos obtained under the object's resv, op lists built\n"
		"and applied, new pieces linked before the old VA is unlinked), and checks\n"
		"the ops of each request, split/merge and keep flags included, the\n"
		"lifetime of GEM objects, vm_bos and VMs, the extobj and evict lists and\n"
		"validation, failing sm_step callbacks, and the errors of bad requests.\n"
		"\n"
		"Each of the %zu cases replays a short script of commands, once with op\n"
		"lists and once through sm_step callbacks, and compares every event and\n"
		"state dump with the lines the script expects; a case also fails if a\n"
		"WARN fires or lockdep complains while it runs, or if an object or VM\n"
		"is left over at its end. The scripts are the golden tests of\n"
		"gpuvm-fuzz, a userspace harness for GPUVM, which generated this file\n"
		"for the API of %s (this tree: Linux %s).\n", ncases, era->text,
		version);
	if (author)
		fprintf(f, "\nSigned-off-by: %s\n", author);
	fputs("---\n", f);
	fprintf(f, " %-*s |    1 +\n", (int)strlen(TEST_PATH), KCONFIG_PATH);
	fprintf(f, " %-*s |    1 +\n", (int)strlen(TEST_PATH), MAKEFILE_PATH);
	fprintf(f, " %s | %4zu +\n", TEST_PATH, tl.n);
	fprintf(f, " 3 files changed, %zu insertions(+)\n", tl.n + 2);
	fprintf(f, " create mode 100644 %s\n\n", TEST_PATH);

	put_insert_hunk(f, KCONFIG_PATH, &ptree.kl, ptree.kat, "\tselect DRM_GPUVM");
	put_insert_hunk(f, MAKEFILE_PATH, &ptree.ml, ptree.mat, "\tdrm_gpuvm_test.o \\");
	fprintf(f, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n",
		TEST_PATH, TEST_PATH, TEST_PATH);
	fprintf(f, "@@ -0,0 +1,%zu @@\n", tl.n);
	for (i = 0; i < tl.n; i++)
		fprintf(f, "+%s\n", tl.l[i]);
	fputs("-- \n2.39.5\n\n", f);
	free(tl.l);
	free(tcopy);
}

/* ---- main ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " (--tree KERNEL_SRC | --era ERA) --model MODEL.c [--skip FILE]\n"
		"                 [-o OUT.c] [--patch OUT.patch [--author 'Name <email>']]\n"
		"                 SCRIPTS_DIR\n"
		"\n"
		"Turn SCRIPTS_DIR/*.gvm and their expected output (*.out) into a KUnit\n"
		"suite for drm_gpuvm: MODEL.c (the kernel-side driver model) followed by\n"
		"one case per script. Scripts that need a feature the API era lacks, or\n"
		"that the kernel cannot express, are left out and listed on stdout.\n"
		"\n"
		"  --tree DIR     the kernel tree: its API era decides what runs\n"
		"  --era ERA      or name the era: 6.8-6.16, 6.17, 6.18, 6.19, 7.0\n"
		"  --model FILE   kunit/drm_gpuvm_test_model.c\n"
		"  --skip FILE    tests/scripts/upstream.skip: scripts listed with the\n"
		"                 feature they need (left out where the era lacks it)\n"
		"  -o FILE        write drm_gpuvm_test.c there (- for stdout)\n"
		"  --patch FILE   write the change as a git am-able mail (needs --tree)\n"
		"  --author TEXT  its From: and Signed-off-by: (default: no sign-off)\n"
		"\n"
		"Exit status: 0 done, 1 a bad input, kernel tree or API era, 2 bad usage.\n");
}

static void write_out(const char *path, const char *text)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f || fputs(text, f) < 0 || (f != stdout && fclose(f)) ||
	    (f == stdout && fflush(f)))
		die("%s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "era", required_argument, NULL, 'e' },
		{ "model", required_argument, NULL, 'm' },
		{ "skip", required_argument, NULL, 's' },
		{ "patch", required_argument, NULL, 'p' },
		{ "author", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tree = NULL, *era_name = NULL, *model_path = NULL, *skip_path = NULL;
	const char *out_path = NULL, *patch_path = NULL, *author = NULL, *dir;
	const struct era *era = NULL;
	char *model, *version = NULL, *text;
	struct script *scripts;
	size_t n, i, len, ncases = 0;
	char **files;
	FILE *mem;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': tree = optarg; break;
		case 'e': era_name = optarg; break;
		case 'm': model_path = optarg; break;
		case 's': skip_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'p': patch_path = optarg; break;
		case 'a': author = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !model_path || !tree == !era_name || (patch_path && !tree)) {
		usage(stderr);
		return 2;
	}
	dir = argv[optind];
	if (tree) {
		era = tree_era(tree, &version);
		if (patch_path)
			prepare_patch(tree);
	} else {
		for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
			if (!strcmp(eras[i].name, era_name))
				era = &eras[i];
		if (!era) {
			fprintf(stderr, PROG ": unknown era %s (6.8-6.16, 6.17, 6.18, 6.19, 7.0)\n",
				era_name);
			return 2;
		}
		if (!era->supported)
			die("%s is not supported by the KUnit model yet; supported: " SUPPORTED_TEXT,
			    era->text);
	}
	model = read_file(model_path, &len);
	if (!model)
		die("%s: %s", model_path, strerror(errno));
	if (strncmp(model, "// SPDX-License-Identifier: ", 28) || !len || model[len - 1] != '\n')
		die("%s: not the model (no SPDX line first, or no final newline)", model_path);
	if (skip_path)
		read_skips(skip_path);

	files = list_scripts(dir, &n);
	if (!n)
		die("%s: no *.gvm scripts", dir);
	for (i = 0; i < nskips; i++)
		if (!bsearch(&skips[i].script, files, n, sizeof(*files), cmp_str))
			die("%s: %s is listed but not in %s", skip_path, skips[i].script, dir);
	scripts = xmalloc(n * sizeof(*scripts));
	for (i = 0; i < n; i++) {
		load_script(&scripts[i], dir, files[i], era);
		if (i && !strcmp(scripts[i].ident, scripts[i - 1].ident))
			die("%s and %s give the same C name", files[i - 1], files[i]);
		if (scripts[i].left_out)
			printf(PROG ": left out %s: %s\n", scripts[i].file, scripts[i].left_out);
		else
			ncases++;
	}
	printf(PROG ": %zu cases, %zu left out (GPUVM API of %s%s%s)\n", ncases, n - ncases,
	       era->text, version ? ", this tree: Linux " : "", version ? version : "");
	if (!ncases)
		die("no script can run on %s", era->text);

	mem = open_memstream(&text, &len);
	if (!mem)
		die("out of memory");
	put_suite(mem, model, era, scripts, n);
	if (fclose(mem))
		die("out of memory");
	if (out_path)
		write_out(out_path, text);
	if (patch_path) {
		char *patch;
		size_t plen;

		mem = open_memstream(&patch, &plen);
		if (!mem)
			die("out of memory");
		put_patch(mem, author, text, era, version, ncases);
		if (fclose(mem))
			die("out of memory");
		write_out(patch_path, patch);
		free(patch);
	}
	free(text);
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < scripts[i].nout; j++)
			free(scripts[i].out[j]);
		free(scripts[i].out);
		free(scripts[i].file);
		free(scripts[i].ident);
		free(scripts[i].left_out);
		gvm_script_free(&scripts[i].cmds);
		free(files[i]);
	}
	free(scripts);
	free(files);
	for (i = 0; i < nskips; i++) {
		free(skips[i].script);
		free(skips[i].reason);
	}
	free(skips);
	free(model);
	free(version);
	free(ptree.kl.l);
	free(ptree.ml.l);
	free(ptree.ktext);
	free(ptree.mtext);
	return 0;
}
