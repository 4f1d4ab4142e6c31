"""`python -m tests.fake_hf`: serve the fake Hugging Face on 127.0.0.1 until killed.

`--help` lists every scripted model, one line each, from the same table the server uses.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .catalog import SMALL_CONTEXT, TOOLS_PICKY
from .provider_routes import __doc__ as _PROVIDER_DOC
from .scripted import SCRIPTED
from .server import DEFAULT_RECORDINGS, FakeHF

ROUTES = """routes (one base URL):
  POST /hf-inference/models/<id>[/pipeline/<task>|/v1/chat/completions]   recordings, scripted models
  POST /v1/chat/completions  {"model": "<id>[:fastest|:cheapest|:preferred|:<provider>]"}   auto-router
  GET  /v1/models   GET /api/models   GET /api/models/<id>   GET /api/whoami-v2
  POST /models/..., /pipeline/...   410 (legacy api-inference host)
  POST /<provider>/...   Inference Providers (fal-ai, replicate, together, wavespeed, novita, nscale,
                         zai-org, deepinfra, scaleway, featherless-ai) as huggingface_hub calls them,
                         with their jobs; media links point at the fake CDN (--cdn-port)
  GET  /_fake/requests   POST /_fake/reset   (control: received log, reset)"""


PROVIDER_SCRIPTS = "scripted provider models (their Hub mapping names the provider):" + "".join(
    f"\n  {line.strip()}" if not line.strip().startswith("fake/") else f"\n    {line.strip()}"
    for line in (_PROVIDER_DOC or "").split("Scripted models:", 1)[-1].strip().splitlines())


CATALOG_ONLY = (f"catalog models (answered as any chat model; what is special is their /v1/models entry):\n"
                f"  {SMALL_CONTEXT}  served by hyperbolic only, whose context is 2,048 tokens: a long message or "
                f"conversation is warned about before sending\n"
                f"  {TOOLS_PICKY}    served by groq, whose entry says it cannot take tools, and together: with tools "
                f"set, groq is warned about and auto goes to together")


def build_parser() -> argparse.ArgumentParser:
    width = max(len(model.name) for model in SCRIPTED)
    models = "\n".join(f"  {model.name:<{width}}  {model.summary}" for model in SCRIPTED)
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_hf",
        description="Fake Hugging Face inference router + Hub API for offline tests and demos.",
        epilog=f"{ROUTES}\n\n{PROVIDER_SCRIPTS}\n\nscripted models (POST /hf-inference/models/<id>; chat ones also on "
               f"/v1/chat/completions):\n{models}\n\n{CATALOG_ONLY}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--cdn-port", type=int, help="port of the fake media CDN (default: --port + 1)")
    parser.add_argument("--token", help="accept only this bearer token (default: any token starting with hf_)")
    parser.add_argument("--recordings", type=Path, default=DEFAULT_RECORDINGS, help="recorded cases directory")
    parser.add_argument("--sse-pace", type=float, default=0.0, help="seconds between replayed stream events")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    cdn_port = args.cdn_port if args.cdn_port is not None else (args.port + 1 if args.port else 0)
    server = FakeHF(args.token, port=args.port, recordings=args.recordings, sse_pace=args.sse_pace,
                    verbose=args.verbose, cdn_port=cdn_port).start()
    print(f"fake_hf serving on {server.url}", flush=True)
    print(f"fake media CDN on {server.cdn_url} (the app needs PLAYGROUND_MEDIA_HOSTS={server.cdn.host})", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
