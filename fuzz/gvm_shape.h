/* SPDX-License-Identifier: MIT */
/*
 * The exact op sequence GPUVM must produce for a range command, predicted
 * from the reference model's mappings before the command: the walks of
 * docs/semantics.md, sm_map (3.2), sm_unmap (3.4), madvise (3.5) and
 * prefetch_ops_create (3.7), with every remap part per 3.6 and every keep
 * flag per 3.2. Comparing a command's ops with it checks the shape and
 * geometry invariants (docs/semantics.md 6, inv 26-28) step by step; the
 * model itself checks the result (inv 29).
 */
#ifndef GVM_SHAPE_H
#define GVM_SHAPE_H

#include <sys/types.h>
#include "gvm_backend.h"
#include "gvm_cmd.h"
#include "gvm_model.h"

/**
 * gvm_shape_predict() - the ops of @c on @v, in order
 * @v: the command's VM in the model, before the command
 * @c: a map, unmap, madvise or prefetch that is to succeed
 * @out: where the ops go, as the events a backend reports for them
 * @max: room in @out
 *
 * Return: the number of ops; -1 if @c is of another kind or would need
 * more than @max ops.
 */
ssize_t gvm_shape_predict(const struct gvm_model_vm *v, const struct gvm_cmd *c,
			  struct gvm_event *out, size_t max);

#endif /* GVM_SHAPE_H */
