/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ldir - in-kernel layer-4 load balancer (LocalDirector).
 * Generic netlink ABI, family "ldir", version 1. Its machine-readable
 * description is Documentation/netlink/specs/ldir.yaml (the kernel's YAML
 * netlink format); `make spec-check` fails if this header disagrees with it.
 *
 * Every command works on the network namespace of the socket that sends it
 * and needs CAP_NET_ADMIN in the initial user namespace; with the module
 * parameter userns_delegate=1, CAP_NET_ADMIN over the user namespace that
 * owns the netns is enough, within caps (the *_MAX settings of CONFIG_SET)
 * that such a namespace may lower but not raise past the module's
 * defaults (EPERM). The "events" group needs CAP_NET_ADMIN over the netns's
 * owner. Every rejection carries an extack message that names the
 * offending attribute.
 *
 * Objects
 *   virtual  (VIP, port, protocol, Bind ID): what clients connect to.
 *            port 0 covers every port of the VIP.
 *   real     (address, port): a physical machine; port 0 = all ports.
 *   link     (virtual, real): the real serves the virtual, on a port.
 *   conn     one client connection through a virtual to a real.
 *   bind     (VIP, port, protocol, client prefix) -> the virtual instance
 *            (Bind ID != 0) that serves clients in that prefix.
 *   FPA      foreign physical association: the real
 *            a client (masked) was last sent to through a virtual.
 *
 * Addresses: LDIR_*_A_FAMILY (u16, AF_INET or AF_INET6) plus
 * LDIR_*_A_ADDR (exactly 16 bytes, network order; an IPv4 address
 * occupies the first 4 bytes and the rest is zero). Ports are u16 in
 * network byte order (NLA_BE16). Counters are u64 (padded with
 * LDIR_*_A_PAD). Times are u32 seconds unless the name says _MS.
 *
 * Commands and their attribute trees (top level: enum ldir_attrs)
 *
 * LDIR_CMD_VIRTUAL_NEW  [LDIR_A_VIRTUAL] create
 *     required: FAMILY, ADDR, PORT, PROTOCOL
 *     optional: SCHED (default "wlc", "maglev" if stateless), STATE
 *     (default IN), BIND_ID (0), STARTUP, STARTUP_PCT, STARTUP_WINDOW,
 *     BACKUP (see Scheduling below), FLAGS (enum ldir_virtual_flags,
 *     default 0; fixed at creation: a SET with other FLAGS is refused),
 *     FPA_INTERVAL (0), FPA_MASK (32, IPv6 128), OVERFLOW (0)
 *     BIND_ID 0 is the general instance of VIP:PORT:PROTOCOL; any other
 *     value makes a client-specific instance with reals, scheduler, FPA
 *     settings and state of its own, chosen by binds (LDIR_CMD_BIND_NEW).
 *     FPA_INTERVAL (s, 0 = off): a new conn from a client whose FPA on
 *     this virtual is younger than this goes to the same real if it can
 *     take it; every assignment
 *     refreshes the FPA. FPA_MASK: the prefix length of the client
 *     address an FPA is kept for (24: one FPA per /24, for proxy farms).
 *     OVERFLOW (u8 0/1, instances only): when no real of the instance can
 *     take a new conn (all at max conns, failed or out of service), it
 *     goes to the general instance.
 * LDIR_CMD_VIRTUAL_SET  [LDIR_A_VIRTUAL] change any optional attribute
 *     but FLAGS; a new FPA_MASK drops the virtual's FPAs
 * LDIR_CMD_VIRTUAL_DEL  [LDIR_A_VIRTUAL] key only; deletes its links,
 *     binds and FPAs, and its conns are flushed (a virtual that is gone
 *     cannot SNAT replies)
 * LDIR_CMD_VIRTUAL_GET  dump: one message per virtual, each with the
 *     key, SCHED, STATE, the settings above, FAILED, NLINKS, CONNS, STATS,
 *     FLAGS, NBINDS
 *
 * LDIR_CMD_REAL_NEW     [LDIR_A_REAL] create
 *     required: FAMILY, ADDR; optional: PORT (0), WEIGHT (1),
 *     MAX_CONNS (0 = unlimited), STATE (IN), SYN_THRESHOLD,
 *     FAIL_THRESHOLD, IDLE_TIMEOUT, BACKUP (see Scheduling below)
 * LDIR_CMD_REAL_SET     [LDIR_A_REAL] change WEIGHT, MAX_CONNS, STATE,
 *     SYN_THRESHOLD, FAIL_THRESHOLD, IDLE_TIMEOUT, BACKUP.
 *     WEIGHT 0 quiesces: no new conns, live ones continue.
 * LDIR_CMD_REAL_DEL     [LDIR_A_REAL] key; unlinks the real from every
 *     virtual. Live conns finish unless LDIR_A_FLUSH is given: then the
 *     conns of every link of the real go, those of links deleted before
 *     too.
 * LDIR_CMD_REAL_GET     dump: key, WEIGHT, MAX_CONNS, STATE, ACTIVE
 *     (NC: live conns not closing), CONNS (all live conns), NLINKS, STATS,
 *     the settings above, UNANSWERED, DITCHED, DITCH_CONSEC,
 *     RESPONSE_US, AGE_MS, PR, and RETRY_MS while FAILED
 *
 * LDIR_CMD_LINK_NEW     [LDIR_A_LINK] LINK_A_VIRTUAL (nested virtual
 *     key), LINK_A_REAL (nested real key: the real (addr, port) is looked
 *     up first, then (addr, 0)), optional LINK_A_PORT: the port conns are
 *     sent to on the real. If it is 0, the real's own port is used; if
 *     that is 0 too, the client's destination port (a port-0 virtual maps
 *     each port to the same port).
 * LDIR_CMD_LINK_DEL     [LDIR_A_LINK] as NEW; a non-zero LINK_A_PORT must
 *     match the link's. Live conns finish unless LDIR_A_FLUSH is given.
 * LDIR_CMD_LINK_GET     dump: VIRTUAL, REAL, PORT, ACTIVE, CONNS, STATS
 *
 * LDIR_CMD_CONN_GET     dump: one message per conn: LDIR_A_CONN with
 *     PROTOCOL, FAMILY, CLIENT_ADDR/PORT, VIRTUAL_ADDR/PORT,
 *     REAL_ADDR/PORT, STATE (enum ldir_conn_state), EXPIRES_MS, and
 *     what CONN_NEW needs to insert it elsewhere: VIRTUAL (the key of the
 *     virtual whose link carries the conn, Bind ID included), REAL (the
 *     key of the linked real) and DIGEST. With [LDIR_A_SYNCABLE] only the
 *     conns a peer director would take (see Conn sync): a bulk resync.
 * LDIR_CMD_CONN_NEW     [LDIR_A_CONN] insert or update a conn learned
 *     from a peer director (see Conn sync); every attribute of a sync
 *     record is required but REMOVED, which is refused
 * LDIR_CMD_CONN_DEL     [LDIR_A_CONN] remove the conn of PROTOCOL, FAMILY,
 *     CLIENT_ADDR/PORT, VIRTUAL_ADDR/PORT (a sync record with REMOVED is
 *     taken as it is); if REAL_ADDR/PORT are given they must be the
 *     conn's (ESRCH otherwise: a peer's stale removal does not kill a
 *     conn this director made since). ENOENT if there is none.
 * LDIR_CMD_STATS_GET    do: LDIR_A_STATS (global counters) and
 *     LDIR_A_CONFIG (current settings)
 * LDIR_CMD_CONFIG_SET   [LDIR_A_CONFIG] conn table bound, timeouts, the
 *     failure detection and pr settings, and the caps on FPAs, virtuals,
 *     reals, links and binds (lowering one below the current count keeps
 *     what exists and refuses new ones)
 *   SYN floods: a TCP conn whose handshake is not done (SYN_SENT,
 *   SYN_RECV) is embryonic. At most EMBRYONIC_MAX of them live (0: half of
 *   CONN_MAX); a new SYN past that bound, or a new conn when the table is
 *   at CONN_MAX, evicts the embryonic conn that expires first among those
 *   in the buckets next to its own (a bounded look, as conntrack's
 *   early_drop), counted in EMBRYONIC_EVICTED; if there is none, the SYN
 *   is dropped (DROP_SYN_PRESSURE, or DROP_CONN_LIMIT when the table is
 *   full). Established conns are never evicted. From half of the
 *   embryonic bound or 7/8 of CONN_MAX the namespace is under SYN
 *   pressure (PRESSURE, an event LDIR_EVENT_PRESSURE_START) until below a
 *   quarter of the bound and 3/4 of CONN_MAX again, for at least a second
 *   (LDIR_EVENT_PRESSURE_END): meanwhile an embryonic conn lives
 *   TIMEOUT_SYN_PRESSURE seconds from its SYN, not TIMEOUT_SYN. A user
 *   namespace may lower EMBRYONIC_MAX, not raise it past half of the
 *   module's conn_max.
 * LDIR_CMD_FLUSH        delete every virtual, real, link, bind, FPA and
 *     conn, and take every device out of the fast path (FASTPATH_NEW);
 *     with LDIR_A_FLUSH_CONNS_ONLY only the conns go
 *
 * The commands of one namespace run one at a time, those of different
 * namespaces side by side (the family is parallel_ops: no lock shared
 * with other namespaces or other genetlink families). A command that
 * removes objects waits for one RCU grace period whatever their number
 * (VIRTUAL_DEL, FLUSH, and REAL_DEL or LINK_DEL with LDIR_A_FLUSH); the
 * others, and a namespace's exit, wait for none.
 * LDIR_CMD_EVENT        never sent by user space: the kernel multicasts
 *     it on the "events" group with LDIR_A_EVENT (enum ldir_event_attrs)
 *     when a real fails or recovers, is set in or out, or a virtual
 *     fails (all its reals failed, no backup virtual) or recovers.
 * LDIR_CMD_SYNC         never sent by user space: the kernel multicasts
 *     it on the "sync" group, see Conn sync.
 *
 * Conn sync
 *   Directors that share virtuals keep each other's conns, so that a
 *   director that takes over a flow translates it. The kernel produces
 *   and takes records; a daemon carries them between directors (order,
 *   acknowledgment, resend, authentication are its business).
 *   While a socket listens to the "sync" group (CAP_NET_ADMIN over the
 *   netns's owner, like "events"), the kernel queues a record when a conn
 *   is confirmed (TCP: ESTABLISHED; UDP: the real's first answer), when
 *   a confirmed conn changes state (FIN_WAIT, TIME_WAIT, CLOSE), when an
 *   established conn's lifetime has run half down since its last record
 *   (a refresh: the peer's copy does not expire while the flow lives),
 *   and when a confirmed conn goes (expiry, RST, flush, unlink: REMOVED).
 *   Embryonic conns (SYN_SENT, SYN_RECV, NONE) are never sent: a SYN
 *   flood makes no sync traffic. Without a listener nothing is queued.
 *   A conn learned by CONN_NEW sends nothing (no echo between peers)
 *   until a packet of it passes this director: from then on it is this
 *   director's, and its changes are sent.
 *   The packet path appends records to a bounded per-CPU queue; a work
 *   item multicasts them in LDIR_CMD_SYNC messages, many records each:
 *   LDIR_A_SYNC (enum ldir_sync_attrs) with SEQ (+1 per message per
 *   netns: a gap is a message the socket lost, ENOBUFS), LOST (records
 *   the full queue dropped so far, STATS_A_SYNC_QUEUE_DROP: a change
 *   means a record never left) and one SYNC_A_CONN per record: the
 *   attributes of a conn dump (EXPIRES_MS: the lifetime left when the
 *   record was made), REMOVED for a conn that went. A record is a
 *   snapshot: never reorder two records of one tuple.
 *   A daemon that saw a gap or a change of LOST resyncs: it dumps the
 *   conns with LDIR_A_SYNCABLE and sends them again. The queues are made
 *   by the first such dump of the netns (a daemon starts by joining the
 *   group, then dumping); without it, the first record a listener wants
 *   is dropped (LOST) and has them made.
 *   DIGEST (u64) is the virtual's configuration digest: SipHash with a
 *   fixed key (identical on every director) of its scheduler name and
 *   flags, plus the sum of one such hash per link over the real's key
 *   and the link's port. CONN_NEW refuses a record whose virtual, link or
 *   digest differs from the receiver's (EINVAL for a malformed record,
 *   ENOENT for a virtual or link the receiver lacks, ESTALE for another
 *   digest), counted in STATS_A_SYNC_REJECTED with an extack message;
 *   an accepted CONN_NEW or CONN_DEL counts in STATS_A_SYNC_RECEIVED.
 *   CONN_NEW takes STATE ESTABLISHED, FIN_WAIT, TIME_WAIT or CLOSE for
 *   TCP and UDP for UDP, and EXPIRES_MS 1..LDIR_TIMEOUT_MAX * 1000. A
 *   conn of the same tuple to the same real is updated in place (state,
 *   lifetime; its counters go on); one to another real is replaced. A new
 *   conn counts against CONN_MAX like any (ENOSPC when full: an
 *   established conn evicts only embryonic ones), towards its link's and
 *   real's active and live conns (lc, wlc, pr see it) and translates
 *   both ways; it does not count in STATS_A_CONNS (created here).
 *   REAL_ADDR may be the linked real's BACKUP that took the conn. The
 *   director has not seen a synced conn's sequence numbers: it takes its
 *   FINs and RSTs as they come, as for a flow it adopted.
 *
 * Scheduling
 *   Scheme "pr", predicted response: the real with the smallest
 *     PR = NC * R - (now - agestamp) / k
 *   in microseconds, where NC is the real's ACTIVE count and R its
 *   response time per connection. R is sampled once per conn: the
 *   interval I from the client's SYN (overwritten by the client's first
 *   data packet) to the real's first data packet, divided by NC at that
 *   moment; the first sample sets
 *   R, each later one moves R by at most PR_CLAMP_PCT percent of its old
 *   value, but by at least 1/256 us toward the sample: R is
 *   kept to 1/256 us (RESPONSE_US rounds it to the us), so a fast real's
 *   R never freezes. agestamp is when R was last set; k is PR_AGE_DIV. A
 *   real without a sample counts as R = 0.
 *   Scheme "wrr": stride scheduling, each real gets conns in proportion
 *   to its WEIGHT, interleaved (weights 1,2,3 give c b c a b c); a real
 *   back in service does not get a burst to catch up.
 *   lc, wlc, pr and wrr pick from a tree of the virtual's links: a new
 *   conn costs O(log n) in the number of reals, plus one step per real
 *   that cannot take it (quiesced, failed, out, full). While some real has
 *   a BACKUP and some real is failed or out, they compare every link.
 *   Every scheme (rr, wrr, lc, wlc, pr) prefers reals with fewer than
 *   SYN_THRESHOLD unanswered SYNs; if every usable real is at or above
 *   its threshold, the best of those is chosen.
 *   Startup: with STARTUP rr, when the real the scheme chose got
 *   at least STARTUP_PCT percent of the virtual's last STARTUP_WINDOW new
 *   conns, round robin chooses instead: a new or recovered real does not
 *   take every new conn under lc, wlc or pr.
 *
 * Passive failure detection
 *   A conn whose client resent its SYN SYN_RESENDS times without a SYN-ACK
 *   from the real is ditched: the next resend is scheduled again, to
 *   another real if there is one. A SYN counts as a resend only if it
 *   comes SYN_RESEND_GAP_MS or more after the SYN last counted (the first
 *   one included): a TCP client resends after its retransmission timeout,
 *   1 s at first (RFC 6298), so the default 500 ms counts every genuine
 *   resend, while a burst of copies of one SYN (spoofed, or duplicated on
 *   the way) counts once; 0 counts every SYN. FAIL_THRESHOLD ditched
 *   conns in a row (a SYN-ACK resets the count) fail the real: STATE
 *   becomes FAILED, no new conns, an event and a log line (rate-limited).
 *   Every RETRY_INTERVAL one new conn is let through to a failed real as a
 *   probe; its SYN-ACK puts the real back in service, and then ditches
 *   cannot fail it again for one RETRY_INTERVAL (a hold-down, as route
 *   flap damping does for routes: a real is out at most about half the
 *   time however its SYNs are made to go unanswered); its conns that go
 *   unanswered meanwhile are still ditched and resent elsewhere, so its
 *   clients are delayed, not refused. STATE IN or OUT set by hand
 *   overrides, and starts no hold-down.
 *   A real's BACKUP takes its new conns while it is failed or out of
 *   service (one level: a backup's own backup is not followed). A
 *   virtual's BACKUP takes its new conns while none of its reals is
 *   usable; a virtual whose reals are all failed and that has no backup
 *   reports FAILED (a flag; STATE keeps what was set by hand).
 *   IDLE_TIMEOUT of a real replaces the ESTABLISHED and UDP timeouts of
 *   its conns.
 *
 * Off-path packets
 *   For each TCP conn the director keeps, per direction, the sequence
 *   number that side sends next (its SYN, data and FIN seen so far). A
 *   segment moves it on only if its sequence number is within 4 MiB of it
 *   and its acknowledgment within 4 MiB of the other side's: a blind
 *   attacker's segment passes with a chance of about 2^-18. An RST closes
 *   the conn (state CLOSE) only if its sequence number is exactly the one
 *   expected from its side (RFC 5961 3.2: what the sender's stack puts in
 *   an RST), or, before the real's SYN-ACK, if the real's RST acknowledges
 *   the client's SYN. Any other RST is forwarded (the endpoint checks it
 *   against its own window and may answer with a challenge ACK, which an
 *   endpoint that did reset answers with an exact RST), the conn keeps its
 *   state, and STATS_A_RST_IGNORED counts it: a middlebox cannot send the
 *   challenge ACK itself. A FIN moves the state only if its segment passes
 *   the check above.
 *   A TCP or UDP packet from a real's (address, port) that serves a
 *   stateful virtual (the link's port, else the real's, else the
 *   virtual's; a virtual of port 0 with port-keeping links has none) with
 *   no conn, after a flush, a ditch or an expiry, would leave with the
 *   real's own address: it is dropped and counted
 *   (STATS_A_DROP_REPLY_NO_CONN), unless it is a TCP SYN without ACK (the
 *   real opening a connection) or a stateless virtual answers for the
 *   same (address, port). Nothing is sent back. Traffic the real sends
 *   from other ports passes; so a host that reaches a real's service port
 *   directly through the director, not through the VIP, gets no answer.
 *
 * LDIR_CMD_BIND_NEW     [LDIR_A_BIND] assign a client prefix to an
 *     instance: BIND_A_VIRTUAL (nested
 *     virtual key with a non-zero BIND_ID; the instance must exist),
 *     BIND_A_FAMILY, BIND_A_ADDR (the client prefix, host bits zero),
 *     BIND_A_PREFIX_LEN (0..32 for IPv4). A prefix is assigned to at most
 *     one instance of a VIP:PORT:PROTOCOL.
 * LDIR_CMD_BIND_DEL     [LDIR_A_BIND] as NEW: the bind must exist and
 *     point to that instance. Live conns are not touched.
 * LDIR_CMD_BIND_GET     dump: one LDIR_A_BIND per bind, fields as NEW
 *   A new conn to VIP:PORT: the longest bind prefix of
 *   VIP:PORT:PROTOCOL that contains the client picks the instance if it is
 *   in service; otherwise (no bind, or its instance out of service) the
 *   general instance (Bind ID 0) serves it. An exact port comes before a
 *   port-0 virtual. Without a general instance, a client with no bind is
 *   not balanced, and neither are the live conns of a client whose bind
 *   is deleted.
 *
 * LDIR_CMD_FPA_GET      dump: one LDIR_A_FPA per FPA: FPA_A_VIRTUAL
 *     (nested virtual key), FPA_A_FAMILY, FPA_A_CLIENT_ADDR (masked),
 *     FPA_A_PREFIX_LEN, FPA_A_REAL (nested real key), FPA_A_AGE_MS (since
 *     the last assignment). Like conns, FPAs are dumped without a
 *     generation check. The table is bounded per netns (module parameter
 *     fpa_max); when full, the least recently used FPA is replaced.
 * LDIR_CMD_FPA_FLUSH    drop every FPA, or with [LDIR_A_VIRTUAL] (key) the
 *     FPAs of that virtual
 *
 * LDIR_CMD_FASTPATH_NEW [LDIR_A_FASTPATH] FASTPATH_A_IFNAME: packets of
 *     established conns that arrive on that device of the namespace take
 *     the fast path: rewritten and sent from the device's ingress hook to
 *     the next hop the conn's slow-path packets were routed to, skipping
 *     routing, the forward chain and conntrack (as an nftables
 *     flowtable). TCP once ESTABLISHED and without SYN, FIN or RST, UDP
 *     once its first datagram passed (a packet that moves the response
 *     time clock goes the slow way), IPv4 without options or fragments,
 *     IPv6 without extension headers, TTL or hop limit > 1,
 *     within the route's MTU; everything else, and the first packets until
 *     the slow path learned the route, go the normal way (counted in
 *     STATS_A_FASTPATH and STATS_A_FASTPATH_SLOW). A device that goes
 *     away leaves the set.
 * LDIR_CMD_FASTPATH_DEL [LDIR_A_FASTPATH] as NEW: the device must be in
 *     the set
 * LDIR_CMD_FASTPATH_GET dump: one LDIR_A_FASTPATH per device: IFNAME,
 *     IFINDEX
 *
 * Replies: every dump message and the STATS_GET reply carry one object
 * under the same top-level attribute a request uses (LDIR_A_VIRTUAL,
 * LDIR_A_REAL, LDIR_A_LINK, LDIR_A_CONN); LINK_A_REAL in a link dump is
 * the real's stored key. Strings (SCHED) come back NUL-terminated.
 *
 * Dumps of virtuals, reals and links carry a generation counter: a dump
 * that raced with a configuration change is flagged NLM_F_DUMP_INTR and
 * should be retried. The conn dump walks the live table bucket by bucket
 * without one: conns come and go with every packet.
 *
 * Hashing schemes and stateless virtuals
 *
 * SCHED "hash3", "hash5" and "maglev" compute the real from the packet
 * alone, so several directors with the same configuration (behind one
 * ECMP router) pick the same real for the same flow:
 *   hash3   (SRC_IP + DST_IP + DST_PORT) % N
 *   hash5   (SRC_IP + SRC_PORT + DST_IP + DST_PORT + PROTOCOL) % N
 *
 *   IPv4 addresses are taken as 32-bit unsigned numbers (192.0.2.10 is
 *   0xc000020a = 3221225994), IPv6 addresses as 128-bit unsigned numbers
 *   (2001:db8::10 is 0x20010db8000000000000000000000010), ports as 16-bit
 *   unsigned numbers, PROTOCOL as the 8-bit IP protocol number (TCP 6,
 *   UDP 17), all in host order (the value, not the wire bytes); the sum
 *   is exact (no 32-bit wrap for IPv4, no 128-bit wrap for IPv6: up to
 *   130 bits, taken % N whole).
 *   SRC/DST are those of the client's packet (client -> VIP).
 *   The result indexes the usable reals: the links whose real is IN with
 *   a weight > 0 (max conns is ignored: it is a per-director count),
 *   ordered by real address (as a number), then by the link's real port.
 *   Weights beyond 0/non-0 do not matter to hash3 and hash5.
 *   maglev  Maglev consistent hashing: a lookup table of 65537 (a prime)
 *   entries filled from per-real permutations, shares proportional to
 *   the weights; the flow is SipHash-2-4 of the 5-tuple (all 128 bits of
 *   IPv6 addresses) with a fixed key (see kmod/maglev.c), identical on
 *   every director. Adding or removing
 *   one of N reals moves about 1/N of the flows.
 * With a stateful virtual these schemes pick the real of a new conn only.
 * If that real is at its MAX_CONNS, the conn is dropped (drop-no-real, or
 * the backup virtual takes it), never spilled to another real: max conns
 * is per director, and a spilled conn would go to a real that no other
 * director picks for the flow. A real that is not usable leaves N (until
 * the table is rebuilt, its flows take the next usable real in table
 * order).
 *
 * LDIR_VIRTUAL_F_STATELESS: the virtual keeps no conns: every packet
 * client -> VIP is DNATed to the real the hash picks,
 * and every packet from a real's (address, port) that serves a stateless
 * virtual is SNATed back to that virtual. SCHED must then be a hashing
 * scheme, and one (real address, port, protocol) may answer for one
 * stateless virtual only (LINK_NEW refuses an ambiguous link); a virtual
 * of port 0 needs links that keep the port. ICMP errors are not translated
 * for stateless virtuals.
 *
 * IPv6: a virtual, its reals, its backups and its links are all of one
 * family; a link, backup real or backup virtual of the other family is
 * refused (-EAFNOSUPPORT / -EINVAL with an extack message): ldir does not
 * translate between IPv4 and IPv6 headers. An IPv6 VIP or real is a
 * global unicast address (not link-local, multicast, loopback, IPv4-mapped
 * or -compatible). Bind prefixes and FPA masks run 0..128 for IPv6.
 */
#ifndef _UAPI_LINUX_LDIR_H
#define _UAPI_LINUX_LDIR_H

#define LDIR_GENL_NAME		"ldir"
#define LDIR_GENL_VERSION	1
#define LDIR_GENL_MCGRP_EVENTS	"events"
#define LDIR_GENL_MCGRP_SYNC	"sync"

#define LDIR_SCHED_NAME_MAX	16

enum ldir_cmd {
	LDIR_CMD_UNSPEC,
	LDIR_CMD_VIRTUAL_NEW,
	LDIR_CMD_VIRTUAL_SET,
	LDIR_CMD_VIRTUAL_DEL,
	LDIR_CMD_VIRTUAL_GET,
	LDIR_CMD_REAL_NEW,
	LDIR_CMD_REAL_SET,
	LDIR_CMD_REAL_DEL,
	LDIR_CMD_REAL_GET,
	LDIR_CMD_LINK_NEW,
	LDIR_CMD_LINK_DEL,
	LDIR_CMD_LINK_GET,
	LDIR_CMD_CONN_GET,
	LDIR_CMD_STATS_GET,
	LDIR_CMD_CONFIG_SET,
	LDIR_CMD_FLUSH,
	LDIR_CMD_EVENT,
	LDIR_CMD_BIND_NEW,
	LDIR_CMD_BIND_DEL,
	LDIR_CMD_BIND_GET,
	LDIR_CMD_FPA_GET,
	LDIR_CMD_FPA_FLUSH,
	LDIR_CMD_FASTPATH_NEW,
	LDIR_CMD_FASTPATH_DEL,
	LDIR_CMD_FASTPATH_GET,
	LDIR_CMD_CONN_NEW,
	LDIR_CMD_CONN_DEL,
	LDIR_CMD_SYNC,

	__LDIR_CMD_MAX,
	LDIR_CMD_MAX = __LDIR_CMD_MAX - 1
};

enum ldir_attrs {
	LDIR_A_UNSPEC,
	LDIR_A_VIRTUAL,			/* nest: enum ldir_virtual_attrs */
	LDIR_A_REAL,			/* nest: enum ldir_real_attrs */
	LDIR_A_LINK,			/* nest: enum ldir_link_attrs */
	LDIR_A_CONN,			/* nest: enum ldir_conn_attrs */
	LDIR_A_STATS,			/* nest: enum ldir_stats_attrs */
	LDIR_A_CONFIG,			/* nest: enum ldir_config_attrs */
	LDIR_A_FLUSH,			/* flag: also drop live conns */
	LDIR_A_FLUSH_CONNS_ONLY,	/* flag: LDIR_CMD_FLUSH drops conns only */
	LDIR_A_EVENT,			/* nest: enum ldir_event_attrs */
	LDIR_A_BIND,			/* nest: enum ldir_bind_attrs */
	LDIR_A_FPA,			/* nest: enum ldir_fpa_attrs */
	LDIR_A_FASTPATH,		/* nest: enum ldir_fastpath_attrs */
	LDIR_A_SYNC,			/* nest: enum ldir_sync_attrs */
	LDIR_A_SYNCABLE,		/* flag: CONN_GET dumps only the conns a
					 * peer would take
					 */

	__LDIR_A_MAX,
	LDIR_A_MAX = __LDIR_A_MAX - 1
};

/* Object state (virtual and real). */
enum ldir_state {
	LDIR_STATE_UNSPEC,
	LDIR_STATE_IN,		/* in service */
	LDIR_STATE_OUT,		/* out of service by hand */
	LDIR_STATE_FAILED,	/* failed (read only) */

	__LDIR_STATE_MAX,
	LDIR_STATE_MAX = __LDIR_STATE_MAX - 1
};

enum ldir_virtual_attrs {
	LDIR_VIRTUAL_A_UNSPEC,
	LDIR_VIRTUAL_A_FAMILY,		/* u16 */
	LDIR_VIRTUAL_A_ADDR,		/* binary, 16 bytes */
	LDIR_VIRTUAL_A_PORT,		/* be16, 0 = every port */
	LDIR_VIRTUAL_A_PROTOCOL,	/* u8, IPPROTO_TCP or IPPROTO_UDP */
	LDIR_VIRTUAL_A_BIND_ID,		/* u32, 0 = general instance */
	LDIR_VIRTUAL_A_SCHED,		/* string, < LDIR_SCHED_NAME_MAX */
	LDIR_VIRTUAL_A_STATE,		/* u8, enum ldir_state */
	LDIR_VIRTUAL_A_NLINKS,		/* u32, read only */
	LDIR_VIRTUAL_A_CONNS,		/* u32, read only: live conns */
	LDIR_VIRTUAL_A_STATS,		/* nest: enum ldir_stats_attrs */
	LDIR_VIRTUAL_A_PAD,
	LDIR_VIRTUAL_A_STARTUP,		/* u8, enum ldir_startup */
	LDIR_VIRTUAL_A_STARTUP_PCT,	/* u8, P: 1..100 (default 50) */
	LDIR_VIRTUAL_A_STARTUP_WINDOW,	/* u16, W: 1..LDIR_STARTUP_WINDOW_MAX
					 * (default 20)
					 */
	LDIR_VIRTUAL_A_BACKUP,		/* nest: virtual key; empty = none */
	LDIR_VIRTUAL_A_FAILED,		/* flag, read only */
	LDIR_VIRTUAL_A_FLAGS,		/* u32, enum ldir_virtual_flags */
	LDIR_VIRTUAL_A_FPA_INTERVAL,	/* u32 s, 0 = no FPA; <= LDIR_TIMEOUT_MAX */
	LDIR_VIRTUAL_A_FPA_MASK,	/* u8, client prefix length, 0..32
					 * (IPv6: 0..128)
					 */
	LDIR_VIRTUAL_A_OVERFLOW,	/* u8 0/1: overflow to Bind ID 0 */
	LDIR_VIRTUAL_A_NBINDS,		/* u32, read only: binds to it */

	__LDIR_VIRTUAL_A_MAX,
	LDIR_VIRTUAL_A_MAX = __LDIR_VIRTUAL_A_MAX - 1
};

/* LDIR_VIRTUAL_A_FLAGS; unknown flags are refused. */
enum ldir_virtual_flags {
	LDIR_VIRTUAL_F_STATELESS = 1 << 0,	/* no conns, see above */

	LDIR_VIRTUAL_F_ALL = LDIR_VIRTUAL_F_STATELESS
};

enum ldir_real_attrs {
	LDIR_REAL_A_UNSPEC,
	LDIR_REAL_A_FAMILY,		/* u16 */
	LDIR_REAL_A_ADDR,		/* binary, 16 bytes */
	LDIR_REAL_A_PORT,		/* be16, 0 = all ports */
	LDIR_REAL_A_WEIGHT,		/* u32, 0..65535; 0 quiesces */
	LDIR_REAL_A_MAX_CONNS,		/* u32, 0 = unlimited */
	LDIR_REAL_A_STATE,		/* u8, enum ldir_state */
	LDIR_REAL_A_ACTIVE,		/* u32, read only: NC */
	LDIR_REAL_A_CONNS,		/* u32, read only: live conns */
	LDIR_REAL_A_NLINKS,		/* u32, read only */
	LDIR_REAL_A_STATS,		/* nest: enum ldir_stats_attrs */
	LDIR_REAL_A_PAD,
	LDIR_REAL_A_SYN_THRESHOLD,	/* u32, 1..65535 (default 5) */
	LDIR_REAL_A_FAIL_THRESHOLD,	/* u32, 0..65535 (default 3; 0 = the
					 * real is never failed)
					 */
	LDIR_REAL_A_IDLE_TIMEOUT,	/* u32 s, 0 = the global timeouts */
	LDIR_REAL_A_BACKUP,		/* nest: real key; empty = none */
	LDIR_REAL_A_UNANSWERED,		/* u32, read only: SYNs unanswered */
	LDIR_REAL_A_DITCHED,		/* u32, read only: ditched conns */
	LDIR_REAL_A_DITCH_CONSEC,	/* u32, read only: in a row */
	LDIR_REAL_A_RESPONSE_US,	/* u32, read only: R, us per conn */
	LDIR_REAL_A_AGE_MS,		/* u32, read only: since R was set */
	LDIR_REAL_A_PR,			/* s64, read only: PR in us */
	LDIR_REAL_A_RETRY_MS,		/* u32, read only: until the next
					 * probe of a failed real
					 */

	__LDIR_REAL_A_MAX,
	LDIR_REAL_A_MAX = __LDIR_REAL_A_MAX - 1
};

#define LDIR_WEIGHT_MAX		65535

enum ldir_link_attrs {
	LDIR_LINK_A_UNSPEC,
	LDIR_LINK_A_VIRTUAL,		/* nest: virtual key */
	LDIR_LINK_A_REAL,		/* nest: real key */
	LDIR_LINK_A_PORT,		/* be16: the real's port, 0 = see above */
	LDIR_LINK_A_ACTIVE,		/* u32, read only */
	LDIR_LINK_A_CONNS,		/* u32, read only */
	LDIR_LINK_A_STATS,		/* nest: enum ldir_stats_attrs */
	LDIR_LINK_A_PAD,

	__LDIR_LINK_A_MAX,
	LDIR_LINK_A_MAX = __LDIR_LINK_A_MAX - 1
};

/* Connection state: TCP as the director sees both directions; UDP. A
 * client SYN on a conn in TIME_WAIT or CLOSE (the client reused its port)
 * ends that conn and opens a new one, scheduled and counted like any other.
 */
enum ldir_conn_state {
	LDIR_CONN_S_NONE,
	LDIR_CONN_S_SYN_SENT,		/* client SYN forwarded */
	LDIR_CONN_S_SYN_RECV,		/* real's SYN-ACK seen */
	LDIR_CONN_S_ESTABLISHED,
	LDIR_CONN_S_FIN_WAIT,		/* one side sent FIN */
	LDIR_CONN_S_TIME_WAIT,		/* both sides sent FIN */
	LDIR_CONN_S_CLOSE,		/* RST seen */
	LDIR_CONN_S_UDP,

	__LDIR_CONN_S_MAX,
	LDIR_CONN_S_MAX = __LDIR_CONN_S_MAX - 1
};

enum ldir_conn_attrs {
	LDIR_CONN_A_UNSPEC,
	LDIR_CONN_A_PROTOCOL,		/* u8 */
	LDIR_CONN_A_FAMILY,		/* u16 */
	LDIR_CONN_A_CLIENT_ADDR,	/* binary, 16 bytes */
	LDIR_CONN_A_CLIENT_PORT,	/* be16 */
	LDIR_CONN_A_VIRTUAL_ADDR,	/* binary, 16 bytes */
	LDIR_CONN_A_VIRTUAL_PORT,	/* be16 */
	LDIR_CONN_A_REAL_ADDR,		/* binary, 16 bytes */
	LDIR_CONN_A_REAL_PORT,		/* be16 */
	LDIR_CONN_A_STATE,		/* u8, enum ldir_conn_state */
	LDIR_CONN_A_EXPIRES_MS,		/* u32: lifetime left */
	LDIR_CONN_A_FASTPATH,		/* flag: its packets took the fast path */
	LDIR_CONN_A_VIRTUAL,		/* nest: virtual key: whose link carries
					 * the conn (a backup virtual's if it
					 * took it), Bind ID included
					 */
	LDIR_CONN_A_REAL,		/* nest: real key: the linked real */
	LDIR_CONN_A_DIGEST,		/* u64: the virtual's configuration
					 * digest (see Conn sync)
					 */
	LDIR_CONN_A_PAD,
	LDIR_CONN_A_REMOVED,		/* flag: sync record of a conn gone */

	__LDIR_CONN_A_MAX,
	LDIR_CONN_A_MAX = __LDIR_CONN_A_MAX - 1
};

/* All u64. Global, per virtual (its links', deleted links included: a
 * virtual's totals never go backwards), per real (every conn to it, also
 * as another real's backup) and per link. Every packet ldir drops is
 * counted in one of the DROP_ counters (global only).
 */
enum ldir_stats_attrs {
	LDIR_STATS_A_UNSPEC,
	LDIR_STATS_A_CONNS,		/* conns created */
	LDIR_STATS_A_PKTS_IN,		/* client -> real, DNATed */
	LDIR_STATS_A_PKTS_OUT,		/* real -> client, SNATed */
	LDIR_STATS_A_BYTES_IN,
	LDIR_STATS_A_BYTES_OUT,
	LDIR_STATS_A_DROP_NO_CONN,	/* non-SYN TCP without a conn */
	LDIR_STATS_A_DROP_NO_REAL,	/* no usable real for a new conn */
	LDIR_STATS_A_DROP_CONN_LIMIT,	/* conn table full */
	LDIR_STATS_A_DROP_INVALID,	/* malformed packet to a VIP */
	LDIR_STATS_A_DROP_NOMEM,
	LDIR_STATS_A_ICMP_IN,		/* ICMP errors translated inbound */
	LDIR_STATS_A_ICMP_OUT,		/* ICMP errors translated outbound */
	LDIR_STATS_A_CONNS_EXPIRED,
	LDIR_STATS_A_PAD,
	LDIR_STATS_A_DITCHED,		/* conns ditched: SYN unanswered */
	LDIR_STATS_A_PROBES,		/* conns sent to a failed real */
	LDIR_STATS_A_BACKUP,		/* conns sent to a backup */
	LDIR_STATS_A_DROP_REPLY_CLASH,	/* a new conn's reply tuple is taken */
	LDIR_STATS_A_DROP_REMOVED,	/* its link or real was just removed */
	LDIR_STATS_A_DROP_ICMP_CSUM,	/* ICMP error about a conn, bad checksum */
	LDIR_STATS_A_RST_IGNORED,	/* TCP RSTs not at the sequence number
					 * expected: forwarded, the conn kept
					 */
	LDIR_STATS_A_DROP_REPLY_NO_CONN,/* from a real's service port, no conn */
	LDIR_STATS_A_EMBRYONIC_EVICTED,	/* embryonic conns evicted for a new one */
	LDIR_STATS_A_DROP_SYN_PRESSURE,	/* SYN: embryonic bound full, none to evict */
	LDIR_STATS_A_PRESSURE_STARTS,	/* times SYN pressure started */
	LDIR_STATS_A_ADOPTED,		/* TCP flows adopted without a SYN */
	LDIR_STATS_A_REPLY_ADOPTED,	/* replies translated without a conn */
	LDIR_STATS_A_FASTPATH,		/* packets sent by the fast path */
	LDIR_STATS_A_FASTPATH_SLOW,	/* packets of fast-path conns on a
					 * fast-path device sent the slow way:
					 * no route learned yet, route or
					 * neighbour changed, too big; and
					 * their SYN, FIN or RST, on any device
					 */
	LDIR_STATS_A_SYNC_SENT,		/* sync records multicast */
	LDIR_STATS_A_SYNC_RECEIVED,	/* CONN_NEW and CONN_DEL accepted */
	LDIR_STATS_A_SYNC_REJECTED,	/* CONN_NEW and CONN_DEL refused */
	LDIR_STATS_A_SYNC_QUEUE_DROP,	/* sync records dropped: queue full */

	__LDIR_STATS_A_MAX,
	LDIR_STATS_A_MAX = __LDIR_STATS_A_MAX - 1
};

enum ldir_config_attrs {
	LDIR_CONFIG_A_UNSPEC,
	LDIR_CONFIG_A_CONN_MAX,		/* u32, conn table bound, >= 1 */
	LDIR_CONFIG_A_CONN_COUNT,	/* u32, read only */
	LDIR_CONFIG_A_TIMEOUT_SYN,	/* u32 s: SYN_SENT, SYN_RECV */
	LDIR_CONFIG_A_TIMEOUT_EST,	/* u32 s: ESTABLISHED */
	LDIR_CONFIG_A_TIMEOUT_FIN,	/* u32 s: FIN_WAIT */
	LDIR_CONFIG_A_TIMEOUT_TIME_WAIT,/* u32 s: TIME_WAIT */
	LDIR_CONFIG_A_TIMEOUT_CLOSE,	/* u32 s: CLOSE */
	LDIR_CONFIG_A_TIMEOUT_UDP,	/* u32 s: UDP */
	LDIR_CONFIG_A_SYN_RESENDS,	/* u32, K: 1..255 (default 2) */
	LDIR_CONFIG_A_RETRY_INTERVAL,	/* u32 s: 1..LDIR_TIMEOUT_MAX (30) */
	LDIR_CONFIG_A_PR_AGE_DIV,	/* u32, k: 1..1000000 (default 4) */
	LDIR_CONFIG_A_PR_CLAMP_PCT,	/* u32, 1..100 (default 25) */
	LDIR_CONFIG_A_FPA_MAX,		/* u32, FPAs kept (module's fpa_max) */
	LDIR_CONFIG_A_VIRTUAL_MAX,	/* u32, virtuals (4096) */
	LDIR_CONFIG_A_REAL_MAX,		/* u32, reals (65536) */
	LDIR_CONFIG_A_LINK_MAX,		/* u32, links (65536) */
	LDIR_CONFIG_A_BIND_MAX,		/* u32, binds (65536) */
	LDIR_CONFIG_A_SYN_RESEND_GAP_MS,/* u32 ms, 0..60000 (default 500) */
	LDIR_CONFIG_A_EMBRYONIC_MAX,	/* u32, embryonic conns; 0 (default):
					 * half of CONN_MAX
					 */
	LDIR_CONFIG_A_EMBRYONIC_COUNT,	/* u32, read only */
	/* u32 s, 1..3600: embryonic conns under SYN pressure (default 3) */
	LDIR_CONFIG_A_TIMEOUT_SYN_PRESSURE,
	LDIR_CONFIG_A_PRESSURE,		/* u32 0/1, read only: under SYN pressure */

	__LDIR_CONFIG_A_MAX,
	LDIR_CONFIG_A_MAX = __LDIR_CONFIG_A_MAX - 1
};

#define LDIR_TIMEOUT_MAX	(7 * 24 * 3600)

/* Startup scheme of a virtual. */
enum ldir_startup {
	LDIR_STARTUP_NONE,
	LDIR_STARTUP_RR,

	__LDIR_STARTUP_MAX,
	LDIR_STARTUP_MAX = __LDIR_STARTUP_MAX - 1
};

#define LDIR_STARTUP_WINDOW_MAX	256

/* LDIR_CMD_EVENT, multicast on LDIR_GENL_MCGRP_EVENTS. */
enum ldir_event_type {
	LDIR_EVENT_UNSPEC,
	LDIR_EVENT_REAL_FAILED,		/* passive detection failed it */
	LDIR_EVENT_REAL_RECOVERED,	/* a probe succeeded: in service */
	LDIR_EVENT_REAL_STATE,		/* set in or out by hand */
	LDIR_EVENT_VIRTUAL_FAILED,	/* every real failed, no backup */
	LDIR_EVENT_VIRTUAL_RECOVERED,
	LDIR_EVENT_PRESSURE_START,	/* SYN pressure: see CONFIG_SET */
	LDIR_EVENT_PRESSURE_END,

	__LDIR_EVENT_MAX,
	LDIR_EVENT_MAX = __LDIR_EVENT_MAX - 1
};

enum ldir_event_attrs {
	LDIR_EVENT_A_UNSPEC,
	LDIR_EVENT_A_TYPE,		/* u8, enum ldir_event_type */
	LDIR_EVENT_A_REAL,		/* nest: real key + STATE, DITCHED */
	LDIR_EVENT_A_VIRTUAL,		/* nest: virtual key */
	LDIR_EVENT_A_CONN_COUNT,	/* u32, PRESSURE_*: conns then */
	LDIR_EVENT_A_EMBRYONIC,		/* u32, PRESSURE_*: embryonic conns then */

	__LDIR_EVENT_A_MAX,
	LDIR_EVENT_A_MAX = __LDIR_EVENT_A_MAX - 1
};

enum ldir_bind_attrs {
	LDIR_BIND_A_UNSPEC,
	LDIR_BIND_A_VIRTUAL,		/* nest: virtual key, BIND_ID != 0 */
	LDIR_BIND_A_FAMILY,		/* u16, the virtual's */
	LDIR_BIND_A_ADDR,		/* binary, 16 bytes: client prefix */
	LDIR_BIND_A_PREFIX_LEN,		/* u8 */

	__LDIR_BIND_A_MAX,
	LDIR_BIND_A_MAX = __LDIR_BIND_A_MAX - 1
};

enum ldir_fpa_attrs {
	LDIR_FPA_A_UNSPEC,
	LDIR_FPA_A_VIRTUAL,		/* nest: virtual key */
	LDIR_FPA_A_FAMILY,		/* u16 */
	LDIR_FPA_A_CLIENT_ADDR,		/* binary, 16 bytes, masked */
	LDIR_FPA_A_PREFIX_LEN,		/* u8: the virtual's FPA_MASK */
	LDIR_FPA_A_REAL,		/* nest: real key */
	LDIR_FPA_A_AGE_MS,		/* u32: since the last assignment */

	__LDIR_FPA_A_MAX,
	LDIR_FPA_A_MAX = __LDIR_FPA_A_MAX - 1
};

enum ldir_fastpath_attrs {
	LDIR_FASTPATH_A_UNSPEC,
	LDIR_FASTPATH_A_IFNAME,		/* string, < IFNAMSIZ (16) */
	LDIR_FASTPATH_A_IFINDEX,	/* u32, read only */

	__LDIR_FASTPATH_A_MAX,
	LDIR_FASTPATH_A_MAX = __LDIR_FASTPATH_A_MAX - 1
};

/* LDIR_CMD_SYNC, multicast on LDIR_GENL_MCGRP_SYNC (see Conn sync). */
enum ldir_sync_attrs {
	LDIR_SYNC_A_UNSPEC,
	LDIR_SYNC_A_SEQ,		/* u32: +1 per message, per netns */
	LDIR_SYNC_A_LOST,		/* u64: records dropped so far */
	LDIR_SYNC_A_PAD,
	LDIR_SYNC_A_CONN,		/* nest: enum ldir_conn_attrs; one per
					 * record, repeated
					 */

	__LDIR_SYNC_A_MAX,
	LDIR_SYNC_A_MAX = __LDIR_SYNC_A_MAX - 1
};

#endif /* _UAPI_LINUX_LDIR_H */
