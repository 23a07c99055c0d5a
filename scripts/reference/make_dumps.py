#!/usr/bin/env python3
"""Checks the PyTorch reference against the shared fixtures, and writes the generated parity dumps.

  python3 make_dumps.py check FIXTURE.safetensors...   recompute each fixture from its own params and
                                                       inputs; print the max |diff| of every output
  python3 make_dumps.py generate OUT_DIR               write the dumps of DUMPS (float64, stored as float32)

Dump layout and metadata follow the shared fixtures' README. Additions: `output.z_loss` (when
`router_z_loss_coef` > 0), `output.expert_tokens.i [E]` (assignments each expert processed after
the capacity limit), and for mode `train` the metadata `grad_accum` (A micro-batches per step: the
`input.*` tensors hold A*B rows, micro-batch a being rows a*B..(a+1)*B-1) and `output.grad_norms
[steps]` (the global gradient norm before clipping).
"""

import json
import math
import os
import sys

import torch

from seemore_ref import IGNORE_INDEX, Vlm, config_json, load_params, parse_config, read_safetensors, train, write_safetensors

OPTIMIZER = {"type": "AdamW", "lr": 1e-3, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1,
             "decay": "parameters with >= 2 dims", "clip_grad_norm": 1.0}

TINY = dict(img_size=8, patch_size=4, vit_dim=8, vit_heads=2, vit_layers=1, n_embd=8, n_head=2, n_layer=2,
            num_experts=4, top_k=2, vocab_size=13, max_pos=16, image_tokens="cls", aux_loss_coef=0.01,
            router_z_loss_coef=0.0, capacity_factor=0.0, dropout=0.0)

# name -> (config overrides, mode, batch, text length, seed, grad_accum)
DUMPS = {
    "moe-zloss": (dict(router_z_loss_coef=0.01), "eval", 3, 7, 6, 1),
    "moe-capacity": (dict(capacity_factor=1.0), "eval", 3, 7, 3, 1),
    "moe-noisy-zloss-capacity": (dict(image_tokens="patches", router_z_loss_coef=0.01, capacity_factor=1.25), "noisy", 2, 6, 9, 1),
    "train-accum": (dict(), "train", 2, 7, 10, 3),
    "train-accum-zloss-capacity": (dict(router_z_loss_coef=0.01, capacity_factor=1.0), "train", 2, 7, 14, 3),
}
STEPS = 3


def max_diff(a, b):
    return (a.double() - b.double()).abs().max().item() if a.numel() else 0.0


def split(t, accum):
    return list(t.chunk(accum, dim=0))


def micro_batches(tensors, accum, dtype):
    images = tensors["input.images"].to(dtype)
    return list(zip(split(images, accum), split(tensors["input.tokens"], accum), split(tensors["input.targets"], accum)))


def forward_backward(model, tensors, mode):
    noise = None
    if mode == "noisy":
        noise = tensors["input.noise"].double()                             # (n_layer, B, L, E)
    out = model(tensors["input.images"].double(), tensors["input.tokens"], noise)
    loss, ce = model.loss(out, tensors["input.targets"])
    model.zero_grad(set_to_none=True)
    loss.backward()
    grads = {n: (p.grad if p.grad is not None else torch.zeros_like(p)) for n, p in model.named_parameters()}
    return out, loss, ce, grads


