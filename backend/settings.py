"""Frozen settings, built once: the process environment, then `.env`, then defaults.

`.env` is read with `dotenv_values` and never exported, so the operator's token cannot leak into
libraries that read `os.environ` on their own (SECURITY.md T7). Nothing else reads the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

from .errors import ConfigError, InvalidInput
from .redact import mask_token

__all__ = ["Settings", "load_settings", "resolve_token", "check_credential"]

DEFAULT_ROUTER_URL = "https://router.huggingface.co"
DEFAULT_HUB_URL = "https://huggingface.co"
APP_DIR = Path(__file__).resolve().parent.parent
_LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    """Everything the app is configured with. `repr` never shows the token."""

    hf_token: str | None = field(default=None, repr=False)
    token_source: str = ""
    router_url: str = DEFAULT_ROUTER_URL
    hub_url: str = DEFAULT_HUB_URL
    server_name: str = "127.0.0.1"
    server_port: int = 7860
    connect_timeout: float = 5.0
    read_timeout: float = 120.0
    max_body_bytes: int = 32 * 1024 * 1024
    poll_deadline: float = 300.0
    retry_cap: float = 30.0
    custom_endpoints: bool = True
    endpoint_hosts: tuple[str, ...] = ()   # hosts visitors may call over http or on a private address
    endpoints: tuple[str, ...] = ()        # endpoint URLs or hosts that receive the operator's token
    media_hosts: tuple[str, ...] = ()   # host[:port] whose provider media may be fetched over http
    mcp_hosts: tuple[str, ...] = ()     # host[:port] of MCP servers visitors may reach over http or privately
    max_media_bytes: int = 200 * 1024 * 1024
    media_disk_bytes: int = 1024 * 1024 * 1024   # the folder of files served to the page, at most
    auth: tuple[str, str] | None = field(default=None, repr=False)
    link_secret: str | None = field(default=None, repr=False)  # signs frozen links; never shown or logged
    link_secret_file: str = str(APP_DIR / ".playground-link-secret")  # where one is kept when it is not set
    share_server_token: bool = False
    space_id: str = ""                  # set on a Hugging Face Space (SPACE_ID)
    space_oauth: bool = False           # the Space has `hf_oauth: true` (Spaces then set OAUTH_CLIENT_ID)
    show_server_account: bool = True    # visitors may see whose account the server's token belongs to

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @property
    def is_public(self) -> bool:
        """Listening beyond this machine (a LAN, a container, a Space)."""
        return self.server_name not in _LOCAL_NAMES

    @property
    def on_space(self) -> bool:
        return bool(self.space_id)

    @property
    def masked_token(self) -> str:
        return mask_token(self.hf_token)


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env",
                  read_token_file: bool = True) -> Settings:
    """Build Settings from `environ` (default `os.environ`), then `env_file`, then defaults."""
    env = dict(os.environ if environ is None else environ)
    file_values = {k: v for k, v in dotenv_values(env_file).items() if v is not None} \
        if env_file and Path(env_file).is_file() else {}
    merged = {**file_values, **{k: v for k, v in env.items() if v != ""}}

    def get(name: str, default: str = "") -> str:
        return (merged.get(name) or default).strip()

    token, source = _find_token(env, file_values, read_token_file)
    settings = Settings(
        hf_token=token, token_source=source,
        router_url=_base_url(get("HF_ROUTER_URL", DEFAULT_ROUTER_URL), "HF_ROUTER_URL"),
        hub_url=_base_url(get("HF_ENDPOINT", DEFAULT_HUB_URL), "HF_ENDPOINT"),
        server_name=get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=_number(get("GRADIO_SERVER_PORT", "7860"), "GRADIO_SERVER_PORT", int),
        connect_timeout=_number(get("PLAYGROUND_CONNECT_TIMEOUT", "5"), "PLAYGROUND_CONNECT_TIMEOUT"),
        read_timeout=_number(get("PLAYGROUND_READ_TIMEOUT", "120"), "PLAYGROUND_READ_TIMEOUT"),
        max_body_bytes=int(_number(get("PLAYGROUND_MAX_BODY_MB", "32"), "PLAYGROUND_MAX_BODY_MB") * 2**20),
        poll_deadline=_number(get("PLAYGROUND_POLL_DEADLINE", "300"), "PLAYGROUND_POLL_DEADLINE"),
        retry_cap=_number(get("PLAYGROUND_RETRY_CAP", "30"), "PLAYGROUND_RETRY_CAP"),
        custom_endpoints=_flag(get("PLAYGROUND_CUSTOM_ENDPOINTS", "1")),
        endpoint_hosts=tuple(h.strip().lower() for h in get("PLAYGROUND_ENDPOINT_HOSTS").split(",") if h.strip()),
        endpoints=_endpoints(get("PLAYGROUND_ENDPOINTS")),
        media_hosts=tuple(h.strip().lower() for h in get("PLAYGROUND_MEDIA_HOSTS").split(",") if h.strip()),
        mcp_hosts=tuple(h.strip().lower() for h in get("PLAYGROUND_MCP_HOSTS").split(",") if h.strip()),
        max_media_bytes=int(_number(get("PLAYGROUND_MAX_MEDIA_MB", "200"), "PLAYGROUND_MAX_MEDIA_MB") * 2**20),
        media_disk_bytes=int(_number(get("PLAYGROUND_MEDIA_DISK_MB", "1024"), "PLAYGROUND_MEDIA_DISK_MB") * 2**20),
        auth=_auth(get("GRADIO_AUTH")),
        link_secret=get("PLAYGROUND_LINK_SECRET") or None,
        link_secret_file=get("PLAYGROUND_LINK_SECRET_FILE", str(APP_DIR / ".playground-link-secret")),
        share_server_token=_flag(get("PLAYGROUND_SHARE_SERVER_TOKEN", "0")),
        space_id=get("SPACE_ID"),
        space_oauth=bool(get("SPACE_ID") and get("OAUTH_CLIENT_ID")),
        # Whose account the server's token is: shown on a local run, hidden where others may be looking.
        show_server_account=_flag(get("PLAYGROUND_SHOW_SERVER_ACCOUNT",
                                      "1" if get("GRADIO_SERVER_NAME", "127.0.0.1") in _LOCAL_NAMES
                                      and not get("SPACE_ID") else "0")),
    )
    return settings


def resolve_token(explicit: str | None, settings: Settings) -> str | None:
    """The token for one call: the visitor's own if given, else the operator's (may be None).

    Raises InvalidInput for a typed token no server could accept, before anything is sent.
    """
    explicit = check_credential((explicit or "").strip())
    return explicit or settings.hf_token


def check_credential(value: str | None) -> str | None:
    """A token or key as typed, if it can travel in an HTTP header; else InvalidInput (nothing sent).

    Tokens are printable ASCII; a pasted smart quote, line break or NUL would otherwise crash the
    HTTP library or smuggle a second header.
    """
    if value and not all("!" <= char <= "~" for char in value):
        raise InvalidInput("The token contains a space, line break or a character outside plain ASCII: "
                           "paste it again exactly as shown on huggingface.co/settings/tokens.")
    return value


def _find_token(env: Mapping[str, str], file_values: Mapping[str, str],
                read_token_file: bool) -> tuple[str | None, str]:
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        if env.get(name, "").strip():
            return env[name].strip(), f"environment ({name})"
        if file_values.get(name, "").strip():
            return file_values[name].strip(), f".env ({name})"
    if read_token_file:
        from huggingface_hub import constants  # knows HF_HOME and the `hf auth login` file

        path = Path(env.get("HF_TOKEN_PATH") or constants.HF_TOKEN_PATH)
        try:
            token = path.read_text().strip()
        except OSError:
            token = ""
        if token:
            return token, "hf auth login token file"
    return None, ""


def _base_url(value: str, name: str) -> str:
    value = value.rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def _number(value: str, name: str, kind: type = float):  # type: ignore[no-untyped-def]
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name} must be positive, got {value!r}")
    return number


def _endpoints(value: str) -> tuple[str, ...]:
    """PLAYGROUND_ENDPOINTS: URLs (`https://x.endpoints.huggingface.cloud/v1`) or hosts (`x.example:8443`),
    kept lower-case without a trailing slash; anything else is a configuration error."""
    listed = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        if "://" in item:
            if not item.lower().startswith(("http://", "https://")) or any(c in item for c in "?#@ "):
                raise ConfigError(f"PLAYGROUND_ENDPOINTS: {item!r} is not a plain http(s) URL")
        elif "/" in item or "@" in item:
            raise ConfigError(f"PLAYGROUND_ENDPOINTS: {item!r} is neither a URL nor a host[:port]")
        listed.append(item.rstrip("/").lower())
    return tuple(listed)


def _flag(value: str) -> bool:
    return value.lower() in ("1", "true", "yes", "on")


def _auth(value: str) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("GRADIO_AUTH must look like user:password")
    return (user, password)
