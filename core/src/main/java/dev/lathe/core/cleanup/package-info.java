/**
 * The {@code cleanup} pass ({@link dev.lathe.core.cleanup.GraphCleanup}): dead nodes removed, Identity nodes
 * bypassed, constant subgraphs folded, exported hard-swish chains rewritten as {@code x · HardSigmoid(x)}
 * ({@link dev.lathe.core.cleanup.HardSwishRewrite}); lossless, and the first step of every recipe.
 */
package dev.lathe.core.cleanup;
