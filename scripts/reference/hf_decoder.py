#!/usr/bin/env python3
"""Hugging Face's LlamaForCausalLM, Qwen2ForCausalLM and MixtralForCausalLM (transformers 4.45, eager attention) in plain
PyTorch, without transformers, to write HF-layout parity folders of any shape.

  /usr/bin/python3 hf_decoder.py check MODEL_DIR      recompute MODEL_DIR/reference.safetensors from its
                                                     config.json, model.safetensors and inputs; print
                                                     the max |diff| of every tensor
  /usr/bin/python3 hf_decoder.py write NAME OUT_DIR   write the folder NAME of FOLDERS (config.json,
                                                     generation_config.json, model.safetensors,
                                                     reference.safetensors) into OUT_DIR/NAME

The semantics are those the HF fixtures' README lists: rotate-half RoPE (llama3 rope_scaling
included), repeat_kv for grouped-query attention, an additive finfo(float32).min mask on future and
padded keys, softmax in float32, RMSNorm as weight * x * rsqrt(mean(x^2) + eps), SwiGLU MLP, q/k/v
biases for Qwen2, tied or untied lm_head, hidden_states with the final norm applied to the last,
HF's shifted causal-LM loss, and greedy KV-cached generation with positions cumsum(mask) - 1.
Mixtral: the sparse MoE block (softmax over all experts, top-k, renormalised, experts
w2(silu(w1 x) * w3 x)), router_logits of every row, padding included, and load_balancing_loss_func
over all layers masked by attention_mask; loss = lm_loss + router_aux_loss_coef * aux_loss.
Reference tensor names are the fixtures' (input_ids, attention_mask, labels, logits, loss,
hidden_states.i, grad.<name>, gen.*). float32 on one thread, as the fixtures were computed.
"""

import json
import math
import os
import sys
from collections import OrderedDict

import torch

from llm_ops import cos_sin, inverse_frequencies, rotate_half
from seemore_ref import read_safetensors, write_safetensors

torch.set_num_threads(1)
MIN = torch.finfo(torch.float32).min

# name -> config.json, generation_config.json, weight seed, input seed, batch, length, right padding per row,
#         (prompt rows, prompt length, left padding per prompt row: generate's batched prompts are left-padded), new tokens
FOLDERS = {
    "llama-gqa3-llama3rope": (OrderedDict(
        architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=48, intermediate_size=88,
        num_hidden_layers=3, num_attention_heads=6, num_key_value_heads=2, head_dim=8, vocab_size=300,
        max_position_embeddings=256, rms_norm_eps=1e-5, rope_theta=10000.0, hidden_act="silu",
        attention_bias=False, mlp_bias=False, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
        rope_scaling=OrderedDict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                 original_max_position_embeddings=64),
        torch_dtype="float32"), dict(bos_token_id=1, eos_token_id=2), 1101, 1103, 3, 10, [0, 3, 1], (1, 7, [0]), 9),
    "qwen2-mha-tied": (OrderedDict(
        architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=40, intermediate_size=72,
        num_hidden_layers=1, num_attention_heads=5, num_key_value_heads=5, vocab_size=97,
        max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=1000000.0, hidden_act="silu",
        tie_word_embeddings=True, use_sliding_window=False, sliding_window=None, torch_dtype="float32"),
        dict(), 1201, 1203, 2, 7, [2, 0], (2, 5, [0, 2]), 6),
    "mixtral-6experts-top3": (OrderedDict(
        architectures=["MixtralForCausalLM"], model_type="mixtral", hidden_size=40, intermediate_size=56,
        num_hidden_layers=3, num_attention_heads=5, num_key_value_heads=1, head_dim=8, vocab_size=200,
        max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=1000000.0, hidden_act="silu",
        num_local_experts=6, num_experts_per_tok=3, router_aux_loss_coef=0.05, router_jitter_noise=0.0,
        output_router_logits=False, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, torch_dtype="float32"),
        dict(bos_token_id=1, eos_token_id=2), 1481, 1483, 3, 9, [0, 2, 4], (2, 6, [0, 1]), 8),
}


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


