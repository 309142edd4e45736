/* SPDX-License-Identifier: MIT */
/*
 * Lock-free singly linked lists, as the kernel's API: pushes go on the
 * head with a compare-and-swap, and the consumer detaches the whole chain
 * at once, so producers need no lock. GPUVM's bo_defer list (6.19+)
 * uses the push, the detach and the iterators.
 */
#ifndef _UPSTREAM_SHIM_LLIST_H
#define _UPSTREAM_SHIM_LLIST_H

#include <linux/compiler_types.h>
#include <linux/container_of.h>
#include <linux/types.h>

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

#define LLIST_HEAD_INIT(name)	{ NULL }
#define LLIST_HEAD(name)	struct llist_head name = LLIST_HEAD_INIT(name)

static inline void init_llist_head(struct llist_head *list)
{
	list->first = NULL;
}

/* An unlisted node points at itself, so llist_on_list() can tell. */
static inline void init_llist_node(struct llist_node *node)
{
	node->next = node;
}

static inline bool llist_on_list(const struct llist_node *node)
{
	return node->next != node;
}

static inline bool llist_empty(const struct llist_head *head)
{
	return __atomic_load_n(&head->first, __ATOMIC_RELAXED) == NULL;
}

/* Push the chain @first..@last; true if the list was empty before. */
static inline bool llist_add_batch(struct llist_node *first, struct llist_node *last,
				   struct llist_head *head)
{
	struct llist_node *old = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		last->next = old;
	} while (!__atomic_compare_exchange_n(&head->first, &old, first, false,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return old == NULL;
}

static inline bool llist_add(struct llist_node *node, struct llist_head *head)
{
	return llist_add_batch(node, node, head);
}

/* Detach every node at once; the newest comes first. */
static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_ACQUIRE);
}

static inline struct llist_node *llist_next(struct llist_node *node)
{
	return node->next;
}

#define llist_entry(ptr, type, member)	container_of(ptr, type, member)

#define llist_for_each(pos, node)	for ((pos) = (node); (pos); (pos) = (pos)->next)

#define llist_for_each_safe(pos, n, node)					\
	for ((pos) = (node); (pos) && ((n) = (pos)->next, true); (pos) = (n))

/*
 * The entry iterators walk the nodes and derive each entry from a node
 * that is known to be non-NULL, so no pointer is ever computed from NULL.
 */
#define __llist_for_each_entry(pos, node, member, it)				\
	for (struct llist_node *it = (node);					\
	     it && ((pos) = llist_entry(it, typeof(*(pos)), member), true);	\
	     it = it->next)
#define llist_for_each_entry(pos, node, member)					\
	__llist_for_each_entry(pos, node, member, __UNIQUE_ID(llist))

#define __llist_for_each_entry_safe(pos, n, node, member, it, nx)		\
	for (struct llist_node *it = (node), *nx;				\
	     it && (nx = it->next,						\
		    (pos) = llist_entry(it, typeof(*(pos)), member),		\
		    (n) = nx ? llist_entry(nx, typeof(*(n)), member) : NULL, true); \
	     it = nx)
#define llist_for_each_entry_safe(pos, n, node, member)				\
	__llist_for_each_entry_safe(pos, n, node, member, __UNIQUE_ID(llist),	\
				    __UNIQUE_ID(llist_next))

#endif
