/**
 * The {@code lathe} command (picocli): {@code inspect}, {@code providers}, {@code bench}, {@code compare},
 * {@code optimize} and {@code demo}, their options, and the tables they print. Not an API: everything here
 * is package-private but the entry point.
 */
package dev.lathe.cli;
