// OpenSSL 3 function-like macros, wrapped so Swift can call them. Every symbol is prefixed `curfew_ssl_`.
// Each wrapper is a one-line forwarder; they can go once OpenSSL exposes real functions for them.
#ifndef CCURFEW_SSL_H
#define CCURFEW_SSL_H
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/evp.h>

long curfew_ssl_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
long curfew_ssl_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
long curfew_ssl_CTX_set_mode(SSL_CTX *ctx, long mode);
long curfew_ssl_set_mode(SSL *ssl, long mode);
long curfew_ssl_CTX_set_read_ahead(SSL_CTX *ctx, long yes);
long curfew_ssl_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);
long curfew_ssl_CTX_set1_groups_list(SSL_CTX *ctx, const char *list);
long curfew_ssl_CTX_add_extra_chain_cert(SSL_CTX *ctx, X509 *x509);
long curfew_ssl_set_tlsext_host_name(SSL *ssl, const char *name);
long curfew_ssl_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, int (*cb)(SSL *, int *, void *));
long curfew_ssl_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg);
void curfew_ssl_OPENSSL_free(void *p);

// SSL_OP_* are built with casts (SSL_OP_BIT), which Swift cannot import; `static const` copies import fine.
static const uint64_t CURFEW_SSL_OP_ALL = SSL_OP_ALL;
static const uint64_t CURFEW_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t CURFEW_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t CURFEW_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t CURFEW_SSL_OP_IGNORE_UNEXPECTED_EOF = SSL_OP_IGNORE_UNEXPECTED_EOF;
static const uint64_t CURFEW_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
static const uint64_t CURFEW_SSL_OP_NO_SSLv3 = SSL_OP_NO_SSLv3;
static const uint64_t CURFEW_SSL_OP_NO_TLSv1 = SSL_OP_NO_TLSv1;
static const uint64_t CURFEW_SSL_OP_NO_TLSv1_1 = SSL_OP_NO_TLSv1_1;
// XN_FLAG_RFC2253 is an OR of casts ((unsigned long)...), which Swift cannot import either.
static const unsigned long CURFEW_XN_FLAG_RFC2253 = XN_FLAG_RFC2253;
// EVP_PKEY_PUBLIC_KEY is an OR of nested macros the importer gives up on.
static const int CURFEW_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
#endif
