/**
 * {@code seemore serve}: an OpenAI-compatible HTTP endpoint ({@code /v1/chat/completions}, streaming
 * or not) and a web page over one model, a thin layer over {@link org.seemore.generate.ContinuousBatch}.
 * One scheduler thread owns the model; requests wait in a bounded queue, join the running batch after
 * their prefill and leave it when done. Every limit is a {@link org.seemore.serve.ServeSettings} field
 * with a default, answered with OpenAI's error JSON. The only package that depends on the web framework.
 */
package org.seemore.serve;
