/**
 * Automatic quantization ({@code quantize.auto}): tries the quantization recipes on the selected provider and
 * keeps the fastest that passes the validation gate.
 */
package dev.lathe.quantize.auto;
