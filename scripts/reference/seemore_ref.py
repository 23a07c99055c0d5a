"""The seemore vision-language model in PyTorch, as a reference for the Java implementation.

The architecture is the one the shared fixtures' README documents (ViT with a CLS token, MLP
projector, causal decoder whose blocks route every token to top_k of num_experts expert MLPs),
with parameter names equal to the checkpoint names, plus two MoE options the fixtures do not
cover, in their standard definitions:
  router z-loss (ST-MoE, Zoph et al. 2022): per layer, the mean over tokens of
      logsumexp(router logits)^2; `z_loss` is the mean of the layers' values, weighted by
      `router_z_loss_coef` in the loss.
  expert capacity (Switch Transformer, Fedus et al. 2022): with `capacity_factor` > 0 each
      expert takes at most ceil(capacity_factor * tokens * top_k / num_experts) assignments of
      the layer's tokens (B*L of the batch), in (token, choice) order; the later ones are dropped
      and add nothing (the residual carries the token). The balancing loss still counts every
      choice, dropped or not.
Also: greedy decoding, and AdamW training steps with gradient accumulation.

Dimension legend: B batch, L = Nv + T sequence (visual + text), C decoder width, D ViT width,
E experts, k top_k, N = B*L tokens routed by one MoE layer.
"""

import json
import math
import struct
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IGNORE_INDEX = -100
CONFIG_KEYS = ("img_size", "patch_size", "vit_dim", "vit_heads", "vit_layers", "n_embd", "n_head",
               "n_layer", "num_experts", "top_k", "vocab_size", "max_pos", "image_tokens",
               "aux_loss_coef", "router_z_loss_coef", "capacity_factor", "dropout")


# ---------------------------------------------------------------- safetensors

