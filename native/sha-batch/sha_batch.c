/*
 * sha_batch: hashes many short values in one call.
 *
 * Why native: for ~20-byte values the digest itself costs ~80 ns with SHA-NI, while each
 * crypto.hash() call costs ~750 ns of JS/C++ boundary, string decoding and EVP fetching. Here one
 * call receives every value's UTF-8 bytes back to back plus n+1 offsets, and writes fixed-width
 * hex or base64 digests back to back into one output buffer.
 *
 * Why the low-level SHA256_Init/Update/Final and not SHA256(): in OpenSSL 3 the one-shot SHA256()
 * and SHA1() go through EVP_Q_digest, which fetches the algorithm from the provider on every call
 * (locks and a hash-table lookup); the *_Init/Update/Final functions call the block function
 * directly. They are deprecated in OpenSSL 3 but still built and exported by Node 20.
 *
 * JS signature: hashBatch(algorithm, encoding, input, offsets, count, output) -> undefined
 *   algorithm 0 sha256, 1 sha1, 2 md5; encoding 0 hex, 1 base64;
 *   input Uint8Array; offsets Uint32Array of at least count+1 ascending offsets into input;
 *   output Uint8Array of at least count * width bytes (width: see digestWidth()).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { ALG_SHA256 = 0, ALG_SHA1 = 1, ALG_MD5 = 2, ALG_COUNT = 3 };
enum { ENC_HEX = 0, ENC_BASE64 = 1, ENC_COUNT = 2 };

static const size_t DIGEST_BYTES[ALG_COUNT] = {SHA256_DIGEST_LENGTH, SHA_DIGEST_LENGTH, MD5_DIGEST_LENGTH};

typedef void (*digest_fn)(const uint8_t *data, size_t length, uint8_t *digest);

static void digest_sha256(const uint8_t *data, size_t length, uint8_t *digest) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data, length);
  SHA256_Final(digest, &ctx);
}

static void digest_sha1(const uint8_t *data, size_t length, uint8_t *digest) {
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, data, length);
  SHA1_Final(digest, &ctx);
}

static void digest_md5(const uint8_t *data, size_t length, uint8_t *digest) {
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, data, length);
  MD5_Final(digest, &ctx);
}

static const digest_fn DIGEST_FNS[ALG_COUNT] = {digest_sha256, digest_sha1, digest_md5};

/*
 * Two lowercase hex characters per byte value, so each byte costs one 2-byte copy. A constant,
 * not a table filled at load time: worker threads load the addon concurrently.
 */
static const char HEX_PAIRS[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char BASE64_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t digest_width(int algorithm, int encoding) {
  size_t bytes = DIGEST_BYTES[algorithm];
  return encoding == ENC_HEX ? bytes * 2 : (bytes + 2) / 3 * 4;
}

static void encode_hex(const uint8_t *digest, size_t bytes, char *out) {
  for (size_t i = 0; i < bytes; i++) memcpy(out + 2 * i, HEX_PAIRS + 2 * digest[i], 2);
}

/* Padded standard base64, as Buffer#toString('base64') writes it. */
static void encode_base64(const uint8_t *digest, size_t bytes, char *out) {
  size_t i = 0;
  for (; i + 3 <= bytes; i += 3) {
    uint32_t triple = ((uint32_t)digest[i] << 16) | ((uint32_t)digest[i + 1] << 8) | digest[i + 2];
    *out++ = BASE64_CHARS[(triple >> 18) & 63];
    *out++ = BASE64_CHARS[(triple >> 12) & 63];
    *out++ = BASE64_CHARS[(triple >> 6) & 63];
    *out++ = BASE64_CHARS[triple & 63];
  }
  size_t rest = bytes - i;
  if (rest == 0) return;
  uint32_t triple = (uint32_t)digest[i] << 16;
  if (rest == 2) triple |= (uint32_t)digest[i + 1] << 8;
  *out++ = BASE64_CHARS[(triple >> 18) & 63];
  *out++ = BASE64_CHARS[(triple >> 12) & 63];
  *out++ = rest == 2 ? BASE64_CHARS[(triple >> 6) & 63] : '=';
  *out = '=';
}

static napi_value fail(napi_env env, const char *code, const char *message, int range) {
  if (range) napi_throw_range_error(env, code, message);
  else napi_throw_type_error(env, code, message);
  return NULL;
}

/* The bytes of a typed array argument; element_type must match `want`. */
static int typed_array_arg(napi_env env, napi_value value, napi_typedarray_type want, void **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return 0;
  return type == want;
}

static napi_value hash_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    return fail(env, "ERR_SHA_BATCH_ARGS", "hashBatch expects 6 arguments", 0);
  }
  int32_t algorithm, encoding;
  uint32_t count;
  if (napi_get_value_int32(env, argv[0], &algorithm) != napi_ok || algorithm < 0 || algorithm >= ALG_COUNT ||
      napi_get_value_int32(env, argv[1], &encoding) != napi_ok || encoding < 0 || encoding >= ENC_COUNT ||
      napi_get_value_uint32(env, argv[4], &count) != napi_ok) {
    return fail(env, "ERR_SHA_BATCH_ARGS", "bad algorithm, encoding or count", 0);
  }
  void *input, *offsets_data, *output;
  size_t input_length, offsets_length, output_length;
  if (!typed_array_arg(env, argv[2], napi_uint8_array, &input, &input_length) ||
      !typed_array_arg(env, argv[3], napi_uint32_array, &offsets_data, &offsets_length) ||
      !typed_array_arg(env, argv[5], napi_uint8_array, &output, &output_length)) {
    return fail(env, "ERR_SHA_BATCH_ARGS", "input/output must be Uint8Array and offsets Uint32Array", 0);
  }
  const uint32_t *offsets = (const uint32_t *)offsets_data;
  size_t width = digest_width(algorithm, encoding);
  if (offsets_length < (size_t)count + 1 || output_length / width < count) {
    return fail(env, "ERR_SHA_BATCH_RANGE", "offsets or output too short for count", 1);
  }
  /* Checked before hashing so that a bad call writes nothing. */
  for (uint32_t i = 0; i < count; i++) {
    if (offsets[i] > offsets[i + 1]) return fail(env, "ERR_SHA_BATCH_RANGE", "offsets must ascend", 1);
  }
  if (count > 0 && offsets[count] > input_length) {
    return fail(env, "ERR_SHA_BATCH_RANGE", "offsets exceed input", 1);
  }

  const digest_fn digest = DIGEST_FNS[algorithm];
  const size_t bytes = DIGEST_BYTES[algorithm];
  const uint8_t *in = (const uint8_t *)input;
  char *out = (char *)output;
  uint8_t md[SHA256_DIGEST_LENGTH];
  for (uint32_t i = 0; i < count; i++, out += width) {
    digest(in + offsets[i], offsets[i + 1] - offsets[i], md);
    if (encoding == ENC_HEX) encode_hex(md, bytes, out);
    else encode_base64(md, bytes, out);
  }
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "hashBatch", NAPI_AUTO_LENGTH, hash_batch, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "hashBatch", fn) != napi_ok) return NULL;
  return exports;
}
