"""Provider jobs: a submitted generation that is polled until done, as each official client polls it.

    fal-ai     queue: response_url's path + /status, then the result; PUT .../cancel
    replicate  prediction: urls.get until succeeded/failed/canceled; POST urls.cancel
    wavespeed  data.urls.get until completed/failed (no cancel)
    zai-org    /api/paas/v4/async-result/{id} until SUCCESS/FAIL (no cancel)
    together   /v2/videos/{id} until completed/failed (no cancel)
Every status URL is the router's `/{provider}` plus only the *path* the provider gave, so a job can
never steer the token to another host. `read_status` is pure: a status answer in, a `JobStatus` out.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

from ..errors import BadResponse
from ..result import InferenceRequest

__all__ = ["Job", "JobStatus", "start_job", "read_status", "QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED"]

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
_STATES = {
    "fal-ai": {"IN_QUEUE": QUEUED, "IN_PROGRESS": RUNNING, "COMPLETED": DONE},
    "replicate": {"starting": QUEUED, "processing": RUNNING, "succeeded": DONE, "failed": FAILED,
                  "canceled": CANCELLED},
    "wavespeed": {"created": QUEUED, "processing": RUNNING, "completed": DONE, "failed": FAILED},
    "zai-org": {"PROCESSING": RUNNING, "SUCCESS": DONE, "FAIL": FAILED},
    "together": {"queued": QUEUED, "in_progress": RUNNING, "completed": DONE, "failed": FAILED,
                 "cancelled": CANCELLED},
}


@dataclass(frozen=True)
class JobStatus:
    state: str                    # queued | running | done | failed | cancelled
    position: int | None = None   # place in the provider's queue, when it says
    progress: str = ""            # the provider's last log line or step, when it says
    reason: str = ""              # why it failed
    answer: Any = None            # the finished answer, when the status carries it


@dataclass(frozen=True)
class Job:
    """A submitted job: where to ask for its status, its result and its cancellation."""

    provider: str
    job_id: str
    status: InferenceRequest
    result: InferenceRequest | None = None   # fal-ai: the answer is a separate GET
    cancel: InferenceRequest | None = None


def _path(url: Any) -> str:
    path = urlsplit(str(url or "")).path
    normal = posixpath.normpath(path) if path else ""
    if not normal.startswith("/") or normal != path.rstrip("/") or "//" in path:
        raise BadResponse("the provider's job link has an unexpected path; not followed")
    return normal


def _get(submitted: InferenceRequest, url: str, method: str = "GET") -> InferenceRequest:
    return InferenceRequest(method, url, model_id=submitted.model_id, task=submitted.task,
                            provider=submitted.provider, provider_id=submitted.provider_id)


def _base(submitted: InferenceRequest) -> str:
    parts = urlsplit(submitted.url)
    provider = quote(submitted.provider, safe="")
    prefix = parts.path.split(f"/{provider}/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{prefix}/{provider}"


def start_job(submitted: InferenceRequest, answer: Any) -> Job | None:
    """The job a submit answer started, or None when the answer is already final."""
    if not isinstance(answer, Mapping):
        return None
    base, provider = _base(submitted), submitted.provider
    if provider == "fal-ai" and answer.get("request_id") and answer.get("response_url"):
        query = urlsplit(submitted.url).query
        path = _path(answer["response_url"])
        suffix = f"?{query}" if query else ""
        return Job(provider, str(answer["request_id"]), _get(submitted, f"{base}{path}/status{suffix}"),
                   result=_get(submitted, f"{base}{path}{suffix}"),
                   cancel=_get(submitted, f"{base}{path}/cancel{suffix}", "PUT"))
    if provider == "replicate" and answer.get("output") is None and isinstance(answer.get("urls"), Mapping) \
            and answer.get("status") in ("starting", "processing"):
        urls = answer["urls"]
        cancel = _get(submitted, f"{base}{_path(urls['cancel'])}", "POST") if urls.get("cancel") else None
        return Job(provider, str(answer.get("id", "")), _get(submitted, f"{base}{_path(urls.get('get'))}"),
                   cancel=cancel)
    if provider == "wavespeed" and isinstance(answer.get("data"), Mapping):
        data = answer["data"]
        url = (data.get("urls") or {}).get("get")
        if url and data.get("status") not in ("completed", "failed"):
            return Job(provider, str(data.get("id", "")), _get(submitted, f"{base}{_path(url)}"))
    if provider == "zai-org" and answer.get("task_status") == "PROCESSING" and answer.get("id"):
        job_id = quote(str(answer["id"]), safe="")
        return Job(provider, str(answer["id"]), _get(submitted, f"{base}/api/paas/v4/async-result/{job_id}"))
    if provider == "together" and submitted.task in ("text-to-video", "image-to-video") and answer.get("id") \
            and answer.get("status") in (None, "queued", "in_progress"):
        job_id = quote(str(answer["id"]), safe="")
        return Job(provider, str(answer["id"]), _get(submitted, f"{submitted.url.split('?')[0]}/{job_id}"))
    return None


def read_status(job: Job, body: Any) -> JobStatus:
    """One status answer as a JobStatus; an answer we cannot read counts as still running."""
    if not isinstance(body, Mapping):
        return JobStatus(RUNNING)
    if job.provider == "wavespeed":
        body = body.get("data") if isinstance(body.get("data"), Mapping) else body
    raw = body.get("task_status") if job.provider == "zai-org" else body.get("status")
    state = _STATES.get(job.provider, {}).get(str(raw), RUNNING)
    if job.provider == "fal-ai" and state == DONE and body.get("error"):
        state = FAILED  # fal's queue ends a failed request as COMPLETED with the error beside it
    position = body.get("queue_position")
    return JobStatus(state, position if isinstance(position, int) else None, _progress(job.provider, body),
                     _reason(body) if state in (FAILED, CANCELLED) else "",
                     body if state == DONE and job.result is None else None)


def _progress(provider: str, body: Mapping[str, Any]) -> str:
    logs = body.get("logs")
    if isinstance(logs, list) and logs:
        last = logs[-1]
        return str(last.get("message", "") if isinstance(last, Mapping) else last)[:120]
    if isinstance(logs, str) and logs.strip():
        return logs.strip().splitlines()[-1][:120]  # replicate's logs: the last line says the step
    return ""


def _reason(body: Mapping[str, Any]) -> str:
    error = body.get("error")
    if isinstance(error, Mapping):
        error = error.get("message") or error.get("detail")
    return str(error or body.get("detail") or "the provider gave no reason")[:300]