def read_safetensors(path):
    """-> (OrderedDict name -> tensor (float32 or int64), metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out = OrderedDict()
    for name, h in header.items():
        start, end = h["data_offsets"]
        arr = np.frombuffer(raw[8 + n + start:8 + n + end], dtype=dtypes[h["dtype"]]).reshape(h["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def write_safetensors(path, tensors, metadata):
    """Floats as F32, integers as I64, header JSON padded with spaces to a multiple of 8, metadata last."""
    header, blobs, offset = OrderedDict(), [], 0
    for name, t in tensors.items():
        t = t.detach()
        if t.is_floating_point():
            dtype, arr = "F32", t.to(torch.float32).numpy()
        else:
            dtype, arr = "I64", t.to(torch.int64).numpy()
        data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- config

def parse_config(text):
    """The `__metadata__.config` JSON, with the z-loss and capacity options off when absent."""
    c = json.loads(text)
    c.setdefault("router_z_loss_coef", 0.0)
    c.setdefault("capacity_factor", 0.0)
    return c


def config_json(c):
    return json.dumps({k: c[k] for k in CONFIG_KEYS})


# ---------------------------------------------------------------- modules, leaves first

class Attention(nn.Module):
    """Multi-head self-attention: fused qkv without bias (q, k, v row blocks), scores / sqrt(hd)."""

    def __init__(self, width, heads, causal):
        super().__init__()
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width)
        self.heads, self.causal = heads, causal

    def forward(self, x):                                                  # (B, L, C)
        b, l, c = x.shape
        hd = c // self.heads
        q, k, v = self.qkv(x).split(c, dim=2)                               # 3 x (B, L, C)
        q, k, v = (t.view(b, l, self.heads, hd).transpose(1, 2) for t in (q, k, v))  # (B, H, L, hd)
        scores = q @ k.transpose(-2, -1) / math.sqrt(hd)                    # (B, H, L, L)
        if self.causal:
            mask = torch.ones(l, l, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
        y = F.softmax(scores, dim=-1) @ v                                   # (B, H, L, hd)
        return self.proj(y.transpose(1, 2).reshape(b, l, c))


class Mlp(nn.Module):
    def __init__(self, width, hidden, out, act):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(width, hidden), nn.Linear(hidden, out), act

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class VisionBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["vit_dim"]
        self.ln1, self.attn = nn.LayerNorm(d), Attention(d, c["vit_heads"], causal=False)
        self.ln2, self.mlp = nn.LayerNorm(d), Mlp(d, 4 * d, d, F.gelu)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Vision(nn.Module):
    """ViT: patch convolution (kernel = stride = p), CLS token, learned positions, pre-LN blocks."""

    def __init__(self, c):
        super().__init__()
        d, p = c["vit_dim"], c["patch_size"]
        n = (c["img_size"] // p) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d))
        self.patch_embed = nn.Conv2d(3, d, kernel_size=p, stride=p)
        self.blocks = nn.ModuleList(VisionBlock(c) for _ in range(c["vit_layers"]))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, images):                                             # (B, 3, S, S)
        x = self.patch_embed(images).flatten(2).transpose(1, 2)             # (B, N, D), row-major grid
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x)                                                 # (B, N+1, D)


class Router(nn.Module):
    def __init__(self, width, experts):
        super().__init__()
        self.gate, self.noise = nn.Linear(width, experts), nn.Linear(width, experts)


class SparseMoe(nn.Module):
    """Top-k routed expert MLPs with the balancing loss, the z-loss and the capacity limit."""

    def __init__(self, c):
        super().__init__()
        w = c["n_embd"]
        self.c = c
        self.router = Router(w, c["num_experts"])
        self.experts = nn.ModuleList(Mlp(w, 4 * w, w, F.relu) for _ in range(c["num_experts"]))

    def forward(self, x, eps=None):                                        # x (N, C), eps (N, E) or None
        n, k, num_e = x.shape[0], self.c["top_k"], self.c["num_experts"]
        logits = self.router.gate(x)                                        # (N, E)
        if eps is not None:
            logits = logits + eps * F.softplus(self.router.noise(x))
        # top-k in descending order, ties toward the lower index (a stable sort keeps index order)
        order = torch.sort(logits.detach(), dim=1, descending=True, stable=True).indices
        idx = order[:, :k].contiguous()                                     # (N, k)
        weights = F.softmax(logits.gather(1, idx), dim=1)                   # (N, k)
        gap = (logits.gather(1, order[:, k - 1:k]) - logits.gather(1, order[:, k:k + 1])).min().item() if k < num_e else math.inf

        flat = idx.reshape(-1).tolist()                                     # (N*k) in (token, choice) order
        capacity = math.ceil(self.c["capacity_factor"] * n * k / num_e) if self.c["capacity_factor"] > 0 else len(flat)
        load, kept = [0] * num_e, []
        for e in flat:
            kept.append(load[e] < capacity)
            load[e] += 1
        y = torch.zeros_like(x)
        processed = []
        for e in range(num_e):
            slots = [i for i, ex in enumerate(flat) if ex == e and kept[i]]
            processed.append(len(slots))
            if not slots:
                continue
            rows = torch.tensor([i // k for i in slots])
            w = weights.reshape(-1)[torch.tensor(slots)].unsqueeze(1)       # (n_e, 1)
            y = y.index_add(0, rows, w * self.experts[e](x[rows]))

        counts = torch.bincount(idx.reshape(-1), minlength=num_e).to(x.dtype)
        f = counts / n                                                      # (E) no gradient
        p = F.softmax(logits, dim=1).mean(0)                                # (E)
        aux = num_e * (f * p).sum()
        z = (torch.logsumexp(logits, dim=1) ** 2).mean()
        return y, dict(aux=aux, z=z, routes=idx, gap=gap, expert_tokens=torch.tensor(processed))


class DecoderBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["n_embd"]
        self.ln1, self.attn = nn.LayerNorm(w), Attention(w, c["n_head"], causal=True)
        self.ln2, self.moe = nn.LayerNorm(w), SparseMoe(c)

    def forward(self, x, eps=None):                                        # (B, L, C)
        b, l, w = x.shape
        x = x + self.attn(self.ln1(x))
        y, stats = self.moe(self.ln2(x).reshape(b * l, w), None if eps is None else eps.reshape(b * l, -1))
        return x + y.view(b, l, w), stats


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["n_embd"]
        self.tok_embed = nn.Embedding(c["vocab_size"], w)
        self.pos_embed = nn.Embedding(c["max_pos"], w)
        self.blocks = nn.ModuleList(DecoderBlock(c) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(w)
        self.lm_head = nn.Linear(w, c["vocab_size"])

    def forward(self, prefix, tokens, noise=None):                        # prefix (B, Nv, C), tokens (B, T)
        x = torch.cat([prefix, self.tok_embed(tokens)], dim=1)              # (B, L, C)
        x = x + self.pos_embed(torch.arange(x.shape[1]))
        stats = []
        for i, block in enumerate(self.blocks):
            x, s = block(x, None if noise is None else noise[i])
            stats.append(s)
        return self.lm_head(self.ln_f(x)), stats                           # (B, L, V)


class Vlm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.vision = Vision(c)
        self.projector = Mlp(c["vit_dim"], 4 * c["vit_dim"], c["n_embd"], F.gelu)
        self.decoder = Decoder(c)

    def forward(self, images, tokens, noise=None):
        """-> dict: vision (B, Nv, D), logits (B, L, V), aux_loss, z_loss, per-layer stats."""
        rows = self.vision(images)
        vis = rows[:, :1] if self.c["image_tokens"] == "cls" else rows[:, 1:]
        logits, stats = self.decoder(self.projector(vis), tokens, noise)
        aux = torch.stack([s["aux"] for s in stats]).mean()
        z = torch.stack([s["z"] for s in stats]).mean()
        return dict(vision=vis, logits=logits, aux_loss=aux, z_loss=z, stats=stats)

    def loss(self, out, targets):
        """targets (B, T) scored against logits[:, Nv + t]; one batch-wide mean over the counted ones."""
        t = targets.shape[1]
        text = out["logits"][:, -t:]
        ce = F.cross_entropy(text.reshape(-1, text.shape[-1]), targets.reshape(-1), ignore_index=IGNORE_INDEX)
        total = ce + self.c["aux_loss_coef"] * out["aux_loss"]
        if self.c["router_z_loss_coef"] > 0:
            total = total + self.c["router_z_loss_coef"] * out["z_loss"]
        return total, ce

    @torch.no_grad()
    def greedy(self, images, prompt, new_tokens):
        """Argmax decoding (ties to the lower index), each step over the image and all tokens so far;
        -> (tokens, margin: the smallest top-1 minus top-2 logit gap)."""
        tokens, margin = prompt.clone(), math.inf
        for _ in range(new_tokens):
            last = self.forward(images, tokens)["logits"][:, -1]            # (B, V)
            top2 = torch.sort(last, dim=1, descending=True, stable=True)
            margin = min(margin, (top2.values[:, 0] - top2.values[:, 1]).min().item())
            tokens = torch.cat([tokens, top2.indices[:, :1]], dim=1)
        return tokens, margin


# ---------------------------------------------------------------- parameters and training

def load_params(model, tensors, prefix="param."):
    """Copies `prefix + name` for every parameter; every one must be present with its shape."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            src = tensors[prefix + name]
            if tuple(src.shape) != tuple(p.shape):
                raise ValueError(f"{prefix}{name}: shape {list(src.shape)}, model has {list(p.shape)}")
            p.copy_(src.to(p.dtype))


