// Kept-alive connections to the API server. @kubernetes/client-node 1.x gives every
// request of its generated clients a new https.Agent, so every call opened a new TLS
// connection and parsed the key and certificates again: in a drain of 1,000 tasks that
// was 65 % of the operator's CPU (bench/results, the depth section's profile), and the
// API server paid a handshake per write too. One kept-alive agent per set of TLS options
// lets calls reuse connections. Watches keep their own connections (they are long-lived
// anyway) and are not touched.
import { Agent, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';

/**
 * A socket with nothing on it for this long is closed: a free one so that it is not kept
 * forever, an in-use one because a request whose connection went silent (a half-open
 * socket behind a load balancer) must fail, not hang its caller: the controllers treat
 * the error as an unknown outcome and try again on a new connection.
 */
export const SILENT_SOCKET_MS = 60_000;

class KeptAliveAgent extends Agent {
  override createConnection(...args: Parameters<Agent['createConnection']>): ReturnType<Agent['createConnection']> {
    const socket = super.createConnection(...args) as Socket;
    // The agent's `timeout` option arms the timer (and closes a free socket itself); an
    // in-use one only gets a 'timeout' event, which nothing else acts on.
    socket.on('timeout', () => socket.destroy(new Error(`no data from the API server for ${SILENT_SOCKET_MS / 1000} s`)));
    return socket;
  }
}

/** What makes two agents interchangeable: the TLS identity and trust they were built with. */
function tlsKey(o: AgentOptions): string {
  return JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
}

export class PooledKubeConfig extends k8s.KubeConfig {
  private pooled?: { key: string; agent: Agent };

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
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
