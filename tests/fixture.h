/* SPDX-License-Identifier: MIT */
/*
 * Shared building blocks of the C tests: a VM whose ops free it with
 * kfree(), GEM objects that release and kfree() themselves, and VAs
 * inserted straight into a VM. Both free callbacks count what they free,
 * so a case can tell exactly when the last reference went away.
 */
#ifndef GPUVM_TEST_FIXTURE_H
#define GPUVM_TEST_FIXTURE_H

#include <linux/types.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>

/* Size given to fixture_obj()'s objects; the library never reads it. */
#define FIXTURE_OBJ_SIZE	0x1000

/* Bumped by fixture_vm_free() and fixture_obj_free(); reset them freely. */
extern unsigned int fixture_vms_freed;
extern unsigned int fixture_objs_freed;

/* VM ops with only .vm_free = fixture_vm_free. */
extern const struct drm_gpuvm_ops fixture_vm_ops;

/* GEM funcs with only .free = fixture_obj_free. */
extern const struct drm_gem_object_funcs fixture_obj_funcs;

void fixture_vm_free(struct drm_gpuvm *vm);
void fixture_obj_free(struct drm_gem_object *obj);

struct drm_gpuvm *fixture_vm(const char *name, enum drm_gpuvm_flags flags,
			     u64 start, u64 range, u64 reserve_addr,
			     u64 reserve_range, const struct drm_gpuvm_ops *ops);
struct drm_gem_object *fixture_obj_sized(struct drm_gpuvm *private_to, size_t size);
struct drm_gem_object *fixture_obj(struct drm_gpuvm *private_to);
struct drm_gpuva *fixture_va(struct drm_gpuvm *vm, u64 addr, u64 range,
			     struct drm_gem_object *obj, u64 offset);

#endif
