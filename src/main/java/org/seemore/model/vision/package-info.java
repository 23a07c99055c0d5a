/** The ViT vision tower and its config: patch embedding, CLS token, learned positions, pre-LN blocks. */
package org.seemore.model.vision;
