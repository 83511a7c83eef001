#include "CCurfewSSL.h"

long curfew_ssl_CTX_set_min_proto_version(SSL_CTX *c, int v) { return SSL_CTX_set_min_proto_version(c, v); }
long curfew_ssl_CTX_set_max_proto_version(SSL_CTX *c, int v) { return SSL_CTX_set_max_proto_version(c, v); }
long curfew_ssl_CTX_set_mode(SSL_CTX *c, long m) { return SSL_CTX_set_mode(c, m); }
long curfew_ssl_set_mode(SSL *s, long m) { return SSL_set_mode(s, m); }
long curfew_ssl_CTX_set_read_ahead(SSL_CTX *c, long yes) { SSL_CTX_set_read_ahead(c, yes); return 1; }
long curfew_ssl_CTX_set_session_cache_mode(SSL_CTX *c, long m) { return SSL_CTX_set_session_cache_mode(c, m); }
long curfew_ssl_CTX_set1_groups_list(SSL_CTX *c, const char *l) { return SSL_CTX_set1_groups_list(c, l); }
long curfew_ssl_CTX_add_extra_chain_cert(SSL_CTX *c, X509 *x) { return SSL_CTX_add_extra_chain_cert(c, x); }
long curfew_ssl_set_tlsext_host_name(SSL *s, const char *n) { return SSL_set_tlsext_host_name(s, n); }
long curfew_ssl_CTX_set_tlsext_servername_callback(SSL_CTX *c, int (*cb)(SSL *, int *, void *)) {
    return SSL_CTX_set_tlsext_servername_callback(c, cb);
}
long curfew_ssl_CTX_set_tlsext_servername_arg(SSL_CTX *c, void *a) { return SSL_CTX_set_tlsext_servername_arg(c, a); }
void curfew_ssl_OPENSSL_free(void *p) { OPENSSL_free(p); }
