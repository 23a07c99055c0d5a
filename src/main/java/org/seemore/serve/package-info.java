/**
 * {@code seemore serve}: an OpenAI-compatible HTTP endpoint ({@code /v1/chat/completions}, streaming
 * or not) and a web page over one model, a thin layer over {@link org.seemore.generate.ContinuousBatch}
 * (or a Hugging Face directory's session). One runner thread owns the model and holds the contract
 * (bounded queue, cancellation, pause, shutdown) for both kinds: seemore's own requests join the running
 * batch after their prefill and leave it when done; a Hugging Face model's run one at a time. Every
 * limit is a {@link org.seemore.serve.ServeSettings} field with a default, answered with OpenAI's
 * error JSON. The only package that depends on the web framework.
 */
package org.seemore.serve;
