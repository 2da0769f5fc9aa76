#!/usr/bin/env python3
"""A small OpenAI-compatible engine that does real work on the GPUs it is given.

tunefleet starts it as a `custom` engine (examples/gpu-engine/task.json) to check, on a GPU host,
what a simulated GPU cannot show: that the worker hands the engine exactly the GPUs it reserved
(CUDA_VISIBLE_DEVICES), that nvidia-smi sees the engine's memory and load while it runs, and that
the GPU comes back clean afterwards.

It is not a language model. Each request "decodes" max_tokens tokens; each token is `--layers`
bf16 matrix products of size `--hidden` on the first visible GPU, so larger settings are slower and
the tuner has something real to find. At start it allocates `--mem-gib` GiB, as an engine's
weights and KV cache would, and prints what CUDA shows it: device count, name and UUID.

Serves /health, /v1/models, /v1/completions and /v1/chat/completions (streaming with a usage chunk,
or not), over
HTTP/1.1 with keep-alive. Needs PyTorch with CUDA; --allow-cpu (or TORCH_ENGINE_ALLOW_CPU=1) runs it
without a GPU.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--model", default="torch-engine")
    p.add_argument("--hidden", type=int, default=4096, help="matrix size of one layer")
    p.add_argument("--layers", type=int, default=8, help="matrix products per token")
    p.add_argument("--mem-gib", type=float, default=4.0, help="GPU memory to hold, as weights and KV cache would")
    p.add_argument("--tp-size", type=int, default=1, help="GPUs the experiment reserved; only 1 is run here")
    p.add_argument("--allow-cpu", action="store_true", help="run on the CPU where torch or CUDA is missing")
    return p.parse_args()


class Device:
    """The matrices one token runs through, on the first visible GPU (or the CPU when allowed)."""

    def __init__(self, args):
        try:
            import torch
        except ImportError:
            torch = None
        self.torch = torch
        self.layers = args.layers
        self.lock = threading.Lock()
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")
        if torch is not None and torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            self.describe = {
                "cuda_visible_devices": visible,
                "device_count": torch.cuda.device_count(),
                "name": props.name,
                "uuid": "GPU-" + str(props.uuid) if hasattr(props, "uuid") else None,
                "total_mib": props.total_memory // (1024 * 1024),
            }
            self.device = torch.device("cuda:0")
            dtype = torch.bfloat16
        elif args.allow_cpu or os.environ.get("TORCH_ENGINE_ALLOW_CPU") == "1":
            self.describe = {"cuda_visible_devices": visible, "device_count": 0, "name": "cpu"}
            self.device = None
            dtype = None
        else:
            sys.exit("torch_engine: no CUDA device visible (CUDA_VISIBLE_DEVICES=%s); --allow-cpu runs without one"
                     % visible)
        self.held = None
        if self.device is not None:
            self.held = torch.empty(int(args.mem_gib * (1 << 30)), dtype=torch.uint8, device=self.device)
            self.weight = torch.randn(args.hidden, args.hidden, dtype=dtype, device=self.device)
            self.state = torch.randn(64, args.hidden, dtype=dtype, device=self.device)
            torch.cuda.synchronize()
        print("torch_engine: " + json.dumps(self.describe), flush=True)

    def token(self):
        """One decode step; returns once the GPU has done it."""
        if self.device is None:
            time.sleep(0.001)
            return
        with self.lock:  # one step at a time, as a batch scheduler would serialise them
            self.torch.cuda.set_device(self.device)  # this request's thread has no CUDA context yet
            x = self.state
            for _ in range(self.layers):
                x = x @ self.weight
            self.torch.cuda.synchronize()


def handler(device, model):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def send_json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/health":
                self.send_json(200, {"status": "ok", "device": device.describe})
            elif self.path == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": model, "object": "model"}]})
            else:
                self.send_json(404, {"error": {"message": "no such path: " + self.path}})

        def do_POST(self):
            # The body is read before anything is answered, so a keep-alive connection stays in step.
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                self.send_json(400, {"error": {"message": "bad Content-Length"}})
                self.close_connection = True
                return
            raw = self.rfile.read(length)
            chat = self.path == "/v1/chat/completions"
            if not chat and self.path != "/v1/completions":
                self.send_json(404, {"error": {"message": "no such path: " + self.path}})
                return
            try:
                body = json.loads(raw)
                usage_wanted = bool((body.get("stream_options") or {}).get("include_usage"))
                tokens = int(body.get("max_tokens", 16))
                prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", [])) if chat \
                    else str(body.get("prompt", ""))
            except (ValueError, TypeError, AttributeError) as e:
                self.send_json(400, {"error": {"message": "bad request: %s" % e}})
                return
            prompt_tokens = len(prompt.split())
            usage = {"prompt_tokens": prompt_tokens, "completion_tokens": tokens,
                     "total_tokens": prompt_tokens + tokens}
            kind = "chat.completion" if chat else "text_completion"
            if not body.get("stream"):
                for _ in range(tokens):
                    device.token()
                text = " x" * tokens
                choice = {"index": 0, "finish_reason": "length"}
                choice.update({"message": {"role": "assistant", "content": text}} if chat else {"text": text})
                self.send_json(200, {"object": kind, "model": model, "choices": [choice], "usage": usage})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            kind += ".chunk" if chat else ""
            for i in range(tokens):
                device.token()
                choice = {"index": 0, "finish_reason": "length" if i == tokens - 1 else None}
                choice.update({"delta": {"content": " x"}} if chat else {"text": " x"})
                self.event({"object": kind, "model": model, "choices": [choice]})
            if usage_wanted:
                self.event({"object": kind, "model": model, "choices": [], "usage": usage})
            self.chunk(b"data: [DONE]\n\n")
            self.chunk(b"")

        def event(self, body):
            self.chunk(b"data: " + json.dumps(body).encode() + b"\n\n")

        def chunk(self, data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    return Handler


def main():
    args = parse_args()
    if args.tp_size != 1:
        sys.exit("torch_engine: runs on one GPU; --tp-size %d is not supported" % args.tp_size)
    device = Device(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(device, args.model))
    server.daemon_threads = True
    print("torch_engine: serving on 127.0.0.1:%d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
