"""Which store the settings name: the embedded one on disk, or a remote SPARQL server."""

from ascf_graph.core.errors import StoreBusyError
from ascf_graph.core.settings import Settings
from ascf_graph.store.base import Store
from ascf_graph.store.embedded import EmbeddedStore


def open_store(settings: Settings) -> Store:
    """The remote store at ``ASCF_STORE_URL`` if set, else the embedded one in ``ASCF_DATA_DIR``."""
    if settings.store_url is not None:
        # Here, not above: httpx takes a tenth of a second to import, and a server over
        # the embedded store (most) need not wait for it before its first answer.
        from ascf_graph.store.remote import RemoteStore  # noqa: PLC0415

        return RemoteStore(
            str(settings.store_url),
            base_iri=settings.base_iri,
            update_url=str(settings.store_update_url) if settings.store_update_url else None,
            timeout=settings.query_timeout,
            timeout_parameter=settings.store_timeout_parameter,
        )
    return EmbeddedStore.open(settings.data_dir, base_iri=settings.base_iri)


def open_reader(settings: Settings) -> Store:
    """The store for a short read, as :func:`open_store`; an embedded store a running server
    holds is opened read-only beside it."""
    try:
        return open_store(settings)
    except StoreBusyError:
        return EmbeddedStore.open(settings.data_dir, read_only=True, base_iri=settings.base_iri)
