package dev.simdreg.internal;

/**
 * The per-channel map of a batch-norm forward pass, {@code y = f((x − center[c])·scale[c] + shift[c])},
 * f the ReLU or the identity. Kept unfolded (not {@code x·scale + shift'}): for data whose mean is large
 * next to its spread, folding the center into the shift would cancel away the digits that matter.
 * The backward pass recomputes the ReLU's decision from the same floats, so it agrees bit for bit.
 */
public record ChannelAffine(float[] center, float[] scale, float[] shift, boolean relu) {
}
