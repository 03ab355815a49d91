/**
 * Choosing the execution provider for a model: a policy ({@link dev.lathe.core.selection.ProviderPolicy}: a fixed
 * provider, the first available, or the fastest by measurement), applied by
 * {@link dev.lathe.core.selection.ProviderSelector}, which records every candidate it considered in a
 * {@link dev.lathe.core.selection.ProviderDecision}.
 */
package dev.lathe.core.selection;
