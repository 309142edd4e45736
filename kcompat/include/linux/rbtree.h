/* SPDX-License-Identifier: MIT */
/*
 * Red-black trees with the kernel's interface: the caller walks down with
 * its own comparison, links the new node with rb_link_node() and rebalances
 * with rb_insert_color(). The parent pointer and the colour share one word.
 */
#ifndef _KCOMPAT_LINUX_RBTREE_H
#define _KCOMPAT_LINUX_RBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/compiler.h>
#include <linux/container_of.h>

struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_RED		0
#define RB_BLACK	1

#define RB_ROOT		((struct rb_root){ NULL })

#define rb_entry(ptr, type, member)	container_of(ptr, type, member)
#define rb_entry_safe(ptr, type, member) ({				\
	__typeof__(ptr) ____ptr = (ptr);				\
	____ptr ? rb_entry(____ptr, type, member) : NULL; })

static inline struct rb_node *rb_parent(const struct rb_node *node)
{
	return (struct rb_node *)(node->__rb_parent_color & ~3UL);
}

static inline int rb_color(const struct rb_node *node)
{
	return node->__rb_parent_color & 1;
}

static inline bool rb_is_red(const struct rb_node *node)
{
	return rb_color(node) == RB_RED;
}

#define RB_EMPTY_ROOT(root)	(READ_ONCE((root)->rb_node) == NULL)

/* A node that is in no tree points to itself; rb_erase() does not do this. */
#define RB_EMPTY_NODE(node)	((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node)	((node)->__rb_parent_color = (unsigned long)(node))

/* Hang @node, red, at *@link below @parent; then call rb_insert_color(). */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->__rb_parent_color = (unsigned long)parent;
	node->rb_left = node->rb_right = NULL;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

#endif /* _KCOMPAT_LINUX_RBTREE_H */
