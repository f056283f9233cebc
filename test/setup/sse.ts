import http from 'node:http';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
  /** When it arrived (performance.now()). */
  at: number;
}

/**
 * A server-sent events client over plain HTTP, as htmx's SSE extension connects: it keeps every
 * message and comment, and waits for the one a test expects.
 */
export class SseClient {
  messages: SseMessage[] = [];
  comments: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  closed = false;
  private waiters: Array<() => void> = [];
  private req!: http.ClientRequest;

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient();
    return new Promise((resolve, reject) => {
      c.req = http.get(url, { headers: { accept: 'text/event-stream', 'hx-request': 'true', ...headers } }, (res) => {
        c.status = res.statusCode ?? 0;
        c.headers = res.headers;
        res.setEncoding('utf8');
        let buf = '';
        let msg: Partial<SseMessage> & { lines: string[] } = { lines: [] };
        res.on('data', (chunk: string) => {
          buf += chunk;
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const line of lines) {
            if (line === '') {
              if (msg.lines.length || msg.event) c.messages.push({ id: msg.id, event: msg.event, data: msg.lines.join('\n'), at: performance.now() });
              msg = { lines: [] };
            } else if (line.startsWith(':')) c.comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(':');
              const field = line.slice(0, i);
              const value = line.slice(i + 1).replace(/^ /, '');
              if (field === 'data') msg.lines.push(value);
              else if (field === 'event') msg.event = value;
              else if (field === 'id') msg.id = value;
            }
          }
          c.wake();
        });
        res.on('end', () => {
          c.closed = true;
          c.wake();
        });
        res.on('close', () => {
          c.closed = true;
          c.wake();
        });
        resolve(c);
      });
      c.req.on('error', (err) => (c.status ? (c.closed = true, c.wake()) : reject(err)));
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first message (from index `from`) matching, or rejects after timeoutMs. */
  async next(match: (m: SseMessage) => boolean, timeoutMs = 5000, from = 0): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`stream closed before the expected message; got ${JSON.stringify(this.messages.map((m) => m.event ?? m.data.slice(0, 60)))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no expected message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.event ?? m.data.slice(0, 60)))}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('stream still open');
      await new Promise<void>((r) => {
        const timer = setTimeout(r, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  close(): void {
    this.req.destroy();
  }
}

/** The clip card (`data-clip-id`) a message carries, if any. */
export function clipIdOf(m: SseMessage): string | null {
  return /data-clip-id="([^"]+)"/.exec(m.data)?.[1] ?? null;
}
