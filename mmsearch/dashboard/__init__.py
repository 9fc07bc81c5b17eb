"""The Streamlit dashboard that ``mmsearch dashboard`` serves: ``main.py`` is the script Streamlit runs, ``views/``
holds its pages. Its modules import Streamlit; this package's ``__init__`` does not, so ``mmsearch`` imports
without the ``dashboard`` extra.
"""
