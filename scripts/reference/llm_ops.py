#!/usr/bin/env python3
"""Writes llm-ops.safetensors: PyTorch's float32 values for the ops of Hugging Face's decoders and
vision towers, as transformers 4.45 defines them (the shared fixtures' README, "What the HF code does
that a reimplementation tends to get wrong"), to test the Java ops against.

  /usr/bin/python3 llm_ops.py ../../src/test/resources/fixtures/generated/llm-ops.safetensors

Everything runs in float32 on one thread, each step as its own tensor op, so every rounding is
PyTorch's. Tensors (r.* are fixed random weights: the gradients are those of sum(output * r)):

  rope.<case>.inv_freq [d/2]       1 / theta^(arange(0, d, 2).float() / d), then for llama3 cases
                                   the rescaling by wavelength (factor, low/high_freq_factor,
                                   original_max_position_embeddings in the metadata)
  rope.<case>.positions I64 [P]    positions
  rope.<case>.cos, .sin [P, d]     cos/sin of cat(freqs, freqs), freqs = inv_freq @ positions
  rope.apply.{x [B,T,H*d], positions I64 [B,T], y, r, grad}
                                   y = x*cos + rotate_half(x)*sin per head (llama case's theta, d = 16);
                                   row 1's positions are generate's cumsum(mask) - 1, padding set to 1
  act.x [N]; act.<name>, act.<name>.grad   silu, quick_gelu (x * sigmoid(1.702x)), gelu_tanh; d/dx
  rmsnorm.{x [R,C], weight [C], y, r, grad.x, grad.weight}   weight * (x * rsqrt(mean(x^2) + eps))
  attn.<case>.{q, k, v, mask I64 [B,Tk], y, r, grad.q, grad.k, grad.v}
                                   eager attention: repeat_kv, q k^T / sqrt(d), + finfo.min where a key
                                   is in the future or masked, softmax, @ v; r is 0 on the padded
                                   query rows, as a loss that ignores padding weights them
"""

import math
import sys
from collections import OrderedDict

import torch

from seemore_ref import write_safetensors

torch.set_num_threads(1)
F32 = torch.float32
POSITIONS = [0, 1, 2, 3, 7, 100, 511, 1000, 4095, 8191, 8192, 32767, 131071]
ROPE_CASES = {  # name -> (head width, theta, llama3 scaling or None)
    "llama": (64, 10000.0, None),
    "qwen2": (64, 1000000.0, None),
    "llama31": (128, 500000.0, (8.0, 1.0, 4.0, 8192)),
    "llama32": (64, 500000.0, (32.0, 1.0, 4.0, 8192)),
}


def inverse_frequencies(d, theta, scaling):
    inv = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    if scaling is None:
        return inv
    factor, low, high, original = scaling
    wavelength = 2 * math.pi / inv
    scaled = torch.where(wavelength > original / low, inv / factor, inv)
    smooth = (original / wavelength - low) / (high - low)
    blended = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelength < original / high) & ~(wavelength > original / low)
    return torch.where(medium, blended, scaled)


def cos_sin(inv, positions):
    """positions [B, T] -> cos, sin [B, T, d]."""
    freqs = (inv[None, :, None].float() @ positions[:, None, :].float()).transpose(1, 2)
    angles = torch.cat((freqs, freqs), dim=-1)
    return angles.cos(), angles.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_dumps(out, gen):
    for name, (d, theta, scaling) in ROPE_CASES.items():
        inv = inverse_frequencies(d, theta, scaling)
        positions = torch.tensor(POSITIONS, dtype=torch.int64)
        cos, sin = cos_sin(inv, positions[None, :])
        out[f"rope.{name}.inv_freq"] = inv
        out[f"rope.{name}.positions"] = positions
        out[f"rope.{name}.cos"] = cos[0]
        out[f"rope.{name}.sin"] = sin[0]
    b, t, heads, d = 2, 6, 3, 16
    mask = torch.tensor([[1] * t, [0, 0] + [1] * (t - 2)])
    positions = mask.cumsum(-1) - 1
    positions = positions.masked_fill(mask == 0, 1)
    positions[0] = torch.arange(t)
    x = torch.randn(b, t, heads * d, generator=gen).requires_grad_(True)
    cos, sin = cos_sin(inverse_frequencies(d, 10000.0, None), positions)
    heads_x = x.view(b, t, heads, d)
    y = heads_x * cos[:, :, None, :] + rotate_half(heads_x) * sin[:, :, None, :]
    y = y.reshape(b, t, heads * d)
    r = torch.randn(b, t, heads * d, generator=gen)
    (y * r).sum().backward()
    out.update({"rope.apply.x": x, "rope.apply.positions": positions, "rope.apply.y": y, "rope.apply.r": r, "rope.apply.grad": x.grad})