def check(path):
    """Recomputes one dump and prints every difference; returns the worst float difference."""
    tensors, meta = read_safetensors(path)
    c = parse_config(meta["config"])
    mode = meta.get("mode", "eval")
    model = Vlm(c).double()
    load_params(model, tensors)
    rows, notes = [], []
    if mode in ("eval", "noisy"):
        out, loss, ce, grads = forward_backward(model, tensors, mode)
        got = {"output.vision": out["vision"], "output.logits": out["logits"], "output.ce_loss": ce,
               "output.aux_loss": out["aux_loss"], "output.loss": loss, "output.z_loss": out["z_loss"]}
        for i, s in enumerate(out["stats"]):
            got[f"output.routes.{i}"] = s["routes"].view(tensors["input.tokens"].shape[0], -1, c["top_k"])
            got[f"output.expert_tokens.{i}"] = s["expert_tokens"]
        for name, value in got.items():
            if name in tensors:
                rows.append((name, max_diff(tensors[name], value)))
        g = [(n, max_diff(tensors["grad." + n], v)) for n, v in grads.items() if "grad." + n in tensors]
        worst = max(g, key=lambda r: r[1])
        rows.append((f"worst of {len(g)} gradients: grad.{worst[0]}", worst[1]))
        notes.append(f"routing gap {min(s['gap'] for s in out['stats']):.4g} (stored {meta.get('routing_gap')})")
    elif mode == "greedy":
        prompt = tensors["input.prompt"]
        tokens, margin = model.greedy(tensors["input.images"].double(), prompt, tensors["output.tokens"].shape[1] - prompt.shape[1])
        rows.append(("output.tokens (entries differing)", (tokens != tensors["output.tokens"]).sum().item()))
        notes.append(f"margin {margin:.4g} (stored {meta.get('margin')})")
    elif mode == "train":
        opt = json.loads(meta["optimizer"])
        accum = int(meta.get("grad_accum", "1"))
        for dtype in (torch.float64, torch.float32):
            model = Vlm(c).to(dtype)
            load_params(model, tensors)
            losses, norms, _, _ = train(model, opt, micro_batches(tensors, accum, dtype), int(meta.get("steps", STEPS)))
            tag = "float64" if dtype == torch.float64 else "float32"
            rows.append((f"output.losses ({tag})", max_diff(tensors["output.losses"], torch.tensor(losses))))
            if "output.grad_norms" in tensors:
                rows.append((f"output.grad_norms ({tag})", max_diff(tensors["output.grad_norms"], torch.tensor(norms))))
            finals = [(n, max_diff(tensors["final." + n], p)) for n, p in model.named_parameters()]
            worst = max(finals, key=lambda r: r[1])
            rows.append((f"worst of {len(finals)} final.* ({tag}): {worst[0]}", worst[1]))
    print(f"{os.path.basename(path)} (mode {mode})")
    for name, d in rows:
        print(f"  {name:70s} max |diff| {d:.3e}")
    for note in notes:
        print("  " + note)
    return max(d for _, d in rows)


