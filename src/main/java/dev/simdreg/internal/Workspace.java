package dev.simdreg.internal;

/**
 * Per-thread scratch for per-channel coefficients, so that batch-norm calls allocate nothing once a
 * thread has seen its widest layer. A call takes the workspace, uses it, and calls no other kernel that
 * takes it, so one per thread suffices.
 */
public final class Workspace {

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

    /** This thread's workspace, with every array at least {@code channels} long. */
    public static Workspace of(int channels) {
        Workspace w = PER_THREAD.get();
        if (w.center.length < channels) {
            w.sums = new double[channels];
            w.secondSums = new double[channels];
            w.center = new float[channels];
            w.invStd = new float[channels];
            w.scale = new float[channels];
            w.shift = new float[channels];
            w.dyScale = new float[channels];
            w.xScale = new float[channels];
            w.bias = new float[channels];
            w.gammaGradient = new float[channels];
            w.betaGradient = new float[channels];
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
