/* SPDX-License-Identifier: MIT */
/*
 * The command stream: one in-memory form of an op-script command, shared by
 * the .gvm text parser, the fuzz decoders, the driver model and the tools.
 * Language reference: README "Op scripts" (version 1).
 */
#ifndef GVM_CMD_H
#define GVM_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* VM and object ids are 0 .. GVM_MAX_ID - 1. */
#define GVM_MAX_ID		64
/* Longest accepted script line, terminator excluded. */
#define GVM_MAX_LINE		4096
/* Threads of a script are 1 .. GVM_MAX_THREADS ("@T command"). */
#define GVM_MAX_THREADS		4
/*
 * A schedule record's thread may also be VM V's run_job ("schedule S jV"):
 * GVM_THREAD_JOB + V. At most GVM_MAX_JOB_VMS VMs have jobs on threads.
 */
#define GVM_THREAD_JOB		0x100u
#define GVM_MAX_JOB_VMS		4

enum gvm_kind {
	GVM_CMD_VM,		/* vm V start range [reserve addr range] [immediate] [resv_protected] [prealloc] [empty_ok] */
	GVM_CMD_BO,		/* bo B [private V] */
	GVM_CMD_MAP,		/* map V addr range B|- offset [job] */
	GVM_CMD_UNMAP,		/* unmap V addr range [job] */
	GVM_CMD_MADVISE,	/* madvise V addr range */
	GVM_CMD_PREFETCH,	/* prefetch V addr range */
	GVM_CMD_BO_UNMAP,	/* bo_unmap V B */
	GVM_CMD_OBTAIN,		/* obtain V B */
	GVM_CMD_PUT,		/* put V B */
	GVM_CMD_CLOSE,		/* close B */
	GVM_CMD_EVICT,		/* evict B 0|1 */
	GVM_CMD_VALIDATE,	/* validate V [fail B | evict B] [own] */
	GVM_CMD_CLEANUP,	/* cleanup V */
	GVM_CMD_DESTROY,	/* destroy V */
	GVM_CMD_DUMP,		/* dump V */
	GVM_CMD_LOOKUP,		/* lookup V addr range */
	GVM_CMD_LOCK,		/* lock V [range addr range | objects B,...] [fence P E] [own] */
	GVM_CMD_INVALIDATE,	/* invalidate B 0|1 */
	GVM_CMD_INJECT,		/* inject alloc|step N: the Nth allocation or sm_step of the next command fails */
	GVM_CMD_TWIN,		/* twin: run every command on a twin through the callback path */
	GVM_CMD_SCHEDULE,	/* schedule S T: at decision S the scheduler runs thread T;
				 * schedule A OP.N T: when thread A reaches its Nth OP */
	GVM_CMD_NR
};

/* gvm_cmd.flags */
#define GVM_F_RESERVE		(1u << 0)	/* vm: has a kernel-reserved window */
#define GVM_F_IMMEDIATE		(1u << 1)	/* vm: DRM_GPUVM_IMMEDIATE_MODE */
#define GVM_F_RESV_PROTECTED	(1u << 2)	/* vm: DRM_GPUVM_RESV_PROTECTED */
#define GVM_F_PRIVATE		(1u << 3)	/* bo: shares VM @vm's resv */
#define GVM_F_NO_BO		(1u << 4)	/* map: "-", a mapping without object */
#define GVM_F_EVICT		(1u << 5)	/* evict: 1 (else 0) */
#define GVM_F_STEP		(1u << 6)	/* inject: step (else alloc) */
#define GVM_F_VFAIL		(1u << 7)	/* validate: validating B fails (-ENOMEM) */
#define GVM_F_VEVICT		(1u << 8)	/* validate: the first validation evicts B */
#define GVM_F_LRANGE		(1u << 9)	/* lock: drm_gpuvm_exec_lock_range(addr, range) */
#define GVM_F_LOBJS		(1u << 10)	/* lock: drm_gpuvm_exec_lock_array(@objs) */
#define GVM_F_FENCE		(1u << 11)	/* lock: add a fence with @usage */
#define GVM_F_INVALID		(1u << 12)	/* invalidate: 1 (else 0) */
#define GVM_F_OWN		(1u << 13)	/* lock, validate: the driver's own drm_exec loop */
#define GVM_F_PREALLOC		(1u << 14)	/* vm: staged, vm_bos by obtain_prealloc (pre-7.0) */
#define GVM_F_EMPTY_OK		(1u << 15)	/* vm: the ioctl passes empty ranges on to GPUVM (nouveau) */
#define GVM_F_JOB		(1u << 16)	/* map, unmap: a job for the VM's run_job */
#define GVM_F_AT		(1u << 17)	/* schedule: at thread @at's Nth @at_op */

/*
 * Fence usages of "lock ... fence P E", as enum dma_resv_usage: P for the
 * VM's own reservation, E for external objects' (drm_gpuvm_resv_add_fence).
 */
enum gvm_usage {
	GVM_USAGE_KERNEL,
	GVM_USAGE_WRITE,
	GVM_USAGE_READ,
	GVM_USAGE_BOOKKEEP,
	GVM_USAGE_NR
};

/** gvm_usage_name() - "kernel", "write", "read", "bookkeep"; NULL if out of range */
const char *gvm_usage_name(unsigned int usage);

