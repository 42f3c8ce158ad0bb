/*
 * The device's TLS server engine: Mbed TLS sessions over byte buffers (tls-engine.c). JavaScript,
 * not TypeScript: XS's syntax for native classes. Types: hosts/moddable/types/iobox-tls.d.ts.
 */

export class TLSServer @ "xs_tlsserver_destructor" {
	constructor(certificateChain, privateKey) @ "xs_tlsserver";
	close() @ "xs_tlsserver_close";
}

export class TLSSession @ "xs_tlssession_destructor" {
	constructor(server) @ "xs_tlssession";
	put(bytes) @ "xs_tlssession_put";
	step(into) @ "xs_tlssession_step";
	write(bytes) @ "xs_tlssession_write";
	take() @ "xs_tlssession_take";
	get pending() @ "xs_tlssession_get_pending";
	get established() @ "xs_tlssession_get_established";
	get protocol() @ "xs_tlssession_get_protocol";
	closeNotify() @ "xs_tlssession_close_notify";
	close() @ "xs_tlssession_close";
}

export function statistics() @ "xs_tls_statistics";
export function limit(bytes) @ "xs_tls_limit";
export function resetPeak() @ "xs_tls_reset_peak";
export function generateP256() @ "xs_p256_generate";
export function signP256(privateKey, message) @ "xs_p256_sign";
export function verifyP256(publicKey, message, signature) @ "xs_p256_verify";
