"""Starts ipykernel with an IOPub publisher that waits instead of dropping output.

ipykernel publishes every output message on a ZeroMQ XPUB socket that keeps at most 1,000
messages per subscriber and silently discards what comes past that mark. When the server reading
the kernel falls behind for a moment (thousands of flushed prints while the machine is busy), a
notebook loses lines from the middle of its output with no sign of it. With ``XPUB_NODROP`` the
publisher waits for the server to catch up instead, so output is slowed, never lost; the queue
stays bounded. Shell, control and heartbeat are separate sockets and are not held up.

The agent runs this file by path in place of ``-m ipykernel_launcher`` (see
``managers.without_output_drops``). It imports nothing of Atelier, so it works with any Python
environment that has ipykernel, inside or outside a container.
"""

import os
import sys

if __name__ == "__main__":
    # Running a file by path puts its directory first on sys.path; drop it before ipykernel loads
    # so that nothing here shadows the notebook's imports. ipykernel_launcher removes the working
    # directory for the same reason, and IPython adds that back itself.
    here = os.path.dirname(os.path.abspath(__file__))
    while sys.path and sys.path[0] in ("", here, os.getcwd()):
        del sys.path[0]

    import zmq
    from ipykernel.kernelapp import IPKernelApp

    class NoDropKernelApp(IPKernelApp):
        """ipykernel's application, with output publishing set to wait instead of dropping."""

        def init_iopub(self, context):
            # A default option of the context applies to the sockets it creates next; pyzmq
            # skips it on socket types that lack it (the publisher's internal pipes).
            context.setsockopt(zmq.XPUB_NODROP, 1)
            try:
                super().init_iopub(context)
            finally:
                context.sockopts.pop(zmq.XPUB_NODROP, None)

    NoDropKernelApp.launch_instance()