def adamw(model, opt):
    """PyTorch's AdamW with decay on parameters of 2 or more dims only."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": opt["weight_decay"]},
                              {"params": rest, "weight_decay": 0.0}],
                             lr=opt["lr"], betas=tuple(opt["betas"]), eps=opt["eps"])


def train(model, opt, micro_batches, steps):
    """`steps` AdamW steps, each over every micro-batch (images, tokens, targets): each micro-batch's
    loss (its own batch-wide mean) is scaled by 1/len(micro_batches) before backward, so the step's
    gradient is the mean of the micro-batches' gradients; then global-norm clipping, then AdamW.
    A parameter that gets no gradient in a step (grad None) is skipped by AdamW.
    -> (losses [steps]: mean micro-batch loss before each step, grad norms before clipping, routing gap,
        the fewest assignments any expert processed in any micro-batch)."""
    optimizer = adamw(model, opt)
    accum = len(micro_batches)
    losses, norms, gap, fewest = [], [], math.inf, math.inf
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        total = 0.0
        for images, tokens, targets in micro_batches:
            out = model(images, tokens)
            loss, _ = model.loss(out, targets)
            (loss / accum).backward()
            total += loss.item() / accum
            gap = min([gap] + [s["gap"] for s in out["stats"]])
            fewest = min([fewest] + [s["expert_tokens"].min().item() for s in out["stats"]])
        losses.append(total)
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), opt["clip_grad_norm"])))
        optimizer.step()
    return losses, norms, gap, fewest
