import { Kernel, KernelMessage, Session } from '@jupyterlab/services';

/** The part of JupyterLab's `SessionConnection` that swaps its kernel. */
interface IUpdatable {
  update(model: Session.IModel): void;
}

function updatable(
  session: Session.ISessionConnection
): session is Session.ISessionConnection & IUpdatable {
  return typeof (session as Partial<IUpdatable>).update === 'function';
}

/**
 * Gives a session a new connection to the same kernel when its connection
 * ended because the kernel died.
 *
 * JupyterLab's `KernelConnection` treats `dead` as final: it disposes
 * itself, refuses `restart()` ("Kernel is dead") and throws on every cell
 * run, and the session keeps that disposed connection, so Kernel > Restart
 * Kernel does nothing. Atelier can restart a dead kernel (on a new instance
 * when its own was stopped), so the session gets a fresh connection to the
 * same kernel id, through `SessionConnection.update` (what JupyterLab's
 * session manager calls with the server's model): Restart Kernel then sends
 * its request to the server, and a cell run is no longer an error.
 *
 * @returns whether a new connection was made
 */
export function reviveKernelConnection(
  session: Session.ISessionConnection
): boolean {
  const kernel: Kernel.IKernelConnection | null = session.kernel;
  if (
    session.isDisposed ||
    !kernel ||
    !kernel.isDisposed ||
    !updatable(session)
  ) {
    return false;
  }
  const model = session.model;
  // The kernel id is unchanged, so the session would keep its disposed
  // connection: detach it, then attach the kernel again.
  session.update({ ...model, kernel: null });
  session.update({ ...model, kernel: { id: kernel.id, name: kernel.name } });
  return session.kernel !== null && !session.kernel.isDisposed;
}

/** What a cell run gets from a dead connection: a request that ends at once. */
function canceledFuture(
  msg: KernelMessage.IExecuteRequestMsg
): Kernel.IShellFuture<
  KernelMessage.IExecuteRequestMsg,
  KernelMessage.IExecuteReplyMsg
> {
  const done = Promise.reject(new Error('Canceled: the kernel is dead'));
  // Whoever awaits `done` sees the rejection; nobody else must.
  done.catch(() => undefined);
  const future = {
    msg,
    done,
    isDisposed: true,
    onIOPub: () => undefined,
    onReply: () => undefined,
    onStdin: () => undefined,
    registerMessageHook: () => undefined,
    removeMessageHook: () => undefined,
    sendInputReply: () => undefined,
    dispose: () => undefined
  };
  return future as unknown as Kernel.IShellFuture<
    KernelMessage.IExecuteRequestMsg,
    KernelMessage.IExecuteReplyMsg
  >;
}

/**
 * Makes a cell run on a dead kernel's connection end quietly instead of
 * throwing "Kernel is dead" in the page: the cell's prompt is cleared (its
 * run reads as canceled, as JupyterLab does for a run cut short by a
 * restart) and `onRun` is told, to say what to do.
 */
export function refuseCellRuns(
  kernel: Kernel.IKernelConnection,
  onRun: () => void
): void {
  const patched = kernel as Kernel.IKernelConnection & {
    atelierRefusesRuns?: boolean;
  };
  if (patched.atelierRefusesRuns) {
    return;
  }
  patched.atelierRefusesRuns = true;
  patched.requestExecute = (
    content: KernelMessage.IExecuteRequestMsg['content']
  ) => {
    onRun();
    return canceledFuture(
      KernelMessage.createMessage({
        msgType: 'execute_request',
        channel: 'shell',
        session: kernel.clientId,
        content
      })
    );
  };
}
