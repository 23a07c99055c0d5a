/**
 * Chat templates: {@link org.seemore.data.text.chat.ChatTemplate} renders a model's Jinja chat template with
 * Jinjava, set up and patched so that the text is what transformers' {@code apply_chat_template} renders
 * with Jinja2 (whitespace control, operator precedence, Python string methods, {@code tojson}).
 */
package org.seemore.data.text.chat;
