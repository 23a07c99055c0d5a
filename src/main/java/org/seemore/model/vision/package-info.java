/** The ViT vision encoder: patch embedding, CLS token, learned positions, pre-LN blocks. */
package org.seemore.model.vision;
