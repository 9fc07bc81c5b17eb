"""The local PostgreSQL ``test`` database as the fault tests use it: connections tagged with an application name,
and the backends of one tag terminated, as an administrator (or a server restart) would."""

from __future__ import annotations

import uuid

import sqlalchemy

DATABASE = "postgresql://postgres@127.0.0.1:5432/test"


def new_tag() -> str:
    """A fresh application name (and study name) for one test."""
    return f"pytest-{uuid.uuid4().hex[:8]}"


def tagged_url(tag: str) -> str:
    """The ``test`` database's URL, its connections named ``tag`` (``pg_stat_activity.application_name``)."""
    return f"{DATABASE}?application_name={tag}"


def terminate_backends(tag: str) -> int:
    """Terminate every backend of the ``test`` database named ``tag``; the number terminated."""
    return int(_scalar("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))", tag))


def waiting_backends(tag: str) -> int:
    """The backends of the ``test`` database named ``tag`` that wait for a lock."""
    return int(_scalar("SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')", tag))


def _scalar(select: str, tag: str) -> object:
    """``select`` over the other backends of the ``test`` database named ``tag``, on a connection of its own."""
    engine = sqlalchemy.create_engine(
        DATABASE.replace("postgresql://", "postgresql+psycopg://"), poolclass=sqlalchemy.NullPool
    )
    query = (
        f"{select} FROM pg_stat_activity WHERE datname = 'test' AND application_name = :tag AND pid <> pg_backend_pid()"
    )
    try:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text(query), {"tag": tag}).scalar_one()
    finally:
        engine.dispose()
