/**
 * The numeric kernels under the tensors: plain loops over {@code float[]} with offsets and leading
 * dimensions, no tensor objects, so the autodiff layer above decides shapes and these only compute.
 *
 * <ul>
 *   <li>{@link org.seemore.tensor.kernels.Gemm}: matrix multiply with either operand transposed,
 *       single or batched; it picks {@code GemmSmall} (unpacked, for small products and few rows) or
 *       {@code GemmBlocked} (packed panels, {@code GemmPacking} and {@code GemmTranspose}, around the
 *       register-blocked {@code GemmMicroKernel}).
 *   <li>{@link org.seemore.tensor.kernels.Parallel}: the shared thread pool; {@code seemore} sets its
 *       size once and every kernel splits its loops over it.
 *   <li>{@link org.seemore.tensor.kernels.VectorMath}: the one vector species every kernel uses,
 *       the vector exp, and the row reductions.
 * </ul>
 *
 * <h2>Reference kernels: one rule</h2>
 *
 * Every fast class {@code Foo} (here, or an op class of {@code org.seemore.tensor}) has its plain
 * reference in {@code FooReference}, in the same package of the main sources, with a method of the
 * same name and contract for each fast method it checks: {@code Gemm.gemm} and
 * {@code GemmReference.gemm}, {@code NnOps.softmax} and {@code NnOpsReference.softmax}. A reference
 * says the contract in the fewest plain lines (scalar loops, sums in double where order matters);
 * only tests call it, never the program (a fallback the program needs at run time is named for what
 * it is, as {@code org.seemore.tensor.BroadcastFallback}), and tests keep no reference kernels of
 * their own (a test may still work a small case out by hand). The pair harness ({@code FastReferencePairsTest}) registers each pair once and runs it
 * on odd and block-boundary sizes on 1, 2 and 3 threads. The pairs today:
 *
 * <table>
 *   <caption>Fast classes and their references</caption>
 *   <tr><th>fast</th><th>reference</th></tr>
 *   <tr><td>{@code Gemm} (with {@code GemmSmall}, {@code GemmBlocked})</td><td>{@code GemmReference}</td></tr>
 *   <tr><td>{@code MatVec}</td><td>{@code MatVecReference}</td></tr>
 *   <tr><td>{@code WeightProduct} (float32 or bfloat16 {@code WeightMatrix}, up to 8 rows per pass; bfloat16 panels in {@code PanelProduct})</td><td>{@code WeightProductReference}</td></tr>
 *   <tr><td>{@code Widen} (16-bit floats to float32)</td><td>{@code WidenReference}</td></tr>
 *   <tr><td>{@code AttentionKernel} (with {@code HeadProducts})</td><td>{@code AttentionKernelReference}</td></tr>
 *   <tr><td>{@code DecodeAttention}</td><td>{@code DecodeAttentionReference}</td></tr>
 *   <tr><td>{@code VectorMath} (row reductions; exp against {@link java.lang.Math#exp})</td><td>{@code VectorMathReference}</td></tr>
 *   <tr><td>{@code AdamWKernel}</td><td>{@code AdamWKernelReference}</td></tr>
 *   <tr><td>{@code tensor.Elementwise} (over {@code BinaryKernel}, {@code Activations})</td><td>{@code tensor.ElementwiseReference}</td></tr>
 *   <tr><td>{@code tensor.NnOps} (over {@code LayerNormKernel}, {@code RmsNormKernel}, {@code SoftmaxKernel}, {@code DropoutKernel})</td><td>{@code tensor.NnOpsReference}</td></tr>
 *   <tr><td>{@code tensor.Rope} (over {@code RopeKernel})</td><td>{@code tensor.RopeReference}</td></tr>
 *   <tr><td>{@code tensor.Shaping}, {@code tensor.Indexing}</td><td>{@code tensor.ShapingReference}, {@code tensor.IndexingReference}</td></tr>
 *   <tr><td>{@code tensor.FusedAttention}, {@code tensor.ExpertMlps}</td><td>{@code tensor.FusedAttentionReference}, {@code tensor.ExpertMlpsReference}</td></tr>
 * </table>
 *
 * The kernels in parentheses are the loops of the class before them and are checked through its
 * pair, which runs those very methods: a reference of their own would repeat that class's reference
 * line for line on arrays. Where other code calls them directly (the decoding step's LayerNorm row
 * and softmax, the experts' ReLU), it calls the methods the pairs check; {@code DecodeKernelsTest}
 * shows that one LayerNorm, RMSNorm or rotary row gives the bits of the batched kernel's row, and
 * that a grouped decoding step gives each query the bits of the one-query step. The rotary tables
 * ({@code tensor.RopeTable}) are no fast kernel: they are checked against PyTorch's own float32
 * values ({@code LanguageModelOpsTorchTest}).
 *
 * <p>Matrices are row-major: element (i, j) of a matrix with leading dimension ld starting at off is
 * {@code x[off + i*ld + j]}. The dimension legend of the model (B, T, C) lives in {@code org.seemore.tensor}.
 */
package org.seemore.tensor.kernels;
