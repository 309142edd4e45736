// SPDX-License-Identifier: MIT
/*
 * Red-black tree rebalancing, written from the textbook rules (every path
 * from a node to its leaves has the same number of black nodes, no red node
 * has a red child, the root is black). Leaves are NULL, so the delete fix-up
 * carries the parent of the possibly-NULL child explicitly.
 */
#include <linux/rbtree.h>

static void set_parent(struct rb_node *node, struct rb_node *parent)
{
	node->__rb_parent_color = (unsigned long)parent | (unsigned long)rb_color(node);
}

static void set_color(struct rb_node *node, int color)
{
	node->__rb_parent_color = (node->__rb_parent_color & ~1UL) | (unsigned long)color;
}

static bool is_black(const struct rb_node *node)
{
	return !node || rb_color(node) == RB_BLACK;
}

/* Make @repl take @old's place under @old's parent (or as the root). */
static void replace_child(struct rb_node *old, struct rb_node *repl,
			  struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = repl;
	else if (parent->rb_left == old)
		parent->rb_left = repl;
	else
		parent->rb_right = repl;
	if (repl)
		set_parent(repl, parent);
}

static void rotate_left(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		set_parent(y->rb_left, x);
	replace_child(x, y, rb_parent(x), root);
	y->rb_left = x;
	set_parent(x, y);
}

static void rotate_right(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		set_parent(y->rb_right, x);
	replace_child(x, y, rb_parent(x), root);
	y->rb_right = x;
	set_parent(x, y);
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *parent, *gparent, *uncle;

	while ((parent = rb_parent(node)) && rb_is_red(parent)) {
		/* A red parent is never the root, so the grandparent exists. */
		gparent = rb_parent(parent);
		if (parent == gparent->rb_left) {
			uncle = gparent->rb_right;
			if (!is_black(uncle)) {
				set_color(parent, RB_BLACK);
				set_color(uncle, RB_BLACK);
				set_color(gparent, RB_RED);
				node = gparent;
				continue;
			}
			if (node == parent->rb_right) {
				rotate_left(parent, root);
				node = parent;
				parent = rb_parent(node);
			}
			set_color(parent, RB_BLACK);
			set_color(gparent, RB_RED);
			rotate_right(gparent, root);
		} else {
			uncle = gparent->rb_left;
			if (!is_black(uncle)) {
				set_color(parent, RB_BLACK);
				set_color(uncle, RB_BLACK);
				set_color(gparent, RB_RED);
				node = gparent;
				continue;
			}
			if (node == parent->rb_left) {
				rotate_right(parent, root);
				node = parent;
				parent = rb_parent(node);
			}
			set_color(parent, RB_BLACK);
			set_color(gparent, RB_RED);
			rotate_left(gparent, root);
		}
	}
	set_color(root->rb_node, RB_BLACK);
}

/* Restore the black height after a black node left the path through @x. */
static void erase_fixup(struct rb_node *x, struct rb_node *parent, struct rb_root *root)
{
	struct rb_node *w;

	while (x != root->rb_node && is_black(x)) {
		if (x == parent->rb_left) {
			w = parent->rb_right;
			if (!is_black(w)) {
				set_color(w, RB_BLACK);
				set_color(parent, RB_RED);
				rotate_left(parent, root);
				w = parent->rb_right;
			}
			if (is_black(w->rb_left) && is_black(w->rb_right)) {
				set_color(w, RB_RED);
				x = parent;
				parent = rb_parent(x);
				continue;
			}
			if (is_black(w->rb_right)) {
				set_color(w->rb_left, RB_BLACK);
				set_color(w, RB_RED);
				rotate_right(w, root);
				w = parent->rb_right;
			}
			set_color(w, rb_color(parent));
			set_color(parent, RB_BLACK);
			set_color(w->rb_right, RB_BLACK);
			rotate_left(parent, root);
		} else {
			w = parent->rb_left;
			if (!is_black(w)) {
				set_color(w, RB_BLACK);
				set_color(parent, RB_RED);
				rotate_right(parent, root);
				w = parent->rb_left;
			}
			if (is_black(w->rb_left) && is_black(w->rb_right)) {
				set_color(w, RB_RED);
				x = parent;
				parent = rb_parent(x);
				continue;
			}
			if (is_black(w->rb_left)) {
				set_color(w->rb_right, RB_BLACK);
				set_color(w, RB_RED);
				rotate_left(w, root);
				w = parent->rb_left;
			}
			set_color(w, rb_color(parent));
			set_color(parent, RB_BLACK);
			set_color(w->rb_left, RB_BLACK);
			rotate_right(parent, root);
		}
		x = root->rb_node;
		break;
	}
	if (x)
		set_color(x, RB_BLACK);
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *child, *parent, *succ;
	int removed_color = rb_color(node);

	if (!node->rb_left || !node->rb_right) {
		child = node->rb_left ? node->rb_left : node->rb_right;
		parent = rb_parent(node);
		replace_child(node, child, parent, root);
	} else {
		/* Two children: the in-order successor takes the node's place. */
		succ = node->rb_right;
		while (succ->rb_left)
			succ = succ->rb_left;
		removed_color = rb_color(succ);
		child = succ->rb_right;
		if (rb_parent(succ) == node) {
			parent = succ;
		} else {
			parent = rb_parent(succ);
			replace_child(succ, child, parent, root);
			succ->rb_right = node->rb_right;
			set_parent(succ->rb_right, succ);
		}
		replace_child(node, succ, rb_parent(node), root);
		succ->rb_left = node->rb_left;
		set_parent(succ->rb_left, succ);
		set_color(succ, rb_color(node));
	}
	if (removed_color == RB_BLACK)
		erase_fixup(child, parent, root);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (n)
		while (n->rb_left)
			n = n->rb_left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (n)
		while (n->rb_right)
			n = n->rb_right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return (struct rb_node *)parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return (struct rb_node *)parent;
}
