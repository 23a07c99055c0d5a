package org.seemore.generate.hf;

import org.seemore.UserException;
import org.seemore.data.text.TokenIds;

/**
 * How a vision-language model marks images in its prompt: the chat template writes one image token
 * ({@code <image>}) per image, which the processor expands to {@code copies} tokens, one for each
 * feature row the projector gives ({@code image_token_index} and {@code image_seq_length} of a LLaVA
 * config). The model then puts the k-th feature row at the k-th image token.
 */
public record ImageTokens(int tokenId, int copies) {
    public ImageTokens {
        if (tokenId < 0 || copies < 1) throw new IllegalArgumentException("image token " + tokenId + " x " + copies);
    }

    /**
     * {@code ids} with each image token repeated {@code copies} times; the prompt must hold exactly
     * {@code images} of them (a one-line error otherwise, naming both counts).
     */
    public int[] expand(int[] ids, int images) {
        int found = 0;
        for (int id : ids) if (id == tokenId) found++;
        if (found != images) {
            throw new UserException("the prompt has " + found + " image token" + (found == 1 ? "" : "s") + " (id " + tokenId + ") for "
                    + images + " image" + (images == 1 ? "" : "s"));
        }
        TokenIds out = new TokenIds();
        for (int id : ids) {
            if (id != tokenId) out.add(id);
            else for (int c = 0; c < copies; c++) out.add(id);
        }
        return out.toArray();
    }
}