/**
 * struct gvm_cmd - one command
 * @kind: what it is
 * @flags: GVM_F_* that apply to @kind
 * @vm: V (vm, map, unmap, madvise, prefetch, bo_unmap, obtain, put,
 *	validate, cleanup, destroy, dump, lookup, lock; bo with GVM_F_PRIVATE)
 * @bo: B (bo, map without GVM_F_NO_BO, bo_unmap, obtain, put, close, evict,
 *	invalidate; validate with GVM_F_VFAIL or GVM_F_VEVICT, one of them at
 *	most)
 * @addr: map/unmap/madvise/prefetch/lookup address, lock with GVM_F_LRANGE;
 *	vm: window start
 * @range: the same commands' range; vm: window size
 * @offset: map: offset in the object; inject: N; schedule: S, or N with
 *	GVM_F_AT
 * @reserve_addr: vm with GVM_F_RESERVE: reserved window start
 * @reserve_range: its size
 * @objs: lock with GVM_F_LOBJS: the objects, bit B for object B (not 0)
 * @usage: lock with GVM_F_FENCE: P | E << 4 (enum gvm_usage each)
 * @thread: the thread that runs it ("@T command"), 1 .. GVM_MAX_THREADS;
 *	0 for a command of the script's own flow. schedule: T, or
 *	GVM_THREAD_JOB + V for VM V's run_job
 * @at: schedule with GVM_F_AT: A, the thread whose switch point it is (as
 *	@thread)
 * @at_op: schedule with GVM_F_AT: OP, a switch point's operation (enum
 *	kcompat_sp: "lock", "unlock", ... as kcompat_sp_name() names them)
 * @line: 1-based line in the script it came from, 0 if none
 *
 * Fields a kind does not use are zero, so two commands compare equal with
 * gvm_cmd_equal() exactly when their text is the same.
 */
struct gvm_cmd {
	enum gvm_kind kind;
	uint32_t flags;
	uint32_t vm;
	uint32_t bo;
	uint64_t addr;
	uint64_t range;
	uint64_t offset;
	uint64_t reserve_addr;
	uint64_t reserve_range;
	uint64_t objs;
	uint32_t usage;
	uint32_t thread;
	uint32_t at;
	uint32_t at_op;
	uint32_t line;
};

/** gvm_kind_name() - the command's keyword ("map", ...), NULL if out of range */
const char *gvm_kind_name(enum gvm_kind kind);

/**
 * gvm_cmd_format() - canonical text of @cmd, without newline
 *
 * Ids in decimal, addresses, ranges and offsets as lowercase 0x hex.
 * Return: the length written (as snprintf), negative on a bad command.
 */
int gvm_cmd_format(const struct gvm_cmd *cmd, char *buf, size_t len);

/**
 * gvm_cmd_names_vm() - whether @cmd names VM @vm (the vm it creates included)
 * gvm_cmd_names_bo() - whether @cmd names object @bo (the bo it creates included)
 *
 * False for a kind out of range.
 */
bool gvm_cmd_names_vm(const struct gvm_cmd *cmd);
bool gvm_cmd_names_bo(const struct gvm_cmd *cmd);

/*
 * gvm_cmd_usage_priv() / _ext() - P and E of a lock with GVM_F_FENCE.
 * Functions, not inlines: AFL++ would instrument a header's inlines in
 * every harness file (bazel/afl_denylist.txt).
 */
unsigned int gvm_cmd_usage_priv(const struct gvm_cmd *cmd);
unsigned int gvm_cmd_usage_ext(const struct gvm_cmd *cmd);

/*
 * gvm_cmd_threadable() - whether a command of @kind may run on a thread
 * ("@T"): what an ioctl or a kernel worker does to VMs and objects that
 * exist; not creating them, nor dump, inject, twin or schedule.
 */
bool gvm_cmd_threadable(enum gvm_kind kind);

/** gvm_cmd_equal() - same command, @line ignored */
bool gvm_cmd_equal(const struct gvm_cmd *a, const struct gvm_cmd *b);

/**
 * struct gvm_script - a parsed script
 * @cmds: the commands in order
 * @n: how many
 * @cap: allocated slots
 */
struct gvm_script {
	struct gvm_cmd *cmds;
	size_t n;
	size_t cap;
};

/** gvm_script_push() - append a command; -1 on allocation failure */
int gvm_script_push(struct gvm_script *s, const struct gvm_cmd *cmd);

/*
 * gvm_cmd_sched_op() - the operation named @name (@len bytes) in a schedule
 * record ("unlock"), or -1; gvm_cmd_sched_op_name() - its name, NULL if
 * out of range.
 */
int gvm_cmd_sched_op(const char *name, size_t len);
const char *gvm_cmd_sched_op_name(uint32_t op);

/*
 * gvm_script_has_thread() - whether @thread (a schedule record's) is a
 * thread of @s: 1 .. the highest "@T" named, or GVM_THREAD_JOB + V when
 * a command on a thread queues a job on VM V (its run_job).
 */
bool gvm_script_has_thread(const struct gvm_script *s, uint32_t thread);

/** gvm_script_free() - free the commands, leave @s empty */
void gvm_script_free(struct gvm_script *s);

#endif /* GVM_CMD_H */
