/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), self-contained: the
 * datagrams between ldsyncd peers are authenticated with them.
 */
#ifndef LDSYNCD_SHA256_H
#define LDSYNCD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK	64
#define SHA256_LEN	32

struct sha256 {
	uint32_t h[8];
	uint64_t len;			/* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK];
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* A key prepared once: the inner and outer padded states. */
struct hmac_key {
	struct sha256 inner, outer;
};

void hmac_sha256_key(struct hmac_key *k, const void *key, size_t len);
void hmac_sha256(const struct hmac_key *k, const void *data, size_t len,
		 uint8_t out[SHA256_LEN]);
/* Compares n bytes in time independent of where they differ; 0 if equal. */
int ct_memcmp(const void *a, const void *b, size_t n);

#endif /* LDSYNCD_SHA256_H */
