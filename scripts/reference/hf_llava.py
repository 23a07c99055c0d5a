#!/usr/bin/env python3
"""Hugging Face's LlavaForConditionalGeneration (transformers 4.45, eager attention, processor-expanded
image tokens) over a CLIP or SigLIP vision tower and a Llama or Qwen2 decoder, in plain PyTorch without
transformers, to write HF-layout LLaVA parity folders of any shape.

  /usr/bin/python3 hf_llava.py check MODEL_DIR      recompute MODEL_DIR/reference.safetensors from its
                                                   config.json, model.safetensors and inputs
  /usr/bin/python3 hf_llava.py write NAME OUT_DIR   write the folder NAME of FOLDERS into OUT_DIR/NAME

Semantics as ../../src/test/resources/fixtures/hf/README.md states them: the tower's hidden_states
(CLIP: conv patches without bias, CLS + learned positions, pre_layrnorm; SigLIP: conv with bias,
positions, no CLS), pre-LN encoder layers (quick_gelu or gelu tanh MLP), hidden_states[vision_feature_layer]
with CLS dropped for "default", projector linear_2(gelu(linear_1(x))), the k-th image token taking
the k-th feature row (masked_scatter), the decoder of hf_decoder.py on the merged embeddings, LLaVA's
loss (shifted, rows whose shifted attention_mask is 1, -100 ignored), greedy KV-cached generation.
"""

import json
import math
import os
import sys
from collections import OrderedDict

import torch

from hf_decoder import Decoder
from seemore_ref import read_safetensors, write_safetensors

torch.set_num_threads(1)
F = torch.nn.functional
TOWER = "vision_tower.vision_model."


