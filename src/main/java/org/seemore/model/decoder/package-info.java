/** The character-level decoder-only language model with MoE blocks, and its KV-cached inference path. */
package org.seemore.model.decoder;
