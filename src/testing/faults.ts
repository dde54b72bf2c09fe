import type { ServerResponse } from 'node:http';
import type { EndpointName, Fault } from './types.js';

/** Faults set by tests, per endpoint, each optionally for the next N requests only. */
export class Faults {
  readonly #faults = new Map<EndpointName, Fault>();
  readonly #timers = new Set<NodeJS.Timeout>();

  set(endpoint: EndpointName, fault: Fault | null): void {
    if (fault === null) this.#faults.delete(endpoint);
    else this.#faults.set(endpoint, { ...fault });
  }

  clear(): void {
    this.#faults.clear();
  }

  /** The fault for this request, counting it against `times`. */
  take(endpoint: EndpointName): Fault | undefined {
    const fault = this.#faults.get(endpoint);
    if (fault?.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.#faults.delete(endpoint);
    }
    return fault;
  }

  /**
   * Acts out a fault. Returns true when the fault is the whole answer; a delay resolves false
   * so the normal answer follows.
   */
  async apply(fault: Fault, res: ServerResponse): Promise<boolean> {
    if ('delayMs' in fault) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          resolve();
        }, fault.delayMs);
        this.#timers.add(t);
      });
      return false;
    }
    if ('hang' in fault) return true;
    if ('drop' in fault) {
      res.socket?.destroy();
      return true;
    }
    if ('redirect' in fault) {
      res.writeHead(fault.status ?? 302, { Location: fault.redirect, 'Content-Length': '0' });
      res.end();
      return true;
    }
    if ('drip' in fault) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const t = setInterval(() => res.write(fault.drip.chunk), fault.drip.intervalMs);
      this.#timers.add(t);
      res.on('close', () => {
        clearInterval(t);
        this.#timers.delete(t);
      });
      return true;
    }
    if ('rateLimited' in fault) {
      const body = JSON.stringify({ detail: 'Request was throttled.' });
      const retryAfter = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
      res.writeHead(fault.status ?? 429, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...retryAfter });
      res.end(body);
      return true;
    }
    res.writeHead(fault.status, { 'Content-Type': 'text/plain', ...fault.headers });
    res.end(fault.body);
    return true;
  }

  stopTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
