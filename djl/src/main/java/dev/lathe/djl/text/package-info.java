/**
 * Text as model inputs: files of sentences or sentence pairs tokenized with DJL's HuggingFace tokenizers
 * ({@link dev.lathe.djl.text.TextSamples}), and a small built-in English corpus
 * ({@link dev.lathe.djl.text.EnglishSentences}).
 */
package dev.lathe.djl.text;
