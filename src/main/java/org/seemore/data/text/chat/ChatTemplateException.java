package org.seemore.data.text.chat;

import org.seemore.UserException;

/** A chat template refused the conversation: the message its {@code raise_exception} gave, such as "Conversation roles must alternate ...". */
public final class ChatTemplateException extends UserException {
    public ChatTemplateException(String message) {
        super(message);
    }
}
