"""Widgets whose values live in the page address (``st.query_params``), so that a view can be shared as a link.

A widget takes its first value from the address when the session has none, and writes its value back to the address
on every run. An empty multi-select means "no filter" and leaves no trace in the address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st


def multiselect(
    label: str,
    options: Sequence[Any],
    key: str,
    help: str | None = None,
    placeholder: str = "all",
    format_func: Callable[[Any], str] = str,
) -> list[Any]:
    """A multi-select synced with the address parameter ``key`` (repeated for several values); ``placeholder`` shows
    when nothing is chosen."""
    if key not in st.session_state:
        st.session_state[key] = _from_address(key, options)
    else:
        st.session_state[key] = [value for value in st.session_state[key] if value in options]
    chosen = st.multiselect(label, options, key=key, help=help, placeholder=placeholder, format_func=format_func)
    _to_address(key, chosen)
    return chosen


def selectbox(
    label: str,
    options: Sequence[Any],
    key: str,
    default: Any = None,
    format_func: Callable[[Any], str] = str,
    help: str | None = None,
) -> Any:
    """A select box synced with the address parameter ``key``; starts at ``default`` (else the first option) when
    the address has no valid value. Returns None when there is no option."""
    if not options:
        return None
    if st.session_state.get(key) not in options:
        from_address = _from_address(key, options)
        fallback = default if default in options else options[0]
        st.session_state[key] = from_address[0] if from_address else fallback
    chosen = st.selectbox(label, options, key=key, format_func=format_func, help=help)
    _to_address(key, [chosen])
    return chosen


def slider(label: str, low: float, high: float, default: float, step: float, key: str, help: str | None = None) -> Any:
    """A slider synced with the address parameter ``key``; its type follows ``default`` (int or float)."""
    if key not in st.session_state:
        try:
            value = type(default)(st.query_params.get(key, default))
        except ValueError:
            value = default
        st.session_state[key] = min(max(value, low), high)
    chosen = st.slider(label, low, high, step=step, key=key, help=help)
    _to_address(key, [chosen])
    return chosen


def _from_address(key: str, options: Sequence[Any]) -> list[Any]:
    """The address values of ``key`` that name an option (compared as text), as those options."""
    by_text = {str(option): option for option in options}
    return [by_text[text] for text in st.query_params.get_all(key) if text in by_text]


def _to_address(key: str, values: Sequence[Any]) -> None:
    if values:
        st.query_params[key] = [str(value) for value in values]
    elif key in st.query_params:
        del st.query_params[key]