class Tower:
    """CLIPVisionTransformer / SiglipVisionTransformer's embeddings and encoder (config `v`, params `p` under TOWER)."""

    def __init__(self, v, p):
        self.v, self.p = v, p
        self.clip = v["model_type"] == "clip_vision_model"
        self.eps = v.get("layer_norm_eps", 1e-5 if self.clip else 1e-6)
        act = v.get("hidden_act", "quick_gelu" if self.clip else "gelu_pytorch_tanh")
        self.act = {"quick_gelu": lambda x: x * torch.sigmoid(1.702 * x), "gelu": F.gelu,
                    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh")}[act]

    def ln(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.p[TOWER + name + ".weight"], self.p[TOWER + name + ".bias"], self.eps)

    def lin(self, x, name):
        return F.linear(x, self.p[TOWER + name + ".weight"], self.p[TOWER + name + ".bias"])

    def hidden_states(self, pixels):
        e = TOWER + "embeddings."
        x = F.conv2d(pixels, self.p[e + "patch_embedding.weight"], None if self.clip else self.p[e + "patch_embedding.bias"],
                     stride=self.v["patch_size"]).flatten(2).transpose(1, 2)  # [B, N, D]
        if self.clip:
            cls = self.p[e + "class_embedding"].expand(x.shape[0], 1, -1)
            x = torch.cat((cls, x), dim=1)
        x = x + self.p[e + "position_embedding.weight"][None]
        if self.clip:
            x = self.ln(x, "pre_layrnorm")
        hidden = [x]
        b, n, d = x.shape
        heads = self.v["num_attention_heads"]
        hd = d // heads
        for i in range(self.v["num_hidden_layers"]):
            l = f"encoder.layers.{i}."
            h = self.ln(x, l + "layer_norm1")
            q, k, val = (self.lin(h, l + "self_attn." + s).view(b, n, heads, hd).transpose(1, 2) for s in ("q_proj", "k_proj", "v_proj"))
            att = torch.softmax((q * hd ** -0.5) @ k.transpose(2, 3), dim=-1, dtype=torch.float32) @ val
            x = x + self.lin(att.transpose(1, 2).reshape(b, n, d), l + "self_attn.out_proj")
            x = x + self.lin(self.act(self.lin(self.ln(x, l + "layer_norm2"), l + "mlp.fc1")), l + "mlp.fc2")
            hidden.append(x)
        return hidden


class Llava:
    def __init__(self, c, p):
        self.c, self.p = c, p
        self.tower = Tower(c["vision_config"], p)
        lm = OrderedDict((n[len("language_model."):], t) for n, t in p.items() if n.startswith("language_model."))
        self.lm = Decoder(c["text_config"], lm)
        self.image_token = c.get("image_token_index", 32000)

    def features(self, pixels):
        state = self.tower.hidden_states(pixels)[self.c.get("vision_feature_layer", -2)]
        if self.c.get("vision_feature_select_strategy", "default") == "default":
            state = state[:, 1:]
        m = "multi_modal_projector."
        h = F.gelu(F.linear(state, self.p[m + "linear_1.weight"], self.p[m + "linear_1.bias"]))
        return state, F.linear(h, self.p[m + "linear_2.weight"], self.p[m + "linear_2.bias"])

    def embeddings(self, pixels, ids):
        x = self.lm.p["model.embed_tokens.weight"][ids]
        feature, image = self.features(pixels)
        where = (ids == self.image_token).unsqueeze(-1).expand_as(x)
        return x.masked_scatter(where, image.reshape(-1, x.shape[-1])), feature, image

    def forward(self, pixels, ids, mask):
        x, feature, image = self.embeddings(pixels, ids)
        b, t = ids.shape
        logits, _ = self.lm.layers(x, torch.arange(t)[None, :].expand(b, t), mask)
        return logits, feature, image

    def generate(self, pixels, ids, mask, steps):
        cache, out, logits = [], ids, []
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
        key_mask = mask
        with torch.no_grad():
            x = self.embeddings(pixels, ids)[0]
            for _ in range(steps):
                step_logits, _ = self.lm.layers(x, positions, key_mask, cache)
                last = step_logits[:, -1, :]
                token = last.argmax(-1, keepdim=True)
                logits.append(last)
                out = torch.cat((out, token), dim=1)
                key_mask = torch.cat((key_mask, torch.ones_like(token)), dim=1)
                positions = (key_mask.cumsum(-1) - 1)[:, -1:]
                x = self.lm.p["model.embed_tokens.weight"][token]
        return out, torch.stack(logits, dim=1)


def llava_loss(logits, labels, mask):
    keep = mask[:, 1:] != 0
    return F.cross_entropy(logits[:, :-1][keep], labels[:, 1:][keep], ignore_index=-100)


def reference(c, params, inputs, steps):
    p = OrderedDict((n, t.clone().requires_grad_(True)) for n, t in params.items())
    model = Llava(c, p)
    pixels, ids, mask, labels = inputs["pixel_values"], inputs["input_ids"], inputs["attention_mask"], inputs["labels"]
    logits, feature, image = model.forward(pixels, ids, mask)
    loss = llava_loss(logits, labels, mask)
    loss.backward()
    out = OrderedDict(pixel_values=pixels, input_ids=ids, attention_mask=mask, labels=labels, logits=logits, loss=loss,
                      vision_feature=feature, image_features=image)
    without = [n for n, t in p.items() if t.grad is None]
    for n, t in p.items():
        if t.grad is not None:
            out["grad." + n] = t.grad
    gen, gen_logits = model.generate(inputs["gen.pixel_values"], inputs["gen.input_ids"], inputs["gen.attention_mask"], steps)
    out.update({"gen.pixel_values": inputs["gen.pixel_values"], "gen.input_ids": inputs["gen.input_ids"],
                "gen.attention_mask": inputs["gen.attention_mask"], "gen.output_ids": gen, "gen.logits": gen_logits})
    top2 = gen_logits.topk(2, dim=-1).values
    return out, (top2[..., 0] - top2[..., 1]).min().item(), without


def check(folder):
    c = json.load(open(os.path.join(folder, "config.json")))
    params, _ = read_safetensors(os.path.join(folder, "model.safetensors"))
    want, meta = read_safetensors(os.path.join(folder, "reference.safetensors"))
    steps = want["gen.output_ids"].shape[1] - want["gen.input_ids"].shape[1]
    got, margin, without = reference(c, params, want, steps)
    worst = 0.0
    for name, w in want.items():
        d = (got[name].double() - w.double()).abs().max().item() if w.numel() else 0.0
        worst = max(worst, d)
        if not name.startswith("grad.") or d > 1e-6:
            print(f"{name:50s} max |diff| {d:.3e}")
    same = sorted(without) == sorted(json.loads(meta.get("params_without_grad", "[]")))
    print(f"params_without_grad: {len(without)} names, {'same as' if same else 'DIFFERENT from'} the metadata's")
    print(f"{folder}: worst {worst:.3e} over {len(want)} tensors (greedy margin {margin:.3g})")
    return worst if same else float("inf")


# name -> config.json, generation_config.json, weight seed, input seed, image tokens placed after
#         (bos + 2 text ids), trailing text ids, right padding per row, gen trailing text ids, new tokens
FOLDERS = {
    "llava-clip48-llama-layer-3": (OrderedDict(
        architectures=["LlavaForConditionalGeneration"], model_type="llava", ignore_index=-100, image_token_index=290,
        image_seq_length=9, projector_hidden_act="gelu", vision_feature_layer=-3, vision_feature_select_strategy="default",
        tie_word_embeddings=False, torch_dtype="float32",
        text_config=OrderedDict(
            architectures=None, model_type="llama", hidden_size=48, intermediate_size=88, num_hidden_layers=3,
            num_attention_heads=6, num_key_value_heads=2, head_dim=8, vocab_size=300, max_position_embeddings=128,
            rms_norm_eps=1e-5, rope_theta=10000.0, hidden_act="silu", attention_bias=False, mlp_bias=False,
            tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, torch_dtype="float32"),
        vision_config=OrderedDict(
            architectures=None, model_type="clip_vision_model", hidden_size=40, intermediate_size=72, num_hidden_layers=3,
            num_attention_heads=5, num_channels=3, image_size=48, patch_size=16, hidden_act="quick_gelu",
            layer_norm_eps=1e-5, projection_dim=32)),
        dict(bos_token_id=1, eos_token_id=2), 1301, 1303, 5, [0, 2], 3, 7),
    "llava-siglip36-qwen2-tied": (OrderedDict(
        architectures=["LlavaForConditionalGeneration"], model_type="llava", ignore_index=-100, image_token_index=149,
        image_seq_length=9, projector_hidden_act="gelu", vision_feature_layer=-1, vision_feature_select_strategy="full",
        tie_word_embeddings=True, torch_dtype="float32",
        text_config=OrderedDict(
            architectures=None, model_type="qwen2", hidden_size=40, intermediate_size=72, num_hidden_layers=2,
            num_attention_heads=5, num_key_value_heads=5, vocab_size=150, max_position_embeddings=64,
            rms_norm_eps=1e-6, rope_theta=1000000.0, hidden_act="silu", tie_word_embeddings=True,
            use_sliding_window=False, sliding_window=None, torch_dtype="float32"),
        vision_config=OrderedDict(
            architectures=None, model_type="siglip_vision_model", hidden_size=32, intermediate_size=48, num_hidden_layers=2,
            num_attention_heads=2, num_channels=3, image_size=36, patch_size=12, hidden_act="gelu_pytorch_tanh",
            layer_norm_eps=1e-6, vision_use_head=False)),
        dict(bos_token_id=1, eos_token_id=2), 1501, 1503, 4, [3, 0], 2, 6),
}


def init_params(c, seed):
    """The fixtures' initialisation (Linear and conv N(0, 1/fan_in), embeddings N(0, 0.25^2), CLS and positions
    N(0, 0.5^2), biases N(0, 0.05^2), norm weights 1 + N(0, 0.1^2)): tower, projector, then the decoder."""
    from hf_decoder import init_params as decoder_params
    g = torch.Generator().manual_seed(seed)
    v, t = c["vision_config"], c["text_config"]
    d, f, ps, n = v["hidden_size"], v["intermediate_size"], v["patch_size"], (v["image_size"] // v["patch_size"]) ** 2
    linear = lambda out, inp: torch.randn(out, inp, generator=g) / math.sqrt(inp)
    bias = lambda size: 0.05 * torch.randn(size, generator=g)
    p = OrderedDict()
    e, clip = TOWER + "embeddings.", v["model_type"] == "clip_vision_model"
    if clip:
        p[e + "class_embedding"] = 0.5 * torch.randn(d, generator=g)
    p[e + "patch_embedding.weight"] = torch.randn(d, 3, ps, ps, generator=g) / math.sqrt(3 * ps * ps)
    if not clip:  # SigLIP's conv has a bias, CLIP's none
        p[e + "patch_embedding.bias"] = bias(d)
    p[e + "position_embedding.weight"] = (0.5 if clip else 0.25) * torch.randn(n + (1 if clip else 0), d, generator=g)
    if clip:
        p[TOWER + "pre_layrnorm.weight"], p[TOWER + "pre_layrnorm.bias"] = 1 + 0.1 * torch.randn(d, generator=g), bias(d)
    for i in range(v["num_hidden_layers"]):
        l = TOWER + f"encoder.layers.{i}."
        for s in ("q_proj", "k_proj", "v_proj", "out_proj"):
            p[l + "self_attn." + s + ".weight"], p[l + "self_attn." + s + ".bias"] = linear(d, d), bias(d)
        for s in ("layer_norm1", "layer_norm2"):
            p[l + s + ".weight"], p[l + s + ".bias"] = 1 + 0.1 * torch.randn(d, generator=g), bias(d)
        p[l + "mlp.fc1.weight"], p[l + "mlp.fc1.bias"] = linear(f, d), bias(f)
        p[l + "mlp.fc2.weight"], p[l + "mlp.fc2.bias"] = linear(d, f), bias(d)
    p[TOWER + "post_layernorm.weight"], p[TOWER + "post_layernorm.bias"] = 1 + 0.1 * torch.randn(d, generator=g), bias(d)
    m = "multi_modal_projector."
    p[m + "linear_1.weight"], p[m + "linear_1.bias"] = linear(t["hidden_size"], d), bias(t["hidden_size"])
    p[m + "linear_2.weight"], p[m + "linear_2.bias"] = linear(t["hidden_size"], t["hidden_size"]), bias(t["hidden_size"])
    for name, tensor in decoder_params(t, seed + 1).items():
        p["language_model." + name] = tensor
    return p


def write(name, out_dir):
    c, gen_config, weight_seed, input_seed, tail, padding, gen_tail, steps = FOLDERS[name]
    params = init_params(c, weight_seed)
    g = torch.Generator().manual_seed(input_seed)
    v, image, rows = c["vision_config"], c["image_token_index"], c["image_seq_length"]
    size, b = v["image_size"], len(padding)
    text = lambda count, n: torch.randint(3, image, (count, n), generator=g)  # never bos/eos/0 nor the image token
    image_ids = torch.full((b, rows), image)
    ids = torch.cat((torch.ones(b, 1, dtype=torch.int64), text(b, 2), image_ids, text(b, tail)), dim=1)
    mask = torch.ones_like(ids)
    t = ids.shape[1]
    for row, pad in enumerate(padding):
        if pad:
            ids[row, t - pad:] = 0
            mask[row, t - pad:] = 0
    labels = ids.masked_fill((mask == 0) | (ids == image), -100)
    gen_ids = torch.cat((torch.ones(1, 1, dtype=torch.int64), text(1, 2), image_ids[:1], text(1, gen_tail)), dim=1)
    inputs = {"pixel_values": torch.randn(b, 3, size, size, generator=g), "input_ids": ids, "attention_mask": mask, "labels": labels,
              "gen.pixel_values": torch.randn(1, 3, size, size, generator=g), "gen.input_ids": gen_ids,
              "gen.attention_mask": torch.ones_like(gen_ids)}
    ref, margin, without = reference(c, params, inputs, steps)
    if (ref["gen.output_ids"][:, gen_ids.shape[1]:] == gen_config["eos_token_id"]).any():
        raise SystemExit(name + ": greedy decoding produced eos; choose another input seed")
    if margin < 1e-2:
        raise SystemExit(f"{name}: greedy margin {margin:.3g} < 1e-2; choose another seed")
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    for file, content in (("config.json", c), ("generation_config.json", gen_config)):
        with open(os.path.join(folder, file), "w") as f:
            json.dump(content, f, indent=2)
            f.write("\n")
    write_safetensors(os.path.join(folder, "model.safetensors"), params, {"format": "pt"})
    meta = {"generator": "scripts/reference/hf_llava.py", "torch_version": torch.__version__, "weight_seed": weight_seed,
            "input_seed": input_seed, "margin": margin, "dtype": "float32", "params_without_grad": json.dumps(without)}
    write_safetensors(os.path.join(folder, "reference.safetensors"), ref, meta)
    print(f"{folder}: {len(ref)} tensors, greedy margin {margin:.3g}, {len(without)} parameters without gradient")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2]) < 2e-5 else 1)
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(__doc__)
