/*
 * Mbed TLS 4.0's TLS settings for the device's TLS server on lin (hosts/build/mbedtls.ts): the
 * library's defaults, less what a server that authenticates itself with an ECDSA P-256 certificate
 * does not use. Included after include/mbedtls/mbedtls_config.h (MBEDTLS_USER_CONFIG_FILE). On the
 * ESP32 the library is ESP-IDF's, set by sdkconfig (hosts/build/sdkconfig.ts).
 */

/* not a client, not DTLS, no sockets or timers of its own (the device host owns the sockets) */
#undef MBEDTLS_SSL_CLI_C
#undef MBEDTLS_NET_C
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_SSL_PROTO_DTLS
#undef MBEDTLS_SSL_DTLS_ANTI_REPLAY
#undef MBEDTLS_SSL_DTLS_CLIENT_PORT_REUSE
#undef MBEDTLS_SSL_DTLS_CONNECTION_ID
#undef MBEDTLS_SSL_DTLS_HELLO_VERIFY
#undef MBEDTLS_SSL_COOKIE_C

/* ECDHE with an ECDSA certificate only: no RSA key exchange, no pre-shared keys */
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#undef MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_ENABLED
#undef MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED

/* no renegotiation; no resumption (tickets, a session cache): each session is a full handshake,
   and nothing outlives its connection */
#undef MBEDTLS_SSL_RENEGOTIATION
#undef MBEDTLS_SSL_SESSION_TICKETS
#undef MBEDTLS_SSL_TICKET_C
#undef MBEDTLS_SSL_CACHE_C
#undef MBEDTLS_SSL_CONTEXT_SERIALIZATION
#undef MBEDTLS_SSL_KEYING_MATERIAL_EXPORT
#undef MBEDTLS_SSL_ENCRYPT_THEN_MAC /* CBC suites only, and there are none */

/* certificates: its own to parse and to write (a self-signed one at first boot); no CRLs, CSRs,
   PKCS#7 or RSA-PSS */
#undef MBEDTLS_PKCS7_C
#undef MBEDTLS_X509_CRL_PARSE_C
#undef MBEDTLS_X509_CSR_PARSE_C
#undef MBEDTLS_X509_CSR_WRITE_C
#undef MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* no debug output or feature strings in the image */
#undef MBEDTLS_DEBUG_C
#undef MBEDTLS_VERSION_FEATURES

/* records: 16 KB in (a client may send full records unless it negotiates smaller ones; smaller
   input buffers broke curl in the probe, ../shared/mbedtls/NOTES.md), 4 KB out (ESP-IDF's usual) */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096
