"""The kernel agent: starts kernels from local kernelspecs and supervises them.

The Atelier server drives it over a signed ZeroMQ control socket; the contract is
``kernel-gateway/PROTOCOL.md``. Run it with ``python -m atelier.agent``.
"""

from atelier import __version__

__all__ = ["__version__"]
