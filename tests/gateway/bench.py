"""The gateway benchmark (scripts/bench-gateway starts the chain, the llama.cpp server, a miner
and the gateway, then runs this): the official `openai` client, one request at a time.

- Streaming, straight to the backend and through the gateway: time to first token (request
  sent -> first piece of text) and tokens per second, the steady decoding rate over the second
  half of the stream's pieces (llama.cpp streams one token per piece).
- Not streaming, through the gateway and with `aitbc submit --wait` (the CLI): the time from the
  request to the verified answer.

Prints one JSON object with every sample and the medians.

    python bench.py --backend http://127.0.0.1:8091 --gateway http://127.0.0.1:8080 \
        --key aitbc_... --model smollm2-135m --cli "aitbc --url ws://... --dev --account alice" \
        --runs 10
"""

import argparse
import json
import shlex
import statistics
import subprocess
import time

from openai import OpenAI

# Prompts that make the model write at length, so that most of each stream is steady decoding.
PROMPTS = [
    "Write a long story about a lighthouse keeper and a storm.",
    "Describe, in many sentences, a walk through a forest in autumn.",
    "Explain in detail how a river is formed, from rain to sea.",
    "Tell a long tale about a cat who sails around the world.",
    "Write a detailed letter to a friend about a visit to the mountains.",
]


def streamed(client, model, prompt, max_tokens, warm_up=False):
    """One streamed chat completion: (ttft, tokens per second, pieces)."""
    started = time.monotonic()
    chunks = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": prompt}],
        max_tokens=max_tokens,
        temperature=0,
        seed=7,
        stream=True,
    )
    arrivals = []
    for chunk in chunks:
        for choice in chunk.choices or []:
            if choice.delta and choice.delta.content:
                arrivals.append(time.monotonic() - started)
    if warm_up:
        return None
    if len(arrivals) < 8:
        raise SystemExit(f"too few pieces streamed for {prompt!r}: {len(arrivals)}")
    # Steady decoding rate over the second half of the pieces: a reader that joins a job after
    # the miner started (the gateway does, by design, a moment after the assignment) gets the
    # text so far as one piece, then one token per piece as it is generated; the first half
    # absorbs that catch-up. A relay that fell behind would merge tokens there, and lose rate.
    half = arrivals[len(arrivals) // 2 :]
    span = half[-1] - half[0]
    rate = (len(half) - 1) / span if span > 0 else 0.0
    return {"ttft": arrivals[0], "tokens_per_s": rate, "pieces": len(arrivals), "total": arrivals[-1]}


def whole(client, model, prompt, max_tokens):
    """One chat completion, not streamed: seconds to the verified answer."""
    started = time.monotonic()
    answer = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": prompt}],
        max_tokens=max_tokens,
        temperature=0,
        seed=7,
    )
    seconds = time.monotonic() - started
    verified = (answer.model_dump().get("aitbc") or {}).get("signature_verified")
    if not verified:
        raise SystemExit(f"the gateway's answer is not verified: {answer}")
    return {"seconds": seconds, "tokens": answer.usage.completion_tokens}


def cli(command, model, prompt, max_tokens):
    """`aitbc submit inference --wait`: seconds to the verified answer."""
    started = time.monotonic()
    args = shlex.split(command) + [
        "--json", "submit", "inference", "--prompt", prompt, "--model", model,
        "--max-tokens", str(max_tokens), "--temperature", "0", "--seed", "7", "--wait",
    ]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    seconds = time.monotonic() - started
    answer = json.loads(out.strip().splitlines()[-1])
    if not answer["receipt"]["verified"]:
        raise SystemExit(f"the CLI's receipt is not verified: {answer}")
    return {"seconds": seconds, "tokens": answer["receipt"]["usage"]["output_tokens"]}


def median(samples, field):
    return statistics.median(s[field] for s in samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--block-ms", type=int, required=True)
    args = parser.parse_args()

    backend = OpenAI(base_url=args.backend.rstrip("/") + "/v1", api_key="none", max_retries=0, timeout=300)
    gateway = OpenAI(base_url=args.gateway.rstrip("/") + "/v1", api_key=args.key, max_retries=0, timeout=300)
    prompts = [PROMPTS[i % len(PROMPTS)] for i in range(args.runs)]
    # One warm-up each, not counted.
    streamed(backend, args.model, PROMPTS[0], 8, warm_up=True)
    streamed(gateway, args.model, PROMPTS[0], 8, warm_up=True)

    direct, through, via_gateway, via_cli = [], [], [], []
    for prompt in prompts:
        direct.append(streamed(backend, args.model, prompt, args.max_tokens))
        through.append(streamed(gateway, args.model, prompt, args.max_tokens))
        via_gateway.append(whole(gateway, args.model, prompt, args.max_tokens))
        via_cli.append(cli(args.cli, args.model, prompt, args.max_tokens))

    block = args.block_ms / 1000.0
    figures = {
        "runs": args.runs,
        "max_tokens": args.max_tokens,
        "block_s": block,
        "backend_ttft_p50_s": median(direct, "ttft"),
        "gateway_ttft_p50_s": median(through, "ttft"),
        "ttft_target_s": block + median(direct, "ttft") + 0.1,
        "backend_tokens_per_s_p50": median(direct, "tokens_per_s"),
        "gateway_tokens_per_s_p50": median(through, "tokens_per_s"),
        "tokens_per_s_ratio": median(through, "tokens_per_s") / median(direct, "tokens_per_s"),
        "backend_stream_total_p50_s": median(direct, "total"),
        "gateway_whole_p50_s": median(via_gateway, "seconds"),
        "cli_whole_p50_s": median(via_cli, "seconds"),
        "samples": {"direct": direct, "gateway_stream": through, "gateway_whole": via_gateway, "cli_whole": via_cli},
    }
    figures["ttft_met"] = figures["gateway_ttft_p50_s"] <= figures["ttft_target_s"]
    figures["tokens_per_s_met"] = figures["tokens_per_s_ratio"] >= 0.95
    # Both end when the block holding the result is seen, so both are whole blocks plus a little:
    # compared in blocks, with the raw seconds and the means beside.
    figures["gateway_whole_mean_s"] = statistics.mean(s["seconds"] for s in via_gateway)
    figures["cli_whole_mean_s"] = statistics.mean(s["seconds"] for s in via_cli)
    figures["gateway_whole_p50_blocks"] = round(figures["gateway_whole_p50_s"] / block)
    figures["cli_whole_p50_blocks"] = round(figures["cli_whole_p50_s"] / block)
    figures["whole_met"] = figures["gateway_whole_p50_blocks"] <= figures["cli_whole_p50_blocks"]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
