"""HF Inference Playground: read the settings, build the page from `components/`, launch.

    python app.py                      # http://127.0.0.1:7860
Offline with the fake server:
    HF_ROUTER_URL=http://127.0.0.1:8765 HF_ENDPOINT=http://127.0.0.1:8765 HF_TOKEN=hf_demo python app.py
"""
from __future__ import annotations

import os
from typing import Any

# Before gradio is imported: with analytics on, start-up calls api.gradio.app and huggingface.co.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from backend import Settings, load_settings  # noqa: E402
from backend.errors import ConfigError  # noqa: E402
from backend.redact import install_log_redaction  # noqa: E402
from components.page import PAGE_CSS, PAGE_JS, THEME, build_demo  # noqa: E402

__all__ = ["build_demo", "launch_kwargs", "check_exposure", "main", "CONTENT_SECURITY_POLICY"]

# "runs" is left out: it is the run-history view, which is switched off.
FOOTER_LINKS = ["api", "gradio", "settings"]
# Uploads (images, audio) beyond this are refused by Gradio before any handler sees them.
MAX_UPLOAD = "50mb"
# A second line of defence behind escaping model output (SECURITY.md T10): pictures and sound come
# only from this server (or data: / blob: it made), and the page embeds no frames or plugins.
CONTENT_SECURITY_POLICY = ("img-src 'self' data: blob:; media-src 'self' data: blob:; object-src 'none'; "
                           "frame-src 'none'; base-uri 'self'; form-action 'self'")


def check_exposure(settings: Settings) -> None:
    """Refuse a public app that would let anyone spend the operator's token (SECURITY.md T7, T14)."""
    if settings.is_public and settings.hf_token and not settings.auth and not settings.share_server_token:
        raise ConfigError(
            f"The app listens on {settings.server_name}, so anyone who can reach it would spend the token from "
            f"{settings.token_source or 'HF_TOKEN'}. Do one of: set GRADIO_AUTH=user:password; set "
            "PLAYGROUND_SHARE_SERVER_TOKEN=1 to share the token on purpose; remove the token so visitors paste "
            "their own; or listen on 127.0.0.1 only (GRADIO_SERVER_NAME).")


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """Everything `demo.launch()` is given; raises ConfigError for an unsafe configuration."""
    check_exposure(settings)
    return dict(
        server_name=settings.server_name, server_port=settings.server_port, auth=settings.auth,
        share=False,               # a gradio.live link would publish the app; never implied
        run_history=False,         # otherwise every input, password fields too, lands in localStorage
        footer_links=FOOTER_LINKS, show_error=False, ssr_mode=False, mcp_server=False, max_file_size=MAX_UPLOAD,
        theme=THEME, css=PAGE_CSS, js=PAGE_JS,
        head=f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
    )


def main() -> None:
    install_log_redaction()  # whatever any library logs passes redact() first (SECURITY.md T3)
    settings = load_settings()
    kwargs = launch_kwargs(settings)
    build_demo(settings).launch(**kwargs)


if __name__ == "__main__":
    main()
