/**
 * The tensor engine: float32 tensors over contiguous row-major storage, reverse-mode autodiff
 * (each op records its backward beside its forward, micrograd style), and the ops the model needs.
 *
 * <p>Dimension legend used in shape comments and kernel locals:
 * <ul>
 *   <li>B: batch (images or sequences)</li>
 *   <li>T: text tokens per sequence; Nv: visual tokens; L = Nv + T: decoder positions</li>
 *   <li>N: image patches (or, in the MoE, the B*L routed tokens)</li>
 *   <li>C: decoder width; D: vision width; H: heads; hd: head width</li>
 *   <li>KV: key/value heads of grouped-query attention (each serves H/KV consecutive query heads);
 *       Tq, Tk: queries and keys of one attention (Tk - Tq cached positions before the queries)</li>
 *   <li>E: experts; k: experts chosen per token; V: vocabulary</li>
 *   <li>S: image side in pixels; p: patch side</li>
 * </ul>
 * Each fast op class {@code Foo} has its plain reference {@code FooReference} beside it, which only
 * tests run (the rule is in the package comment of {@code org.seemore.tensor.kernels}).
 *
 * <p>Dependencies point one way: tensor is used by everything and uses nothing of seemore but its
 * kernels.
 */
package org.seemore.tensor;
