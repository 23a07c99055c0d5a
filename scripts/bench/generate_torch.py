#!/usr/bin/python3
"""The PyTorch peer of `seemore bench generate`: the same Llama/Qwen2 shape (a config.json) with
random weights, greedy generation with a KV cache as Hugging Face transformers 4.45 runs it in eager
mode (LlamaForCausalLM / Qwen2ForCausalLM, attn_implementation="eager": q/k/v projections, rotate-half
RoPE, torch.cat into the cache, repeat_kv, matmul + causal mask + float32 softmax, SwiGLU, RMSNorm in
float32), written in plain PyTorch without transformers. Prints the same figures: prefill tokens/s of
one prompt, time to first token, decode tokens/s at batch 1 and batch 8, peak RSS.

Run with Debian's PyTorch (apt-get install python3-torch libopenblas0-pthread):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 scripts/bench/generate_torch.py \
      --config bench/configs/smollm2-135m.json --dtype bf16 --threads 2
"""
import argparse
import json
import math
import resource
import sys
import time

import torch


def rms_norm(x, weight, eps):
    dtype = x.dtype
    h = x.to(torch.float32)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Model:
    def __init__(self, cfg, dtype, seed):
        g = torch.Generator().manual_seed(seed)
        self.c = cfg
        c = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads", self.heads)
        self.hd = cfg.get("head_dim", c // self.heads)
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        f = cfg["intermediate_size"]
        v = cfg["vocab_size"]
        bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)

        def w(rows, cols):
            return (torch.randn(rows, cols, generator=g) * 0.02).to(dtype)

        def b(n):
            return torch.zeros(n, dtype=dtype) if bias else None

        q, kv = self.heads * self.hd, self.kv_heads * self.hd
        self.layers = []
        for _ in range(cfg["num_hidden_layers"]):
            self.layers.append(dict(inorm=torch.ones(c, dtype=dtype), q=w(q, c), qb=b(q), k=w(kv, c), kb=b(kv), v=w(kv, c), vb=b(kv),
                                    o=w(c, q), pnorm=torch.ones(c, dtype=dtype), gate=w(f, c), up=w(f, c), down=w(c, f)))
        self.embed = w(v, c)
        self.lm_head = self.embed if cfg.get("tie_word_embeddings", False) else w(v, c)
        self.norm = torch.ones(c, dtype=dtype)
        theta = float(cfg.get("rope_theta", 10000.0))
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))
        self.dtype = dtype

    def weight_bytes(self):
        tensors = [self.embed, self.norm] + ([] if self.lm_head is self.embed else [self.lm_head])
        for l in self.layers:
            tensors += [t for t in l.values() if t is not None]
        return sum(t.numel() * t.element_size() for t in tensors)

    def rope(self, positions):
        freqs = positions[:, :, None].float() * self.inv_freq[None, None, :]   # (B, T, hd/2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(self.dtype)[:, None], emb.sin().to(self.dtype)[:, None]   # (B, 1, T, hd)

    def forward(self, ids, positions, cache, mask):
        """ids (B, T), positions (B, T), cache: per layer [k, v] or None; mask (T, L) additive or None. -> last position's logits (B, V)."""
        x = torch.nn.functional.embedding(ids, self.embed)
        bsz, t, _ = x.shape
        cos, sin = self.rope(positions)
        rep = self.heads // self.kv_heads
        for i, l in enumerate(self.layers):
            h = rms_norm(x, l["inorm"], self.eps)
            q = torch.nn.functional.linear(h, l["q"], l["qb"]).view(bsz, t, self.heads, self.hd).transpose(1, 2)
            k = torch.nn.functional.linear(h, l["k"], l["kb"]).view(bsz, t, self.kv_heads, self.hd).transpose(1, 2)
            v = torch.nn.functional.linear(h, l["v"], l["vb"]).view(bsz, t, self.kv_heads, self.hd).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache[i] is not None:   # DynamicCache.update: torch.cat along the sequence
                k = torch.cat([cache[i][0], k], dim=-2)
                v = torch.cat([cache[i][1], v], dim=-2)
            cache[i] = (k, v)
            k = k[:, :, None].expand(bsz, self.kv_heads, rep, k.shape[-2], self.hd).reshape(bsz, self.heads, -1, self.hd)   # repeat_kv
            v = v[:, :, None].expand(bsz, self.kv_heads, rep, v.shape[-2], self.hd).reshape(bsz, self.heads, -1, self.hd)
            scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd)
            if mask is not None:
                scores = scores + mask
            p = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
            y = torch.matmul(p, v).transpose(1, 2).reshape(bsz, t, -1)
            x = x + torch.nn.functional.linear(y, l["o"])
            h = rms_norm(x, l["pnorm"], self.eps)
            x = x + torch.nn.functional.linear(torch.nn.functional.silu(torch.nn.functional.linear(h, l["gate"])) * torch.nn.functional.linear(h, l["up"]), l["down"])
        x = rms_norm(x[:, -1:], self.norm, self.eps)   # num_logits_to_keep=1, as generate asks
        return torch.nn.functional.linear(x, self.lm_head)[:, -1].float()


