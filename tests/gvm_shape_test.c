// SPDX-License-Identifier: MIT
/*
 * The op sequences fuzz/gvm_shape.c predicts, against the walk tables of
 * docs/semantics.md (3.2 sm_map, 3.4 sm_unmap, 3.5 madvise, 3.7
 * prefetch_ops_create), worked out by hand. Every command of a script but the last builds the
 * model; the last is predicted.
 */
#include <stdio.h>
#include <string.h>
#include "fuzz/gvm_model.h"
#include "fuzz/gvm_parse.h"
#include "fuzz/gvm_shape.h"
#include "test.h"

static const char *const kinds[] = {
	[GVM_EV_OP_MAP] = "map", [GVM_EV_OP_UNMAP] = "unmap",
	[GVM_EV_OP_REMAP] = "remap", [GVM_EV_OP_PREFETCH] = "prefetch",
};

/* " p=0x0+0x1000@0x0" or " p=-": a remap part */
static size_t put_part(char *buf, size_t len, char tag, bool has, const struct gvm_map *m)
{
	if (!has)
		return (size_t)snprintf(buf, len, " %c=-", tag);
	return (size_t)snprintf(buf, len, " %c=0x%llx+0x%llx@0x%llx", tag,
				(unsigned long long)m->addr, (unsigned long long)m->range,
				(unsigned long long)m->offset);
}

/* "remap 0x0+0x3000 b1 @0x0 k0 p=0x0+0x1000@0x0 n=-", ops joined by "; " */
static void put_ops(const struct gvm_event *ev, ssize_t n, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		const struct gvm_event *e = &ev[i];

		off += (size_t)snprintf(buf + off, len - off, "%s%s 0x%llx+0x%llx b%d @0x%llx k%d",
					i ? "; " : "", kinds[e->kind],
					(unsigned long long)e->a.addr,
					(unsigned long long)e->a.range, e->a.bo,
					(unsigned long long)e->a.offset, e->keep);
		if (e->kind == GVM_EV_OP_REMAP && off < len)
			off += put_part(buf + off, len - off, 'p', e->has_prev, &e->prev);
		if (e->kind == GVM_EV_OP_REMAP && off < len)
			off += put_part(buf + off, len - off, 'n', e->has_next, &e->next);
	}
}

/* Predict the last command of @script; compare with @want (NULL: -1). */
static void expect(const char *script, const char *want)
{
	struct gvm_script s = { 0 };
	struct gvm_model m;
	struct gvm_event ev[16];
	char err[256], got[1024];
	const struct gvm_cmd *last;
	ssize_t n;
	size_t i;

	CHECK_EQ(gvm_parse("t", script, strlen(script), &s, err, sizeof(err)), 0);
	if (!s.n)
		return;
	gvm_model_init(&m);
	for (i = 0; i + 1 < s.n; i++)
		gvm_model_apply(&m, &s.cmds[i]);
	last = &s.cmds[s.n - 1];
	n = gvm_shape_predict(&m.vm[last->vm], last, ev, 16);
	if (!want) {
		CHECK_EQ(n, -1);
	} else {
		CHECK(n >= 0);
		put_ops(ev, n, got, sizeof(got));
		if (strcmp(got, want)) {
			fprintf(stderr, "script:\n%sgot:  %s\nwant: %s\n", script, got, want);
			CHECK(0);
		}
	}
	gvm_model_free(&m);
	gvm_script_free(&s);
}

#define VM	"vm 0 0x0 0x100000\nbo 1\nbo 2\nbo 3\n"

TEST(sm_map_walk)
{
	/* Split one VA in three (the design example). */
	expect(VM "map 0 0x0 0x3000 1 0x0\nmap 0 0x1000 0x1000 2 0x0\n",
	       "remap 0x0+0x3000 b1 @0x0 k0 p=0x0+0x1000@0x0 n=0x2000+0x1000@0x2000; "
	       "map 0x1000+0x1000 b2 @0x0 k0");
	/* The same mapping again: no no-op rule, UNMAP kept, then MAP. */
	expect(VM "map 0 0x0 0x3000 1 0x0\nmap 0 0x0 0x3000 1 0x0\n",
	       "unmap 0x0+0x3000 b1 @0x0 k1; map 0x0+0x3000 b1 @0x0 k0");
	/* a > ra: kept when o == ro + (a - ra); the next VA is not. */
	expect(VM "map 0 0x1000 0x1000 1 0x1000\nmap 0 0x2000 0x1000 1 0x0\n"
	       "map 0 0x0 0x4000 1 0x0\n",
	       "unmap 0x1000+0x1000 b1 @0x1000 k1; unmap 0x2000+0x1000 b1 @0x0 k0; "
	       "map 0x0+0x4000 b1 @0x0 k0");
	/* a < ra and e > re, same object at the matching offset: kept. */
	expect(VM "map 0 0x0 0x4000 1 0x0\nmap 0 0x1000 0x1000 1 0x1000\n",
	       "remap 0x0+0x4000 b1 @0x0 k1 p=0x0+0x1000@0x0 n=0x2000+0x2000@0x2000; "
	       "map 0x1000+0x1000 b1 @0x1000 k0");
	/* A VA without object is never kept; a VA only touching is not visited. */
	expect(VM "map 0 0x0 0x2000 - 0x0\nmap 0 0x2000 0x1000 2 0x0\n"
	       "map 0 0x0 0x2000 - 0x0\n",
	       "unmap 0x0+0x2000 b-1 @0x0 k0; map 0x0+0x2000 b-1 @0x0 k0");
}

