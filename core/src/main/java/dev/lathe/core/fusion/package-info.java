/**
 * The {@code fuse} pass ({@link dev.lathe.core.fusion.TransformerFusion}): the subgraphs of transformer encoders
 * that ONNX Runtime's offline transformer optimizer fuses, done on Lathe's model API: multi-head self-attention
 * into {@code com.microsoft.Attention}, residual Add + layer norm into {@code com.microsoft.SkipLayerNormalization},
 * the embedding lookups and their layer norm into {@code com.microsoft.EmbedLayerNormalization}. Each fused value is
 * checked against the unfused model before the pass returns.
 */
package dev.lathe.core.fusion;
