/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The health of reals, as the packet path sees it: SYNs ditched and
 * answered, failure and probes, the response time R and the predicted
 * response PR; and the queue of state changes reported from process
 * context. Lockless, softirq-safe.
 */
#ifndef _LDIR_HEALTH_H
#define _LDIR_HEALTH_H

#include "ldir.h"

u64 ldir_real_nc_r(const struct ldir_real *r);
s64 ldir_real_pr(const struct ldir_real *r, u64 now_us, u32 age_div);
bool ldir_real_sample(struct ldir_real *r, u32 interval_us, u64 now_us,
		      u32 clamp_pct);
void ldir_real_ditch(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_answered(struct ldir_net *ln, struct ldir_real *r);
bool ldir_real_probe_due(struct ldir_net *ln, struct ldir_real *r);
void ldir_real_set_state(struct ldir_net *ln, struct ldir_real *r, u8 state);

/* Events: the packet path kicks, process context reports. */
void ldir_event_kick(struct ldir_net *ln);
void ldir_event_net_init(struct ldir_net *ln);
void ldir_event_register(work_func_t report);

#endif /* _LDIR_HEALTH_H */
