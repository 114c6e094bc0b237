package dev.simdreg.internal;

/**
 * Per-thread scratch for per-channel coefficients, so that batch-norm calls allocate nothing once a
 * thread has seen its widest layer. A call takes the workspace, uses it, and calls no other kernel that
 * takes it, so one per thread suffices.
 */
public final class Workspace {

    /**
     * Entries past the last channel of per-channel arrays: the most floats of a register (16, at 512 bits), so that
     * a provider loads or stores a register of per-channel values from any channel without a branch for the last.
     */
    public static final int SLACK = 16;

    private static final ThreadLocal<Workspace> PER_THREAD = ThreadLocal.withInitial(Workspace::new);

    public double[] sums = new double[0];
    public double[] secondSums = new double[0];
    public float[] center = new float[0];
    public float[] invStd = new float[0];
    public float[] scale = new float[0];
    public float[] shift = new float[0];
    public float[] dyScale = new float[0];
    public float[] xScale = new float[0];
    public float[] bias = new float[0];
    public float[] gammaGradient = new float[0];
    public float[] betaGradient = new float[0];
    /** The maps over center, scale and shift, without and with the ReLU, made when the arrays are. */
    private ChannelAffine linear = affine(false);
    private ChannelAffine rectified = affine(true);
    /** {@code dy·scale}, the map of an inference backward without sums: over xScale (zeros), scale and xScale. */
    private ChannelAffine scaleOnly = new ChannelAffine(xScale, scale, xScale, false);

    private Workspace() {
    }

    /** This thread's workspace, with every array at least {@code channels + SLACK} long. */
    public static Workspace of(int channels) {
        Workspace w = PER_THREAD.get();
        if (w.center.length < channels + SLACK) {
            int length = channels + SLACK;
            w.sums = new double[length];
            w.secondSums = new double[length];
            w.center = new float[length];
            w.invStd = new float[length];
            w.scale = new float[length];
            w.shift = new float[length];
            w.dyScale = new float[length];
            w.xScale = new float[length];
            w.bias = new float[length];
            w.gammaGradient = new float[length];
            w.betaGradient = new float[length];
            w.linear = w.affine(false);
            w.rectified = w.affine(true);
            w.scaleOnly = new ChannelAffine(w.xScale, w.scale, w.xScale, false);
        }
        return w;
    }

    /** The map {@code (x − center)·scale + shift} over this workspace's arrays, with the ReLU or not. */
    public ChannelAffine centerScaleShift(boolean relu) {
        return relu ? rectified : linear;
    }

    /** The map {@code (x − 0)·scale + 0}, xScale holding the zeros. */
    public ChannelAffine scaleOnly() {
        return scaleOnly;
    }

    private ChannelAffine affine(boolean relu) {
        return new ChannelAffine(center, scale, shift, relu);
    }
}