def generate(model, prompt, steps):
    """Prefill of prompt (B, T), then steps greedy tokens; returns wall (prefill s, first token s, decode s) and CPU (prefill s, decode s)."""
    bsz, t = prompt.shape
    cache = [None] * len(model.layers)
    mask = torch.full((t, t), torch.finfo(model.dtype).min, dtype=model.dtype).triu(1)
    cpu0, start = time.process_time(), time.perf_counter()
    logits = model.forward(prompt, torch.arange(t)[None].expand(bsz, t), cache, mask)
    prefilled, cpu1 = time.perf_counter(), time.process_time()
    nxt = logits.argmax(-1)
    first, cpu2 = time.perf_counter(), time.process_time()
    for s in range(steps):
        logits = model.forward(nxt[:, None], torch.full((bsz, 1), t + s), cache, None)
        nxt = logits.argmax(-1)
    end, cpu3 = time.perf_counter(), time.process_time()
    return (prefilled - start, first - start, end - first), (cpu1 - cpu0, cpu3 - cpu2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--dtype", choices=["f32", "bf16"], default="bf16")
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--batch-prompt-tokens", type=int, default=64)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.config) as f:
        cfg = json.load(f)
    dtype = torch.bfloat16 if a.dtype == "bf16" else torch.float32
    g = torch.Generator().manual_seed(a.seed + 1)
    with torch.inference_mode():
        model = Model(cfg, dtype, a.seed)
        vocab = cfg["vocab_size"]
        for _ in range(2):   # warm-up: the same paths on short prompts
            generate(model, torch.randint(vocab, (1, 32), generator=g), 8)
            generate(model, torch.randint(vocab, (8, 4), generator=g), 8)
        (p1, ttft, d1), (cp1, cd1) = generate(model, torch.randint(vocab, (1, a.prompt_tokens), generator=g), a.new_tokens)
        (p8, _, d8), (_, cd8) = generate(model, torch.randint(vocab, (8, a.batch_prompt_tokens), generator=g), a.new_tokens)
    out = dict(model=a.config, dtype=a.dtype, threads=torch.get_num_threads(), torch=torch.__version__,
               prompt_tokens=a.prompt_tokens, batch_prompt_tokens=a.batch_prompt_tokens, new_tokens=a.new_tokens,
               weights_mb=model.weight_bytes() / 1e6, prefill_tokens_per_s=a.prompt_tokens / p1, time_to_first_token_ms=1e3 * ttft,
               decode_tokens_per_s_batch1=a.new_tokens / d1, decode_tokens_per_s_batch8=8 * a.new_tokens / d8,
               prefill_tokens_per_s_batch8=8 * a.batch_prompt_tokens / p8,
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               prefill_tokens_per_cpu_s=a.prompt_tokens / cp1, decode_tokens_per_cpu_s_batch1=a.new_tokens / cd1,
               decode_tokens_per_cpu_s_batch8=8 * a.new_tokens / cd8)
    print(f"pytorch {torch.__version__} generate: {a.config}, {a.dtype}, {out['threads']} threads")
    print(f"  weights in memory                    {out['weights_mb']:10.0f} MB")
    print(f"  prefill, {a.prompt_tokens} tokens{'':<{22 - len(str(a.prompt_tokens))}} {out['prefill_tokens_per_s']:10.1f} tokens/s")
    print(f"  time to first token                  {out['time_to_first_token_ms']:10.1f} ms")
    print(f"  decode, batch 1                      {out['decode_tokens_per_s_batch1']:10.1f} tokens/s")
    print(f"  decode, batch 8                      {out['decode_tokens_per_s_batch8']:10.1f} tokens/s")
    print(f"  peak RSS                             {out['peak_rss_mb']:10.0f} MB")
    print(f"  prefill / decode 1 / decode 8        {out['prefill_tokens_per_cpu_s']:10.1f} / {out['decode_tokens_per_cpu_s_batch1']:.1f}"
          f" / {out['decode_tokens_per_cpu_s_batch8']:.1f} tokens per CPU second")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
