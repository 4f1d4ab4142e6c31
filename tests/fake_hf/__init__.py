"""A fake Hugging Face server for offline tests and demos: the inference router and the Hub API on
one base URL, replaying `recorded/` (a copy of shared/hf-recorded) and serving scripted failure models.

    from tests.fake_hf import FakeHF
    with FakeHF() as hf:            # any `hf_` bearer token is accepted; FakeHF(token="hf_x") for one
        requests.post(f"{hf.url}/hf-inference/models/fake/cold-5", ...)
        hf.received[-1].headers["Authorization"]

CLI: `python -m tests.fake_hf --port 8765` (`--help` lists the scripted models).
"""
from .replies import Received
from .server import FakeHF

__all__ = ["FakeHF", "Received"]
