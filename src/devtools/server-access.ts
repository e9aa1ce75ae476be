// Who may reach the devtools server. On loopback: only requests naming a loopback Host (a page of
// another site whose name was re-pointed at 127.0.0.1, DNS rebinding, names its own), and WebSocket
// upgrades only from pages of the server's own origin. With a token: every request carries it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether binding to `host` keeps the server on this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The host name of a Host header or an origin's authority (no port), lower-cased. */
function hostNameOf(authority: string): string {
  const bracketed = /^(\[[^\]]*\])(:\d+)?$/.exec(authority);
  if (bracketed?.[1]) return bracketed[1].toLowerCase();
  return authority.replace(/:\d+$/, '').toLowerCase();
}

export type Refusal = { status: 401 | 403; reason: string };

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The token a request carries: `?token=` or `Authorization: Bearer <token>`. */
function tokenOf(request: IncomingMessage): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (bearer?.[1]) return bearer[1];
  return new URL(request.url ?? '/', 'http://devtools.invalid').searchParams.get('token');
}

export interface AccessRules {
  /** Bound to loopback: check Host (and Origin) names against DNS rebinding. */
  loopback: boolean;
  token: string | undefined;
}

/** Why `request` may not be served, or null when it may. `upgrade`: a WebSocket handshake (Origin checked). */
export function refusalOf(request: IncomingMessage, rules: AccessRules, upgrade: boolean): Refusal | null {
  const host = request.headers.host ?? '';
  if (rules.loopback && !LOOPBACK_NAMES.has(hostNameOf(host))) return { status: 403, reason: `Host ${host || '(none)'} is not a loopback name` };
  // Browsers send Origin on every WebSocket handshake; a page of another origin may not drive the server.
  const origin = request.headers.origin;
  if (upgrade && origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return { status: 403, reason: `Origin ${origin} is not a URL` };
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) return { status: 403, reason: `Origin ${origin} is not this server's` };
  }
  if (rules.token !== undefined) {
    const given = tokenOf(request);
    // Compared as digests: equal lengths for timingSafeEqual, and no early exit telling how much matched.
    if (given === null || !timingSafeEqual(digest(given), digest(rules.token))) return { status: 401, reason: 'a valid token is required' };
  }
  return null;
}
