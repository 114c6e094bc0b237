package dev.simdreg.bench;

import dev.simdreg.AdamW;
import dev.simdreg.ColourPca;
import dev.simdreg.ImageShape;
import dev.simdreg.Sgd;

import java.util.SplittableRandom;

/**
 * The plain Java loops a user would write without simdreg, over float[]: the context for the library's
 * numbers (C2 may auto-vectorize the element-wise ones; it cannot reorder the float sums).
 */
final class Loops {

    private Loops() {
    }

    static void softThreshold(float[] x, float t, float[] out) {
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.copySign(Math.max(Math.abs(x[i]) - t, 0f), x[i]);
        }
    }

    static void proximalL1Step(float[] w, float[] g, float rate, float threshold) {
        for (int i = 0; i < w.length; i++) {
            float s = w[i] - rate * g[i];
            w[i] = Math.copySign(Math.max(Math.abs(s) - threshold, 0f), s);
        }
    }

    static float l1Norm(float[] x) {
        float sum = 0;
        for (float v : x) {
            sum += Math.abs(v);
        }
        return sum;
    }

    static float l2Norm(float[] x) {
        return (float) Math.sqrt(sumOfSquares(x, 0, x.length));
    }

    private static float sumOfSquares(float[] x, int from, int to) {
        float sum = 0;
        for (int i = from; i < to; i++) {
            sum += x[i] * x[i];
        }
        return sum;
    }

    static long maxNormRows(float[] w, int rows, int cols, float maxNorm) {
        long scaled = 0;
        for (int r = 0; r < rows; r++) {
            float norm = (float) Math.sqrt(sumOfSquares(w, r * cols, r * cols + cols));
            if (norm > maxNorm) {
                float f = maxNorm / norm;
                for (int i = r * cols; i < r * cols + cols; i++) {
                    w[i] *= f;
                }
                scaled++;
            }
        }
        return scaled;
    }

    static float projectToL2Ball(float[] v, float radius) {
        return clipGradNorm(new float[][] {v}, radius);
    }

    static float clipGradNorm(float[][] grads, float maxNorm) {
        double sum = 0;
        for (float[] g : grads) {
            sum += sumOfSquares(g, 0, g.length);
        }
        float total = (float) Math.sqrt(sum);
        float factor = (float) (maxNorm / (total + 1e-6));
        if (factor < 1) {
            for (float[] g : grads) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= factor;
                }
            }
        }
        return total;
    }

    static void sgd(Sgd s, float[] w, float[] g) {
        float lr = (float) s.learningRate(), decay = (float) s.weightDecay();
        for (int i = 0; i < w.length; i++) {
            w[i] -= lr * (g[i] + decay * w[i]);
        }
    }

    static void sgdMomentum(Sgd s, float[] w, float[] g, float[] buf) {
        float lr = (float) s.learningRate(), decay = (float) s.weightDecay(), momentum = (float) s.momentum();
        float damping = (float) (1 - s.dampening());
        for (int i = 0; i < w.length; i++) {
            float d = g[i] + decay * w[i];
            buf[i] = momentum * buf[i] + damping * d;
            w[i] -= lr * buf[i];
        }
    }

    static void adamW(AdamW a, long step, float[] w, float[] g, float[] m, float[] v) {
        float decay = (float) (1 - a.learningRate() * a.weightDecay());
        float stepSize = (float) (a.learningRate() / (1 - Math.pow(a.beta1(), step)));
        float bias2Sqrt = (float) Math.sqrt(1 - Math.pow(a.beta2(), step));
        float beta1 = (float) a.beta1(), beta2 = (float) a.beta2(), eps = (float) a.eps();
        float complement1 = (float) (1 - a.beta1()), complement2 = (float) (1 - a.beta2());
        for (int i = 0; i < w.length; i++) {
            m[i] = beta1 * m[i] + complement1 * g[i];
            v[i] = beta2 * v[i] + complement2 * g[i] * g[i];
            w[i] = w[i] * decay - stepSize * m[i] / ((float) Math.sqrt(v[i]) / bias2Sqrt + eps);
        }
    }

    static void linearAverage(float[] avg, float[] theta, long t) {
        for (int i = 0; i < avg.length; i++) {
            avg[i] += (theta[i] - avg[i]) / t;
        }
    }

    static void exponentialAverage(float[] avg, float[] theta, float alpha) {
        for (int i = 0; i < avg.length; i++) {
            avg[i] = alpha * avg[i] + (1 - alpha) * theta[i];
        }
    }

    /** Inverted dropout with one SplittableRandom draw per element and a long[] bit mask. */
    static void dropoutForward(java.util.SplittableRandom random, float[] x, float[] y, long[] mask, float keep) {
        float scale = 1f / keep;
        java.util.Arrays.fill(mask, 0);
        for (int i = 0; i < x.length; i++) {
            boolean kept = random.nextFloat() < keep;
            y[i] = kept ? x[i] * scale : 0f;
            mask[i >>> 6] |= (kept ? 1L : 0L) << i;
        }
    }

    static void dropoutBackward(long[] mask, float[] dy, float[] dx, float keep) {
        float scale = 1f / keep;
        for (int i = 0; i < dy.length; i++) {
            dx[i] = (mask[i >>> 6] >>> i & 1) != 0 ? dy[i] * scale : 0f;
        }
    }

    /** ToTensor then Normalize, element by element: HWC bytes into the shape's layout. */
    static void fromBytes(byte[] src, float[] mean, float[] std, ImageShape s, float[] out) {
        int c = s.channels(), h = s.height(), w = s.width();
        boolean planes = s.layout() == ImageShape.Layout.NCHW;
        for (int n = 0; n < s.images(); n++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        int i = ((n * h + y) * w + x) * c + k;
                        out[planes ? ((n * c + k) * h + y) * w + x : i] = ((src[i] & 0xFF) / 255f - mean[k]) / std[k];
                    }
                }
            }
        }
    }

    /** Each image mirrored left-right (or upside down) when a coin with probability q says so, else copied. */
    static void flip(SplittableRandom random, float q, ImageShape s, float[] x, float[] out, boolean horizontal) {
        int c = s.channels(), h = s.height(), w = s.width(), size = c * h * w;
        for (int n = 0; n < s.images(); n++) {
            if (random.nextFloat() >= q) {
                System.arraycopy(x, n * size, out, n * size, size);
                continue;
            }
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int col = 0; col < w; col++) {
                        out[index(s, n, k, y, col)] = horizontal ? x[index(s, n, k, y, w - 1 - col)]
                                : x[index(s, n, k, h - 1 - y, col)];
                    }
                }
            }
        }
    }

    /** A crop of each image's own size from the image padded by pad zeros, at a random corner. */
    static void randomCrop(SplittableRandom random, int pad, ImageShape s, float[] x, float[] out) {
        int c = s.channels(), h = s.height(), w = s.width();
        for (int n = 0; n < s.images(); n++) {
            int top = random.nextInt(2 * pad + 1) - pad, left = random.nextInt(2 * pad + 1) - pad;
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int col = 0; col < w; col++) {
                        int sy = y + top, sx = col + left;
                        boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                        out[index(s, n, k, y, col)] = inside ? x[index(s, n, k, sy, sx)] : 0f;
                    }
                }
            }
        }
    }

    private static int index(ImageShape s, int n, int k, int y, int x) {
        return s.layout() == ImageShape.Layout.NCHW
                ? ((n * s.channels() + k) * s.height() + y) * s.width() + x
                : ((n * s.height() + y) * s.width() + x) * s.channels() + k;
    }

    /** Per image, a rotation by up to 10° and a scale by up to 1.1 about the centre, as inverse maps. */
    static double[] rotations(SplittableRandom random, ImageShape s) {
        double[] m = new double[6 * s.images()];
        double cx = (s.width() - 1) / 2.0, cy = (s.height() - 1) / 2.0;
        for (int n = 0; n < s.images(); n++) {
            double angle = Math.toRadians(random.nextDouble(-10, 10)), scale = random.nextDouble(1, 1.1);
            double a = Math.cos(angle) / scale, b = Math.sin(angle) / scale;
            m[6 * n] = a;
            m[6 * n + 1] = -b;
            m[6 * n + 2] = cx - a * cx + b * cy;
            m[6 * n + 3] = b;
            m[6 * n + 4] = a;
            m[6 * n + 5] = cy - b * cx - a * cy;
        }
        return m;
    }

    /** Three Gaussian α per image, their RGB shift added to every pixel. */
    static void pcaColourNoise(SplittableRandom random, float sigma, ColourPca pca, ImageShape s, float[] x,
                               float[] out) {
        double[] lambda = pca.eigenvalues(), p = pca.eigenvectors();
        for (int n = 0; n < s.images(); n++) {
            double[] alpha = {sigma * random.nextGaussian(), sigma * random.nextGaussian(), sigma * random.nextGaussian()};
            float[] delta = new float[3];
            for (int c = 0; c < 3; c++) {
                delta[c] = (float) (alpha[0] * lambda[0] * p[3 * c] + alpha[1] * lambda[1] * p[3 * c + 1]
                        + alpha[2] * lambda[2] * p[3 * c + 2]);
            }
            for (int k = 0; k < 3; k++) {
                for (int y = 0; y < s.height(); y++) {
                    for (int col = 0; col < s.width(); col++) {
                        int i = index(s, n, k, y, col);
                        out[i] = x[i] + delta[k];
                    }
                }
            }
        }
    }

    /** Bilinear sampling at each output pixel's source point, zero outside. */
    static void warpAffine(double[] m, ImageShape s, float[] x, float[] out) {
        int h = s.height(), w = s.width();
        for (int n = 0; n < s.images(); n++) {
            for (int k = 0; k < s.channels(); k++) {
                for (int y = 0; y < h; y++) {
                    for (int col = 0; col < w; col++) {
                        double u = m[6 * n] * col + m[6 * n + 1] * y + m[6 * n + 2];
                        double v = m[6 * n + 3] * col + m[6 * n + 4] * y + m[6 * n + 5];
                        int u0 = (int) Math.floor(u), v0 = (int) Math.floor(v);
                        double f = u - u0, g = v - v0, value = 0;
                        for (int i = 0; i < 4; i++) {
                            int row = v0 + (i >> 1), c = u0 + (i & 1);
                            if (row >= 0 && row < h && c >= 0 && c < w) {
                                value += ((i & 1) == 0 ? 1 - f : f) * ((i >> 1) == 0 ? 1 - g : g) * x[index(s, n, k, row, c)];
                            }
                        }
                        out[index(s, n, k, y, col)] = (float) value;
                    }
                }
            }
        }
    }
}