TEST(sm_unmap_walk)
{
	/* U5: remap with prev, unmap, remap with next; never kept. */
	expect(VM "map 0 0x0 0x2000 1 0xa000\nmap 0 0x2000 0x2000 2 0x0\n"
	       "map 0 0x4000 0x2000 3 0x14000\nunmap 0 0x1000 0x4000\n",
	       "remap 0x0+0x2000 b1 @0xa000 k0 p=0x0+0x1000@0xa000 n=-; "
	       "unmap 0x2000+0x2000 b2 @0x0 k0; "
	       "remap 0x4000+0x2000 b3 @0x14000 k0 p=- n=0x5000+0x1000@0x15000");
	/* U4: one VA covering the request gives one REMAP with both parts. */
	expect(VM "map 0 0x0 0x4000 1 0x10000\nunmap 0 0x1000 0x2000\n",
	       "remap 0x0+0x4000 b1 @0x10000 k0 p=0x0+0x1000@0x10000 "
	       "n=0x3000+0x1000@0x13000");
	/* U6: nothing overlaps, nothing happens. */
	expect(VM "map 0 0x0 0x2000 1 0x0\nunmap 0 0x4000 0x2000\n", "");
}

TEST(madvise_walk)
{
	/* M2: A split at ra gets its inside mapped at once; C ends the walk. */
	expect(VM "map 0 0x0 0x4000 - 0x0\nmap 0 0x4000 0x2000 - 0x0\n"
	       "map 0 0x6000 0x4000 - 0x0\nmadvise 0 0x2000 0x6000\n",
	       "remap 0x0+0x4000 b-1 @0x0 k0 p=0x0+0x2000@0x0 n=-; "
	       "map 0x2000+0x2000 b-1 @0x0 k0; "
	       "remap 0x6000+0x4000 b-1 @0x0 k0 p=- n=0x8000+0x2000@0x2000; "
	       "map 0x6000+0x2000 b-1 @0x0 k0");
	/* M1: one VA split at both ends, then the request's MAP. */
	expect(VM "map 0 0x0 0xa000 - 0x0\nmadvise 0 0x3000 0x3000\n",
	       "remap 0x0+0xa000 b-1 @0x0 k0 p=0x0+0x3000@0x0 n=0x6000+0x4000@0x6000; "
	       "map 0x3000+0x3000 b-1 @0x0 k0");
	/* M4 and M6: VAs with an object are skipped; an unsplit walk maps nothing. */
	expect(VM "map 0 0x0 0x4000 - 0x0\nmap 0 0x4000 0x2000 - 0x0\nmadvise 0 0x4000 0x2000\n",
	       "");
	expect(VM "map 0 0x0 0xa000 1 0x0\nmadvise 0 0x3000 0x3000\n", "");
}

TEST(prefetch_walk)
{
	/* Every VA overlapping, the kernel-reserved node in its place. */
	expect("vm 0 0x0 0x100000 reserve 0x80000 0x10000\nbo 1\n"
	       "map 0 0x70000 0x1000 1 0x0\nmap 0 0x90000 0x1000 - 0x0\n"
	       "prefetch 0 0x0 0x100000\n",
	       "prefetch 0x70000+0x1000 b1 @0x0 k0; prefetch 0x80000+0x10000 b-1 @0x0 k0; "
	       "prefetch 0x90000+0x1000 b-1 @0x0 k0");
	expect("vm 0 0x0 0x100000 reserve 0x80000 0x10000\nprefetch 0 0x81000 0x1000\n",
	       "prefetch 0x80000+0x10000 b-1 @0x0 k0");
}

TEST(other_commands)
{
	expect(VM "map 0 0x0 0x1000 1 0x0\ndump 0\n", NULL);
	expect(VM "bo_unmap 0 1\n", NULL);
}

/* More ops than room: no prediction rather than a cut one. */
TEST(too_many_ops)
{
	char script[4096];
	size_t off = (size_t)snprintf(script, sizeof(script), "%s", VM);
	struct gvm_script s = { 0 };
	struct gvm_model m;
	struct gvm_event ev[8];
	char err[256];
	int i;

	for (i = 0; i < 8; i++)
		off += (size_t)snprintf(script + off, sizeof(script) - off,
					"map 0 0x%x 0x1000 1 0x0\n", i * 0x1000);
	snprintf(script + off, sizeof(script) - off, "unmap 0 0x0 0x8000\n");
	CHECK_EQ(gvm_parse("t", script, strlen(script), &s, err, sizeof(err)), 0);
	gvm_model_init(&m);
	for (i = 0; i + 1 < (int)s.n; i++)
		gvm_model_apply(&m, &s.cmds[i]);
	CHECK_EQ(gvm_shape_predict(&m.vm[0], &s.cmds[s.n - 1], ev, 4), -1);
	CHECK_EQ(gvm_shape_predict(&m.vm[0], &s.cmds[s.n - 1], ev, 8), 8);
	gvm_model_free(&m);
	gvm_script_free(&s);
}

TEST_MAIN(sm_map_walk, sm_unmap_walk, madvise_walk, prefetch_walk, other_commands,
	  too_many_ops)