class Decoder:
    """The decoder of config `c` over the parameter dict `p` (HF names; float32 leaf tensors)."""

    def __init__(self, c, p):
        self.c, self.p = c, p
        self.heads, self.kv_heads = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
        self.head_dim = c.get("head_dim") or c["hidden_size"] // self.heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.bias = c["model_type"] == "qwen2" or c.get("attention_bias", False)
        s = c.get("rope_scaling")
        scaling = None
        if s and s.get("rope_type", s.get("type")) == "llama3":
            scaling = (s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"])
        elif s and s.get("rope_type", s.get("type")) != "default":
            raise ValueError("rope_scaling " + str(s) + " is not implemented here")
        self.inv_freq = inverse_frequencies(self.head_dim, c.get("rope_theta", 10000.0), scaling)

    def linear(self, x, name, bias=False):
        w = self.p[name + ".weight"]
        return torch.nn.functional.linear(x, w, self.p[name + ".bias"] if bias else None)

    def attention(self, i, x, positions, key_mask, cache):
        """x [B, T, C]; positions [B, T]; key_mask [B, past + T] (1 = visible); cache: list of (k, v) or None."""
        b, t, _ = x.shape
        a = f"model.layers.{i}.self_attn."
        q = self.linear(x, a + "q_proj", self.bias).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.linear(x, a + "k_proj", self.bias).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.linear(x, a + "v_proj", self.bias).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = cos_sin(self.inv_freq, positions)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if len(cache) > i:
                k, v = torch.cat((cache[i][0], k), dim=2), torch.cat((cache[i][1], v), dim=2)
                cache[i] = (k, v)
            else:
                cache.append((k, v))
        rep = self.heads // self.kv_heads  # repeat_kv: query head h reads kv head h // rep
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        keys = k.shape[2]
        past = keys - t
        future = torch.arange(keys)[None, :] > (past + torch.arange(t))[:, None]  # [T, keys]
        mask = torch.zeros(b, 1, t, keys)
        mask = mask.masked_fill(future[None, None] | (key_mask[:, None, None, :] == 0), MIN)
        scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim) + mask
        y = torch.softmax(scores, dim=-1, dtype=torch.float32) @ v
        return self.linear(y.transpose(1, 2).reshape(b, t, -1), a + "o_proj")

    def moe(self, b, x):
        """MixtralSparseMoeBlock: x [B, T, C] -> [B, T, C]; appends the gate logits [B*T, E] to self.router_logits."""
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        logits = self.linear(x, b + "gate")
        self.router_logits.append(logits)
        weights, chosen = torch.softmax(logits, dim=1, dtype=torch.float).topk(self.c.get("num_experts_per_tok", 2), dim=-1)
        weights = weights / weights.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(x)
        for e in range(self.c.get("num_local_experts", 8)):
            rows, slot = torch.where(chosen == e)  # HF runs an expert no row chose too: its gradient is zero, not None
            xe, w = x[rows], b + f"experts.{e}."
            y = self.linear(torch.nn.functional.silu(self.linear(xe, w + "w1")) * self.linear(xe, w + "w3"), w + "w2")
            out = out.index_add(0, rows, y * weights[rows, slot, None])
        return out.reshape(shape)

    def layers(self, h, positions, key_mask, cache=None):
        self.router_logits = []
        hidden = [h]
        n = self.c["num_hidden_layers"]
        for i in range(n):
            l = f"model.layers.{i}."
            h = h + self.attention(i, rms_norm(h, self.p[l + "input_layernorm.weight"], self.eps), positions, key_mask, cache)
            m = rms_norm(h, self.p[l + "post_attention_layernorm.weight"], self.eps)
            if self.c["model_type"] == "mixtral":
                h = h + self.moe(l + "block_sparse_moe.", m)
            else:
                h = h + self.linear(torch.nn.functional.silu(self.linear(m, l + "mlp.gate_proj")) * self.linear(m, l + "mlp.up_proj"), l + "mlp.down_proj")
            if i < n - 1:
                hidden.append(h)
        normed = rms_norm(h, self.p["model.norm.weight"], self.eps)
        hidden.append(normed)
        head = self.p["model.embed_tokens.weight"] if self.c.get("tie_word_embeddings", False) else self.p["lm_head.weight"]
        return torch.nn.functional.linear(normed, head), hidden

    def forward(self, ids, mask):
        """A batch forward: positions 0..T-1 for every row, as LlamaModel.forward without position_ids."""
        b, t = ids.shape
        positions = torch.arange(t)[None, :].expand(b, t)
        return self.layers(self.p["model.embed_tokens.weight"][ids], positions, mask)

    def generate(self, ids, mask, steps):
        """Greedy decoding with a KV cache: -> all ids [B, T + steps], the logits that chose each token [B, steps, V]."""
        cache, out, logits = [], ids, []
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
        x, key_mask = ids, mask
        with torch.no_grad():
            for _ in range(steps):
                step_logits, _ = self.layers(self.p["model.embed_tokens.weight"][x], positions, key_mask, cache)
                last = step_logits[:, -1, :].float()
                token = last.argmax(-1, keepdim=True)
                logits.append(last)
                out = torch.cat((out, token), dim=1)
                key_mask = torch.cat((key_mask, torch.ones_like(token)), dim=1)
                positions = (key_mask.cumsum(-1) - 1)[:, -1:]
                x = token
        return out, torch.stack(logits, dim=1)


