#ifndef ATTESTD_COPENSSL_SHIM_H
#define ATTESTD_COPENSSL_SHIM_H

// Only the OpenSSL 3 EVP API is visible to Swift: deprecated low-level RSA/EC calls are hidden.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>

// Function-like macros Swift cannot import, re-exposed as inline functions named COpenSSL_<original>.
static inline void COpenSSL_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
static inline int COpenSSL_EVP_PKEY_size(const EVP_PKEY *key) { return EVP_PKEY_get_size(key); }
static inline int COpenSSL_EVP_PKEY_bits(const EVP_PKEY *key) { return EVP_PKEY_get_bits(key); }
static inline int COpenSSL_EVP_PKEY_id(const EVP_PKEY *key) { return EVP_PKEY_get_id(key); }
static inline int COpenSSL_EVP_MD_size(const EVP_MD *md) { return EVP_MD_get_size(md); }
static inline int COpenSSL_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int padding) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, padding);
}
static inline int COpenSSL_EVP_PKEY_CTX_set_rsa_pss_saltlen(EVP_PKEY_CTX *ctx, int saltlen) {
    return EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, saltlen);
}
static inline int COpenSSL_EVP_PKEY_CTX_set_rsa_mgf1_md(EVP_PKEY_CTX *ctx, const EVP_MD *md) {
    return EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md);
}
static inline int COpenSSL_EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *ctx, const EVP_MD *md) {
    return EVP_PKEY_CTX_set_signature_md(ctx, md);
}
static inline int COpenSSL_BIO_get_mem_data(BIO *bio, char **data) { return (int)BIO_get_mem_data(bio, data); }

static const int COpenSSL_RSA_PKCS1_PADDING = RSA_PKCS1_PADDING;
static const int COpenSSL_RSA_PKCS1_PSS_PADDING = RSA_PKCS1_PSS_PADDING;
static const int COpenSSL_RSA_PSS_SALTLEN_DIGEST = RSA_PSS_SALTLEN_DIGEST;
static const int COpenSSL_RSA_PSS_SALTLEN_AUTO = RSA_PSS_SALTLEN_AUTO;
static const int COpenSSL_RSA_PSS_SALTLEN_MAX = RSA_PSS_SALTLEN_MAX;
static const int COpenSSL_EVP_PKEY_RSA = EVP_PKEY_RSA;
static const int COpenSSL_EVP_PKEY_EC = EVP_PKEY_EC;
static const int COpenSSL_EVP_PKEY_ED25519 = EVP_PKEY_ED25519;
static const int COpenSSL_EVP_PKEY_RSA_PSS = EVP_PKEY_RSA_PSS;

#endif
