/*
 * The device's TLS server engine (hosts/moddable/tls/tls-engine.js; the connection over it is
 * hosts/moddable/tls.ts): Mbed TLS 4.0 server sessions over byte buffers. The JavaScript side keeps
 * the TCP socket, its back-pressure and its callbacks; this side only turns ciphertext into
 * plaintext and back, in the XS thread, never blocking (a session that needs bytes says so).
 *
 * Memory: every allocation of the library, and each session's two staging buffers, is counted
 * (tls_calloc); a session is refused when the count could pass the limit the device sets, rather than
 * failing in the middle of a handshake. Where the library's allocator is fixed at compile time (an
 * ESP-IDF build with its own calloc macros) the count is 0 and the session count is the only bound.
 */
#include "xsmc.h"
#include "xsHost.h"

#include <string.h>

#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "mbedtls/pk.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "psa/crypto.h"

/* ciphertext waiting to be read by the library, and ciphertext waiting to be sent: each at least
   one TCP read (hosts/moddable/net.ts READ_CHUNK, 1,460) */
#define IN_STAGE 2048
#define OUT_STAGE 2048
/* what a session may come to hold besides its record buffers: handshake state, keys, transcript */
#define HANDSHAKE_RESERVE 6144
#define HEADER 16 /* before each counted block: its size, keeping the block 16-byte aligned */

typedef struct {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt chain;
	mbedtls_pk_context key;
	int sessions; /* open sessions that use conf */
	uint8_t released; /* its JavaScript object is gone: the last session frees it */
} TlsServer;

typedef struct {
	mbedtls_ssl_context ssl;
	TlsServer *server;
	uint16_t inStart;
	uint16_t inCount;
	uint16_t outCount;
	uint8_t established;
	uint8_t in[IN_STAGE];
	uint8_t out[OUT_STAGE];
} TlsSession;

static size_t gBytes = 0; /* counted bytes in use */
static size_t gPeak = 0;
static size_t gLimit = 0; /* 0: no limit */
static uint32_t gAllocations = 0;
static uint8_t gReady = 0;

static void *tls_calloc(size_t count, size_t size)
{
	if (count && (size > ((size_t)-1 - HEADER) / count))
		return NULL;
	size_t bytes = count * size;
	if (gLimit && (gBytes + bytes > gLimit))
		return NULL;
	uint8_t *block = c_calloc(1, bytes + HEADER);
	if (!block)
		return NULL;
	*(size_t *)block = bytes;
	gBytes += bytes;
	if (gBytes > gPeak)
		gPeak = gBytes;
	gAllocations++;
	return block + HEADER;
}

static void tls_free(void *data)
{
	if (!data)
		return;
	uint8_t *block = (uint8_t *)data - HEADER;
	gBytes -= *(size_t *)block;
	c_free(block);
}

static void ready(xsMachine *the)
{
	if (gReady)
		return;
#if defined(MBEDTLS_PLATFORM_MEMORY) && !defined(MBEDTLS_PLATFORM_CALLOC_MACRO)
	mbedtls_platform_set_calloc_free(tls_calloc, tls_free);
#endif
	psa_status_t status = psa_crypto_init();
	if (PSA_SUCCESS != status)
		xsUnknownError("TLS: crypto init failed (%d)", (int)status);
	gReady = 1;
}

static void serverFree(TlsServer *server)
{
	mbedtls_ssl_config_free(&server->conf);
	mbedtls_x509_crt_free(&server->chain);
	mbedtls_pk_free(&server->key);
	tls_free(server);
}

void xs_tlsserver_destructor(void *data)
{
	TlsServer *server = data;
	if (!server)
		return;
	if (server->sessions)
		server->released = 1;
	else
		serverFree(server);
}

/* the certificate chain and key arrive as PEM text; Mbed TLS wants the terminating NUL counted */
static void *pemArgument(xsMachine *the, xsSlot *slot, size_t *length)
{
	const char *text = xsmcToString(*slot);
	*length = c_strlen(text) + 1;
	return (void *)text;
}