def causal_lm_loss(logits, labels):
    v = logits.shape[-1]
    return torch.nn.functional.cross_entropy(logits[:, :-1, :].reshape(-1, v), labels[:, 1:].reshape(-1), ignore_index=-100)


def load_balancing_loss(router_logits, k, mask):
    """transformers' load_balancing_loss_func: one value over every layer's rows, counting rows whose mask is 1."""
    logits = torch.cat(router_logits, dim=0)  # [L*B*T, E]
    experts = logits.shape[1]
    probs = torch.softmax(logits, dim=-1)
    chosen = probs.topk(k, dim=-1).indices
    one_hot = torch.nn.functional.one_hot(chosen, experts)  # [L*B*T, k, E]
    m = mask.reshape(-1).repeat(len(router_logits)).to(probs.dtype)  # row l*B*T + b*T + t
    tokens_per_expert = (one_hot.float() * m[:, None, None]).sum(0) / m.sum()
    router_prob = (probs * m[:, None]).sum(0) / m.sum()
    return (tokens_per_expert * router_prob[None]).sum() * experts


def reference(c, params, ids, mask, gen_ids, gen_mask, steps):
    """The reference tensors of the fixtures' layout for these parameters and inputs."""
    p = OrderedDict((n, t.clone().requires_grad_(True)) for n, t in params.items())
    model = Decoder(c, p)
    logits, hidden = model.forward(ids, mask)
    labels = ids.masked_fill(mask == 0, -100)
    loss = causal_lm_loss(logits, labels)
    out = OrderedDict(input_ids=ids, attention_mask=mask, labels=labels, logits=logits)
    if c["model_type"] == "mixtral":
        aux = load_balancing_loss(model.router_logits, c.get("num_experts_per_tok", 2), mask)
        out.update(lm_loss=loss.detach().clone(), aux_loss=aux)
        for i, r in enumerate(model.router_logits):
            out[f"router_logits.{i}"] = r
        loss = loss + c.get("router_aux_loss_coef", 0.001) * aux
    out["loss"] = loss
    loss.backward()
    for i, h in enumerate(hidden):
        out[f"hidden_states.{i}"] = h
    for n, t in p.items():
        if t.grad is not None:
            out["grad." + n] = t.grad
    gen, gen_logits = model.generate(gen_ids, gen_mask, steps)
    out.update({"gen.input_ids": gen_ids, "gen.attention_mask": gen_mask, "gen.output_ids": gen, "gen.logits": gen_logits})
    top2 = gen_logits.topk(2, dim=-1).values
    return out, (top2[..., 0] - top2[..., 1]).min().item()


def check(folder):
    c = json.load(open(os.path.join(folder, "config.json")))
    params, _ = read_safetensors(os.path.join(folder, "model.safetensors"))
    want, _ = read_safetensors(os.path.join(folder, "reference.safetensors"))
    steps = want["gen.output_ids"].shape[1] - want["gen.input_ids"].shape[1]
    got, margin = reference(c, params, want["input_ids"], want["attention_mask"], want["gen.input_ids"], want["gen.attention_mask"], steps)
    worst = 0.0
    for name, w in want.items():
        d = (got[name].double() - w.double()).abs().max().item() if w.numel() else 0.0
        worst = max(worst, d)
        if not name.startswith("grad.") or d > 1e-6:
            print(f"{name:50s} max |diff| {d:.3e}")
    print(f"{folder}: worst {worst:.3e} over {len(want)} tensors (greedy margin {margin:.3g})")
    return worst