def init_params(model, generator):
    """Random parameters, rounded to float32 (what the dump stores), so the float64 run starts from them.
    LayerNorm gains near 1; weights ~ N(0, 1/fan_in); the router gates twice that, for decisive routing."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln" in name or name.startswith("vision.ln"):
                v = (1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape, generator=generator, dtype=torch.float64)
            elif p.dim() == 1:
                v = 0.05 * torch.randn(p.shape, generator=generator, dtype=torch.float64)
            elif "embed" in name or "cls_token" in name:
                v = 0.1 * torch.randn(p.shape, generator=generator, dtype=torch.float64)
            else:
                fan_in = p[0].numel()
                scale = (2.0 if "router.gate" in name else 1.0) / math.sqrt(fan_in)
                v = scale * torch.randn(p.shape, generator=generator, dtype=torch.float64)
            p.copy_(v.float().double())


def inputs(c, batch, length, generator, pad_every):
    """Images, tokens and targets (random; every pad_every-th target is padding)."""
    s = c["img_size"]
    images = torch.randn(batch, 3, s, s, generator=generator, dtype=torch.float64).float().double()
    tokens = torch.randint(c["vocab_size"], (batch, length), generator=generator)
    targets = torch.randint(c["vocab_size"], (batch, length), generator=generator)
    flat = targets.view(-1)
    flat[pad_every - 1::pad_every] = IGNORE_INDEX
    return images, tokens, targets


def generate(name, spec, out_dir):
    overrides, mode, batch, length, seed, accum = spec
    c = dict(TINY, **overrides)
    g = torch.Generator().manual_seed(seed)
    model = Vlm(c).double()
    init_params(model, g)
    params = {n: p.detach().clone() for n, p in model.named_parameters()}
    tensors = {"param." + n: p for n, p in params.items()}
    meta = {"config": config_json(c), "mode": mode}
    if mode == "train":
        # micro-batches with different numbers of padded targets: the mean of their means is not
        # the mean over all their counted targets, so the dump pins which one is meant
        parts = [inputs(c, batch, length, g, pad_every=3 + a) for a in range(accum)]
        images, tokens, targets = (torch.cat([p[i] for p in parts]) for i in range(3))
        tensors.update({"input.images": images, "input.tokens": tokens, "input.targets": targets})
        losses, norms, gap, fewest = train(model, OPTIMIZER, micro_batches(tensors, accum, torch.float64), STEPS)
        if fewest == 0:
            # PyTorch's AdamW skips a parameter without a gradient, but not one with a zero gradient:
            # an idle expert would make the dump depend on that distinction
            raise SystemExit(f"{name}: an expert gets no token in some micro-batch; pick another seed")
        finals = {n: p.detach().clone() for n, p in model.named_parameters()}
        model32 = Vlm(c).float()
        load_params(model32, tensors)
        train(model32, OPTIMIZER, micro_batches(tensors, accum, torch.float32), STEPS)
        fp32_diff = max(max_diff(finals[n], p) for n, p in model32.named_parameters())
        tensors.update({"output.losses": torch.tensor(losses), "output.grad_norms": torch.tensor(norms)})
        tensors.update({"final." + n: p for n, p in finals.items()})
        meta.update({"steps": STEPS, "grad_accum": accum, "optimizer": json.dumps(OPTIMIZER),
                     "routing_gap": gap, "fp32_vs_fp64_max_param_diff": fp32_diff})
        print(f"{name}: losses {[round(x, 5) for x in losses]}, grad norms {[round(x, 4) for x in norms]}, "
              f"routing gap {gap:.4f}, float32 vs float64 params {fp32_diff:.2e}")
    else:
        images, tokens, targets = inputs(c, batch, length, g, pad_every=5)
        tensors.update({"input.images": images, "input.tokens": tokens, "input.targets": targets})
        if mode == "noisy":
            nv = 1 if c["image_tokens"] == "cls" else (c["img_size"] // c["patch_size"]) ** 2
            shape = (c["n_layer"], batch, nv + length, c["num_experts"])
            tensors["input.noise"] = torch.randn(shape, generator=g, dtype=torch.float64).float().double()
        out, loss, ce, grads = forward_backward(model, tensors, mode)
        tensors.update({"output.vision": out["vision"], "output.logits": out["logits"], "output.ce_loss": ce,
                        "output.aux_loss": out["aux_loss"]})
        if c["router_z_loss_coef"] > 0:
            tensors["output.z_loss"] = out["z_loss"]
        tensors["output.loss"] = loss
        for i, s in enumerate(out["stats"]):
            tensors[f"output.routes.{i}"] = s["routes"].view(batch, -1, c["top_k"])
        for i, s in enumerate(out["stats"]):
            tensors[f"output.expert_tokens.{i}"] = s["expert_tokens"]
        tensors.update({"grad." + n: gr for n, gr in grads.items()})
        gap = min(s["gap"] for s in out["stats"])
        meta["routing_gap"] = gap
        dropped = [len(s["routes"].view(-1)) - s["expert_tokens"].sum().item() for s in out["stats"]]
        print(f"{name}: loss {loss.item():.5f}, z_loss {out['z_loss'].item():.5f}, routing gap {gap:.4f}, "
              f"dropped per layer {dropped}, expert tokens {[s['expert_tokens'].tolist() for s in out['stats']]}")
    path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(path, tensors, meta)
    return path


def main(argv):
    if len(argv) >= 2 and argv[0] == "check":
        worst = max(check(p) for p in argv[1:])
        print(f"worst difference over all files: {worst:.3e}")
    elif len(argv) == 2 and argv[0] == "generate":
        os.makedirs(argv[1], exist_ok=True)
        for name, spec in DUMPS.items():
            check(generate(name, spec, argv[1]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(sys.argv[1:])
