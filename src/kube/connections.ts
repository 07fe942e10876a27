// Kept-alive connections to the API server. @kubernetes/client-node 1.x gives every
// request of its generated clients a new https.Agent, so every call opened a new TLS
// connection and parsed the key and certificates again: in a drain of 1,000 tasks that
// was 65 % of the operator's CPU (bench/results, the depth section's profile), and the
// API server paid a handshake per write too. One kept-alive agent per set of TLS options
// lets calls reuse connections while they are busy. Watches keep their own connections
// (they are long-lived anyway) and are not touched.
import { Agent, type AgentOptions } from 'node:https';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as k8s from '@kubernetes/client-node';

/**
 * A request whose connection went silent (a half-open socket behind a NAT or load
 * balancer: no error, no data) must fail, not hang its caller: after this long with no
 * data the socket is closed, and the controllers treat the error as an unknown outcome
 * and try again on a new connection.
 */
export const SILENT_SOCKET_MS = 30_000;

/**
 * How long an idle connection waits in the pool to be reused. Short: a connection that
 * died silently while idle cannot be told from a live one, and a request sent on it
 * would wait out SILENT_SOCKET_MS. A busy operator reuses its connections within
 * milliseconds; an idle one pays a new handshake, as before.
 */
export const IDLE_SOCKET_MS = 2_000;

class KeptAliveAgent extends Agent {
  override createConnection(...args: Parameters<Agent['createConnection']>): ReturnType<Agent['createConnection']> {
    const socket = super.createConnection(...args) as Socket;
    // Node closes an idle pooled socket on 'timeout' itself; a socket in use only gets
    // the event, which nothing else acts on.
    socket.on('timeout', () => socket.destroy(new Error(`no data from the API server for ${socket.timeout ?? 0} ms`)));
    return socket;
  }

  /**
   * Into the pool: idle for at most IDLE_SOCKET_MS. Node uses the answer (false: close
   * the socket) though its types say void, so it is passed on as it came.
   */
  override keepSocketAlive(socket: Duplex): void {
    const keep = super.keepSocketAlive(socket);
    (socket as Socket).setTimeout(IDLE_SOCKET_MS);
    return keep;
  }

  /** Out of the pool for a request: silent for at most SILENT_SOCKET_MS. */
  override reuseSocket(socket: Duplex, request: ClientRequest): void {
    super.reuseSocket(socket, request);
    (socket as Socket).setTimeout(SILENT_SOCKET_MS);
  }
}

/** What makes two agents interchangeable: the TLS identity and trust they were built with. */
function tlsKey(o: AgentOptions): string {
  return JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
}

export class PooledKubeConfig extends k8s.KubeConfig {
  private pooled?: { key: string; agent: Agent };
  /** Sent with every call, watches included (kube/identity.ts); unset: node-fetch's. */
  userAgent?: string;

  /** Watches build their requests here, not through the generated clients' path below. */
  override async applyToFetchOptions(opts: Parameters<k8s.KubeConfig['applyToFetchOptions']>[0]): ReturnType<k8s.KubeConfig['applyToFetchOptions']> {
    const init = await super.applyToFetchOptions(opts);
    // client-node builds node-fetch Headers here.
    if (this.userAgent) (init.headers as unknown as { set(name: string, value: string): void }).set('User-Agent', this.userAgent);
    return init;
  }

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (this.userAgent) context.setHeaderParam('User-Agent', this.userAgent);
    const made = context.getAgent();
    // Exactly https.Agent: a proxy's agent (a subclass) is left as the library made it.
    if (made?.constructor !== Agent) return;
    context.setAgent(this.shared((made as Agent).options));
  }

  /** The agent for these options; a change (a rotated client certificate) replaces it. */
  private shared(options: AgentOptions): Agent {
    const key = tlsKey(options);
    if (this.pooled?.key !== key) {
      this.pooled?.agent.destroy();
      this.pooled = { key, agent: new KeptAliveAgent({ ...options, keepAlive: true, timeout: SILENT_SOCKET_MS }) };
    }
    return this.pooled.agent;
  }
}
