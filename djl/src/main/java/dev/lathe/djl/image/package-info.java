/**
 * Images as model inputs: PNG/JPEG files resized and normalised ({@link dev.lathe.djl.image.ImageSamples})
 * as an {@link dev.lathe.djl.image.ImageSpec} says (size, mean, std, channel order, layout).
 */
package dev.lathe.djl.image;
