/**
 * Sums whose result does not depend on the order of their terms: compensated (double-double) running sums,
 * so that statistics computed in parts, on several machines, and merged equal those computed in one pass.
 */
package dev.lathe.core.summation;