def activation_dumps(out, gen):
    x = torch.cat((torch.linspace(-12, 12, 97), 3 * torch.randn(63, generator=gen)))
    functions = {
        "silu": torch.nn.functional.silu,
        "quick_gelu": lambda v: v * torch.sigmoid(1.702 * v),
        "gelu_tanh": lambda v: torch.nn.functional.gelu(v, approximate="tanh"),
    }
    out["act.x"] = x
    for name, f in functions.items():
        v = x.clone().requires_grad_(True)
        y = f(v)
        y.sum().backward()
        out[f"act.{name}"] = y
        out[f"act.{name}.grad"] = v.grad


def rmsnorm_dumps(out, gen, eps):
    x = (2 * torch.randn(5, 64, generator=gen)).requires_grad_(True)
    weight = (1 + 0.1 * torch.randn(64, generator=gen)).requires_grad_(True)
    variance = x.pow(2).mean(-1, keepdim=True)
    y = weight * (x * torch.rsqrt(variance + eps))
    r = torch.randn(5, 64, generator=gen)
    (y * r).sum().backward()
    out.update({"rmsnorm.x": x, "rmsnorm.weight": weight, "rmsnorm.y": y, "rmsnorm.r": r,
                "rmsnorm.grad.x": x.grad, "rmsnorm.grad.weight": weight.grad})


def attention(q, k, v, heads, kv_heads, causal, mask):
    """q [B, Tq, H*d], k, v [B, Tk, KV*d], mask [B, Tk] or None -> [B, Tq, H*d], as HF's eager attention."""
    b, tq, width = q.shape
    tk, d = k.shape[1], width // heads
    qh = q.view(b, tq, heads, d).transpose(1, 2)
    kh = k.view(b, tk, kv_heads, d).transpose(1, 2)
    vh = v.view(b, tk, kv_heads, d).transpose(1, 2)
    n_rep = heads // kv_heads  # repeat_kv: kv head j serves query heads j*n_rep .. j*n_rep + n_rep - 1
    kh = kh[:, :, None].expand(b, kv_heads, n_rep, tk, d).reshape(b, heads, tk, d)
    vh = vh[:, :, None].expand(b, kv_heads, n_rep, tk, d).reshape(b, heads, tk, d)
    scores = torch.matmul(qh, kh.transpose(2, 3)) / math.sqrt(d)
    low = torch.finfo(F32).min
    hidden = torch.zeros(b, 1, tq, tk, dtype=torch.bool)
    if causal:
        future = torch.arange(tk)[None, :] > (torch.arange(tq)[:, None] + tk - tq)
        hidden = hidden | future[None, None]
    if mask is not None:
        hidden = hidden | (mask[:, None, None, :] == 0)
    scores = scores + torch.zeros(b, 1, tq, tk).masked_fill(hidden, low)
    probs = torch.softmax(scores, dim=-1, dtype=F32)
    return torch.matmul(probs, vh).transpose(1, 2).reshape(b, tq, width), hidden


def attention_dumps(out, gen):
    cases = {  # name -> (B, Tq, Tk, H, KV, d, causal, mask rows)
        "gqa_padded": (2, 6, 6, 4, 2, 16, True, [[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]]),
        "mqa_suffix": (1, 2, 5, 3, 1, 32, True, [[0, 1, 1, 1, 1]]),
        "vision": (2, 5, 5, 4, 4, 16, False, None),
        "siglip_width": (1, 4, 4, 2, 2, 72, False, None),
    }
    for name, (b, tq, tk, heads, kv_heads, d, causal, rows) in cases.items():
        mask = None if rows is None else torch.tensor(rows, dtype=torch.int64)
        q = torch.randn(b, tq, heads * d, generator=gen).requires_grad_(True)
        k = torch.randn(b, tk, kv_heads * d, generator=gen).requires_grad_(True)
        v = torch.randn(b, tk, kv_heads * d, generator=gen).requires_grad_(True)
        y, hidden = attention(q, k, v, heads, kv_heads, causal, mask)
        blind = hidden.all(dim=-1)[:, 0]  # [B, Tq]: queries that see no key
        r = torch.randn(b, tq, heads * d, generator=gen).masked_fill(blind[:, :, None], 0.0)
        (y * r).sum().backward()
        p = f"attn.{name}."
        out.update({p + "q": q, p + "k": k, p + "v": v, p + "y": y, p + "r": r,
                    p + "grad.q": q.grad, p + "grad.k": k.grad, p + "grad.v": v.grad})
        if mask is not None:
            out[p + "mask"] = mask


def main(path):
    gen = torch.Generator().manual_seed(11)
    out = OrderedDict()
    rope_dumps(out, gen)
    activation_dumps(out, gen)
    rmsnorm_dumps(out, gen, 1e-6)
    attention_dumps(out, gen)
    meta = {"torch_version": torch.__version__, "dtype": "float32", "rmsnorm_eps": "1e-06",
            "llama3_scaling": "llama31: factor 8, low_freq_factor 1, high_freq_factor 4, original_max_position_embeddings 8192; "
                              "llama32: factor 32, the same others"}
    write_safetensors(path, out, meta)
    print(f"wrote {path}: {len(out)} tensors")


if __name__ == "__main__":
    main(sys.argv[1])
