/**
 * Writing files so that a reader never sees a half-written one: a temporary file next to the target,
 * renamed over it ({@link dev.lathe.core.files.AtomicFiles}).
 */
package dev.lathe.core.files;
