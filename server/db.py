"""The database: engine, one session per request (or CLI command), and the declarative Base."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the driver, open transactions (see _sqlite_begin): pysqlite would
    # otherwise commit every DDL statement on its own, and a migration stopped half-way would
    # leave a schema that no later start can finish.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_begin(connection) -> None:
    # A deferred BEGIN that reads and then writes cannot wait for another writer: SQLite answers
    # "database is locked" at once, whatever the busy timeout, since waiting could deadlock.
    # So a transaction that may write (any request but a read, every command) takes the write
    # lock up front, and concurrent writers queue on the busy timeout instead of failing.
    reading = (connection.get_execution_options().get("btf_read_only")
               or has_request_context() and request.method in READ_METHODS)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    app.extensions["btf_engine"] = engine
    app.extensions["btf_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    return current_app.extensions["btf_engine"]


def get_session() -> Session:
    """The session of the current request or command; created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["btf_sessionmaker"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        # Whatever was not committed explicitly is rolled back: a request commits once.
        session.close()


MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(target: str = "head", *, down: bool = False) -> None:
    """Upgrade (or with `down`, downgrade) the current app's database schema to `target`."""
    from alembic import command

    step = command.downgrade if down else command.upgrade
    with engine().connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                step(alembic_config(connection), target)
            return
        # SQLite migrations copy tables to alter them; with foreign keys on, dropping the old
        # copy would cascade-delete the child rows. The pragma only works outside a transaction,
        # so it is set on the driver's connection before SQLAlchemy begins one.
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                step(alembic_config(connection), target)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"The migration left rows without their parent: {broken}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
