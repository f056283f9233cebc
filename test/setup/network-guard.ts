import net from 'node:net';

// Tests reach only this machine: a call to the real Google, Stripe or Runway fails loudly.
const LOOPBACK = /^(127\.|::1$|localhost$|::ffff:127\.)/;
const GUARDED = Symbol.for('echoes.networkGuard');

// Files that share a process (isolate: false) each run this file: wrap connect once.
if (!(GUARDED in net.Socket.prototype)) {
  const original = net.Socket.prototype.connect;
  Object.defineProperty(net.Socket.prototype, GUARDED, { value: true });
  net.Socket.prototype.connect = function (this: net.Socket, ...args: any[]) {
    const first = args[0];
    const host = typeof first === 'object' && first !== null ? (first.path ? 'localhost' : first.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
    if (!LOOPBACK.test(String(host))) {
      throw new Error(`Test tried to reach ${host}; tests may only use 127.0.0.1 (start a fake instead).`);
    }
    return original.apply(this, args as never);
  } as typeof net.Socket.prototype.connect;
}
