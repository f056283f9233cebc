import type { ServerResponse } from 'node:http';

/** One open page: an SSE response, whose it is and what it shows. */
export class LiveStream {
  closed = false;
  constructor(
    readonly id: string,
    readonly userId: string,
    readonly sid: string,
    /** The project the page shows, when it shows one (its clip cards, export, beat panel). */
    readonly projectId: string | null,
    readonly csrfToken: string,
    private res: ServerResponse,
  ) {}

  /**
   * An unnamed message carries HTML that htmx swaps in out of band (elements with hx-swap-oob);
   * a named one is dispatched as a DOM event that a panel refreshes itself on. The id is the time
   * it was sent: a reconnecting page sends it back as Last-Event-ID and is caught up from there.
   */
  send(data: string, event?: string): void {
    if (this.closed) return;
    let frame = `id: ${Date.now()}\n`;
    if (event) frame += `event: ${event}\n`;
    for (const line of data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
    this.res.write(frame + '\n');
  }

  heartbeat(): void {
    if (!this.closed) this.res.write(': hb\n\n');
  }

  /** Tells the page the stream is over for good (session ended), so it does not reconnect. */
  end(): void {
    if (this.closed) return;
    this.send('{}', 'ended');
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }
}
