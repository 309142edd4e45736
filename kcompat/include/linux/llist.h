/* SPDX-License-Identifier: MIT */
/*
 * Lock-free singly linked LIFO (the kernel's llist): any number of
 * producers push with a compare-and-swap, a consumer detaches the whole
 * chain at once. Both are switch points of the scheduler.
 */
#ifndef _KCOMPAT_LINUX_LLIST_H
#define _KCOMPAT_LINUX_LLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <kcompat/sched.h>
#include <linux/compiler.h>
#include <linux/container_of.h>

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

#define LLIST_HEAD_INIT(name)	{ NULL }

static inline void init_llist_head(struct llist_head *list)
{
	WRITE_ONCE(list->first, NULL);
}

/* Nodes off any llist point to themselves, so membership is testable. */
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
	return __atomic_load_n(&head->first, __ATOMIC_ACQUIRE) == NULL;
}

/* Returns true if the list was empty before the push. */
static inline bool llist_add(struct llist_node *node, struct llist_head *head)
{
	struct llist_node *first;

	kcompat_switch_point(KCOMPAT_SP_LLIST_ADD, head);
	first = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		node->next = first;
	} while (!__atomic_compare_exchange_n(&head->first, &first, node, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return first == NULL;
}

static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	kcompat_switch_point(KCOMPAT_SP_LLIST_DEL_ALL, head);
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_ACQUIRE);
}

#define llist_entry(ptr, type, member)	container_of(ptr, type, member)

/* Safe against the body freeing @pos; @n holds the successor. */
#define llist_for_each_entry_safe(pos, n, node, member)			\
	for (pos = (node) ? llist_entry(node, __typeof__(*pos), member) : NULL; \
	     pos && (n = pos->member.next ?				\
		     llist_entry(pos->member.next, __typeof__(*pos), member) : NULL, 1); \
	     pos = n)

#define llist_for_each_entry(pos, node, member)				\
	for (pos = (node) ? llist_entry(node, __typeof__(*pos), member) : NULL; \
	     pos;							\
	     pos = pos->member.next ?					\
		   llist_entry(pos->member.next, __typeof__(*pos), member) : NULL)

#endif /* _KCOMPAT_LINUX_LLIST_H */
