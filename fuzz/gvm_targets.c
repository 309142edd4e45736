// SPDX-License-Identifier: MIT
/* The fuzz targets' rows; see gvm_targets.h and fuzz/targets.def. */
#include <string.h>
#include "gvm_decode.h"
#include "gvm_targets.h"

/*
 * The columns' words as C values: a misspelt word in targets.def is a
 * compile error here, not a target that silently does something else.
 */
#define INPUT_multi_vm		GVM_FORMAT_MULTI_VM
#define INPUT_split_merge	GVM_FORMAT_SPLIT_MERGE
#define INPUT_lifetime		GVM_FORMAT_LIFETIME
#define INPUT_fault		GVM_FORMAT_FAULT
#define INPUT_concurrency	GVM_FORMAT_CONCURRENCY
#define INPUT_none		(-1)
#define BACKEND_lean		"lean"
#define BACKEND_upstream	"upstream"
#define BACKEND_none		NULL
#define AT_END_every		false
#define AT_END_end		true
#define CI_ci
#define CI_manual

const struct gvm_fuzz_target gvm_fuzz_targets[GVM_FUZZ_NR] = {
#define GVM_FUZZ_TARGET(n, input, on, vs, check, ci)	\
	[GVM_FUZZ_##n] = {				\
		.name = #n,				\
		.format = INPUT_##input,		\
		.a = BACKEND_##on,			\
		.b = BACKEND_##vs,			\
		.state_at_end = AT_END_##check CI_##ci,	\
	},
#include "targets.def"
#undef GVM_FUZZ_TARGET
};

/* @name, or @name with "_fuzzer" left out. */
static bool names(const char *name, const char *arg)
{
	static const char suffix[] = "_fuzzer";
	size_t n = strlen(name) - (sizeof(suffix) - 1);

	return !strcmp(arg, name) || (strlen(arg) == n && !strncmp(arg, name, n));
}

void gvm_print_targets(FILE *f, bool decoded)
{
	const char *sep = "";
	int i;

	for (i = 0; i < GVM_FUZZ_NR; i++) {
		if (decoded && gvm_fuzz_targets[i].format < 0)
			continue;
		fprintf(f, "%s%s", sep, gvm_fuzz_targets[i].name);
		sep = ", ";
	}
}

const struct gvm_fuzz_target *gvm_fuzz_target_from_arg(const char *prog, const char *arg,
						       bool decoded)
{
	int i;

	if (!arg) {
		fprintf(stderr, "%s: missing --target (one of: ", prog);
		gvm_print_targets(stderr, decoded);
		fprintf(stderr, ")\n");
		return NULL;
	}
	for (i = 0; i < GVM_FUZZ_NR; i++) {
		const struct gvm_fuzz_target *t = &gvm_fuzz_targets[i];

		if (!names(t->name, arg))
			continue;
		if (decoded && t->format < 0) {
			fprintf(stderr, "%s: target '%s' takes .gvm script text as it is: nothing to decode or encode\n",
				prog, arg);
			return NULL;
		}
		return t;
	}
	fprintf(stderr, "%s: unknown target '%s' (valid: ", prog, arg);
	gvm_print_targets(stderr, decoded);
	fprintf(stderr, ")\n");
	return NULL;
}

/*
 * Weak: a binary has upstream's backend only if it links
 * //fuzz:driver_upstream, whole (alwayslink), whose definition then wins.
 */
extern gvm_backend_create_fn gvm_backend_upstream_create __attribute__((weak));

gvm_backend_create_fn *gvm_backend_find(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "lean"))
		return gvm_backend_lean_create;
	if (!strcmp(name, "upstream"))
		return gvm_backend_upstream_create;
	return NULL;
}
