/**
 * Audio as model inputs: WAV files cut into windows ({@link dev.lathe.djl.audio.AudioSamples}) as an
 * {@link dev.lathe.djl.audio.AudioSpec} says, with sample-rate inputs filled and recurrent states zeroed or
 * carried from window to window.
 */
package dev.lathe.djl.audio;
