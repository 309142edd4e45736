// SPDX-License-Identifier: MIT
/*
 * What the checks read at quiescent points: the VM's VAs, vm_bos and
 * zombies, and lib/'s checker API over every VM and object. No lock is
 * taken, nothing changes, and no coverage feedback comes from here.
 */
#include "driver_model.h"

/* Sort a few ids in place (n is at most a few dozen): no qsort callbacks. */
static NO_COVERAGE void sort_ids(uint32_t *id, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t v = id[i];

		for (j = i; j && id[j - 1] > v; j--)
			id[j] = id[j - 1];
		id[j] = v;
	}
}

static NO_COVERAGE void sort_vm_bos(struct gvm_vm_bo_state *s, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct gvm_vm_bo_state v = s[i];

		for (j = i; j && s[j - 1].bo > v.bo; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
}

/* Make room for @n entries of @size bytes in *@buf; -ENOMEM on failure. */
static NO_COVERAGE int reserve(void **buf, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n <= *cap)
		return 0;
	n = n < 16 ? 16 : 2 * n;
	p = realloc(*buf, n * size);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Zombies of @gpuvm by object id, sorted; -EIO if the list is cyclic. */
static NO_COVERAGE int snapshot_zombies(struct drv *be, struct drm_gpuvm *gpuvm,
					struct gvm_snapshot *out)
{
	long n = drm_gpuvm_check_zombies(gpuvm, NULL, 0);
	long i;

	if (n < 0)
		return -EIO;
	if (reserve((void **)&be->zombie_objs, &be->zombie_objs_cap, (size_t)n,
		    sizeof(*be->zombie_objs)) ||
	    reserve((void **)&be->zombies, &be->zombies_cap, (size_t)n, sizeof(*be->zombies)))
		return -ENOMEM;
	/* The same walk again: nothing changed it (a quiescent point). */
	drm_gpuvm_check_zombies(gpuvm, be->zombie_objs, (size_t)n);
	for (i = 0; i < n; i++)
		be->zombies[i] = to_bo(be->zombie_objs[i])->id;
	sort_ids(be->zombies, (size_t)n);
	out->zombies = be->zombies;
	out->nzombies = (size_t)n;
	return 0;
}

NO_COVERAGE int drv_snapshot(struct gvm_backend *gbe, struct gvm_be_vm *hvm,
			     struct gvm_snapshot *out)
{
	struct drv *be = to_drv(gbe);
	struct drm_gpuvm *gpuvm = &((struct drv_vm *)hvm)->base;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;
	struct drv_bo *bo;
	size_t n = 0;

	/* Read at a quiescent point: no lock needed, none taken. */
	drm_gpuvm_for_each_va(va, gpuvm) {
		if (va == &gpuvm->kernel_alloc_node)
			continue;
		if (reserve((void **)&be->vas, &be->vas_cap, n + 1, sizeof(*be->vas)))
			return -ENOMEM;
		be->vas[n] = va_map(va);
		be->vas[n++].invalidated = drm_gpuva_invalidated(va);
	}
	out->vas = be->vas;
	out->nvas = n;

	n = 0;
	list_for_each_entry(bo, &be->bos, link) {
		drm_gem_for_each_gpuvm_bo(vm_bo, &bo->base) {
			struct gvm_vm_bo_state *s;

			/* More than one per object is a uniqueness bug; the rest is kept. */
			if (vm_bo->vm != gpuvm || n == ARRAY_SIZE(be->vm_bos))
				continue;
			s = &be->vm_bos[n++];
			s->bo = bo->id;
			s->refs = kref_read(&vm_bo->kref);
			s->vas = (unsigned int)list_count_nodes(&vm_bo->list.gpuva);
			s->extobj = !list_empty(&vm_bo->list.entry.extobj);
			s->evict = !list_empty(&vm_bo->list.entry.evict);
			s->evicted = vm_bo->evicted;
		}
	}
	sort_vm_bos(be->vm_bos, n);
	out->vm_bos = be->vm_bos;
	out->nvm_bos = n;

	return snapshot_zombies(be, gpuvm, out);
}

NO_COVERAGE bool drv_check(struct gvm_backend *gbe, char *msg, size_t len)
{
	struct drv *be = to_drv(gbe);
	/* Ids are below GVM_MAX_ID, so there are no more of either. */
	struct drm_gem_object *objs[GVM_MAX_ID];
	struct drm_gpuvm *vms[GVM_MAX_ID];
	unsigned int nobjs = 0, nvms = 0;
	struct drv_vm *vm;
	struct drv_bo *bo;

	list_for_each_entry(bo, &be->bos, link)
		if (nobjs < ARRAY_SIZE(objs))
			objs[nobjs++] = &bo->base;
	list_for_each_entry(vm, &be->vms, link)
		if (nvms < ARRAY_SIZE(vms))
			vms[nvms++] = &vm->base;

	list_for_each_entry(vm, &be->vms, link) {
		if (!drm_gpuvm_check(&vm->base, msg, len) ||
		    !drm_gpuvm_check_vm_refs(&vm->base, vm->open, objs, nobjs, msg, len))
			return false;
		/* Only objects that exist can have held vm_bos. */
		list_for_each_entry(bo, &be->bos, link) {
			struct drv_held *held = &vm->held[bo->id];

			if (held->count &&
			    !drm_gpuvm_check_vm_bo_refs(held->vm_bo, held->count, msg, len))
				return false;
		}
	}
	list_for_each_entry(bo, &be->bos, link) {
		if (!drm_gpuvm_check_gem(&bo->base, msg, len) ||
		    !drm_gpuvm_check_gem_refs(&bo->base, bo->handle, vms, nvms, msg, len))
			return false;
	}
	/* Ours, and one per VM not yet freed (drm_gpuvm_init() takes it). */
	if (be->drm_released || kref_read(&be->drm.ref) != 1 + be->nvms) {
		snprintf(msg, len, "drm_device: %u reference(s), expected %zu (ours and one per VM)%s",
			 be->drm_released ? 0 : kref_read(&be->drm.ref), 1 + be->nvms,
			 be->drm_released ? ": released while the driver holds it" : "");
		return false;
	}
	return true;
}
