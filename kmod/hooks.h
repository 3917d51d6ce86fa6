/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks: PRE_ROUTING (DNAT, seed 001 Fig. 10) and
 * POST_ROUTING (SNAT, Fig. 11), registered while a virtual exists.
 */
#ifndef _LDIR_HOOKS_H
#define _LDIR_HOOKS_H

#include "netns.h"

int ldir_hooks_register(struct ldir_net *ln);
void ldir_hooks_unregister(struct ldir_net *ln);

#endif /* _LDIR_HOOKS_H */
