/* SPDX-License-Identifier: MIT */
/*
 * The two builds of the driver model (over lib/, and over upstream's
 * drm_gpuvm.c) link into one binary, the differential targets: every name
 * its files share gets the build's prefix, so that both sets coexist.
 */
#ifndef GVM_DRIVER_NAMES_H
#define GVM_DRIVER_NAMES_H

#ifdef GVM_DRIVER_UPSTREAM
#define DRV_NAME(name)	gvm_upstream_##name
#else
#define DRV_NAME(name)	gvm_lib_##name
#endif

#define drv_apply_kept		DRV_NAME(drv_apply_kept)
#define drv_apply_list		DRV_NAME(drv_apply_list)
#define drv_apply_ops		DRV_NAME(drv_apply_ops)
#define drv_apply_unmap		DRV_NAME(drv_apply_unmap)
#define drv_bad_probe		DRV_NAME(drv_bad_probe)
#define drv_bo_close		DRV_NAME(drv_bo_close)
#define drv_bo_create		DRV_NAME(drv_bo_create)
#define drv_bo_unmap		DRV_NAME(drv_bo_unmap)
#define drv_check		DRV_NAME(drv_check)
#define drv_cleanup		DRV_NAME(drv_cleanup)
#define drv_emit_op		DRV_NAME(drv_emit_op)
#define drv_evict		DRV_NAME(drv_evict)
#define drv_evict_for_room	DRV_NAME(drv_evict_for_room)
#define drv_extobj_add		DRV_NAME(drv_extobj_add)
#define drv_finish_steps	DRV_NAME(drv_finish_steps)
#define drv_foreign_private	DRV_NAME(drv_foreign_private)
#define drv_invalidate		DRV_NAME(drv_invalidate)
#define drv_ioctl_refuses	DRV_NAME(drv_ioctl_refuses)
#define drv_job_pending		DRV_NAME(drv_job_pending)
#define drv_job_queue		DRV_NAME(drv_job_queue)
#define drv_job_run		DRV_NAME(drv_job_run)
#define drv_lock		DRV_NAME(drv_lock)
#define drv_lock_request	DRV_NAME(drv_lock_request)
#define drv_lock_resvs		DRV_NAME(drv_lock_resvs)
#define drv_lock_vm_and		DRV_NAME(drv_lock_vm_and)
#define drv_lookup		DRV_NAME(drv_lookup)
#define drv_madvise		DRV_NAME(drv_madvise)
#define drv_map			DRV_NAME(drv_map)
#define drv_mode_conflict	DRV_NAME(drv_mode_conflict)
#define drv_obtain		DRV_NAME(drv_obtain)
#define drv_obtain_staged	DRV_NAME(drv_obtain_staged)
#define drv_pool_drain		DRV_NAME(drv_pool_drain)
#define drv_pool_fill		DRV_NAME(drv_pool_fill)
#define drv_prefetch		DRV_NAME(drv_prefetch)
#define drv_put			DRV_NAME(drv_put)
#define drv_put_held		DRV_NAME(drv_put_held)
#define drv_snapshot		DRV_NAME(drv_snapshot)
#define drv_step_cb		DRV_NAME(drv_step_cb)
#define drv_threads_ops		DRV_NAME(drv_threads_ops)
#define drv_unlock_resvs	DRV_NAME(drv_unlock_resvs)
#define drv_unmap		DRV_NAME(drv_unmap)
#define drv_unmap_exact		DRV_NAME(drv_unmap_exact)
#define drv_unmap_vas_needed	DRV_NAME(drv_unmap_vas_needed)
#define drv_validate		DRV_NAME(drv_validate)
#define drv_vm_bo_create_pinned	DRV_NAME(drv_vm_bo_create_pinned)
#define drv_vm_bo_validate	DRV_NAME(drv_vm_bo_validate)
#define drv_vm_create		DRV_NAME(drv_vm_create)
#define drv_vm_destroy		DRV_NAME(drv_vm_destroy)

#endif /* GVM_DRIVER_NAMES_H */
