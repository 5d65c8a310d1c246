"""Atelier's kernel-side package.

Today it holds the kernel agent (``python -m atelier.agent``), which starts and supervises Jupyter
kernels inside an instance. Later it will also hold the experiments/jobs SDK and the IPython
magics that notebooks use.
"""

__version__ = "0.1.0"
