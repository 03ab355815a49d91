/**
 * Pruning passes (magnitude, N:M, activation-aware, structured). Not built yet: the module exists so
 * that the build layout is final; see the pruning issue.
 */
package dev.lathe.prune;
