"""The gradebook's database URL: where it comes from, how it is written down without its password, and the
lock that lets several graders write to one database at once.

- ``RNN_COURSE_DB``: the URL ``grade`` uses when ``--db`` is not given, so that a password need not be on a
  command line. The ``nbgrader_config.py`` written in a course folder holds the URL *without* its password and
  takes the password from ``RNN_COURSE_DB`` when that names the same database (else PostgreSQL's own
  ``PGPASSWORD`` or ``~/.pgpass`` apply): no file the grader writes holds a password.
- ``postgresql://`` means the psycopg (3) driver, the one requirements.txt installs, whatever SQLAlchemy's
  default for the bare dialect is (psycopg2 before SQLAlchemy 2.1).
- :func:`gradebook_lock`: nbgrader's writes are not safe against a second writer (two graders both create the
  tables of an empty database, or the same student, and one fails on a unique key; two workers of one grader
  write to one SQLite file at once). Every write to a gradebook happens under one lock, held only while
  writing: PostgreSQL's advisory lock, or for SQLite an exclusive ``flock`` on a file next to the database. So
  the workers of one grader, and graders of different chapters into one database, serialize their writes and
  run their notebooks in parallel.
"""

import os
from contextlib import contextmanager

DB_ENV = "RNN_COURSE_DB"
LOCK_KEY = 0x524E4E47  # "RNNG": the advisory lock every grader of this course takes to write to the gradebook


def _url(db_url):
    from sqlalchemy.engine import make_url

    return make_url(db_url)


def normalize(db_url):
    """The URL with an explicit driver: ``postgresql://`` becomes ``postgresql+psycopg://``."""
    if db_url is None:
        return None
    url = _url(db_url)
    if url.drivername == "postgresql":
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return db_url


def without_password(db_url):
    """The URL with no password in it (to write down, or to compare)."""
    url = _url(db_url)
    if url.password is None:
        return db_url
    from sqlalchemy.engine import URL

    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def with_password(db_url):
    """``db_url`` (written without a password) with the password of ``RNN_COURSE_DB`` when that names the same
    database; else ``db_url`` as it is."""
    env = os.environ.get(DB_ENV)
    if db_url and env:
        try:
            if without_password(normalize(env)) == without_password(normalize(db_url)):
                return normalize(env)
        except Exception:  # an RNN_COURSE_DB that is not a URL names no database of ours
            pass
    return db_url


def is_postgresql(db_url):
    return _url(db_url).get_backend_name() == "postgresql"


@contextmanager
def gradebook_lock(db_url):
    """Hold the course's lock on the gradebook while the block writes to it: PostgreSQL's advisory lock, or an
    exclusive ``flock`` on ``<database file>.lock`` for SQLite (nothing for an in-memory database)."""
    url = _url(db_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            yield
            return
        import fcntl

        with open(f"{url.database}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    if not is_postgresql(db_url):
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        engine.dispose()
