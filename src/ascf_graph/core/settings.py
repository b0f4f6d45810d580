"""Settings from the environment (prefix ``ASCF_``), validated once at start-up."""

import os
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, AnyUrl, ByteSize, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ascf_graph.core.namespaces import DEFAULT_BASE_IRI

#: The least address space a query worker can be given: opening a snapshot alone takes
#: about 450 MB of it (the engine, RocksDB's threads and their memory arenas).
MIN_QUERY_MEMORY = 768 * 1024**2

#: The SHACL engines stewards' data may be checked with (see :mod:`ascf_graph.shacl.engine`).
ShaclEngine = Literal["pyshacl", "rudof"]


def _default_content_dir() -> Path:
    """The checkout that holds ontology/, shapes/, data/ and queries/.

    An editable install finds it beside ``src/``; otherwise the current
    directory is taken, and ``ASCF_CONTENT_DIR`` overrides both.
    """
    checkout = Path(__file__).resolve().parents[3]
    return checkout if (checkout / "ontology").is_dir() else Path.cwd()


class Settings(BaseSettings):
    """Everything a deployment may set; nothing else reads the environment."""

    model_config = SettingsConfigDict(
        env_prefix="ASCF_", env_ignore_empty=True, extra="ignore", frozen=True
    )

    base_iri: str = Field(
        DEFAULT_BASE_IRI, description="Base of every published IRI; must end with '/'."
    )
    content_dir: Path = Field(
        default_factory=_default_content_dir,
        description="Folder with ontology/, shapes/, data/ and queries/.",
    )
    data_dir: Path = Field(Path("var/store"), description="Where the embedded store lives on disk.")
    public_url: AnyHttpUrl | None = Field(
        None,
        description="The address clients reach the service at (e.g. 'https://ascf.example.org/'),"
        " for the absolute URLs an answer needs; unset, pages link by path and nothing is built"
        " from the request's Host header. Not the base IRI (ASCF_BASE_IRI).",
    )
    store_url: AnyUrl | None = Field(
        None,
        description="A remote SPARQL 1.1 query endpoint to use instead of the embedded store; "
        "its default graph must be the union of its named graphs.",
    )
    store_update_url: AnyUrl | None = Field(
        None, description="The remote store's SPARQL Update endpoint, when not the query URL."
    )
    store_timeout_parameter: str | None = Field(
        None,
        description="The query parameter in which the remote store takes a per-query time "
        "limit in milliseconds ('timeout' for Virtuoso); query_timeout is sent in it. The "
        "store should also be started with its own limit (Oxigraph: serve --timeout-s; "
        "Virtuoso: [SPARQL] MaxQueryExecutionTime), no longer than query_timeout.",
    )
    java: str = Field("java", description="The Java runtime HermiT runs on.")
    reasoner: Literal["hermit", "none"] = Field(
        "hermit", description="'none' skips the OWL consistency check (not for production)."
    )
    query_timeout: float = Field(30.0, gt=0, description="Seconds a query may run.")
    query_max_depth: int = Field(
        100,
        ge=1,
        description="Deepest nesting of ( { [ a query may have (strings, comments and IRIs not "
        "counted); deeper ones are refused with 400 before the engine, whose parser recurses "
        "once per level, sees them.",
    )
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Largest request body.")
    body_memory: int = Field(
        256 * 1024 * 1024,
        gt=0,
        description="Bytes of request bodies the server holds at once, over all requests "
        "(declared Content-Length, or bytes received so far when chunked); a body that would "
        "pass it is refused with 503 and Retry-After. At least ASCF_MAX_BODY_BYTES.",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a client has to send a request's line and headers, from the "
        "connection's start (a later request's: from its first incomplete read); then 408 "
        "and closed.",
    )
    body_memory_per_client: int | None = Field(
        None,
        gt=0,
        description="Bytes of request bodies one client address may hold at once (as "
        "ASCF_BODY_MEMORY counts them), so that one client trickling large bodies cannot take "
        "the whole budget; past it that client's bodies are refused with 503, others' are not. "
        "Unset: a quarter of ASCF_BODY_MEMORY, at least ASCF_MAX_BODY_BYTES. At least "
        "ASCF_MAX_BODY_BYTES.",
    )
    body_timeout: float = Field(
        15.0,
        gt=0,
        description="Seconds a request body may go without a byte arriving; then 408 and closed.",
    )
    body_deadline: float = Field(
        120.0,
        gt=0,
        description="Seconds a request body may take to arrive in all, however steadily it "
        "trickles (time the server is not reading it does not count); then 408 and closed.",
    )
    keep_alive_timeout: int = Field(
        5, gt=0, description="Seconds an idle kept-alive connection stays open between requests."
    )
    max_header_bytes: int = Field(
        64 * 1024,
        gt=0,
        description="Largest request line plus headers, in bytes; past it 431 and closed.",
    )
    max_headers: int = Field(100, gt=0, description="Most headers in a request; past it 431.")
    max_connections: int = Field(
        1000,
        gt=0,
        description="Open connections in all; one more is answered 503 and closed at once.",
    )
    max_connections_per_client: int = Field(
        50,
        gt=0,
        description="Open connections from one client address; one more is answered 503 and "
        "closed at once (behind a reverse proxy every client is the proxy: raise it).",
    )
    restart_give_up_after: int = Field(
        5,
        gt=0,
        description="`serve` stops restarting a server that crashed this many times in a row, "
        "each within ASCF_RESTART_STABLE_AFTER seconds of its start.",
    )
    restart_stable_after: float = Field(
        30.0,
        gt=0,
        description="Seconds a server must have run for its crash not to count as immediate "
        "(immediate crashes are restarted after 0, 1, 2, 4 ... up to 30 s).",
    )
    log_format: Literal["json", "text"] = Field(
        "json",
        description="How `serve` writes its log lines on stderr: one JSON object per line "
        "(for collectors and jq), or text for a person (see docs/observability.md).",
    )
    query_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=0,
        description="Worker processes that evaluate queries (0: in the server's threads, "
        "which cannot stop a runaway query).",
    )
    memory_copy_quads: int = Field(
        4_000_000,
        ge=0,
        description="Quads the query workers may hold in memory together: each worker copies "
        "the store into memory, where scans and aggregates run about twice as fast, when the "
        "store times the number of workers fits (about 350 MB per million quads copied; "
        "copied in the background at start-up and after each write, answering from disk "
        "meanwhile: /health says memory_copies). 0: always answer from disk.",
    )
    query_memory: ByteSize | None = Field(
        None,
        ge=0,
        description="Address space each query worker may use (bytes, or '2GiB', '1500MB'...; "
        "0: no limit). A query past it is stopped and answered 503 query-memory. Unset: 2 GiB "
        "plus 400 bytes per quad the worker may copy into memory (see memory_copy_quads), so "
        "a full copy leaves at least 512 MiB for queries; a copy that would not leave that "
        "is not made (the worker answers from disk). At least 768 MiB.",
    )
    query_crash_limit: int = Field(
        3,
        ge=0,
        description="Query workers one client address may crash (memory limit, engine "
        "failure) within query_crash_window seconds; past it, its queries are refused with "
        "429 and Retry-After until the oldest crash leaves the window. 0: no limit.",
    )
    query_crash_window: float = Field(
        300.0, gt=0, description="Seconds over which query_crash_limit counts a client's crashes."
    )
    service_allow_list: list[str] = Field(
        default_factory=list,
        description="SPARQL endpoints a query may call with SERVICE (exact IRIs); "
        "every other SERVICE is refused.",
    )
    answer_buffer_bytes: int = Field(
        1024 * 1024,
        gt=0,
        description="Answers up to this size are sent whole (with Content-Length) and cached; "
        "larger ones stream.",
    )
    answer_cache_bytes: int = Field(
        64 * 1024 * 1024, ge=0, description="Memory for cached answers (0: no cache)."
    )
    max_table_bytes: int = Field(
        4 * 1024 * 1024,
        gt=0,
        description="Largest answer rendered as an HTML table (other formats stream).",
    )
    editor_assets_dir: Path = Field(
        Path(__file__).resolve().parents[1]
        / "html/editor_assets/node_modules/@zazuko/yasgui/build",
        description="The query editor's YASGUI build (installed by `make editor-assets`).",
    )
    http_max_age: int = Field(
        0, ge=0, description="Cache-Control max-age of answers (0: revalidate each time)."
    )
    max_triples: int = Field(
        200_000, gt=0, description="Most triples one validation or submission may hold."
    )
    input_workers: int = Field(
        2,
        ge=0,
        description="Worker processes that parse and validate what clients send, each with "
        "the memory and time limits below; also the most validations at once (0: in the "
        "server's threads, with no such limits: for tests and embedding only).",
    )
    validation_timeout: float = Field(
        120.0, gt=0, description="Seconds parsing and validating one upload may take."
    )
    validation_memory: ByteSize = Field(
        ByteSize(4 * 1024**3),
        ge=0,
        description="Address space an input worker may use (bytes, or '4GiB', '1500MB'...; "
        "0: no limit). An upload past it is refused with 422 validation-memory.",
    )
    validation_queue_wait: float = Field(
        10.0,
        ge=0,
        description="Seconds an upload waits for a free input worker before the client is "
        "answered 503 with Retry-After.",
    )
    upload_crash_limit: int = Field(
        3,
        ge=0,
        description="Input workers one client address may bring down (a crash, the memory "
        "limit, the time limit) within upload_crash_window seconds; past it, its uploads are "
        "refused with 429 and Retry-After until the oldest leaves the window. 0: no limit.",
    )
    upload_crash_window: float = Field(
        300.0, gt=0, description="Seconds over which upload_crash_limit counts a client's."
    )
    max_nesting: int = Field(
        64,
        gt=0,
        description="Deepest nesting a document may have (JSON-LD objects and arrays, Turtle "
        "lists, blank nodes and triple terms, RDF/XML elements); deeper ones are refused "
        "before parsing.",
    )
    shacl_engine: ShaclEngine = Field(
        "pyshacl",
        description="The SHACL engine that checks stewards' data: 'pyshacl', or 'rudof' "
        "(pyrudof for the core shapes, pyshacl for SPARQL constraints; same report, faster; "
        "needs the optional pyrudof package).",
    )

    @field_validator("base_iri")
    @classmethod
    def _base_iri_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("ASCF_BASE_IRI must be an http(s) IRI ending with '/'")
        return value

    @field_validator("query_memory")
    @classmethod
    def _query_memory_fits_a_worker(cls, value: ByteSize | None) -> ByteSize | None:
        if value and value < MIN_QUERY_MEMORY:
            raise ValueError(
                f"ASCF_QUERY_MEMORY must be 0 (no limit) or at least {MIN_QUERY_MEMORY} bytes "
                "(768MiB): a query worker takes about 450 MB before it answers anything"
            )
        return value

    @field_validator("body_memory")
    @classmethod
    def _bodies_fit_their_memory(cls, value: int, info: ValidationInfo) -> int:
        if value < info.data.get("max_body_bytes", 0):
            raise ValueError(
                "ASCF_BODY_MEMORY must be at least ASCF_MAX_BODY_BYTES, "
                "or the largest allowed body could never be received"
            )
        return value

    @field_validator("body_memory_per_client")
    @classmethod
    def _a_client_can_send_the_largest_body(
        cls, value: int | None, info: ValidationInfo
    ) -> int | None:
        if value is not None and value < info.data.get("max_body_bytes", 0):
            raise ValueError(
                "ASCF_BODY_MEMORY_PER_CLIENT must be at least ASCF_MAX_BODY_BYTES, "
                "or the largest allowed body could never be received"
            )
        return value

    @property
    def client_body_memory(self) -> int:
        """Bytes of bodies one client address may hold: ASCF_BODY_MEMORY_PER_CLIENT, or a
        quarter of ASCF_BODY_MEMORY but at least ASCF_MAX_BODY_BYTES."""
        if self.body_memory_per_client is not None:
            return self.body_memory_per_client
        return max(self.body_memory // 4, self.max_body_bytes)

    @property
    def uploads_at_once(self) -> int:
        """Uploads read and validated at once (others wait up to validation_queue_wait):
        one an input worker, or with none (checked in the server's threads) one a CPU."""
        return self.input_workers or os.cpu_count() or 1

    @property
    def ontology_dir(self) -> Path:
        """Folder of the OWL ontology and the framework's concepts."""
        return self.content_dir / "ontology"

    @property
    def shapes_dir(self) -> Path:
        """Folder of the SHACL shapes."""
        return self.content_dir / "shapes"

    @property
    def instance_dir(self) -> Path:
        """Folder of the instance data shipped with the project."""
        return self.content_dir / "data"

    @property
    def credentials_file(self) -> Path:
        """The stewards' API tokens (hashed), an SQLite file beside the store."""
        return self.data_dir / "credentials.sqlite3"

    @property
    def audit_log(self) -> Path:
        """Every write and every refused write, one JSON object a line."""
        return self.data_dir / "audit.jsonl"

    @property
    def spool_dir(self) -> Path:
        """Large request bodies and what the input workers parse of them, while they are
        checked: a folder per server process (see :mod:`ascf_graph.core.spool`)."""
        return self.data_dir / "spool"

    @property
    def archive_dir(self) -> Path:
        """Every accepted version of every submission, as sent and as stored."""
        return self.data_dir / "submissions"

    @property
    def queries_dir(self) -> Path:
        """Folder of the curated SPARQL queries."""
        return self.content_dir / "queries"
