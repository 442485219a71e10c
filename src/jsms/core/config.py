"""Settings: read once from JSMS_* environment variables (and .env), nowhere else."""

import secrets
from pathlib import Path

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

INSECURE_SECRET_KEY = "insecure-development-key-change-me"
DEFAULT_DEMO_PASSWORD = "demo"
SECRET_KEY_FILE = "secret.key"
NODE_ID_FILE = "node-id"
UNNAMED_NODE = "jsms.local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JSMS_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data directory"
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs tokens and derives the key that encrypts personal data at rest",
    )
    demo_password: SecretStr = SecretStr(DEFAULT_DEMO_PASSWORD)
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    default_language: str = "en"
    default_timezone: str = "Asia/Karachi"
    sql_echo: bool = False
    # A tile server for the map's base layer, e.g. "https://tiles.example/{z}/{x}/{y}.png"; none by
    # default: the map then draws Pakistan's provinces, roads and cities from bundled data.
    tile_url: str | None = None
    tile_attribution: str = ""
    # Deliver domain events inside the web server. Set false where one `jsms worker` delivers them:
    # exactly one process per node should (see src/jsms/risk/README.md).
    dispatch_in_server: bool = True
    # Names this node to others: the sender of its CAP alerts, its STIX identity, the node whose key
    # the other node pins (no spaces or commas). Unset: the name `jsms db upgrade` chose and kept in
    # the data directory, so two nodes set up the same way still tell each other apart.
    node_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,64}$")
    # The party this node belongs to (host or partner): it releases its own records to the other.
    node_party: str = Field(default="host", pattern="^(host|partner)$")
    # The address users reach the pages at, for links in e-mails, webhooks and CAP (optional).
    public_url: str | None = None
    # CAP <status> of the alerts this node sends: Actual, or Exercise on a demo node.
    cap_status: str = Field(default="Actual", pattern="^(Actual|Exercise|Test)$")
    # Live tracking: the port for OsmAnd / Traccar Client trackers (0: none).
    osmand_port: int = Field(default=5055, ge=0, le=65535)
    # Scale-out: with a Redis URL the servers append pings to Redis Streams and `jsms worker`
    # processes check them, each owning some of the partitions (journeys hash to partitions).
    redis_url: str | None = None
    tracking_partitions: int = Field(default=8, ge=1, le=256)
    # E-mail of alerts; none configured: e-mail channels report that they cannot send.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "jsms@localhost"
    # Rate limits ("N/second|minute|hour", the `limits` notation): sign-in attempts per client
    # address, OsmAnd reports per device (a tracker reports about once a second; the allowance
    # lets one that was offline send what it buffered) and JSON ping batches per caller.
    login_rate_limit: str = "10/minute"
    ping_rate_limit: str = "600/minute"
    ping_batch_rate_limit: str = "600/minute"
    # Lock-out: an account is locked for `login_lockout_minutes` after this many failed sign-ins
    # in a row (a success, or the administrator, unlocks it).
    login_lockout_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Cookies only over HTTPS: on behind a TLS-terminating proxy that speaks plain HTTP to us;
    # unset, they are secure whenever the request itself came over HTTPS.
    secure_cookies: bool | None = None
    # Retention, in days: positions of journeys that ended longer ago are deleted; personal data
    # of protected persons who left (and of casualties of cases closed) longer ago is erased.
    position_retention_days: int = Field(default=90, ge=1, le=10 * 365)
    personal_data_retention_days: int = Field(default=5 * 365, ge=30, le=30 * 365)

    @field_validator("login_rate_limit", "ping_rate_limit", "ping_batch_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"not a rate such as '10/minute': {value!r}") from None
        return value

    @model_validator(mode="after")
    def _resolve_defaults(self) -> "Settings":
        if self.database_url is None:
            self.database_url = f"sqlite:///{(self.data_dir / 'jsms.db').as_posix()}"
        if self.node_id is None:
            id_file = self.data_dir / NODE_ID_FILE
            self.node_id = id_file.read_text().strip() if id_file.is_file() else UNNAMED_NODE
        if self.secret_key is None:
            # A node created by `jsms demo` keeps its generated key beside its database,
            # so every later command on the same data directory reads the same data.
            key_file = self.data_dir / SECRET_KEY_FILE
            if key_file.is_file():
                self.secret_key = SecretStr(key_file.read_text().strip())
            else:
                self.secret_key = SecretStr(INSECURE_SECRET_KEY)
        return self

    @property
    def uses_insecure_secret(self) -> bool:
        return self.secret_key.get_secret_value() == INSECURE_SECRET_KEY

    @property
    def uses_default_demo_password(self) -> bool:
        return self.demo_password.get_secret_value() == DEFAULT_DEMO_PASSWORD

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = Settings()
    return _current


def use_settings(settings: Settings | None) -> Settings | None:
    """Replace the settings in force (the CLI's --data-dir, tests); None reads them again."""
    global _current
    previous, _current = _current, settings
    return previous


def ensure_node_id() -> None:
    """Give a node without a configured name one of its own, kept in the data directory."""
    settings = get_settings()
    id_file = settings.data_dir / NODE_ID_FILE
    if settings.node_id != UNNAMED_NODE or id_file.exists():
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.node_id = f"node-{secrets.token_hex(4)}"
    id_file.write_text(settings.node_id + "\n")