def init_params(c, seed):
    """The fixtures' initialisation: Linear ~ N(0, 1/fan_in), embeddings N(0, 0.25^2), biases N(0, 0.05^2), norms 1 + N(0, 0.1^2)."""
    g = torch.Generator().manual_seed(seed)
    d, h, kv = c["hidden_size"], c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    hd, f, v = c.get("head_dim") or d // h, c["intermediate_size"], c["vocab_size"]
    bias = c["model_type"] == "qwen2" or c.get("attention_bias", False)
    p = OrderedDict()
    linear = lambda out, inp: torch.randn(out, inp, generator=g) / math.sqrt(inp)
    p["model.embed_tokens.weight"] = torch.randn(v, d, generator=g) * 0.25
    for i in range(c["num_hidden_layers"]):
        l = f"model.layers.{i}."
        p[l + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
        for name, out in (("q_proj", h * hd), ("k_proj", kv * hd), ("v_proj", kv * hd)):
            p[l + "self_attn." + name + ".weight"] = linear(out, d)
            if bias:
                p[l + "self_attn." + name + ".bias"] = 0.05 * torch.randn(out, generator=g)
        p[l + "self_attn.o_proj.weight"] = linear(d, h * hd)
        p[l + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
        if c["model_type"] == "mixtral":
            b = l + "block_sparse_moe."
            p[b + "gate.weight"] = linear(c["num_local_experts"], d)
            for e in range(c["num_local_experts"]):
                p[b + f"experts.{e}.w1.weight"] = linear(f, d)
                p[b + f"experts.{e}.w2.weight"] = linear(d, f)
                p[b + f"experts.{e}.w3.weight"] = linear(f, d)
        else:
            p[l + "mlp.gate_proj.weight"] = linear(f, d)
            p[l + "mlp.up_proj.weight"] = linear(f, d)
            p[l + "mlp.down_proj.weight"] = linear(d, f)
    p["model.norm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
    if not c.get("tie_word_embeddings", False):
        p["lm_head.weight"] = linear(v, d)
    return p


def write(name, out_dir):
    c, gen_config, weight_seed, input_seed, b, t, padding, (gen_b, gen_t, gen_padding), steps = FOLDERS[name]
    params = init_params(c, weight_seed)
    g = torch.Generator().manual_seed(input_seed)
    v = c["vocab_size"]
    ids = torch.randint(3, v, (b, t), generator=g)  # never bos/eos/0
    mask = torch.ones(b, t, dtype=torch.int64)
    for row, pad in enumerate(padding):  # right padding with id 0, as the fixtures pad
        if pad:
            ids[row, t - pad:] = 0
            mask[row, t - pad:] = 0
    gen_ids = torch.randint(3, v, (gen_b, gen_t), generator=g)
    gen_mask = torch.ones_like(gen_ids)
    for row, pad in enumerate(gen_padding):
        gen_ids[row, :pad] = 0
        gen_mask[row, :pad] = 0
    ref, margin = reference(c, params, ids, mask, gen_ids, gen_mask, steps)
    eos = gen_config.get("eos_token_id")
    if eos is not None and (ref["gen.output_ids"][:, gen_t:] == eos).any():
        raise SystemExit(name + ": greedy decoding produced eos; choose another input seed")
    if margin < 1e-2:
        raise SystemExit(f"{name}: greedy margin {margin:.3g} < 1e-2; choose another seed")
    meta_routing = {}
    if c["model_type"] == "mixtral":  # no route of the batch forward may hinge on float32 noise
        k = c["num_experts_per_tok"]
        top = torch.cat([ref[f"router_logits.{i}"] for i in range(c["num_hidden_layers"])]).topk(k + 1, dim=-1).values
        gap = (top[:, k - 1] - top[:, k]).min().item()
        if gap < 1e-2:
            raise SystemExit(f"{name}: routing gap {gap:.3g} < 1e-2; choose another seed")
        meta_routing["routing_gap"] = gap
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump(gen_config, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(folder, "model.safetensors"), params, {"format": "pt"})
    meta = {"generator": "scripts/reference/hf_decoder.py", "torch_version": torch.__version__, "weight_seed": weight_seed,
            "input_seed": input_seed, "margin": margin, "dtype": "float32", **meta_routing}
    write_safetensors(os.path.join(folder, "reference.safetensors"), ref, meta)
    print(f"{folder}: {len(ref)} tensors, greedy margin {margin:.3g}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2]) < 2e-5 else 1)
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(__doc__)
