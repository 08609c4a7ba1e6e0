"""The official `openai` Python client against `aitbc-gateway`, for the end-to-end tests and the
gateway benchmark. Prints one JSON object on the last line of stdout.

    AITBC_GATEWAY_URL=http://127.0.0.1:8080 AITBC_GATEWAY_KEY=aitbc_... AITBC_MODEL=smollm2-135m \
        python openai_e2e.py MODE

MODE:
  models      the model ids of GET /v1/models
  chat        one chat completion, not streamed
  completion  one text completion, not streamed
  stream      one chat completion streamed: every piece with its arrival time, the job's status
              (read through the gateway's REST API) when the first piece arrived, the final
              chunk's usage and `aitbc` object
  cut         a streamed chat completion closed by the client after its first piece
"""

import json
import os
import sys
import time
import urllib.request

from openai import OpenAI

BASE = os.environ["AITBC_GATEWAY_URL"].rstrip("/")
KEY = os.environ["AITBC_GATEWAY_KEY"]
MODEL = os.environ["AITBC_MODEL"]
PROMPT = os.environ.get("AITBC_PROMPT", "Name three colours of the rainbow.")
MAX_TOKENS = int(os.environ.get("AITBC_MAX_TOKENS", "48"))

client = OpenAI(base_url=BASE + "/v1", api_key=KEY, max_retries=0, timeout=180)


def job_status(job_id):
    """The job's status through the gateway's REST API."""
    request = urllib.request.Request(f"{BASE}/v1/jobs/{job_id}", headers={"X-Api-Key": KEY})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["status"]


def job_id_of(completion_id):
    """`aitbc-<job id>` -> the job id."""
    return int(completion_id.rsplit("-", 1)[1])


def messages():
    return [{"role": "user", "content": PROMPT}]


def chat():
    started = time.monotonic()
    answer = client.chat.completions.create(
        model=MODEL, messages=messages(), max_tokens=MAX_TOKENS, temperature=0, seed=7
    )
    dump = answer.model_dump()
    return {
        "job_id": job_id_of(answer.id),
        "text": answer.choices[0].message.content,
        "finish_reason": answer.choices[0].finish_reason,
        "usage": dump["usage"],
        "aitbc": dump.get("aitbc"),
        "seconds": time.monotonic() - started,
    }


def completion():
    answer = client.completions.create(model=MODEL, prompt=PROMPT, max_tokens=MAX_TOKENS, temperature=0)
    dump = answer.model_dump()
    return {
        "job_id": job_id_of(answer.id),
        "text": answer.choices[0].text,
        "usage": dump["usage"],
        "aitbc": dump.get("aitbc"),
    }


def stream(cut=False):
    started = time.monotonic()
    chunks = client.chat.completions.create(
        model=MODEL, messages=messages(), max_tokens=MAX_TOKENS, temperature=0, seed=7, stream=True
    )
    pieces, arrivals, job_id, status_at_first, usage, aitbc, finish = [], [], None, None, None, None, None
    for chunk in chunks:
        dump = chunk.model_dump()
        job_id = job_id_of(chunk.id)
        for choice in dump.get("choices") or []:
            text = (choice.get("delta") or {}).get("content")
            if text:
                if not pieces:
                    status_at_first = job_status(job_id)
                pieces.append(text)
                arrivals.append(time.monotonic() - started)
            if choice.get("finish_reason"):
                finish = choice["finish_reason"]
        if dump.get("usage"):
            usage = dump["usage"]
        if dump.get("aitbc"):
            aitbc = dump["aitbc"]
        if cut and pieces:
            chunks.close()
            break
    return {
        "job_id": job_id,
        "text": "".join(pieces),
        "pieces": len(pieces),
        "arrivals": arrivals,
        "status_at_first_token": status_at_first,
        "finish_reason": finish,
        "usage": usage,
        "aitbc": aitbc,
    }


MODES = {
    "models": lambda: {"models": [m.id for m in client.models.list()]},
    "chat": chat,
    "completion": completion,
    "stream": stream,
    "cut": lambda: stream(cut=True),
}

if __name__ == "__main__":
    print(json.dumps(MODES[sys.argv[1]]()))