static const uint16_t GROUPS[] = { MBEDTLS_SSL_IANA_TLS_GROUP_X25519, MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, 0 };

/* new TLSServer(certificateChainPem, privateKeyPem) */
void xs_tlsserver(xsMachine *the)
{
	ready(the);
	TlsServer *server = tls_calloc(1, sizeof(TlsServer));
	if (!server)
		xsUnknownError("TLS: no memory for the server");
	mbedtls_ssl_config_init(&server->conf);
	mbedtls_x509_crt_init(&server->chain);
	mbedtls_pk_init(&server->key);
	xsmcSetHostData(xsThis, server); /* from here a throw leaves it to the destructor */

	size_t length;
	int result;
	/* copied to a buffer of our own: xsmcToString's text may move when the next call allocates */
	void *text = pemArgument(the, &xsArg(0), &length);
	uint8_t *copy = tls_calloc(1, length);
	if (!copy)
		xsUnknownError("TLS: no memory for the certificate");
	c_memcpy(copy, text, length);
	result = mbedtls_x509_crt_parse(&server->chain, copy, length);
	tls_free(copy);
	if (result)
		xsRangeError("TLS: the certificate is not a PEM certificate chain (-0x%04x)", -result);

	text = pemArgument(the, &xsArg(1), &length);
	copy = tls_calloc(1, length);
	if (!copy)
		xsUnknownError("TLS: no memory for the key");
	c_memcpy(copy, text, length);
	result = mbedtls_pk_parse_key(&server->key, copy, length, NULL, 0);
	mbedtls_platform_zeroize(copy, length);
	tls_free(copy);
	if (result)
		xsRangeError("TLS: the private key is not a PEM key (-0x%04x)", -result);
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	result = mbedtls_pk_get_psa_attributes(&server->key, PSA_KEY_USAGE_SIGN_HASH, &attributes);
	if (result || (PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1) != psa_get_key_type(&attributes)) || (256 != psa_get_key_bits(&attributes)))
		xsRangeError("TLS: the key is not an ECDSA P-256 key");
	psa_reset_key_attributes(&attributes);
	if (mbedtls_pk_check_pair(&server->chain.pk, &server->key))
		xsRangeError("TLS: the certificate is not the key's");

	result = mbedtls_ssl_config_defaults(&server->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (result)
		xsUnknownError("TLS: config (-0x%04x)", -result);
	mbedtls_ssl_conf_min_tls_version(&server->conf, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_max_tls_version(&server->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_authmode(&server->conf, MBEDTLS_SSL_VERIFY_NONE); /* clients log in over it, not with certificates */
	mbedtls_ssl_conf_groups(&server->conf, GROUPS);
	result = mbedtls_ssl_conf_own_cert(&server->conf, &server->chain, &server->key);
	if (result)
		xsRangeError("TLS: the certificate and key do not go together (-0x%04x)", -result);
}

void xs_tlsserver_close(xsMachine *the)
{
	TlsServer *server = xsmcGetHostData(xsThis);
	if (!server)
		return;
	xsmcSetHostData(xsThis, NULL);
	xs_tlsserver_destructor(server);
}

static int sendBytes(void *context, const unsigned char *bytes, size_t length)
{
	TlsSession *session = context;
	size_t room = OUT_STAGE - session->outCount;
	if (!room)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (length > room)
		length = room;
	c_memcpy(session->out + session->outCount, bytes, length);
	session->outCount += length;
	return (int)length;
}

static int receiveBytes(void *context, unsigned char *bytes, size_t length)
{
	TlsSession *session = context;
	if (!session->inCount)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (length > session->inCount)
		length = session->inCount;
	c_memcpy(bytes, session->in + session->inStart, length);
	session->inStart += length;
	session->inCount -= length;
	return (int)length;
}

static void sessionFree(TlsSession *session)
{
	TlsServer *server = session->server;
	mbedtls_ssl_free(&session->ssl);
	tls_free(session);
	if (--server->sessions == 0 && server->released)
		serverFree(server);
}

void xs_tlssession_destructor(void *data)
{
	if (data)
		sessionFree(data);
}

static TlsSession *sessionOf(xsMachine *the)
{
	TlsSession *session = xsmcGetHostData(xsThis);
	if (!session)
		xsUnknownError("TLS: the session is closed");
	return session;
}

/* new TLSSession(server): throws RangeError when the memory limit could not hold another one */
void xs_tlssession(xsMachine *the)
{
	TlsServer *server = xsmcGetHostDataValidate(xsArg(0), xs_tlsserver_destructor);
	if (!server)
		xsUnknownError("TLS: the server is closed");
	size_t reserve = sizeof(TlsSession) + MBEDTLS_SSL_IN_CONTENT_LEN + MBEDTLS_SSL_OUT_CONTENT_LEN + HANDSHAKE_RESERVE;
	if (gLimit && (gBytes + reserve > gLimit))
		xsRangeError("TLS: no memory for another session (%u of %u bytes in use)", (unsigned)gBytes, (unsigned)gLimit);
	TlsSession *session = tls_calloc(1, sizeof(TlsSession));
	if (!session)
		xsUnknownError("TLS: no memory for a session");
	mbedtls_ssl_init(&session->ssl);
	session->server = server;
	server->sessions++;
	xsmcSetHostData(xsThis, session);
	int result = mbedtls_ssl_setup(&session->ssl, &server->conf);
	if (result)
		xsUnknownError("TLS: session setup (-0x%04x)", -result);
	mbedtls_ssl_set_bio(&session->ssl, session, sendBytes, receiveBytes, NULL);
}

/* put(bytes): copies ciphertext in, as much as there is room for; returns how much */
void xs_tlssession_put(xsMachine *the)
{
	TlsSession *session = sessionOf(the);
	void *data;
	xsUnsignedValue length;
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (session->inStart) {
		c_memmove(session->in, session->in + session->inStart, session->inCount);
		session->inStart = 0;
	}
	size_t room = IN_STAGE - session->inCount;
	if (length > room)
		length = room;
	c_memcpy(session->in + session->inCount, data, length);
	session->inCount += length;
	xsmcSetInteger(xsResult, length);
}

/*
 * step(into): moves the session on with the ciphertext it has: the handshake first, then records
 * decrypted into `into`. Returns the plaintext bytes written (> 0), 0 when it needs more ciphertext
 * or room to send, or Mbed TLS's (negative) error: MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY when the peer
 * closed.
 */
void xs_tlssession_step(xsMachine *the)
{
	TlsSession *session = sessionOf(the);
	void *data;
	xsUnsignedValue length;
	xsmcGetBufferWritable(xsArg(0), &data, &length);
	int result;
	if (!session->established) {
		result = mbedtls_ssl_handshake(&session->ssl);
		if (result) {
			xsmcSetInteger(xsResult, (MBEDTLS_ERR_SSL_WANT_READ == result || MBEDTLS_ERR_SSL_WANT_WRITE == result) ? 0 : result);
			return;
		}
		session->established = 1;
	}
	result = mbedtls_ssl_read(&session->ssl, data, length);
	if (MBEDTLS_ERR_SSL_WANT_READ == result || MBEDTLS_ERR_SSL_WANT_WRITE == result)
		result = 0;
	else if (0 == result)
		result = MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY; /* the connection ended without an alert */
	xsmcSetInteger(xsResult, result);
}

/*
 * write(bytes): encrypts plaintext into a record; returns the bytes taken (> 0), or
 * MBEDTLS_ERR_SSL_WANT_WRITE when the ciphertext waiting must be taken first, or _WANT_READ when the
 * session waits for the peer (either way, call again later with the same bytes: the record may be
 * made already), or another error.
 */
void xs_tlssession_write(xsMachine *the)
{
	TlsSession *session = sessionOf(the);
	void *data;
	xsUnsignedValue length;
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	xsmcSetInteger(xsResult, mbedtls_ssl_write(&session->ssl, data, length));
}

/* take(): the ciphertext waiting to be sent, in a new ArrayBuffer, or undefined */
void xs_tlssession_take(xsMachine *the)
{
	TlsSession *session = sessionOf(the);
	if (!session->outCount)
		return;
	xsmcSetArrayBuffer(xsResult, session->out, session->outCount);
	session->outCount = 0;
}

void xs_tlssession_get_pending(xsMachine *the)
{
	TlsSession *session = xsmcGetHostData(xsThis);
	xsmcSetInteger(xsResult, session ? session->outCount + session->inCount : 0);
}

void xs_tlssession_get_established(xsMachine *the)
{
	TlsSession *session = xsmcGetHostData(xsThis);
	xsmcSetBoolean(xsResult, session && session->established);
}

/* "TLSv1.3 TLS1-3-AES-128-GCM-SHA256": what the handshake agreed */
void xs_tlssession_get_protocol(xsMachine *the)
{
	TlsSession *session = xsmcGetHostData(xsThis);
	if (!session || !session->established)
		return;
	char text[96];
	c_snprintf(text, sizeof(text), "%s %s", mbedtls_ssl_get_version(&session->ssl), mbedtls_ssl_get_ciphersuite(&session->ssl));
	xsmcSetString(xsResult, text);
}

/* closeNotify(): queues the close_notify alert (take() it and send it before closing the socket) */
void xs_tlssession_close_notify(xsMachine *the)
{
	TlsSession *session = sessionOf(the);
	int result = session->established ? mbedtls_ssl_close_notify(&session->ssl) : 0;
	xsmcSetInteger(xsResult, MBEDTLS_ERR_SSL_WANT_WRITE == result ? 0 : result);
}

/* close(): frees the session now (not at the next garbage collection) */
void xs_tlssession_close(xsMachine *the)
{
	TlsSession *session = xsmcGetHostData(xsThis);
	if (!session)
		return;
	xsmcSetHostData(xsThis, NULL);
	sessionFree(session);
}

/* statistics(): [bytes in use, peak, allocations, limit] of everything counted */
void xs_tls_statistics(xsMachine *the)
{
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 4);
	xsmcSetInteger(xsVar(0), gBytes);
	xsmcSetIndex(xsResult, 0, xsVar(0));
	xsmcSetInteger(xsVar(0), gPeak);
	xsmcSetIndex(xsResult, 1, xsVar(0));
	xsmcSetInteger(xsVar(0), gAllocations);
	xsmcSetIndex(xsResult, 2, xsVar(0));
	xsmcSetInteger(xsVar(0), gLimit);
	xsmcSetIndex(xsResult, 3, xsVar(0));
}

/* limit(bytes): the most all sessions and servers together may hold; 0 for none */
void xs_tls_limit(xsMachine *the)
{
	int limit = xsmcToInteger(xsArg(0));
	gLimit = limit > 0 ? (size_t)limit : 0;
}

/* resetPeak(): the peak starts again from what is in use (a bench measures one handshake) */
void xs_tls_reset_peak(xsMachine *the)
{
	gPeak = gBytes;
}

/* a P-256 key pair's attributes, for `usage` (and `algorithm`, 0 for none) */
static psa_key_attributes_t p256Attributes(psa_key_usage_t usage, psa_algorithm_t algorithm)
{
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	psa_set_key_type(&attributes, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
	psa_set_key_bits(&attributes, 256);
	psa_set_key_usage_flags(&attributes, usage);
	if (algorithm)
		psa_set_key_algorithm(&attributes, algorithm);
	return attributes;
}

/* generateP256(): [private scalar (32 bytes), uncompressed public point (65)], from PSA's random generator */
void xs_p256_generate(xsMachine *the)
{
	ready(the);
	psa_key_attributes_t attributes = p256Attributes(PSA_KEY_USAGE_EXPORT, 0);
	mbedtls_svc_key_id_t key;
	psa_status_t status = psa_generate_key(&attributes, &key);
	if (PSA_SUCCESS != status)
		xsUnknownError("P-256: no key (%d)", (int)status);
	uint8_t privateKey[32], publicKey[65];
	size_t length;
	status = psa_export_key(key, privateKey, sizeof(privateKey), &length);
	if (PSA_SUCCESS == status)
		status = psa_export_public_key(key, publicKey, sizeof(publicKey), &length);
	psa_destroy_key(key);
	if (PSA_SUCCESS != status) {
		mbedtls_platform_zeroize(privateKey, sizeof(privateKey));
		xsUnknownError("P-256: export (%d)", (int)status);
	}
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 2);
	xsmcSetArrayBuffer(xsVar(0), privateKey, sizeof(privateKey));
	mbedtls_platform_zeroize(privateKey, sizeof(privateKey));
	xsmcSetIndex(xsResult, 0, xsVar(0));
	xsmcSetArrayBuffer(xsVar(0), publicKey, sizeof(publicKey));
	xsmcSetIndex(xsResult, 1, xsVar(0));
}

/* signP256(privateKey, message): ECDSA P-256 with SHA-256, r‖s in a new 64-byte ArrayBuffer */
void xs_p256_sign(xsMachine *the)
{
	ready(the);
	void *privateKey, *message;
	xsUnsignedValue keyLength, messageLength;
	xsmcGetBufferReadable(xsArg(0), &privateKey, &keyLength);
	xsmcGetBufferReadable(xsArg(1), &message, &messageLength);
	psa_key_attributes_t attributes = p256Attributes(PSA_KEY_USAGE_SIGN_MESSAGE, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
	mbedtls_svc_key_id_t key;
	psa_status_t status = psa_import_key(&attributes, privateKey, keyLength, &key);
	if (PSA_SUCCESS != status)
		xsRangeError("P-256: not a private key (%d)", (int)status);
	uint8_t signature[64];
	size_t length;
	status = psa_sign_message(key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), message, messageLength, signature, sizeof(signature), &length);
	psa_destroy_key(key);
	if (PSA_SUCCESS != status)
		xsUnknownError("P-256: sign (%d)", (int)status);
	xsmcSetArrayBuffer(xsResult, signature, length);
}

/* verifyP256(publicKey, message, signature): ECDSA P-256 with SHA-256; false for a bad signature or a malformed key or signature */
void xs_p256_verify(xsMachine *the)
{
	ready(the);
	void *publicKey, *message, *signature;
	xsUnsignedValue keyLength, messageLength, signatureLength;
	xsmcGetBufferReadable(xsArg(0), &publicKey, &keyLength);
	xsmcGetBufferReadable(xsArg(1), &message, &messageLength);
	xsmcGetBufferReadable(xsArg(2), &signature, &signatureLength);
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	psa_set_key_type(&attributes, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
	psa_set_key_bits(&attributes, 256);
	psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_VERIFY_MESSAGE);
	psa_set_key_algorithm(&attributes, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
	mbedtls_svc_key_id_t key;
	/* the import checks that the point is on the curve; the verification, that 0 < r, s < n */
	int ok = (65 == keyLength) && (64 == signatureLength) && (PSA_SUCCESS == psa_import_key(&attributes, publicKey, keyLength, &key));
	if (ok) {
		ok = PSA_SUCCESS == psa_verify_message(key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), message, messageLength, signature, signatureLength);
		psa_destroy_key(key);
	}
	xsmcSetBoolean(xsResult, ok);
}
