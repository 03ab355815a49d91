/**
 * Quantization passes (dynamic int8, weight-only int4/int8, float16). Not built yet: the module exists
 * so that the build layout is final; see the quantization issue.
 */
package dev.lathe.quantize;
