import { IWebSocketLike } from '../stream';

/** A WebSocket stand-in driven by the test. */
export class FakeSocket implements IWebSocketLike {
  static instances: FakeSocket[] = [];

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  static get last(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  onopen: ((event: any) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: any) => void) | null = null;
  onerror: ((event: any) => void) | null = null;
  closed = false;

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.onopen?.({});
  }

  send(data: unknown): void {
    this.onmessage?.({ data });
  }

  drop(): void {
    this.closed = true;
    this.onclose?.({ code: 1006 });
  }
}
