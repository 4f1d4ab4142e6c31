"""Inference Providers (fal-ai, replicate, together, wavespeed, ...) through the router, every task.

Design: the *request* for each (provider, task) pair is built by huggingface_hub's own provider helper
(`wire.py`), not by a table of ours. The helpers are the official client's specification (74 pairs in
2.4, kept current by HF as providers move), their request steps are pure, and a table of our own would
drift silently. We call only those pure steps (`_prepare_headers/_route/_payload_as_dict/_bytes`) with a
mapping from our Hub call, so the library never sees a token, sends nothing and fetches nothing; our
transport adds the token per request and keeps our timeouts, body caps and no-redirect rule. Everything
after the request is ours: reading answers (`answers.py`), jobs with backoff, deadline and upstream
cancel (`jobs.py`, `run.py`; the library polls fal every 0.5 s forever), and media fetched with no
credential from public https hosts only (`media.py`). The helpers' methods are private API: the range
pinned in requirements.txt and `tests/http/test_provider_conformance.py` (every pair sent by
`InferenceClient` and by us, compared on the wire) fail loudly when the library changes.

Layout: mapping (the Hub's inferenceProviderMapping, `auto`), wire (requests), answers, jobs, media, run.
"""
from __future__ import annotations

from .answers import MEDIA_TASKS
from .jobs import Job, JobStatus
from .mapping import ProviderMapping, parse_mapping, pick
from .media import MediaFetcher
from .run import CancelLedger, CancelOutcome, JobUpdate, run_provider
from .wire import helper_for, provider_pairs, provider_request

__all__ = ["ProviderMapping", "parse_mapping", "pick", "provider_request", "provider_pairs", "helper_for",
           "run_provider", "JobUpdate", "CancelLedger", "CancelOutcome", "Job", "JobStatus", "MediaFetcher",
           "MEDIA_TASKS"]
